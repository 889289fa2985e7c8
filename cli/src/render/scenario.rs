//! Scenario transcripts: one line per entry, deterministic (same scenario, same bytes).

use mentorflow_dsl::Program;
use mentorflow_engine::scenario::{Entry, Expectation, Failure, Problem, StepKind, Transcript};
use mentorflow_engine::{Directory, Pairing};

use super::{engine_error, event, minute, short_hash};

/// The transcript's lines.
pub fn transcript(program: &Program, t: &Transcript) -> Vec<String> {
    // A cohort's final states name their pairing; one pairing's needs no name.
    let named = t.pairings.len() > 1;
    t.entries.iter().map(|e| entry(program, e, named)).collect()
}

fn entry(program: &Program, e: &Entry, named: bool) -> String {
    match e {
        Entry::Start {
            program,
            hash,
            type_id,
            at,
        } => format!(
            "program {program} (version {}){}, start {}",
            short_hash(hash),
            type_id
                .as_ref()
                .map_or_else(String::new, |t| format!(", type {t}")),
            minute(*at)
        ),
        Entry::Registered { added, changed } => {
            format!("-- people: {added} added, {changed} changed")
        }
        Entry::Proposed { pairs, unmatched } => proposed(pairs, unmatched),
        Entry::Delivered { delivered, failed } => {
            format!("-- deliver: {delivered} delivered, {failed} failed")
        }
        // A transcript names people by id: it must not change when a registry does.
        Entry::Event(e) => event(e, &Directory::default()),
        Entry::Wait { wait, now } => format!("-- wait {wait}: now {}", minute(*now)),
        Entry::At { at, now } => format!("-- at {at}: now {}", minute(*now)),
        Entry::Refused(e) => format!("refused: {}", engine_error(e)),
        Entry::RefusedAsExpected(e) => format!("refused as expected: {}", engine_error(e)),
        Entry::Error(e) => format!("error: {}", engine_error(e)),
        Entry::NothingDue(None) => "-- tick: nothing due".into(),
        Entry::NothingDue(Some(next)) => format!(
            "-- tick: nothing due; next: #{} {}",
            next.transition,
            super::upcoming(next)
        ),
        Entry::Printed(s) => format!("   script printed: {s}"),
        Entry::Continues(next) => {
            let people: Vec<&str> = next.participants.iter().map(|p| p.id.as_str()).collect();
            let mut line = format!(
                "-- {} is the new {} pairing, in {} with {}",
                next.id,
                next.type_id,
                next.stage,
                people.join(", ")
            );
            let carried: Vec<&str> = program
                .facts
                .iter()
                .map(|f| f.name.as_str())
                .filter(|name| next.facts.iter().any(|(n, _)| &**n == *name))
                .collect();
            if !carried.is_empty() {
                line.push_str(&format!(", carrying {}", carried.join(", ")));
            }
            line
        }
        Entry::Held(e) => held(e),
        Entry::Failed(Failure {
            step: Some(step),
            problem,
        }) => format!("FAILED at step {step}: {}", problem_text(problem)),
        Entry::Failed(Failure {
            step: None,
            problem: Problem::EnrolmentRefused(_),
        }) => "FAILED: the enrolment was refused (add expect_enrolment = \"refused\" if that is expected)".into(),
        Entry::Failed(Failure {
            step: None,
            problem,
        }) => format!("FAILED: {}", problem_text(problem)),
        Entry::Final { pairing, now } => final_state(program, pairing, *now, named),
    }
}

/// What `match` proposed: each pair, then who stayed unmatched.
fn proposed(pairs: &[(String, String, f64)], unmatched: &[(String, String)]) -> String {
    let mut line = format!("-- match: {}", super::count(pairs.len() as u64, "pair"));
    let shown: Vec<String> = pairs
        .iter()
        .map(|(mentor, mentee, score)| format!("{mentor} with {mentee} ({score:.2})"))
        .collect();
    if !shown.is_empty() {
        line.push_str(&format!(": {}", shown.join(", ")));
    }
    if !unmatched.is_empty() {
        let who: Vec<String> = unmatched
            .iter()
            .map(|(id, role)| format!("{id} ({role})"))
            .collect();
        line.push_str(&format!("; unmatched: {}", who.join(", ")));
    }
    line
}

