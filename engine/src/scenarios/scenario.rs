//! Scenario files for testers: a program, a type, participants, a start time and steps; run on
//! a fixed clock into a deterministic transcript (same input, same bytes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Due, Program, Value, ValueKind};
use serde::Deserialize;

use crate::base::clock::FixedClock;
use crate::coordinator::error::{EngineError, Error};
use crate::coordinator::{Advance, Coordinator, Enrolment, Options, SCRIPT_BUDGET};
use crate::decide::engine::FactChange;
use crate::model::event::{Event, Participant};
use crate::model::pairing::Pairing;

/// A scenario as written in TOML.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The program file, relative to the scenario file.
    pub program: PathBuf,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Mentoring type.
    #[serde(rename = "type")]
    pub type_id: String,
    /// Start of the fixed clock.
    pub start: toml::value::Datetime,
    /// Pairing id in the transcript.
    #[serde(default = "default_pairing")]
    pub pairing: String,
    /// Actor for steps that name none.
    #[serde(default = "default_actor")]
    pub actor: String,
    /// `"refused"` when the enrolment itself must be refused (a type rule test).
    #[serde(default)]
    pub expect_enrolment: Option<String>,
    /// Who takes part.
    pub participants: Vec<ScenarioParticipant>,
    /// What happens, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

fn default_pairing() -> String {
    "p-1".into()
}

fn default_actor() -> String {
    "coordinator".into()
}

/// A participant in a scenario; attributes are TOML values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioParticipant {
    /// Person id.
    pub id: String,
    /// Role.
    pub role: String,
    /// Attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, toml::Value>,
}

/// One step; exactly one action key per step.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Move the clock forward (`3d`, `2w`, `1mo`).
    pub wait: Option<String>,
    /// Record facts (one event, in the order written).
    pub record: Option<toml::Table>,
    /// Add to number facts (one event): `add = { meetings = 1 }`, as `record meetings+=1`.
    pub add: Option<toml::Table>,
    /// With `record`, `add` or `done`: the person the facts (or the occurrence of a schedule
    /// kept per person) are for.
    pub person: Option<String>,
    /// Someone joins the pairing.
    pub join: Option<ScenarioParticipant>,
    /// This person leaves the pairing (needs `reason`).
    pub leave: Option<String>,
    /// This person is replaced by the one in `by` (`reason` optional).
    pub replace: Option<String>,
    /// With `replace`: who takes their place.
    pub by: Option<ScenarioParticipant>,
    /// `true`, or the stage to advance to.
    pub advance: Option<toml::Value>,
    /// With `advance`, `record` or `withdraw`: the step must be refused.
    #[serde(default)]
    pub refused: bool,
    /// Force a move to this stage (needs `reason`).
    pub force: Option<String>,
    /// Withdraw with this reason.
    pub withdraw: Option<String>,
    /// Record an occurrence of this schedule done (now), with the facts in `with`.
    pub done: Option<String>,
    /// With `done`: facts the occurrence records.
    pub with: Option<toml::Table>,
    /// Run the timers at the current time.
    #[serde(default)]
    pub tick: bool,
    /// The stage the pairing must be in now.
    pub expect_stage: Option<String>,
    /// The pairing must (true) or must not (false) be overdue now.
    pub expect_overdue: Option<bool>,
    /// The pairing must (true) or must not (false) be blocked now: running, and no advance
    /// transition can be taken (what `list --blocked` shows).
    pub expect_blocked: Option<bool>,
    /// The reason for `force`, `leave` or `replace`, or given with `advance` (a code the
    /// transition may ask for).
    pub reason: Option<String>,
    /// Who does this step.
    pub actor: Option<String>,
}

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
    /// The final state, if enrolment succeeded.
    pub pairing: Option<Pairing>,
}

