//! Scenario transcripts: one line per entry, deterministic (same scenario, same bytes).

use mentorflow_dsl::Program;
use mentorflow_engine::scenario::{Entry, Expectation, Failure, Problem, StepKind, Transcript};
use mentorflow_engine::{Directory, Pairing};

use super::{engine_error, event, minute, short_hash};

/// The transcript's lines.
pub fn transcript(program: &Program, t: &Transcript) -> Vec<String> {
    t.entries.iter().map(|e| entry(program, e)).collect()
}

fn entry(program: &Program, e: &Entry) -> String {
    match e {
        Entry::Start {
            program,
            hash,
            type_id,
            at,
        } => format!(
            "program {program} (version {}), type {type_id}, start {}",
            short_hash(hash),
            minute(*at)
        ),
        // A transcript names people by id: it must not change when a registry does.
        Entry::Event(e) => event(e, &Directory::default()),
        Entry::Wait { wait, now } => format!("-- wait {wait}: now {}", minute(*now)),
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
        Entry::Held(Expectation::Stage(stage)) => format!("ok: in stage {stage}"),
        Entry::Held(Expectation::Overdue(o)) => format!("ok: overdue = {o}"),
        Entry::Held(Expectation::Blocked(b)) => format!("ok: blocked = {b}"),
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
        Entry::Final { pairing, now } => final_state(program, pairing, *now),
    }
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
        Problem::EnrolmentAccepted => {
            "expected the enrolment to be refused, but it was accepted".into()
        }
        Problem::EnrolmentRefused(e) => format!("enrolment was refused: {}", engine_error(e)),
        Problem::StepShape => "each step needs exactly one of: wait, record, add, advance, force, withdraw, done, join, leave, replace, tick, or expectations (expect_stage, expect_overdue, expect_blocked)".into(),
        Problem::BadWait(e) => format!("bad wait: {e}"),
        Problem::Record(e) => format!("record refused: {}", engine_error(e)),
        Problem::AdvanceValue(other) => {
            format!("advance must be true or a stage name, not {other}")
        }
        Problem::RefusedOnOtherStep => {
            "`refused = true` applies to advance, record, add, done, withdraw, join, leave and replace steps only".into()
        }
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
        Problem::Engine(e) => engine_error(e),
        Problem::Store(e) => format!("the store the scenario runs on failed: {e}"),
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
    }
}

fn step_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Advance => "advance",
        StepKind::Record => "record",
        StepKind::Withdraw => "withdraw",
        StepKind::Participants => "change of participants",
        StepKind::Done => "done",
    }
}

fn final_state(program: &Program, p: &Pairing, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut s = format!("final: stage {}", p.stage);
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
