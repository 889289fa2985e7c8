//! A scenario's expectations: on one pairing (stage, overdue, blocked, facts, health,
//! successor, reason) and on the cohort (outbox, board, how many pairings), each read the way
//! the coordinator's commands read it.

use std::collections::BTreeMap;

use crate::decide::attention::Attention;
use crate::decide::health::State;
use crate::model::event::EventKind;
use crate::model::pairing::Pairing;

use super::run::Run;
use super::scenario::{toml_to_value, typed, ExpectedNotice, Step};
use super::transcript::{Entry, Expectation, Problem};

/// Checks every expectation of `step`; the first that fails stops the run.
pub(super) fn expect(run: &mut Run<'_>, step: &Step) -> Result<(), Problem> {
    if step.expects_of_a_pairing() {
        let id = run.target(step)?;
        let pairing = run.coordinator.pairing(&id).map_err(command)?;
        on_one(run, step, &pairing)?;
    }
    if let Some(expected) = &step.expect_outbox {
        outbox(run, step, expected)?;
    }
    if let Some(expected) = &step.expect_board {
        board(run, expected)?;
    }
    if let Some(expected) = step.expect_pairings {
        let actual = run.pairings()?.len() as u64;
        if actual != expected {
            return Err(Problem::Pairings { expected, actual });
        }
        held(run, Expectation::Pairings(expected));
    }
    if let Some(expected) = &step.expect_report {
        report(run, expected)?;
    }
    Ok(())
}

/// The counts `expect_report` may name, in the report's order.
pub const REPORT_COUNTS: [&str; 5] = [
    "pairings",
    "running",
    "at_risk",
    "needs_check_in",
    "on_track",
];

/// `expect_report`: the cohort report's counts, made as `mentorflow report` makes them.
fn report(run: &mut Run<'_>, expected: &BTreeMap<String, u64>) -> Result<(), Problem> {
    let selection = crate::reports::selection::Selection::default();
    let r = run
        .coordinator
        .report(&selection, None, Some(0))
        .map_err(command)?;
    let counts = [r.pairings, r.running, r.health[0], r.health[1], r.health[2]];
    for (count, n) in expected {
        let actual = REPORT_COUNTS
            .iter()
            .position(|c| c == count)
            .map(|i| counts[i]);
        if actual != Some(*n) {
            return Err(Problem::Report {
                count: count.clone(),
                expected: *n,
                actual,
            });
        }
    }
    held(run, Expectation::Report(expected.clone()));
    Ok(())
}

fn held(run: &mut Run<'_>, e: Expectation) {
    run.t.entries.push(Entry::Held(e));
}

fn command(e: crate::coordinator::error::Error) -> Problem {
    Problem::Command(Box::new(e))
}

/// The expectations on one pairing.
fn on_one(run: &mut Run<'_>, step: &Step, pairing: &Pairing) -> Result<(), Problem> {
    if let Some(stage) = &step.expect_stage {
        if run.program().stage(stage).is_none() {
            return Err(Problem::UnknownStage(stage.clone()));
        }
        if **stage != *pairing.stage {
            return Err(Problem::Stage {
                expected: stage.clone(),
                actual: pairing.stage.to_string(),
            });
        }
        held(run, Expectation::Stage(stage.clone()));
    }
    if step.expect_blocked.is_some() || step.expect_health.is_some() {
        attention(run, step, pairing)?;
    }
    if let Some(overdue) = step.expect_overdue {
        let actual = pairing.is_overdue(run.now);
        if actual != overdue {
            return Err(Problem::Overdue {
                expected: overdue,
                actual,
                due: pairing.due,
            });
        }
        held(run, Expectation::Overdue(overdue));
    }
    if let Some(facts) = &step.expect_facts {
        self::facts(run, facts, pairing)?;
    }
    if let Some(expected) = step.expect_successor {
        if pairing.successor.is_some() != expected {
            return Err(Problem::Successor { expected });
        }
        held(run, Expectation::Successor(pairing.successor.clone()));
    }
    if let Some(expected) = &step.expect_reason {
        let actual = reason(run, pairing);
        if actual.as_deref() != Some(expected.as_str()) {
            return Err(Problem::Reason {
                expected: expected.clone(),
                actual,
            });
        }
        held(run, Expectation::Reason(expected.clone()));
    }
    Ok(())
}

