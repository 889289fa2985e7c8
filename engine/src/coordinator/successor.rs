//! Successor pairings. A pairing that ends in a stage declaring `[stages.X.successor]` (and
//! whose `when` holds) continues as a new pairing of the same program in the same command:
//! the same participants, the chosen facts carried over. `continue` does the same on request,
//! into another program or type, or with other participants (a "not a fit" re-paired). Both
//! pairings link to each other: the new one's enrolment names its predecessor, and the old one
//! logs `continued` with its successor.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Value;

use crate::coordinator::error::{EngineError, Error};
use crate::coordinator::ledger::Writer;
use crate::decide::engine::{Actor, Engine};
use crate::model::event::{Event, EventKind, Participant};
use crate::model::pairing::Pairing;
use crate::rules::runtime::Context;

/// What a pairing continues as: a type of the target program, who takes part, and the facts
/// carried over (pairing facts, and facts kept per person for each person who stays).
#[derive(Debug, Clone)]
pub struct Continuation {
    /// The successor's type.
    pub type_id: String,
    /// Who takes part (with their attributes).
    pub participants: Vec<Participant>,
    /// The facts carried over.
    pub facts: Vec<String>,
    /// The stage it starts in (the program's initial stage when none).
    pub stage: Option<String>,
}

/// The successor the stage `pairing` ended in declares, when it has not continued yet and the
/// successor's `when` holds at `now`.
pub(crate) fn declared(
    engine: &Engine,
    pairing: &mut Pairing,
    now: DateTime<Utc>,
) -> Result<Option<Continuation>, EngineError> {
    if pairing.outcome.is_none() || pairing.successor.is_some() {
        return Ok(None);
    }
    let program = Arc::clone(&engine.program);
    let Some(successor) = program
        .stage(&pairing.stage)
        .and_then(|s| s.successor.as_ref())
    else {
        return Ok(None);
    };
    if let Some(when) = &successor.when {
        let ctx = Context::of(&program, pairing, now);
        if !engine.runtime.eval(when, &ctx)? {
            return Ok(None);
        }
    }
    Ok(Some(Continuation {
        type_id: successor
            .type_id
            .clone()
            .unwrap_or_else(|| pairing.type_id.to_string()),
        participants: pairing.participants.to_vec(),
        facts: successor.facts.clone(),
        stage: successor.stage.clone(),
    }))
}

/// Creates the successor of the ended pairing `from` (of `old`'s program) in `new`'s program,
/// through `writer`, checking the type's rules and the capacity across pairings as any
/// enrolment; returns the `continued` event of `from`.
pub(crate) fn create(
    old: &Engine,
    new: &Engine,
    from: &mut Pairing,
    next: Continuation,
    actor: &Actor<'_>,
    writer: &mut Writer<'_>,
    over_capacity: Option<&str>,
) -> Result<Event, Error> {
    if from.outcome.is_none() {
        return Err(EngineError::NotEnded(from.id.to_string()).into());
    }
    if let Some(successor) = &from.successor {
        return Err(EngineError::AlreadyContinued {
            pairing: from.id.to_string(),
            successor: successor.clone(),
        }
        .into());
    }
    let (number, id) = writer.new_pairing()?;
    let mut people = Vec::with_capacity(next.participants.len());
    for p in &next.participants {
        people.push(refreshed(
            new,
            writer,
            carried_person_facts(new, p, &next.facts),
        )?);
    }
    let stage = next.stage.as_deref().unwrap_or(&new.program.initial);
    if new.program.stage(stage).is_none_or(|s| s.is_terminal()) {
        return Err(EngineError::UnknownStage {
            program: new.program.id.clone(),
            name: stage.to_string(),
            known: new
                .program
                .stages
                .iter()
                .filter(|s| !s.is_terminal())
                .map(|s| s.id.to_string())
                .collect(),
        }
        .into());
    }
    let (mut pairing, mut enrolled) = new.enrol_in(&id, &next.type_id, people, stage, actor)?;
    if let EventKind::Enrolled { predecessor, .. } = &mut enrolled.kind {
        *predecessor = Some(from.id.to_string());
    }
    pairing.predecessor = Some(from.id.to_string());
    let skip = [id.as_str(), &from.id];
    let everyone: Vec<&Participant> = pairing.participants.iter().collect();
    let mut problems =
        crate::coordinator::capacity::exceeded(&new.program, &pairing, &skip, &everyone, writer)?;
    enrolled.reason = crate::coordinator::capacity::overridden(&mut problems, over_capacity);
    problems.extend(crate::coordinator::capacity::same_participants(
        &new.program,
        &skip,
        &pairing.participants,
        writer,
    )?);
    if !problems.is_empty() {
        return Err(EngineError::EnrolmentRefused {
            type_id: next.type_id,
            problems,
        }
        .into());
    }
    let mut events = vec![enrolled];
    let facts = carried_facts(new, from, &next.facts);
    if !facts.is_empty() {
        events.push(new.record(&mut pairing, None, facts, actor)?);
    }
    events.extend(new.settle(&mut pairing, actor)?);
    writer.create(number, pairing, events);
    let kind = EventKind::Continued { successor: id };
    Ok(old.emit(from, actor, None, kind)?)
}

/// `p` as the people registry has them now: its attributes and reporting line read again (the
/// predecessor's copy is as old as its enrolment), attributes the registry lacks kept; the
/// type's rule then judges the successor on them, as any enrolment. An inactive person is
/// refused.
fn refreshed(new: &Engine, writer: &mut Writer<'_>, p: Participant) -> Result<Participant, Error> {
    let blank = Participant {
        attributes: Default::default(),
        ..p.clone()
    };
    let mut fresh = super::completed(&new.program, writer, blank)?;
    for (name, value) in p.attributes.iter() {
        if !fresh.attributes.contains_key(name) {
            fresh.attributes.insert(*name, value.clone());
        }
    }
    Ok(fresh)
}

/// Whether someone among `people` is inactive in the people registry: an automatic successor
/// is then not made (a coordinator may `continue` with someone else).
pub(crate) fn anyone_inactive(
    people: &[Participant],
    writer: &mut Writer<'_>,
) -> Result<bool, Error> {
    for p in people {
        if writer.person(&p.id)?.is_some_and(|x| x.inactive.is_some()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The pairing facts of `from` named in `names` that `new`'s program keeps on pairings, with
/// values it accepts (others are left behind).
fn carried_facts(new: &Engine, from: &Pairing, names: &[String]) -> Vec<(String, Value)> {
    names
        .iter()
        .filter_map(|name| {
            let value = from.facts.get(name.as_str())?;
            let decl = new.program.fact(name).filter(|d| d.per.is_none())?;
            decl.check(value).ok()?;
            Some((name.clone(), value.clone()))
        })
        .collect()
}

/// `p` with only the facts kept per person named in `names` that `new`'s program keeps for
/// their role, with values it accepts.
fn carried_person_facts(new: &Engine, p: &Participant, names: &[String]) -> Participant {
    let mut p = p.clone();
    let role = p.role;
    p.facts.retain(|name, value| {
        names.contains(name)
            && new
                .program
                .fact(name)
                .is_some_and(|d| d.is_kept_for(&role) && d.check(value).is_ok())
    });
    p
}