/// One line of a transcript.
#[derive(Debug)]
pub enum Entry {
    /// The run starts: program, version, type and start time.
    Start {
        /// Program id.
        program: String,
        /// Program version.
        hash: String,
        /// Mentoring type.
        type_id: String,
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
    /// The engine refused a step that was meant to succeed (or the enrolment).
    Refused(EngineError),
    /// A step marked `refused = true` was refused by its guards.
    RefusedAsExpected(EngineError),
    /// A step marked `refused = true` failed for another reason.
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
    /// The final state, at the final time.
    Final {
        /// The pairing.
        pairing: Box<Pairing>,
        /// The time.
        now: DateTime<Utc>,
    },
}

/// The steps that `refused = true` applies to.
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
}

/// A failed expectation: at which step (none: the enrolment), and what.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step's number, from 1; `None` for the scenario's enrolment and start.
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
    /// A step has no action key or several.
    StepShape,
    /// A `wait` that is not a duration.
    BadWait(String),
    /// A record the engine refused.
    Record(EngineError),
    /// `advance` is neither `true` nor a stage name.
    AdvanceValue(String),
    /// `refused = true` on a step that cannot be refused (wait, force, tick, expect).
    RefusedOnOtherStep,
    /// `refused = true`, but the step was taken.
    Taken(StepKind, Box<Event>),
    /// `refused = true`, but the step failed for another reason than a refusal it can test.
    FailedOtherwise(StepKind),
    /// The advance was refused without `refused = true`.
    AdvanceRefused,
    /// `expect_enrolment = "refused"`, but the type's rule failed to run.
    RuleFailed,
    /// `expect_enrolment = "refused"`, but the enrolment failed for another reason.
    EnrolmentFailed(EngineError),
    /// A force, withdraw or tick the engine refused.
    Engine(EngineError),
    /// The store the scenario runs on failed (it lives in memory: never expected).
    Store(String),
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
}

/// Why a scenario could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Unreadable file.
    #[error("cannot read scenario `{path}`: {message}")]
    Read {
        /// Path.
        path: PathBuf,
        /// Reason.
        message: String,
    },
    /// Not a valid scenario.
    #[error("scenario `{path}` is not valid: {message}")]
    Invalid {
        /// Path.
        path: PathBuf,
        /// What is wrong (from the TOML reader, with line and column).
        message: String,
        /// The file has a `[program]` table: it is a program, not a scenario.
        program_file: bool,
    },
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = mentorflow_dsl::files::read_text(path).map_err(|e| ScenarioError::Read {
            path: path.into(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ScenarioError::Invalid {
            path: path.into(),
            message: e.to_string().trim_end().to_string(),
            program_file: text.lines().any(|l| l.trim() == "[program]"),
        })
    }

    /// The program path resolved against the scenario's folder, through the file gate: a
    /// `.toml` file, links followed; what is wrong otherwise, in words.
    pub fn program_path(&self, scenario_path: &Path) -> Result<PathBuf, String> {
        let folder = scenario_path.parent().unwrap_or(Path::new("."));
        mentorflow_dsl::files::program_named(folder, &self.program).map_err(|problem| {
            format!(
                "its program `{}` cannot be used: {problem}; name the program's .toml file, relative to the scenario's folder",
                self.program.display()
            )
        })
    }
}

