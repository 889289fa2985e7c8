//! Replaying a pairing's recorded history against another version of its program: the same
//! commands (enrolment, facts, advances, forced moves, withdrawals, ticks) at the same times,
//! to see where its path would differ, and why. Nothing is written.

use crate::decide::engine::{Actor, Engine};
use crate::model::event::{Event, EventKind, Move};
use crate::model::pairing::Pairing;
use crate::rules::engine_error::EngineError;
use crate::rules::explain::Candidate;

/// How a pairing's history plays under the other version.
#[derive(Debug, Clone)]
pub enum Replayed {
    /// Every event leads to the same stage.
    Same {
        /// Events replayed.
        events: usize,
    },
    /// At this event the path differs.
    Different(Box<Divergence>),
    /// At this event the other version cannot take the command at all.
    Impossible {
        /// The event's seq.
        seq: u64,
        /// Why.
        error: EngineError,
    },
}

/// The first event whose outcome differs.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The original event.
    pub event: Event,
    /// The stage the pairing entered (or stayed in) then.
    pub was: String,
    /// The stage it enters (or stays in) under the other version.
    pub now: String,
    /// The transitions the other version considered there, explained (empty for a tick).
    pub candidates: Vec<Candidate>,
}

/// Replays `events` (one pairing's history, in order) with `engine`; `renames` maps the old
/// version's stage ids and fact names to the new one's (a fact mapped to `-` is not
/// recorded), so a renamed stage or fact is the same one.
pub fn replay(
    engine: &Engine,
    events: &[Event],
    renames: &crate::model::mapping::Mapping,
) -> Replayed {
    let Some((first, rest)) = events.split_first() else {
        return Replayed::Same { events: 0 };
    };
    let EventKind::Enrolled {
        type_id,
        participants,
        ..
    } = &first.kind
    else {
        return Replayed::Same { events: 0 };
    };
    fn actor(e: &Event) -> Actor<'_> {
        Actor {
            name: &e.actor,
            now: e.at,
        }
    }
    let mut pairing = match engine.enrol(
        &first.pairing,
        type_id,
        participants.to_vec(),
        &actor(first),
    ) {
        Ok((p, _)) => p,
        Err(error) => return Replayed::Impossible { seq: 1, error },
    };
    for e in rest {
        match step(engine, &mut pairing, e, &actor(e), renames) {
            Ok(None) => {}
            Ok(Some(divergence)) => return Replayed::Different(Box::new(divergence)),
            Err(error) => return Replayed::Impossible { seq: e.seq, error },
        }
    }
    Replayed::Same {
        events: events.len(),
    }
}

/// Replays one event; a divergence when the stage it leads to differs.
fn step(
    engine: &Engine,
    pairing: &mut Pairing,
    e: &Event,
    actor: &Actor<'_>,
    renames: &crate::model::mapping::Mapping,
) -> Result<Option<Divergence>, EngineError> {
    let renamed = |s: &str| {
        renames
            .stages
            .get(s)
            .cloned()
            .unwrap_or_else(|| s.to_string())
    };
    let was = match &e.kind {
        EventKind::Moved { to, .. } => renamed(to),
        _ => pairing.stage.to_string(),
    };
    let diverged = |pairing: &Pairing, candidates: Vec<Candidate>| {
        (*pairing.stage != *was).then(|| Divergence {
            event: e.clone(),
            was: was.clone(),
            now: pairing.stage.to_string(),
            candidates,
        })
    };
    match &e.kind {
        // A migration is not a command of the pairing's own history: replaying stays on the
        // version being replayed against.
        // A successor is a pairing of its own, replayed on its own.
        EventKind::Enrolled { .. }
        | EventKind::Migrated { .. }
        | EventKind::Continued { .. }
        | EventKind::PersonRecorded { .. } => Ok(None),
        // An erasure moves nothing; the values it erased are gone from the replay too.
        EventKind::Erased { .. } => Ok(None),
        // What a stage's action did follows from the move it came with, replayed again there.
        EventKind::Notified { .. }
        | EventKind::ScheduleStarted { .. }
        | EventKind::ScheduleStopped { .. } => Ok(None),
        EventKind::FactsRecorded { .. } if crate::decide::actions::is_action(e) => Ok(None),
        EventKind::FactsRecorded { facts, person } => {
            let facts: Vec<(String, mentorflow_dsl::Value)> = facts
                .iter()
                .filter_map(|(name, value)| {
                    let name = renames.facts.get(&**name).map_or(&**name, String::as_str);
                    (name != "-").then(|| (name.to_string(), value.clone()))
                })
                .collect();
            if !facts.is_empty() {
                engine.record(pairing, person.as_deref(), facts, actor)?;
            }
            Ok(None)
        }
        // A change of participants is replayed with the automatic moves after it (the next
        // events, replayed as `auto`), and its checks: another version may refuse it.
        EventKind::Joined { participant } => {
            engine.join(pairing, participant.clone(), actor)?;
            engine.check_participants(pairing)?;
            Ok(None)
        }
        EventKind::Left { person, .. } => {
            let reason = e.reason.as_deref().unwrap_or("replayed");
            engine.leave(pairing, person, reason, actor)?;
            Ok(None)
        }
        EventKind::Replaced {
            person,
            participant,
        } => {
            let reason = e.reason.as_deref();
            engine.replace(pairing, person, participant.clone(), reason, actor)?;
            engine.check_participants(pairing)?;
            Ok(None)
        }
        EventKind::Done {
            schedule,
            on,
            facts,
            person,
            ..
        } => {
            engine.done(
                pairing,
                schedule,
                *on,
                facts.clone(),
                person.as_deref(),
                actor,
            )?;
            Ok(None)
        }
        EventKind::Moved {
            by: Move::Advance, ..
        } => {
            let mut before = pairing.clone();
            let candidates = engine.explain(&mut before, actor.now);
            match engine.advance(pairing, None, e.reason.as_deref(), actor) {
                Ok(_)
                | Err(
                    EngineError::Refused(_)
                    | EngineError::ReasonNeeded { .. }
                    | EngineError::UnknownReason { .. },
                ) => Ok(diverged(pairing, candidates)),
                Err(other) => Err(other),
            }
        }
        EventKind::Moved {
            by: Move::Forced,
            to,
            ..
        } => {
            let to = renamed(to);
            engine.force(
                pairing,
                &to,
                e.reason.as_deref().unwrap_or("replayed"),
                actor,
            )?;
            Ok(None)
        }
        EventKind::Moved {
            by: Move::Withdraw, ..
        } => match engine.withdraw(pairing, e.reason.as_deref().unwrap_or("replayed"), actor) {
            Ok(_) => Ok(diverged(pairing, Vec::new())),
            Err(EngineError::Refused(r)) => Ok(diverged(pairing, r.candidates)),
            Err(other) => Err(other),
        },
        // An automatic move followed the command before it: the other version settles too.
        EventKind::Moved { by: Move::Auto, .. } => {
            engine.settle(pairing, actor)?;
            Ok(diverged(pairing, Vec::new()))
        }
        EventKind::Moved {
            by: Move::Timer, ..
        }
        | EventKind::BecameOverdue { .. }
        | EventKind::Warned { .. }
        | EventKind::Missed { .. }
        | EventKind::ComesDue { .. } => {
            engine.tick(pairing, actor)?;
            Ok(diverged(pairing, Vec::new()))
        }
    }
}