/// A failure as the JSON transcript's `failures` lists it.
pub fn failure_summary(f: &Failure) -> String {
    match (f.step, &f.problem) {
        (Some(step), problem) => format!("step {step}: {}", problem_text(problem)),
        (None, Problem::EnrolmentRefused(e)) => {
            format!("enrolment was refused: {}", engine_error(e))
        }
        (None, problem) => problem_text(problem),
    }
}

fn problem_text(p: &Problem) -> String {
    match p {
        Problem::BadStart(e) => e.clone(),
        Problem::UnknownExpectEnrolment(other) => format!(
            "expect_enrolment = \"{other}\" is not known; write expect_enrolment = \"refused\" or leave it out"
        ),
        Problem::EnrolmentRefused(e) => format!("enrolment was refused: {}", engine_error(e)),
        Problem::TopPairing => "a pairing written at the top needs both `type` and `participants`; write a cohort's pairings as [[pairings]] instead".into(),
        Problem::StepShape => "each step needs exactly one of: wait, at, record, add, advance, force, withdraw, done, join, leave, replace, tick, advance_all, enrol, import, match, register, deactivate, reactivate, sheet, deliver, or expectations (expect_stage, expect_overdue, expect_blocked, expect_facts, expect_health, expect_successor, expect_reason, expect_outbox, expect_board, expect_pairings, expect_report); `person` goes with record, add and done, and `pairing` with steps on one pairing, expectations and deliver".into(),
        Problem::Written(what) => what.clone(),
        Problem::BadWait(e) => format!("bad wait: {e}"),
        Problem::Record(e) => format!("record refused: {}", engine_error(e)),
        Problem::AdvanceValue(other) => {
            format!("advance must be true or a stage name, not {other}")
        }
        Problem::Engine(e) => engine_error(e),
        Problem::Command(e) => super::error(e),
        Problem::Store(e) => format!("the store the scenario runs on failed: {e}"),
        Problem::File(problems) => format!(
            "a file the scenario names cannot be used:\n  {}",
            problems.join("\n  ")
        ),
        Problem::WhichPairing(known) => format!(
            "several pairings run: name the step's pairing (pairing = \"...\"), one of: {}",
            known.join(", ")
        ),
        Problem::UnknownPairing(name) => format!(
            "no pairing has the id or label `{name}`; steps name a pairing by its id (p-1) or the label it was enrolled or imported under"
        ),
        Problem::NoRematch(ended) => format!(
            "match found no new mentor for the mentee of {ended} (see who is unmatched above, and why, with `mentorflow match --rematch {ended}`)"
        ),
        Problem::Invariant { pairing, broken } => invariant(pairing, broken),
        Problem::Backwards { at, now } => format!(
            "at {} is before the clock ({}): time only moves forward",
            minute(*at),
            minute(*now)
        ),
        other => expectation_problem(other),
    }
}

/// An expectation that held.
fn held(e: &Expectation) -> String {
    match e {
        Expectation::Stage(stage) => format!("ok: in stage {stage}"),
        Expectation::Overdue(o) => format!("ok: overdue = {o}"),
        Expectation::Blocked(b) => format!("ok: blocked = {b}"),
        Expectation::Facts(facts) => {
            let shown: Vec<String> = facts.iter().map(|(n, v)| format!("{n}={v}")).collect();
            format!("ok: facts {}", shown.join(", "))
        }
        Expectation::Health(h) => format!("ok: health {h}"),
        Expectation::Successor(None) => "ok: no successor".into(),
        Expectation::Successor(Some(next)) => format!("ok: continued as {next}"),
        Expectation::Reason(r) => format!("ok: reason {r}"),
        Expectation::Outbox(n) => {
            format!(
                "ok: outbox holds {}",
                super::count(*n as u64, "notification")
            )
        }
        Expectation::Board(stages) => {
            let shown: Vec<String> = stages.iter().map(|(s, n)| format!("{s} {n}")).collect();
            format!("ok: board {}", shown.join(", "))
        }
        Expectation::Pairings(n) => {
            format!("ok: {}", super::count(*n, "pairing"))
        }
        Expectation::Report(counts) => {
            let shown: Vec<String> = counts.iter().map(|(c, n)| format!("{c} {n}")).collect();
            format!("ok: report {}", shown.join(", "))
        }
    }
}