/// `expect_blocked` and `expect_health`, from the pairing's attention as `list` reads it.
fn attention(run: &mut Run<'_>, step: &Step, pairing: &Pairing) -> Result<(), Problem> {
    let placed = run
        .coordinator
        .attention(vec![pairing.clone()])
        .map_err(command)?;
    let actual = placed
        .last()
        .map_or(Attention::NoAdvance, |(_, a)| a.clone());
    if let Some(blocked) = step.expect_blocked {
        if actual.is_blocked() != blocked {
            return Err(Problem::Blocked {
                expected: blocked,
                actual: Box::new(actual),
            });
        }
        held(run, Expectation::Blocked(blocked));
    }
    if let Some(expected) = &step.expect_health {
        if !State::ALL.iter().any(|s| s.name() == expected) {
            return Err(Problem::UnknownHealth(expected.clone()));
        }
        let health = run.coordinator.healths(&placed).map_err(command)?;
        let actual = health.into_iter().flatten().next().map(|h| h.state.name());
        if actual != Some(expected.as_str()) {
            return Err(Problem::Health {
                expected: expected.clone(),
                actual: actual.map(str::to_string),
            });
        }
        held(run, Expectation::Health(expected.clone()));
    }
    Ok(())
}

/// `expect_facts`: each fact's value as shown, against the value written typed as declared.
fn facts(run: &mut Run<'_>, facts: &toml::Table, pairing: &Pairing) -> Result<(), Problem> {
    let program = run.program();
    let mut shown = Vec::new();
    for (name, value) in facts {
        let Some(declared) = program.fact(name) else {
            return Err(Problem::UnknownFact(name.clone()));
        };
        let expected = toml_to_value(value, declared.kind)
            .unwrap_or_else(|| typed(value, None))
            .to_string();
        let actual = pairing.fact(program, name).map(|v| v.to_string());
        if actual.as_deref() != Some(expected.as_str()) {
            return Err(Problem::Fact {
                name: name.clone(),
                expected,
                actual,
            });
        }
        shown.push((name.clone(), expected));
    }
    held(run, Expectation::Facts(shown));
    Ok(())
}

/// The reason given with the pairing's latest move that had one: its code when the program
/// declares codes, else as written.
fn reason(run: &Run<'_>, pairing: &Pairing) -> Option<String> {
    let given = pairing.history.as_ref()?.reason.clone()?;
    match run.program().reason_code(&given) {
        Ok(Some(r)) => Some(r.code.clone()),
        _ => Some(given),
    }
}

/// `expect_outbox`: the outbox (of the step's pairing, when it names one) holds exactly these
/// notifications, in queue order, each matching on the fields written.
fn outbox(run: &mut Run<'_>, step: &Step, expected: &[ExpectedNotice]) -> Result<(), Problem> {
    let only = match &step.pairing {
        Some(_) => Some(run.target(step)?),
        None => None,
    };
    let labels: BTreeMap<String, String> = run
        .pairings()?
        .into_iter()
        .filter_map(|p| Some((p.id.to_string(), p.label.clone()?)))
        .collect();
    let queued = run.coordinator.outbox(true).map_err(command)?;
    let actual: Vec<ExpectedNotice> = queued
        .into_iter()
        .filter(|q| only.as_ref().is_none_or(|id| *id == q.row.pairing))
        .filter_map(|q| {
            let EventKind::Notified {
                notification,
                to,
                subject,
                ..
            } = q.event.kind
            else {
                return None;
            };
            let status = match (&q.row.delivered_at, &q.row.last_error) {
                (Some(_), _) => "delivered",
                (None, Some(_)) => "failed",
                (None, None) => "pending",
            };
            Some(ExpectedNotice {
                notification,
                pairing: Some(q.row.pairing.clone()),
                to: Some(to.into_iter().map(|r| r.id).collect()),
                subject: Some(subject),
                status: Some(status.into()),
            })
        })
        .collect();
    let same = |e: &ExpectedNotice, a: &ExpectedNotice| {
        let pairing = a.pairing.as_deref().unwrap_or_default();
        e.notification == a.notification
            && e.pairing
                .as_ref()
                .is_none_or(|p| p == pairing || labels.get(pairing).is_some_and(|label| label == p))
            && e.to.as_ref().is_none_or(|to| Some(to) == a.to.as_ref())
            && e.subject
                .as_ref()
                .is_none_or(|s| Some(s) == a.subject.as_ref())
            && e.status
                .as_ref()
                .is_none_or(|s| Some(s) == a.status.as_ref())
    };
    let matches =
        expected.len() == actual.len() && expected.iter().zip(&actual).all(|(e, a)| same(e, a));
    if !matches {
        return Err(Problem::Outbox {
            expected: expected.to_vec(),
            actual,
        });
    }
    held(run, Expectation::Outbox(expected.len()));
    Ok(())
}

/// `expect_board`: how many pairings are in each stage written.
fn board(run: &mut Run<'_>, expected: &BTreeMap<String, u64>) -> Result<(), Problem> {
    let pairings = run.pairings()?;
    for (stage, n) in expected {
        if run.program().stage(stage).is_none() {
            return Err(Problem::UnknownStage(stage.clone()));
        }
        let actual = pairings.iter().filter(|p| *p.stage == **stage).count() as u64;
        if actual != *n {
            return Err(Problem::Board {
                stage: stage.clone(),
                expected: *n,
                actual,
            });
        }
    }
    held(run, Expectation::Board(expected.clone()));
    Ok(())
}
