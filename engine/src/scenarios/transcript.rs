//! What a scenario run shows and how it failed, as data: the command line renders it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::coordinator::error::EngineError;
use crate::decide::invariants::Broken;
use crate::model::event::Event;
use crate::model::pairing::Pairing;

use super::scenario::ExpectedNotice;

/// The result of running a scenario: what happened, as data, in order.
#[derive(Debug, Default)]
pub struct Transcript {
    /// What a tester reads, one entry per line.
    pub entries: Vec<Entry>,
    /// Failed expectations (empty: the scenario passed).
    pub failures: Vec<Failure>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Transition numbers taken (for coverage).
    pub taken: Vec<usize>,
    /// The final state of the scenario's first pairing, if one was enrolled.
    pub pairing: Option<Pairing>,
    /// The final state of every pairing, in the store's order.
    pub pairings: Vec<Pairing>,
}

/// One line of a transcript.
#[derive(Debug)]
pub enum Entry {
    /// The run starts: program, version, type (of a pairing written at the top) and start.
    Start {
        /// Program id.
        program: String,
        /// Program version.
        hash: String,
        /// Mentoring type of the pairing written at the top, if any.
        type_id: Option<String>,
        /// The fixed clock's start.
        at: DateTime<Utc>,
    },
    /// An event was stored.
    Event(Event),
    /// The clock moved.
    Wait {
        /// As written (`3d`).
        wait: String,
        /// The new time.
        now: DateTime<Utc>,
    },
    /// The clock moved to a time, or by `+DURATION`.
    At {
        /// As written.
        at: String,
        /// The new time.
        now: DateTime<Utc>,
    },
    /// The registry changed: how many people were added or changed.
    Registered {
        /// Added.
        added: usize,
        /// Changed.
        changed: usize,
    },
    /// `match` proposed pairs: mentor, mentee, score; then who stayed unmatched (id, role).
    Proposed {
        /// The pairs, mentor then mentee.
        pairs: Vec<(String, String, f64)>,
        /// Who got no partner: id and role.
        unmatched: Vec<(String, String)>,
    },
    /// `deliver` handed the pending notifications on.
    Delivered {
        /// How many were delivered.
        delivered: usize,
        /// How many failed (left pending).
        failed: usize,
    },
    /// The engine refused a step that was meant to succeed (or the enrolment).
    Refused(EngineError),
    /// A step marked `refused` was refused as expected.
    RefusedAsExpected(EngineError),
    /// A step marked `refused` failed for another reason.
    Error(EngineError),
    /// A tick found nothing due; the timer that fires next, if any.
    NothingDue(Option<crate::rules::timers::Upcoming>),
    /// A script printed a line.
    Printed(String),
    /// The pairing ended in a stage whose successor applies: the successor enrolled in the
    /// same command, as stored.
    Continues(Box<Pairing>),
    /// An expectation held.
    Held(Expectation),
    /// An expectation failed; the run stops.
    Failed(Failure),
    /// A pairing's final state, at the final time.
    Final {
        /// The pairing.
        pairing: Box<Pairing>,
        /// The time.
        now: DateTime<Utc>,
    },
}

/// The steps that `refused` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// `advance`: refused when no guard holds.
    Advance,
    /// `record`: refused when a value breaks its declaration (an unknown fact is a typo).
    Record,
    /// `withdraw`: refused when no withdraw guard holds.
    Withdraw,
    /// `join`, `leave`, `replace`: refused when the type's rules or a capacity refuse it.
    Participants,
    /// `done`: refused when no occurrence is open (all done or missed, or the next one's
    /// period has not begun) or a value it records is refused.
    Done,
    /// `enrol`, `import`, `match`: refused when the type's rules, a capacity or the same
    /// people in a running pairing refuse it.
    Enrol,
}

/// An expectation that held.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// `expect_stage`.
    Stage(String),
    /// `expect_overdue`.
    Overdue(bool),
    /// `expect_blocked`.
    Blocked(bool),
    /// `expect_facts`: each fact and its value, as shown.
    Facts(Vec<(String, String)>),
    /// `expect_health`.
    Health(String),
    /// `expect_successor`: whether it continued, and as which pairing.
    Successor(Option<String>),
    /// `expect_reason`.
    Reason(String),
    /// `expect_outbox`: how many notifications.
    Outbox(usize),
    /// `expect_board`: stage and count.
    Board(BTreeMap<String, u64>),
    /// `expect_pairings`.
    Pairings(u64),
    /// `expect_report`: count and value.
    Report(BTreeMap<String, u64>),
}

/// A failed expectation: at which step (none: the scenario's start), and what.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step's number, from 1; `None` for the scenario's start and its pairings.
    pub step: Option<usize>,
    /// What failed.
    pub problem: Problem,
}

