//! Scenario files for testers: a program, a type, participants, a start time and steps; run on
//! a fixed clock into a deterministic transcript (same input, same bytes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Due, Program, Value, ValueKind};
use serde::Deserialize;

use crate::engine::{Actor, Engine};
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
    /// `true`, or a stage for `--to`.
    pub advance: Option<toml::Value>,
    /// With `advance`: the advance must be refused.
    #[serde(default)]
    pub refused: bool,
    /// Force a move to this stage (needs `reason`).
    pub force: Option<String>,
    /// Withdraw with this reason.
    pub withdraw: Option<String>,
    /// Run the timers at the current time.
    #[serde(default)]
    pub tick: bool,
    /// The stage the pairing must be in now.
    pub expect_stage: Option<String>,
    /// The pairing must (true) or must not (false) be overdue now.
    pub expect_overdue: Option<bool>,
    /// Reason for force.
    pub reason: Option<String>,
    /// Who does this step.
    pub actor: Option<String>,
}

/// The result of running a scenario.
#[derive(Debug, Default)]
pub struct Transcript {
    /// The lines a tester reads.
    pub lines: Vec<String>,
    /// Failed expectations (empty: the scenario passed).
    pub failures: Vec<String>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Transition indices taken (for coverage).
    pub taken: Vec<usize>,
    /// The final state, if enrolment succeeded.
    pub pairing: Option<Pairing>,
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
    },
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
            path: path.into(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| {
            let mut message = e.to_string().trim_end().to_string();
            if text.lines().any(|l| l.trim() == "[program]") {
                message.push_str(
                    "\nhelp: this looks like a program file; simulate takes scenario files (programs/README.md, \"Scenario files\"). To check a program, use `mentorflow check`",
                );
            }
            ScenarioError::Invalid {
                path: path.into(),
                message,
            }
        })
    }

    /// The program path resolved against the scenario's folder.
    pub fn program_path(&self, scenario_path: &Path) -> PathBuf {
        scenario_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&self.program)
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
    toml_to_value(value, kind.unwrap_or(guess)).unwrap_or_else(|| Value::Text(value.to_string()))
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
            t.failures.push(e);
            return t;
        }
    };
    let program = &engine.program;
    t.lines.push(format!(
        "program {} (version {}), type {}, start {}",
        program.id,
        &program.hash[..12.min(program.hash.len())],
        scenario.type_id,
        now.format("%Y-%m-%d %H:%M")
    ));
    let participants = scenario
        .participants
        .iter()
        .map(|p| Participant {
            id: p.id.clone(),
            role: p.role.clone(),
            attributes: p
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), attribute(program, k, v)))
                .collect(),
        })
        .collect();
    let actor = Actor {
        name: &scenario.actor,
        now,
    };
    let refused_expected = match scenario.expect_enrolment.as_deref() {
        None => false,
        Some("refused") => true,
        Some(other) => {
            t.failures.push(format!("expect_enrolment = \"{other}\" is not known; write expect_enrolment = \"refused\" or leave it out"));
            t.lines.push(format!("FAILED: {}", t.failures[0]));
            return t;
        }
    };
    let mut pairing = match engine.enrol(&scenario.pairing, &scenario.type_id, participants, &actor)
    {
        Ok((pairing, event)) => {
            if refused_expected {
                let failure = "expected the enrolment to be refused, but it was accepted";
                t.lines.push(format!("FAILED: {failure}"));
                t.failures.push(failure.into());
            }
            t.note(event);
            pairing
        }
        Err(e) => {
            t.lines.push(format!("refused: {e}"));
            if !refused_expected {
                t.lines.push("FAILED: the enrolment was refused (add expect_enrolment = \"refused\" if that is expected)".into());
                t.failures.push(format!("enrolment was refused: {e}"));
            }
            return t;
        }
    };
    for (i, step) in scenario.steps.iter().enumerate() {
        let actor = Actor {
            name: step.actor.as_deref().unwrap_or(&scenario.actor),
            now,
        };
        if let Err(failure) = run_step(engine, &mut pairing, step, &actor, &mut now, &mut t) {
            t.lines.push(format!("FAILED at step {}: {failure}", i + 1));
            t.failures.push(format!("step {}: {failure}", i + 1));
            break;
        }
    }
    t.lines.push(final_state(program, &pairing, now));
    t.pairing = Some(pairing);
    t
}

impl Transcript {
    fn note(&mut self, event: Event) {
        if let Some(i) = transition_of(&event) {
            self.taken.push(i);
        }
        self.lines.push(event.to_string());
        self.events.push(event);
    }
}

fn transition_of(event: &Event) -> Option<usize> {
    match &event.kind {
        crate::EventKind::Transitioned { transition, .. }
        | crate::EventKind::Withdrawn { transition, .. }
        | crate::EventKind::TimedOut { transition, .. } => transition.checked_sub(1),
        _ => None,
    }
}

