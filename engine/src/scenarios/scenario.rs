//! Scenario files for testers: a program, a type, participants, a start time and steps; run on
//! a fixed clock into a deterministic transcript (same input, same bytes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Due, Program, Value, ValueKind};
use serde::Deserialize;

use crate::engine::{Actor, Engine};
use crate::error::EngineError;
use crate::event::{Event, Participant};
use crate::pairing::Pairing;

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
    /// With `record` or `add`: the person the facts are kept for (facts declared with `per`).
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
    /// Reason for force.
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
    NothingDue(Option<crate::timers::Upcoming>),
    /// A script printed a line.
    Printed(String),
    /// The pairing ended in a stage whose successor applies: a store would enrol it now.
    Continues(crate::successor::Continuation),
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
        actual: Box<crate::attention::Attention>,
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
                .map(|(k, v)| (k.clone(), attribute(program, k, v)))
                .collect(),
            facts: BTreeMap::new(),
            managers: Vec::new(),
        }
    }
}

fn attribute(program: &Program, name: &str, value: &toml::Value) -> Value {
    let kind = program
        .attributes
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.kind);
    let guess = match value {
        toml::Value::Boolean(_) => ValueKind::Bool,
        toml::Value::Integer(_) => ValueKind::Int,
        toml::Value::Float(_) => ValueKind::Float,
        toml::Value::Array(_) => ValueKind::List,
        _ => ValueKind::Text,
    };
    // A value that is not of the declared type is kept as written, for the enrolment's check
    // to refuse by its declaration (a string without its TOML quotes).
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