/// What failed in a scenario.
#[derive(Debug, Clone)]
pub enum Problem {
    /// `start` is not a time.
    BadStart(String),
    /// `expect_enrolment` has a value other than "refused".
    UnknownExpectEnrolment(String),
    /// `expect_enrolment = "refused"`, but the enrolment was accepted.
    EnrolmentAccepted,
    /// The enrolment was refused without `expect_enrolment = "refused"`.
    EnrolmentRefused(EngineError),
    /// `participants` without `type`, or `type` without `participants`.
    TopPairing,
    /// A step has no action key or several.
    StepShape,
    /// A step's value cannot be used: what is wrong and how to write it.
    Written(String),
    /// A `wait` that is not a duration.
    BadWait(String),
    /// A record the engine refused.
    Record(EngineError),
    /// `advance` is neither `true` nor a stage name.
    AdvanceValue(String),
    /// `refused` on a step that cannot be refused (wait, force, tick, expect).
    RefusedOnOtherStep,
    /// `refused = "KIND"` names no kind of refusal.
    UnknownRefusal(String),
    /// `refused`, but the step was taken.
    Taken(StepKind, Box<Event>),
    /// `refused`, but the step failed for another reason than a refusal it can test.
    FailedOtherwise(StepKind),
    /// `refused = "KIND"`, but it was refused by something else (the kinds it was).
    RefusedOtherwise {
        /// The kind expected.
        expected: String,
        /// The kinds it was refused by.
        actual: Vec<&'static str>,
    },
    /// The advance was refused without `refused = true`.
    AdvanceRefused,
    /// `expect_enrolment = "refused"`, but the type's rule failed to run.
    RuleFailed,
    /// `expect_enrolment = "refused"`, but the enrolment failed for another reason.
    EnrolmentFailed(EngineError),
    /// A command the engine refused.
    Engine(EngineError),
    /// A command failed for another reason than the engine's (a program without matching).
    Command(Box<crate::coordinator::error::Error>),
    /// The store the scenario runs on failed (it lives in memory: never expected).
    Store(String),
    /// A file the scenario names cannot be used: each problem.
    File(Vec<String>),
    /// Several pairings run and the step names none.
    WhichPairing(Vec<String>),
    /// `match` with `rematch` found no new mentor for the pairing's mentee.
    NoRematch(String),
    /// No pairing has this id or label.
    UnknownPairing(String),
    /// An invariant of the program does not hold of a pairing.
    Invariant {
        /// The pairing.
        pairing: String,
        /// Which, and why.
        broken: Broken,
    },
    /// `expect_stage` names no stage of the program.
    UnknownStage(String),
    /// The pairing is in another stage.
    Stage {
        /// Expected.
        expected: String,
        /// Actual.
        actual: String,
    },
    /// The pairing's blocked state differs.
    Blocked {
        /// Expected.
        expected: bool,
        /// What it stands at.
        actual: Box<crate::decide::attention::Attention>,
    },
    /// The pairing's overdue state differs.
    Overdue {
        /// Expected.
        expected: bool,
        /// Actual.
        actual: bool,
        /// Its due time, if any.
        due: Option<DateTime<Utc>>,
    },
    /// `expect_facts` names a fact the program does not declare.
    UnknownFact(String),
    /// A fact holds another value (none: not recorded, no default).
    Fact {
        /// The fact.
        name: String,
        /// Expected, as shown.
        expected: String,
        /// Actual, as shown.
        actual: Option<String>,
    },
    /// `expect_health` is not a health a pairing can have.
    UnknownHealth(String),
    /// The pairing's health differs (none: it has ended).
    Health {
        /// Expected.
        expected: String,
        /// Actual.
        actual: Option<String>,
    },
    /// It continued when it should not have, or did not when it should.
    Successor {
        /// Expected.
        expected: bool,
    },
    /// It ended with another reason code, or none.
    Reason {
        /// Expected.
        expected: String,
        /// Actual.
        actual: Option<String>,
    },
    /// The outbox differs: what was expected, and what it holds (notification, pairing,
    /// recipients, subject, status).
    Outbox {
        /// Expected.
        expected: Vec<ExpectedNotice>,
        /// What it holds.
        actual: Vec<ExpectedNotice>,
    },
    /// A stage holds another number of pairings.
    Board {
        /// The stage.
        stage: String,
        /// Expected.
        expected: u64,
        /// Actual.
        actual: u64,
    },
    /// A count of the report differs (or names no count: `actual` is none).
    Report {
        /// The count's name.
        count: String,
        /// Expected.
        expected: u64,
        /// Actual.
        actual: Option<u64>,
    },
    /// `at` names a time before the clock: time only moves forward.
    Backwards {
        /// The time written.
        at: DateTime<Utc>,
        /// The clock.
        now: DateTime<Utc>,
    },
    /// The store holds another number of pairings.
    Pairings {
        /// Expected.
        expected: u64,
        /// Actual.
        actual: u64,
    },
}

impl Transcript {
    pub(crate) fn note(&mut self, event: Event) {
        if let Some(n) = event.kind.transition() {
            self.taken.push(n);
        }
        self.entries.push(Entry::Event(event.clone()));
        self.events.push(event);
    }

    /// Records a failure: a line in the transcript and an entry in `failures`.
    pub(crate) fn fail(&mut self, step: Option<usize>, problem: Problem) {
        self.entries.push(Entry::Failed(Failure {
            step,
            problem: problem.clone(),
        }));
        self.failures.push(Failure { step, problem });
    }
}
