//! Who needs attention: what a running pairing waits on (the first guard part that does not
//! hold, with the values it read), and facts recorded for a later stage while a pairing is
//! stuck earlier.

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Guard, Program, Value};

use crate::decide::engine::Engine;
use crate::model::pairing::Pairing;
use crate::rules::explain::{Candidate, GuardReport, Verdict};

/// Where a pairing stands for a coordinator.
#[derive(Debug, Clone, PartialEq)]
pub enum Attention {
    /// It has ended.
    Ended,
    /// A transition can be taken now: `advance` would move it.
    CanMove,
    /// No advance transition leaves its stage, and no timer: only withdraw can move it.
    NoAdvance,
    /// No advance transition leaves its stage: it waits for this timer (the soonest).
    Timer(crate::rules::timers::Upcoming),
    /// It waits: the first candidate's first part that does not hold.
    Waiting(Waiting),
}

/// What a pairing waits on.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// The transition it waits to take (its number).
    pub transition: usize,
    /// The stage that transition leads to.
    pub to: String,
    /// The guard part (or whole guard) that does not hold.
    pub part: String,
    /// The facts that part read, with their values (`None`: not recorded).
    pub reads: Vec<(String, Option<Value>)>,
    /// How it came out.
    pub verdict: Verdict,
}

impl Attention {
    /// Whether the pairing is running, cannot move on by `advance`, and waits for something
    /// a person must do: waiting for the calendar (a timer, a guard on time in stage or a
    /// date) is not being blocked.
    pub fn is_blocked(&self) -> bool {
        match self {
            Attention::Waiting(w) => !w.on_calendar(),
            Attention::NoAdvance => true,
            Attention::Ended | Attention::CanMove | Attention::Timer(_) => false,
        }
    }
}

impl Waiting {
    /// Whether the part that does not hold compares the pairing's type with another (`type ==
    /// "one-on-one"`): the transition is for other types, and no fact can make it hold.
    pub fn other_type(&self) -> bool {
        let part: String = self.part.chars().filter(|c| !c.is_whitespace()).collect();
        let part = part.trim_matches(|c| c == '(' || c == ')');
        let literal = |s: &str| s.len() >= 2 && s.starts_with('"') && s.ends_with('"');
        self.verdict == Verdict::False
            && part
                .split_once("==")
                .is_some_and(|(a, b)| (a == "type" && literal(b)) || (b == "type" && literal(a)))
    }

    /// Whether it waits for the calendar: the part that does not hold reads no fact (time in
    /// the stage, a date, a schedule not yet due) and its script runs.
    pub fn on_calendar(&self) -> bool {
        self.reads.is_empty() && !matches!(self.verdict, Verdict::Failed(_))
    }
}

/// Where `pairing` stands at `now`.
pub fn attention(engine: &Engine, pairing: &mut Pairing, now: DateTime<Utc>) -> Attention {
    if pairing.outcome.is_some() {
        return Attention::Ended;
    }
    let candidates = engine.explain(pairing, now);
    if candidates.iter().any(Candidate::holds) {
        return Attention::CanMove;
    }
    // A transition that asks for a reason (`reasons`) is a coordinator's choice, such as
    // closing early: when only such transitions leave the stage, the pairing waits on its
    // timer, if one leaves it.
    let asks_reason = |c: &Candidate| {
        engine
            .program
            .transitions
            .get(c.transition.wrapping_sub(1))
            .is_some_and(|t| !t.reasons.is_empty())
    };
    let timer = |pairing: &Pairing| {
        crate::rules::timers::upcoming(&engine.program, pairing)
            .into_iter()
            .next()
    };
    if !candidates.is_empty() && candidates.iter().all(asks_reason) {
        if let Some(timer) = timer(pairing) {
            return Attention::Timer(timer);
        }
    }
    // A transition meant for another type (`type == "one-on-one" && ...` seen from an
    // extension) is never what this pairing waits on; the first that may apply is.
    let mut waits: Vec<Waiting> = candidates.iter().filter_map(waiting).collect();
    if let Some(i) = waits.iter().position(|w| !w.other_type()) {
        return Attention::Waiting(waits.swap_remove(i));
    }
    if let Some(w) = waits.into_iter().next() {
        return Attention::Waiting(w);
    }
    // Left only by automatic transitions (or timers): what the first automatic one waits on.
    if let Some(w) = engine.explain_auto(pairing, now).iter().find_map(waiting) {
        return Attention::Waiting(w);
    }
    timer(pairing).map_or(Attention::NoAdvance, Attention::Timer)
}

fn waiting(c: &Candidate) -> Option<Waiting> {
    let report = c.reports().find(|g| g.verdict != Verdict::Holds)?;
    let (part, verdict) = first_failing(report);
    let reads = report
        .reads
        .iter()
        .filter(|(name, _)| part.contains(&format!("facts.{name}")) || report.parts.is_empty())
        .cloned()
        .collect();
    Some(Waiting {
        transition: c.transition,
        to: c.to.clone(),
        part,
        reads,
        verdict,
    })
}

fn first_failing(report: &GuardReport) -> (String, Verdict) {
    report
        .parts
        .iter()
        .find(|(_, v)| *v != Verdict::Holds)
        .cloned()
        .unwrap_or_else(|| (report.source.clone(), report.verdict.clone()))
}

/// A fact recorded on a pairing that no transition from its stage reads, but a later one does.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyFact {
    /// The fact.
    pub fact: String,
    /// A stage whose transitions read it.
    pub used_from: String,
}

/// The facts among `recorded` that belong to a later stage's guard while `pairing` still
/// waits in its own.
pub fn early_facts(program: &Program, pairing: &Pairing, recorded: &[String]) -> Vec<EarlyFact> {
    let reads_from = |stage: &str, fact: &str| {
        program
            .transitions
            .iter()
            .filter(|t| t.on_advance_from(stage))
            .any(|t| guard_reads(program, &pairing.type_id, t, fact))
    };
    recorded
        .iter()
        .filter(|f| !reads_from(&pairing.stage, f))
        .filter_map(|f| {
            let used = program
                .stages
                .iter()
                .find(|s| s.id != *pairing.stage && reads_from(&s.id, f))?;
            Some(EarlyFact {
                fact: f.clone(),
                used_from: used.id.to_string(),
            })
        })
        .collect()
}

fn guard_reads(
    program: &Program,
    type_id: &str,
    t: &mentorflow_dsl::Transition,
    fact: &str,
) -> bool {
    let own = match &t.guard {
        Some(Guard::Script(s)) => s.facts_read.contains(fact),
        Some(Guard::Criterion(c)) => program
            .criterion(c)
            .is_some_and(|c| c.script.facts_read.contains(fact)),
        None => false,
    };
    own || crate::rules::explain::extra_guard(program, type_id, t)
        .is_some_and(|s| s.facts_read.contains(fact))
}