/// Runs a scenario against an engine on a fixed clock.
pub fn run(engine: &Engine, scenario: &Scenario) -> Transcript {
    let mut t = Transcript::default();
    let mut now = match start_time(scenario) {
        Ok(now) => now,
        Err(e) => {
            t.failures.push(Failure {
                step: None,
                problem: Problem::BadStart(e),
            });
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
    let program = &engine.program;
    t.entries.push(Entry::Start {
        program: program.id.clone(),
        hash: program.hash.clone(),
        type_id: scenario.type_id.clone(),
        at: now,
    });
    // An attribute the program does not declare is refused, as `enrol` refuses it.
    let undeclared = scenario.participants.iter().find_map(|p| {
        p.attributes
            .keys()
            .find(|k| !program.attributes.iter().any(|a| &a.name == *k))
    });
    if let Some(name) = undeclared {
        t.fail(
            None,
            Problem::Engine(crate::engine::unknown_attribute(program, name)),
        );
        return t;
    }
    let participants = scenario
        .participants
        .iter()
        .map(|p| p.participant(program))
        .collect();
    let actor = Actor {
        name: &scenario.actor,
        now,
    };
    let refused_expected = match scenario.expect_enrolment.as_deref() {
        None => false,
        Some("refused") => true,
        Some(other) => {
            t.fail(None, Problem::UnknownExpectEnrolment(other.into()));
            return t;
        }
    };
    let mut pairing = match engine.enrol(&scenario.pairing, &scenario.type_id, participants, &actor)
    {
        Ok((mut pairing, event)) => {
            if refused_expected {
                t.fail(None, Problem::EnrolmentAccepted);
            }
            t.note(event);
            if let Err(problem) = settle(engine, &mut pairing, &actor, &mut t) {
                t.fail(None, problem);
                return t;
            }
            pairing
        }
        Err(e) => {
            t.entries.push(Entry::Refused(e.clone()));
            match (refused_expected, enrolment_refusal(&e)) {
                (true, Ok(())) => {}
                (true, Err(problem)) => t.fail(None, problem),
                (false, _) => t.fail(None, Problem::EnrolmentRefused(e)),
            }
            return t;
        }
    };
    for (i, step) in scenario.steps.iter().enumerate() {
        let actor = Actor {
            name: step.actor.as_deref().unwrap_or(&scenario.actor),
            now,
        };
        let before = pairing.last_seq;
        // A step is one command: as in the store, a failed one applies nothing.
        let saved = (
            pairing.clone(),
            t.entries.len(),
            t.events.len(),
            t.taken.len(),
        );
        let done = run_step(engine, &mut pairing, step, &actor, &mut now, &mut t)
            // As the store does: a command that changed the pairing is followed by the
            // automatic transitions it lets through (a tick settles as part of its step).
            .and_then(|()| match pairing.last_seq > before && !step.tick {
                true => settle(engine, &mut pairing, &actor, &mut t),
                false => Ok(()),
            });
        if let Err(problem) = done {
            // An unexpected success was applied; any other failure stored nothing: its
            // events go, what explains the failure stays.
            if !matches!(problem, Problem::Taken(..)) {
                let (unchanged, entries, events, taken) = saved;
                pairing = unchanged;
                let mut n = 0;
                t.entries.retain(|e| {
                    n += 1;
                    n <= entries || !matches!(e, Entry::Event(_) | Entry::Continues(_))
                });
                t.events.truncate(events);
                t.taken.truncate(taken);
            }
            t.fail(Some(i + 1), problem);
            break;
        }
    }
    t.entries.push(Entry::Final {
        pairing: Box::new(pairing.clone()),
        now,
    });
    t.pairing = Some(pairing);
    t
}

/// Whether an enrolment error is what `expect_enrolment = "refused"` tests: the type's rules
/// refusing the participants, not a rule that fails to run or a typo in the scenario.
fn enrolment_refusal(e: &EngineError) -> Result<(), Problem> {
    let EngineError::EnrolmentRefused { problems, .. } = e else {
        return Err(Problem::EnrolmentFailed(e.clone()));
    };
    let crashed = problems.iter().any(|p| {
        matches!(p, crate::enrolment::EnrolmentProblem::Rule { report, .. }
            if matches!(report.verdict, crate::explain::Verdict::Failed(_)))
    });
    if crashed {
        return Err(Problem::RuleFailed);
    }
    Ok(())
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

/// The automatic transitions after a command, noted in the transcript.
fn settle(
    engine: &Engine,
    pairing: &mut Pairing,
    actor: &Actor<'_>,
    t: &mut Transcript,
) -> Result<(), Problem> {
    for e in engine.settle(pairing, actor).map_err(Problem::Engine)? {
        t.note(e);
    }
    // A scenario runs one pairing: its successor is shown, not run.
    if let Some(next) =
        crate::successor::declared(engine, pairing, actor.now).map_err(Problem::Engine)?
    {
        t.entries.push(Entry::Continues(next));
    }
    Ok(())
}

fn run_step(
    engine: &Engine,
    pairing: &mut Pairing,
    step: &Step,
    actor: &Actor<'_>,
    now: &mut DateTime<Utc>,
    t: &mut Transcript,
) -> Result<(), Problem> {
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
        step.expect_stage.is_some()
            || step.expect_overdue.is_some()
            || step.expect_blocked.is_some(),
    ];
    if actions.iter().filter(|a| **a).count() != 1 {
        return Err(Problem::StepShape);
    }
    let changes_people = step.join.is_some() || step.leave.is_some() || step.replace.is_some();
    let refusable_step = step.advance.is_some()
        || step.record.is_some()
        || step.add.is_some()
        || step.withdraw.is_some()
        || changes_people;
    if step.refused && !refusable_step {
        return Err(Problem::RefusedOnOtherStep);
    }
    if (step.with.is_some() && step.done.is_none())
        || (step.by.is_some() != step.replace.is_some())
        || (step.person.is_some() && step.record.is_none() && step.add.is_none())
    {
        return Err(Problem::StepShape);
    }
    if let Some(wait) = &step.wait {
        let due = Due::parse(wait).map_err(Problem::BadWait)?;
        *now = due.after(*now);
        t.entries.push(Entry::Wait {
            wait: wait.clone(),
            now: *now,
        });
    } else if let Some(facts) = &step.record {
        record_step(engine, pairing, step, facts, actor, t)?;
    } else if let Some(amounts) = &step.add {
        let changes: Result<Vec<(String, Value)>, EngineError> = amounts
            .iter()
            .map(|(name, amount)| {
                let change = crate::engine::FactChange::Add(amount.to_string());
                let person = step.person.as_deref();
                Ok((
                    name.clone(),
                    engine.resolve_change(pairing, person, name, &change)?,
                ))
            })
            .collect();
        let result =
            changes.and_then(|typed| engine.record(pairing, step.person.as_deref(), typed, actor));
        refusable(StepKind::Record, result, step.refused, t)?;
    } else if let Some(advance) = &step.advance {
        advance_step(engine, pairing, step, advance, actor, t)?;
    } else if changes_people {
        participants_step(engine, pairing, step, actor, t)?;
    } else if let Some(to) = &step.force {
        let reason = step.reason.as_deref().unwrap_or_default();
        t.note(
            engine
                .force(pairing, to, reason, actor)
                .map_err(Problem::Engine)?,
        );
    } else if let Some(reason) = &step.withdraw {
        let result = engine.withdraw(pairing, reason, actor);
        refusable(StepKind::Withdraw, result, step.refused, t)?;
    } else if let Some(schedule) = &step.done {
        let facts = step
            .with
            .iter()
            .flatten()
            .map(|(name, value)| Ok((name.clone(), typed_fact(engine, name, value)?)))
            .collect::<Result<Vec<_>, EngineError>>()
            .map_err(Problem::Engine)?;
        t.note(
            engine
                .done(pairing, schedule, actor.now, facts, actor)
                .map_err(Problem::Engine)?,
        );
    } else if step.tick {
        let mut events = engine.tick(pairing, actor).map_err(Problem::Engine)?;
        events.extend(engine.settle(pairing, actor).map_err(Problem::Engine)?);
        if events.is_empty() {
            let next = crate::timers::upcoming(&engine.program, pairing)
                .into_iter()
                .next();
            t.entries.push(Entry::NothingDue(next));
        }
        events.into_iter().for_each(|e| t.note(e));
    } else {
        expect(engine, pairing, step, *now, t)?;
    }
    for printed in engine.runtime.take_prints() {
        t.entries.push(Entry::Printed(printed));
    }
    Ok(())
}

fn advance_step(
    engine: &Engine,
    pairing: &mut Pairing,
    step: &Step,
    advance: &toml::Value,
    actor: &Actor<'_>,
    t: &mut Transcript,
) -> Result<(), Problem> {
    let to = match advance {
        toml::Value::Boolean(true) => None,
        toml::Value::String(s) => Some(s.as_str()),
        other => return Err(Problem::AdvanceValue(other.to_string())),
    };
    let result = engine.advance(pairing, to, actor);
    refusable(StepKind::Advance, result, step.refused, t)
}

/// Records a step's facts: TOML values of the fact's type as they are, strings parsed as the
/// command line parses them.
fn record_step(
    engine: &Engine,
    pairing: &mut Pairing,
    step: &Step,
    facts: &toml::Table,
    actor: &Actor<'_>,
    t: &mut Transcript,
) -> Result<(), Problem> {
    let mut typed = Vec::new();
    for (name, value) in facts {
        if engine.program.fact(name).is_none() {
            return Err(Problem::Record(engine.fact_unknown(name)));
        }
        match typed_fact(engine, name, value) {
            Ok(v) => typed.push((name.clone(), v)),
            Err(e) => return refusable(StepKind::Record, Err(e), step.refused, t),
        }
    }
    let result = engine.record(pairing, step.person.as_deref(), typed, actor);
    refusable(StepKind::Record, result, step.refused, t)
}

/// A join, leave or replace, with the automatic moves it allows and the type's rules checked
/// on who takes part afterwards, as the store runs it: refused, it changes nothing.
fn participants_step(
    engine: &Engine,
    pairing: &mut Pairing,
    step: &Step,
    actor: &Actor<'_>,
    t: &mut Transcript,
) -> Result<(), Problem> {
    let program = &engine.program;
    let mut changed = pairing.clone();
    let reason = step.reason.as_deref();
    let result = (|| {
        let event = if let Some(who) = &step.join {
            engine.join(&mut changed, who.participant(program), actor)?
        } else if let Some(person) = &step.leave {
            engine.leave(&mut changed, person, reason.unwrap_or_default(), actor)?
        } else {
            // `replace` comes with `by` (the step's shape was checked).
            let (Some(person), Some(by)) = (&step.replace, &step.by) else {
                return Ok(Vec::new());
            };
            engine.replace(&mut changed, person, by.participant(program), reason, actor)?
        };
        let mut events = vec![event];
        events.extend(engine.settle(&mut changed, actor)?);
        engine.check_participants(&mut changed)?;
        Ok(events)
    })();
    let testable = |e: &EngineError| matches!(e, EngineError::ParticipantsRefused { .. });
    match (result, step.refused) {
        (Ok(events), refused) => {
            let first = events.first().cloned();
            events.into_iter().for_each(|e| t.note(e));
            *pairing = changed;
            if let (true, Some(event)) = (refused, first) {
                return Err(Problem::Taken(StepKind::Participants, Box::new(event)));
            }
        }
        (Err(e), true) if testable(&e) => t.entries.push(Entry::RefusedAsExpected(e)),
        (Err(e), true) => {
            t.entries.push(Entry::Error(e));
            return Err(Problem::FailedOtherwise(StepKind::Participants));
        }
        (Err(e), false) => return Err(Problem::Engine(e)),
    }
    Ok(())
}

/// A scenario's TOML value as fact `name`'s type: TOML values of the type as they are,
/// strings parsed as the command line parses them.
fn typed_fact(engine: &Engine, name: &str, value: &toml::Value) -> Result<Value, EngineError> {
    let Some(decl) = engine.program.fact(name) else {
        return Err(engine.fact_unknown(name));
    };
    match (value, decl.kind) {
        (toml::Value::String(text), kind) if kind != ValueKind::Text => {
            engine.parse_fact(name, text)
        }
        _ => toml_to_value(value, decl.kind).ok_or_else(|| EngineError::BadValue {
            name: name.to_string(),
            problem: format!("{value} is not {}", decl.kind.with_article()),
        }),
    }
}

/// The outcome of a step that `refused = true` may expect to be refused.
fn refusable(
    kind: StepKind,
    result: Result<Event, EngineError>,
    refused: bool,
    t: &mut Transcript,
) -> Result<(), Problem> {
    // What `refused = true` tests: guards that do not hold, or a value the declaration
    // refuses. A typo in a stage or fact name, or a failing script, must fail the scenario.
    let testable = |e: &EngineError| match kind {
        StepKind::Advance | StepKind::Withdraw => matches!(e, EngineError::Refused(_)),
        StepKind::Participants => matches!(e, EngineError::ParticipantsRefused { .. }),
        StepKind::Record => matches!(
            e,
            EngineError::BadValue { .. }
                | EngineError::FactTwice(_)
                | EngineError::NoFacts
                | EngineError::FactPerPerson { .. }
                | EngineError::FactOfThePairing { .. }
                | EngineError::FactNotKeptFor { .. }
        ),
    };
    match (result, refused) {
        (Ok(event), false) => t.note(event),
        (Ok(event), true) => {
            t.note(event.clone());
            return Err(Problem::Taken(kind, Box::new(event)));
        }
        (Err(e), true) if testable(&e) => t.entries.push(Entry::RefusedAsExpected(e)),
        (Err(e), true) => {
            t.entries.push(Entry::Error(e));
            return Err(Problem::FailedOtherwise(kind));
        }
        (Err(e), false) => {
            return Err(match kind {
                // Guards that do not hold: `refused = true` would test this.
                StepKind::Advance if testable(&e) => {
                    t.entries.push(Entry::Refused(e));
                    Problem::AdvanceRefused
                }
                StepKind::Record => Problem::Record(e),
                StepKind::Advance | StepKind::Withdraw | StepKind::Participants => {
                    Problem::Engine(e)
                }
            });
        }
    }
    Ok(())
}

fn expect(
    engine: &Engine,
    pairing: &Pairing,
    step: &Step,
    now: DateTime<Utc>,
    t: &mut Transcript,
) -> Result<(), Problem> {
    if let Some(stage) = &step.expect_stage {
        if engine.program.stage(stage).is_none() {
            return Err(Problem::UnknownStage(stage.clone()));
        }
        if **stage != *pairing.stage {
            return Err(Problem::Stage {
                expected: stage.clone(),
                actual: pairing.stage.to_string(),
            });
        }
        t.entries
            .push(Entry::Held(Expectation::Stage(stage.clone())));
    }
    if let Some(blocked) = step.expect_blocked {
        let mut probe = pairing.clone();
        let actual = crate::attention::attention(engine, &mut probe, now);
        if actual.is_blocked() != blocked {
            return Err(Problem::Blocked {
                expected: blocked,
                actual: Box::new(actual),
            });
        }
        t.entries.push(Entry::Held(Expectation::Blocked(blocked)));
    }
    if let Some(overdue) = step.expect_overdue {
        let actual = pairing.is_overdue(now);
        if actual != overdue {
            return Err(Problem::Overdue {
                expected: overdue,
                actual,
                due: pairing.due,
            });
        }
        t.entries.push(Entry::Held(Expectation::Overdue(overdue)));
    }
    Ok(())
}