/// An expectation that failed, or that names what does not exist.
fn expectation_problem(p: &Problem) -> String {
    match p {
        Problem::UnknownFact(name) => {
            format!("expect_facts names `{name}`, which the program does not declare")
        }
        Problem::Fact {
            name,
            expected,
            actual,
        } => format!(
            "expected {name} = {expected}, actual {}",
            actual.as_deref().unwrap_or("not recorded")
        ),
        Problem::UnknownHealth(h) => format!(
            "expect_health = \"{h}\" is no health; write one of: {}",
            mentorflow_engine::HealthState::ALL
                .iter()
                .map(|s| format!("\"{}\"", s.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Problem::Health { expected, actual } => format!(
            "expected health {expected}, actual {}",
            actual.as_deref().unwrap_or("none (the pairing has ended)")
        ),
        Problem::Successor { expected: true } => {
            "expected the pairing to continue as a successor, but it did not".into()
        }
        Problem::Successor { expected: false } => {
            "expected no successor, but the pairing continued as one".into()
        }
        Problem::Reason { expected, actual } => format!(
            "expected reason {expected}, actual {}",
            actual.as_deref().unwrap_or("none given")
        ),
        Problem::Outbox { expected, actual } => outbox(expected, actual),
        Problem::Board {
            stage,
            expected,
            actual,
        } => format!("expected {expected} in stage {stage}, actual {actual}"),
        Problem::Report {
            count,
            expected,
            actual: Some(actual),
        } => format!("expected report {count} = {expected}, actual {actual}"),
        Problem::Report { count, .. } => format!(
            "expect_report names `{count}`, which the report does not count; write one of: {}",
            mentorflow_engine::scenario::REPORT_COUNTS.join(", ")
        ),
        Problem::Pairings { expected, actual } => {
            format!("expected {expected} pairings, actual {actual}")
        }
        Problem::UnknownStage(stage) => format!("expect_stage names unknown stage `{stage}`"),
        Problem::Stage { expected, actual } => {
            format!("expected stage `{expected}`, actual `{actual}`")
        }
        Problem::Blocked { expected, actual } => format!(
            "expected blocked = {expected}, actual {} ({})",
            actual.is_blocked(),
            match super::attention(actual) {
                s if s.is_empty() => "ended".to_string(),
                s => s,
            }
        ),
        Problem::Overdue {
            expected,
            actual,
            due,
        } => format!(
            "expected overdue = {expected}, actual {actual} (due {})",
            due.map_or("never".into(), minute)
        ),
        other => refusal_problem(other),
    }
}

/// A step refused when it should not have been, or not as it should have been.
fn refusal_problem(p: &Problem) -> String {
    match p {
        Problem::EnrolmentAccepted => {
            "expected the enrolment to be refused, but it was accepted".into()
        }
        Problem::RefusedOnOtherStep => {
            "`refused` applies to advance, record, add, done, withdraw, join, leave, replace, enrol, import and match steps only".into()
        }
        Problem::UnknownRefusal(kind) => format!(
            "refused = \"{kind}\" names no kind of refusal; write refused = true or one of: {}",
            mentorflow_engine::scenario::REFUSALS.join(", ")
        ),
        Problem::RefusedOtherwise { expected, actual } => format!(
            "expected a refusal by {expected}, but it was refused by {}",
            match actual.is_empty() {
                true => "something else".to_string(),
                false => actual.join(", "),
            }
        ),
        Problem::Taken(kind, e) => format!(
            "expected the {} to be refused, but it was {}: {}",
            step_name(*kind),
            match kind {
                StepKind::Record | StepKind::Done => "stored",
                _ => "taken",
            },
            event(e, &Directory::default())
        ),
        Problem::FailedOtherwise(kind) => format!(
            "the {} failed for another reason than {}",
            step_name(*kind),
            match kind {
                StepKind::Record => "a value its declaration refuses",
                StepKind::Participants => "the type's rules or a capacity refusing it",
                StepKind::Enrol => "the type's rules, a capacity or the same people refusing it",
                StepKind::Done => "no occurrence open, or a value its declaration refuses",
                _ => "a guard that does not hold",
            }
        ),
        Problem::RuleFailed => "the type's rule failed to run instead of refusing the participants (expect_enrolment = \"refused\" expects the rule to return false)".into(),
        Problem::EnrolmentFailed(e) => format!(
            "the enrolment failed for another reason than the type's rules: {}",
            engine_error(e)
        ),
        Problem::AdvanceRefused => {
            "the advance was refused (add refused = true if that is expected)".into()
        }
        // Every kind is worded above or in the functions before; a new one shows as data
        // until it is.
        other => format!("{other:?}"),
    }
}

/// A broken invariant: which, on which pairing, and why.
fn invariant(pairing: &str, b: &mentorflow_engine::scenario::Broken) -> String {
    let meaning = match b.description.is_empty() {
        true => String::new(),
        false => format!(" ({})", b.description),
    };
    match &b.failed {
        None => format!(
            "invariant `{}`{meaning} does not hold of {pairing}: {} is false",
            b.name, b.script
        ),
        Some(why) => format!(
            "invariant `{}`{meaning} could not be judged on {pairing}: {why}",
            b.name
        ),
    }
}

/// An outbox that differs: what was expected, and what it holds.
fn outbox(
    expected: &[mentorflow_engine::scenario::ExpectedNotice],
    actual: &[mentorflow_engine::scenario::ExpectedNotice],
) -> String {
    let shown = |n: &mentorflow_engine::scenario::ExpectedNotice| {
        let mut s = n.notification.clone();
        if let Some(p) = &n.pairing {
            s.push_str(&format!(" of {p}"));
        }
        if let Some(to) = &n.to {
            s.push_str(&format!(" to {}", to.join(", ")));
        }
        if let Some(subject) = &n.subject {
            s.push_str(&format!(" \"{subject}\""));
        }
        if let Some(status) = &n.status {
            s.push_str(&format!(" ({status})"));
        }
        s
    };
    let list = |all: &[mentorflow_engine::scenario::ExpectedNotice]| match all.is_empty() {
        true => "  (none)".to_string(),
        false => all
            .iter()
            .map(|n| format!("  {}", shown(n)))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    format!(
        "the outbox differs; expected, in queue order:\n{}\nit holds:\n{}",
        list(expected),
        list(actual)
    )
}

fn step_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Advance => "advance",
        StepKind::Record => "record",
        StepKind::Withdraw => "withdraw",
        StepKind::Participants => "change of participants",
        StepKind::Done => "done",
        StepKind::Enrol => "enrolment",
    }
}

fn final_state(
    program: &Program,
    p: &Pairing,
    now: chrono::DateTime<chrono::Utc>,
    named: bool,
) -> String {
    let mut s = match named {
        true => format!("final {}: stage {}", p.id, p.stage),
        false => format!("final: stage {}", p.stage),
    };
    if let Some(o) = &p.outcome {
        s.push_str(&format!(" (outcome {o})"));
    } else if let Some(due) = p.due {
        let overdue = match p.is_overdue(now) {
            true => format!(
                " {}",
                crate::paint::mark(crate::paint::Mark::Alarm, "OVERDUE")
            ),
            false => String::new(),
        };
        s.push_str(&format!(", due {}{overdue}", minute(due)));
    }
    s.push_str(&format!(
        ", cycle {}, {}",
        p.cycle,
        super::count(p.last_seq, "event")
    ));
    let facts: Vec<String> = program
        .facts
        .iter()
        .filter_map(|f| p.fact(program, &f.name).map(|v| format!("{}={v}", f.name)))
        .collect();
    if !facts.is_empty() {
        s.push_str(&format!("\nfacts: {}", facts.join(", ")));
    }
    s.push_str(&super::person_facts(program, p, "\n"));
    if !p.former.is_empty() {
        let left: Vec<String> = p
            .former
            .iter()
            .map(|f| format!("{} ({})", f.participant.id, f.participant.role))
            .collect();
        s.push_str(&format!("\nleft: {}", left.join(", ")));
    }
    s
}