/// A TOML value as a typed value of `kind`; text goes through the declaration's parser.
pub fn toml_to_value(value: &toml::Value, kind: ValueKind) -> Option<Value> {
    Some(match (kind, value) {
        (ValueKind::Bool, toml::Value::Boolean(b)) => Value::Bool(*b),
        (ValueKind::Int, toml::Value::Integer(i)) => Value::Int(*i),
        (ValueKind::Float, toml::Value::Float(x)) => Value::Float(*x),
        (ValueKind::Float, toml::Value::Integer(i)) => Value::Float(*i as f64),
        (ValueKind::Text, toml::Value::String(s)) => Value::Text(s.clone()),
        (ValueKind::Date, toml::Value::Datetime(d)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d").ok()?)
        }
        (ValueKind::Date, toml::Value::String(s)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?)
        }
        (ValueKind::List, toml::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| i.as_str().map(String::from))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

impl ScenarioParticipant {
    /// The participant, its attributes typed as the program declares them.
    fn participant(&self, program: &Program) -> Participant {
        Participant {
            id: self.id.clone(),
            role: self.role.as_str().into(),
            attributes: self
                .attributes
                .iter()
                .map(|(k, v)| {
                    let kind = program.attributes.iter().find(|a| a.name == *k);
                    (k.clone(), typed(v, kind.map(|a| a.kind)))
                })
                .collect(),
            facts: BTreeMap::new(),
            managers: Vec::new(),
        }
    }
}

/// A TOML value as the kind declared for it (else as it looks). A value not of the declared
/// kind is kept as written, for the store to refuse by its declaration (a string without its
/// TOML quotes).
fn typed(value: &toml::Value, kind: Option<ValueKind>) -> Value {
    let guess = match value {
        toml::Value::Boolean(_) => ValueKind::Bool,
        toml::Value::Integer(_) => ValueKind::Int,
        toml::Value::Float(_) => ValueKind::Float,
        toml::Value::Array(_) => ValueKind::List,
        _ => ValueKind::Text,
    };
    toml_to_value(value, kind.unwrap_or(guess)).unwrap_or_else(|| match value {
        toml::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    })
}

fn start_time(s: &Scenario) -> Result<DateTime<Utc>, String> {
    let text = s.start.to_string();
    DateTime::parse_from_rfc3339(&text)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            format!(
                "start `{text}` must be a date-time with offset (2026-01-05T09:00:00Z) or a date"
            )
        })
}

/// Runs a scenario on `program` (read from `source`) on a fixed clock, through a coordinator
/// over a store in memory: every step is exactly the store's command, with the same checks,
/// automatic moves, successors, capacity and notifications.
pub fn run(program: &Program, source: &str, scenario: &Scenario) -> Transcript {
    let mut t = Transcript::default();
    let now = match start_time(scenario) {
        Ok(now) => now,
        Err(e) => {
            t.fail(None, Problem::BadStart(e));
            return t;
        }
    };
    if scenario.pairing.trim().is_empty() {
        t.fail(
            None,
            Problem::BadStart(
                "`pairing` is empty: give the pairing an id (pairing = \"p-1\"), or leave the key out".into(),
            ),
        );
        return t;
    }
    t.entries.push(Entry::Start {
        program: program.id.clone(),
        hash: program.hash.clone(),
        type_id: scenario.type_id.clone(),
        at: now,
    });
    if let Some(problem) = before_enrolment(program, scenario) {
        t.fail(None, problem);
        return t;
    }
    let store = match crate::store::in_memory() {
        Ok(store) => store,
        Err(e) => {
            t.fail(None, Problem::Store(e.to_string()));
            return t;
        }
    };
    let options = Options {
        actor: scenario.actor.clone(),
        at: Some(now),
        clock: Arc::new(FixedClock::new(now)),
        script_budget: SCRIPT_BUDGET,
        lock_wait: crate::store::LOCK_WAIT,
    };
    let mut run = Run {
        program,
        coordinator: Coordinator::with_store(store, options),
        id: String::new(),
        now,
        t,
    };
    if run.enrol(program, source, scenario) {
        for (i, step) in scenario.steps.iter().enumerate() {
            run.coordinator
                .act_as(step.actor.as_deref().unwrap_or(&scenario.actor));
            let done = run.step(step);
            run.printed();
            if let Err(problem) = done {
                run.t.fail(Some(i + 1), problem);
                break;
            }
        }
        run.finish();
    }
    run.t
}

/// What is wrong with the scenario before its enrolment: an attribute the program does not
/// declare (refused as `enrol` refuses it), an unknown `expect_enrolment`.
fn before_enrolment(program: &Program, scenario: &Scenario) -> Option<Problem> {
    let undeclared = scenario.participants.iter().find_map(|p| {
        p.attributes
            .keys()
            .find(|k| !program.attributes.iter().any(|a| &a.name == *k))
    });
    if let Some(name) = undeclared {
        return Some(Problem::Engine(crate::decide::engine::unknown_attribute(
            program, name,
        )));
    }
    match scenario.expect_enrolment.as_deref() {
        None | Some("refused") => None,
        Some(other) => Some(Problem::UnknownExpectEnrolment(other.into())),
    }
}