fn run_step(
    engine: &Engine,
    pairing: &mut Pairing,
    step: &Step,
    actor: &Actor<'_>,
    now: &mut DateTime<Utc>,
    t: &mut Transcript,
) -> Result<(), String> {
    let actions = [
        step.wait.is_some(),
        step.record.is_some(),
        step.advance.is_some(),
        step.force.is_some(),
        step.withdraw.is_some(),
        step.tick,
        step.expect_stage.is_some() || step.expect_overdue.is_some(),
    ];
    if actions.iter().filter(|a| **a).count() != 1 {
        return Err("each step needs exactly one of: wait, record, advance, force, withdraw, tick, expect_stage/expect_overdue".into());
    }
    if let Some(wait) = &step.wait {
        let due = Due::parse(wait).map_err(|e| format!("bad wait: {e}"))?;
        *now = due.after(*now);
        t.lines.push(format!(
            "-- wait {wait}: now {}",
            now.format("%Y-%m-%d %H:%M")
        ));
    } else if let Some(facts) = &step.record {
        let mut typed = Vec::new();
        for (name, value) in facts {
            let kind = match engine.program.fact(name) {
                Some(f) => f.kind,
                None => {
                    let e = engine
                        .parse_fact(name, "")
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    return Err(format!("record refused: {e}"));
                }
            };
            let v = toml_to_value(value, kind).ok_or_else(|| {
                format!(
                    "record refused: fact `{name}`: {value} is not {}",
                    kind.with_article()
                )
            })?;
            typed.push((name.clone(), v));
        }
        match engine.record(pairing, typed, actor) {
            Ok(event) => t.note(event),
            Err(e) => return Err(format!("record refused: {e}")),
        }
    } else if let Some(advance) = &step.advance {
        let to = match advance {
            toml::Value::Boolean(true) => None,
            toml::Value::String(s) => Some(s.as_str()),
            other => return Err(format!("advance must be true or a stage name, not {other}")),
        };
        match (engine.advance(pairing, to, actor), step.refused) {
            (Ok(event), false) => t.note(event),
            (Ok(event), true) => {
                let line = event.to_string();
                t.note(event);
                return Err(format!(
                    "expected the advance to be refused, but it was taken: {line}"
                ));
            }
            // Only a refusal (no guard held) is what `refused = true` expects; a typo in the
            // stage or a failing script must fail the scenario.
            (Err(e @ crate::EngineError::Refused { .. }), true) => {
                t.lines.push(format!("refused as expected: {e}"))
            }
            (Err(e), true) => {
                t.lines.push(format!("error: {e}"));
                return Err(
                    "the advance failed for another reason than a guard that does not hold".into(),
                );
            }
            (Err(e), false) => {
                t.lines.push(format!("refused: {e}"));
                return Err(
                    "the advance was refused (add refused = true if that is expected)".into(),
                );
            }
        }
    } else if let Some(to) = &step.force {
        let reason = step.reason.as_deref().unwrap_or_default();
        t.note(
            engine
                .force(pairing, to, reason, actor)
                .map_err(|e| e.to_string())?,
        );
    } else if let Some(reason) = &step.withdraw {
        t.note(
            engine
                .withdraw(pairing, reason, actor)
                .map_err(|e| e.to_string())?,
        );
    } else if step.tick {
        let events = engine.tick(pairing, actor).map_err(|e| e.to_string())?;
        if events.is_empty() {
            t.lines.push("-- tick: nothing due".into());
        }
        events.into_iter().for_each(|e| t.note(e));
    } else {
        expect(engine, pairing, step, *now, t)?;
    }
    for printed in engine.runtime.take_prints() {
        t.lines.push(format!("   script printed: {printed}"));
    }
    Ok(())
}

fn expect(
    engine: &Engine,
    pairing: &Pairing,
    step: &Step,
    now: DateTime<Utc>,
    t: &mut Transcript,
) -> Result<(), String> {
    if let Some(stage) = &step.expect_stage {
        if engine.program.stage(stage).is_none() {
            return Err(format!("expect_stage names unknown stage `{stage}`"));
        }
        if **stage != *pairing.stage {
            return Err(format!(
                "expected stage `{stage}`, actual `{}`",
                pairing.stage
            ));
        }
        t.lines.push(format!("ok: in stage {stage}"));
    }
    if let Some(overdue) = step.expect_overdue {
        let actual = pairing.is_overdue(now);
        if actual != overdue {
            return Err(format!(
                "expected overdue = {overdue}, actual {actual} (due {})",
                pairing
                    .due
                    .map_or("never".into(), |d| d.format("%Y-%m-%d %H:%M").to_string())
            ));
        }
        t.lines.push(format!("ok: overdue = {overdue}"));
    }
    Ok(())
}

fn final_state(program: &Program, p: &Pairing, now: DateTime<Utc>) -> String {
    let mut s = format!("final: stage {}", p.stage);
    if let Some(o) = &p.outcome {
        s.push_str(&format!(" (outcome {o})"));
    } else if let Some(due) = p.due {
        s.push_str(&format!(
            ", due {}{}",
            due.format("%Y-%m-%d %H:%M"),
            if p.is_overdue(now) { " OVERDUE" } else { "" }
        ));
    }
    s.push_str(&format!(
        ", cycle {}, {} event{}",
        p.cycle,
        p.last_seq,
        if p.last_seq == 1 { "" } else { "s" }
    ));
    let facts: Vec<String> = program
        .facts
        .iter()
        .filter_map(|f| p.facts.get(&f.name).map(|v| format!("{}={v}", f.name)))
        .collect();
    if !facts.is_empty() {
        s.push_str(&format!("\nfacts: {}", facts.join(", ")));
    }
    s
}