/// A scenario as it runs: its coordinator, its pairing, its clock and what it has shown.
struct Run<'p> {
    program: &'p Program,
    coordinator: Coordinator,
    /// The scenario's pairing, as the store named it.
    id: String,
    now: DateTime<Utc>,
    t: Transcript,
}

/// A command's outcome: its events, or the coordinator's refusal.
type Outcome = Result<Vec<Event>, Error>;

impl Run<'_> {
    /// Enrols the scenario's pairing; whether the steps run.
    fn enrol(&mut self, program: &Program, source: &str, scenario: &Scenario) -> bool {
        let refused_expected = scenario.expect_enrolment.is_some();
        let enrolment = Enrolment {
            type_id: scenario.type_id.clone(),
            participants: scenario
                .participants
                .iter()
                .map(|p| p.participant(program))
                .collect(),
            // The store names pairings p-1, p-2 ...: another name is kept as a label.
            label: (scenario.pairing != default_pairing()).then(|| scenario.pairing.clone()),
            facts: Vec::new(),
        };
        let enrolled = self.coordinator.enrol(program, source, &enrolment);
        self.printed();
        let error = match enrolled {
            Ok(pairing) => {
                self.id = pairing.id.to_string();
                if refused_expected {
                    self.t.fail(None, Problem::EnrolmentAccepted);
                }
                return match self.coordinator.log(Some(&self.id)) {
                    Ok(events) => {
                        self.note_all(events);
                        true
                    }
                    Err(e) => {
                        self.t.fail(None, Problem::Store(e.to_string()));
                        false
                    }
                };
            }
            Err(e) => e,
        };
        match engine_error(error) {
            Ok(e) => {
                self.t.entries.push(Entry::Refused(e.clone()));
                match (refused_expected, enrolment_refusal(&e)) {
                    (true, Ok(())) => {}
                    (true, Err(problem)) => self.t.fail(None, problem),
                    (false, _) => self.t.fail(None, Problem::EnrolmentRefused(e)),
                }
            }
            Err(problem) => self.t.fail(None, problem),
        }
        false
    }

    /// Runs one step: one command, applied whole or not at all, as in the store.
    fn step(&mut self, step: &Step) -> Result<(), Problem> {
        let kind = shape(step)?;
        let id = self.id.clone();
        let c = &mut self.coordinator;
        let outcome = match kind {
            Shape::Wait(wait) => {
                self.now = Due::parse(wait).map_err(Problem::BadWait)?.after(self.now);
                c.set_time(Some(self.now));
                self.t.entries.push(Entry::Wait {
                    wait: wait.clone(),
                    now: self.now,
                });
                return Ok(());
            }
            Shape::Expect => return self.expect(step),
            Shape::Tick => return self.tick(),
            Shape::Record(facts) => {
                let changes: Vec<(String, FactChange)> = facts
                    .iter()
                    .map(|(name, value)| (name.clone(), fact_change(self.program, name, value)))
                    .collect();
                let recorded = c.record_for(&id, step.person.as_deref(), &changes);
                (StepKind::Record, recorded.map(|r| r.events))
            }
            Shape::Add(amounts) => {
                let changes: Vec<(String, FactChange)> = amounts
                    .iter()
                    .map(|(name, n)| {
                        // A duration for a date (`end_date = "6w"`) is a string: its text.
                        let amount = n.as_str().map_or_else(|| n.to_string(), str::to_string);
                        (name.clone(), FactChange::Add(amount))
                    })
                    .collect();
                let recorded = c.record_for(&id, step.person.as_deref(), &changes);
                (StepKind::Record, recorded.map(|r| r.events))
            }
            Shape::Advance(to) => (StepKind::Advance, c.advance(&id, &to)),
            Shape::Withdraw(reason) => (StepKind::Withdraw, c.withdraw(&id, reason)),
            Shape::Join(who) => {
                let joined = c.join(&id, &who.participant(self.program));
                (StepKind::Participants, joined)
            }
            Shape::Leave(person) => {
                let reason = step.reason.as_deref().unwrap_or_default();
                (StepKind::Participants, c.leave(&id, person, reason))
            }
            Shape::Replace(person, by) => {
                let by = by.participant(self.program);
                let replaced = c.replace(&id, person, &by, step.reason.as_deref());
                (StepKind::Participants, replaced)
            }
            Shape::Force(to) => {
                let force = Advance::Force {
                    to: to.clone(),
                    reason: step.reason.clone().unwrap_or_default(),
                };
                let events = c.advance(&id, &force).map_err(failed)?;
                self.note_all(events);
                return Ok(());
            }
            Shape::Done(schedule) => {
                let facts: Vec<(String, FactChange)> = step
                    .with
                    .iter()
                    .flatten()
                    .map(|(name, value)| (name.clone(), fact_change(self.program, name, value)))
                    .collect();
                let person = step.person.as_deref();
                (StepKind::Done, c.done(&id, schedule, None, &facts, person))
            }
        };
        self.refusable(outcome.0, outcome.1, step.refused)
    }

    /// Runs the timers of every pairing in the store (the scenario's and any successor).
    fn tick(&mut self) -> Result<(), Problem> {
        let mut events = Vec::new();
        let ticked = self.coordinator.tick(&mut |step| {
            if let crate::coordinator::BulkStep::Stored(e) = step {
                events.push(e.clone());
            }
        });
        ticked.map_err(failed)?;
        if events.is_empty() {
            let pairing = self.pairing()?;
            let timers = self.coordinator.timers(&pairing).map_err(store_problem)?;
            self.t
                .entries
                .push(Entry::NothingDue(timers.into_iter().next()));
        }
        self.note_all(events);
        Ok(())
    }

    /// The outcome of a step that `refused = true` may expect to be refused.
    fn refusable(
        &mut self,
        kind: StepKind,
        outcome: Outcome,
        refused: bool,
    ) -> Result<(), Problem> {
        let error = match (outcome, refused) {
            (Ok(events), false) => {
                self.note_all(events);
                return Ok(());
            }
            (Ok(events), true) => {
                let Some(first) = events.first().cloned() else {
                    return Ok(());
                };
                self.note_all(events);
                return Err(Problem::Taken(kind, Box::new(first)));
            }
            (Err(e), _) => engine_error(e)?,
        };
        match (refused, testable(kind, &error)) {
            (true, true) => self.t.entries.push(Entry::RefusedAsExpected(error)),
            (true, false) => {
                self.t.entries.push(Entry::Error(error));
                return Err(Problem::FailedOtherwise(kind));
            }
            // Guards that do not hold: `refused = true` would test this.
            (false, true) if kind == StepKind::Advance => {
                self.t.entries.push(Entry::Refused(error));
                return Err(Problem::AdvanceRefused);
            }
            (false, _) if kind == StepKind::Record => return Err(Problem::Record(error)),
            (false, _) => return Err(Problem::Engine(error)),
        }
        Ok(())
    }

    fn expect(&mut self, step: &Step) -> Result<(), Problem> {
        let pairing = self.pairing()?;
        if let Some(stage) = &step.expect_stage {
            if self.program.stage(stage).is_none() {
                return Err(Problem::UnknownStage(stage.clone()));
            }
            if **stage != *pairing.stage {
                return Err(Problem::Stage {
                    expected: stage.clone(),
                    actual: pairing.stage.to_string(),
                });
            }
            self.t
                .entries
                .push(Entry::Held(Expectation::Stage(stage.clone())));
        }
        if let Some(blocked) = step.expect_blocked {
            let attention = self.coordinator.attention(vec![pairing.clone()]);
            let actual = attention
                .map_err(store_problem)?
                .pop()
                .map_or(crate::decide::attention::Attention::NoAdvance, |(_, a)| a);
            if actual.is_blocked() != blocked {
                return Err(Problem::Blocked {
                    expected: blocked,
                    actual: Box::new(actual),
                });
            }
            self.t
                .entries
                .push(Entry::Held(Expectation::Blocked(blocked)));
        }
        if let Some(overdue) = step.expect_overdue {
            let actual = pairing.is_overdue(self.now);
            if actual != overdue {
                return Err(Problem::Overdue {
                    expected: overdue,
                    actual,
                    due: pairing.due,
                });
            }
            self.t
                .entries
                .push(Entry::Held(Expectation::Overdue(overdue)));
        }
        Ok(())
    }

    /// The scenario's pairing as stored now.
    fn pairing(&self) -> Result<Pairing, Problem> {
        self.coordinator.pairing(&self.id).map_err(store_problem)
    }

    /// Notes a command's events; a successor it enrolled is shown as stored.
    fn note_all(&mut self, events: Vec<Event>) {
        for event in events {
            let successor = match &event.kind {
                crate::model::event::EventKind::Continued { successor } => {
                    self.coordinator.pairing(successor).ok()
                }
                _ => None,
            };
            self.t.note(event);
            if let Some(next) = successor {
                self.t.entries.push(Entry::Continues(Box::new(next)));
            }
        }
    }

    /// What the scripts printed during the last command.
    fn printed(&mut self) {
        let printed = self.coordinator.take_prints();
        self.t
            .entries
            .extend(printed.into_iter().map(Entry::Printed));
    }

    fn finish(&mut self) {
        match self.pairing() {
            Ok(pairing) => {
                self.t.entries.push(Entry::Final {
                    pairing: Box::new(pairing.clone()),
                    now: self.now,
                });
                self.t.pairing = Some(pairing);
            }
            Err(problem) => self.t.fail(None, problem),
        }
    }
}

/// The action a step takes, its shape checked: exactly one action key, and the keys that go
/// with it.
enum Shape<'s> {
    Wait(&'s String),
    Record(&'s toml::Table),
    Add(&'s toml::Table),
    Advance(Advance),
    Force(&'s String),
    Withdraw(&'s String),
    Done(&'s String),
    Join(&'s ScenarioParticipant),
    Leave(&'s String),
    Replace(&'s String, &'s ScenarioParticipant),
    Tick,
    Expect,
}

fn shape(step: &Step) -> Result<Shape<'_>, Problem> {
    let expects = step.expect_stage.is_some()
        || step.expect_overdue.is_some()
        || step.expect_blocked.is_some();
    let people = step.join.is_some() || step.leave.is_some() || step.replace.is_some();
    let actions = [
        step.wait.is_some(),
        step.record.is_some(),
        step.add.is_some(),
        step.advance.is_some(),
        step.force.is_some(),
        step.withdraw.is_some(),
        step.done.is_some(),
        step.join.is_some(),
        step.leave.is_some(),
        step.replace.is_some(),
        step.tick,
        expects,
    ];
    if actions.iter().filter(|a| **a).count() != 1 {
        return Err(Problem::StepShape);
    }
    let refusable = step.advance.is_some()
        || step.done.is_some()
        || step.record.is_some()
        || step.add.is_some()
        || step.withdraw.is_some()
        || people;
    if step.refused && !refusable {
        return Err(Problem::RefusedOnOtherStep);
    }
    if (step.with.is_some() && step.done.is_none())
        || (step.by.is_some() != step.replace.is_some())
        || (step.person.is_some()
            && step.record.is_none()
            && step.add.is_none()
            && step.done.is_none())
    {
        return Err(Problem::StepShape);
    }
    Ok(match step {
        Step { wait: Some(w), .. } => Shape::Wait(w),
        Step {
            record: Some(f), ..
        } => Shape::Record(f),
        Step { add: Some(f), .. } => Shape::Add(f),
        Step {
            advance: Some(to), ..
        } => Shape::Advance(match (to, &step.reason) {
            (toml::Value::Boolean(true), None) => Advance::Next,
            (toml::Value::String(s), None) => Advance::To(s.clone()),
            (toml::Value::Boolean(true), Some(reason)) => Advance::Because {
                to: None,
                reason: reason.clone(),
            },
            (toml::Value::String(s), Some(reason)) => Advance::Because {
                to: Some(s.clone()),
                reason: reason.clone(),
            },
            (other, _) => return Err(Problem::AdvanceValue(other.to_string())),
        }),
        Step {
            force: Some(to), ..
        } => Shape::Force(to),
        Step {
            withdraw: Some(r), ..
        } => Shape::Withdraw(r),
        Step { done: Some(s), .. } => Shape::Done(s),
        Step { join: Some(p), .. } => Shape::Join(p),
        Step { leave: Some(p), .. } => Shape::Leave(p),
        Step {
            replace: Some(p),
            by: Some(by),
            ..
        } => Shape::Replace(p, by),
        Step { tick: true, .. } => Shape::Tick,
        _ => Shape::Expect,
    })
}

/// The engine's refusal inside a coordinator's error; any other error (the store in memory
/// failing) as a problem of its own.
fn engine_error(e: Error) -> Result<EngineError, Problem> {
    match e {
        Error::Engine(e) => Ok(*e),
        Error::Rows(mut rows) if rows.len() == 1 => engine_error(rows.remove(0).1),
        other => Err(store_problem(other)),
    }
}

/// A command that `refused = true` cannot test failed: why.
fn failed(e: Error) -> Problem {
    engine_error(e).map_or_else(|p| p, Problem::Engine)
}

fn store_problem(e: Error) -> Problem {
    Problem::Store(e.to_string())
}

/// Whether `refused = true` tests this refusal of a step of `kind`: guards that do not hold,
/// the type's rules or a capacity, or a value its declaration refuses. A typo in a stage or
/// fact name, or a failing script, must fail the scenario.
fn testable(kind: StepKind, e: &EngineError) -> bool {
    match kind {
        StepKind::Advance | StepKind::Withdraw => {
            matches!(
                e,
                EngineError::Refused(_)
                    | EngineError::ReasonNeeded { .. }
                    | EngineError::CapacityOnEntering { .. }
            )
        }
        StepKind::Participants => matches!(e, EngineError::ParticipantsRefused { .. }),
        StepKind::Done => matches!(
            e,
            EngineError::NoOpenOccurrence { .. }
                | EngineError::BadValue { .. }
                | EngineError::DoneNeeds { .. }
                | EngineError::DoneFor { .. }
        ),
        StepKind::Record => matches!(
            e,
            EngineError::BadValue { .. }
                | EngineError::FactTwice(_)
                | EngineError::NoFacts
                | EngineError::FactPerPerson { .. }
                | EngineError::FactOfThePairing { .. }
                | EngineError::FactNotKeptFor { .. }
        ),
    }
}

/// Whether an enrolment error is what `expect_enrolment = "refused"` tests: the type's rules
/// refusing the participants, not a rule that fails to run or a typo in the scenario.
fn enrolment_refusal(e: &EngineError) -> Result<(), Problem> {
    let EngineError::EnrolmentRefused { problems, .. } = e else {
        return Err(Problem::EnrolmentFailed(e.clone()));
    };
    let crashed = problems.iter().any(|p| {
        matches!(p, crate::rules::enrolment::EnrolmentProblem::Rule { report, .. }
            if matches!(report.verdict, crate::rules::explain::Verdict::Failed(_)))
    });
    if crashed {
        return Err(Problem::RuleFailed);
    }
    Ok(())
}

/// A scenario's TOML value as a change of fact `name`: a string is read as the command line
/// reads it (unless the fact is text), any other value is typed as the fact declares, and
/// the store checks it as any value.
fn fact_change(program: &Program, name: &str, value: &toml::Value) -> FactChange {
    let kind = program.fact(name).map(|d| d.kind);
    match (value, kind) {
        (toml::Value::String(text), Some(kind)) if kind != ValueKind::Text => {
            FactChange::Set(text.clone())
        }
        // Not of the declared kind: as it looks, for the declaration to refuse by its kind.
        _ => FactChange::Value(
            kind.and_then(|k| toml_to_value(value, k))
                .unwrap_or_else(|| typed(value, None)),
        ),
    }
}

impl Transcript {
    fn note(&mut self, event: Event) {
        if let Some(n) = event.kind.transition() {
            self.taken.push(n);
        }
        self.entries.push(Entry::Event(event.clone()));
        self.events.push(event);
    }

    /// Records a failure: a line in the transcript and an entry in `failures`.
    fn fail(&mut self, step: Option<usize>, problem: Problem) {
        self.entries.push(Entry::Failed(Failure {
            step,
            problem: problem.clone(),
        }));
        self.failures.push(Failure { step, problem });
    }
}
