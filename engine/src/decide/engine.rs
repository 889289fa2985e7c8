//! The engine: decides the events for enrol, record, advance, force, withdraw and tick, and
//! applies them to the pairing with the same fold the store replays.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Program, Transition, Trigger, Value, ValueKind};

use crate::model::event::{Event, EventKind, Move, Participant};
use crate::model::pairing::Pairing;
use crate::rules::engine_error::Command;
use crate::rules::engine_error::EngineError;
use crate::rules::engine_error::Refusal;
use crate::rules::explain::{self, Candidate};
use crate::rules::runtime::{Context, Runtime};
use crate::rules::timers;
use mentorflow_dsl::Name;

/// A loaded program and its script runtime: compile once, run many.
#[derive(Debug)]
pub struct Engine {
    /// The program, immutable.
    pub program: Arc<Program>,
    /// The sandboxed script runner.
    pub runtime: Runtime,
    /// The program's content hash, as every event and pairing it makes names it.
    hash: Name,
    /// Stage ids, as every event and pairing names them (same order as stages): found here
    /// by text without the interner's lock.
    stage_ids: Vec<Name>,
    /// The stage each transition leads to (same order as transitions).
    targets: Vec<Name>,
    /// Fact names, as the events that record them and the pairings' facts name them
    /// (same order as the program's facts).
    fact_ids: Vec<Name>,
    /// The program's id and its types' ids, as every pairing enrolled names them.
    program_id: Name,
    type_ids: Vec<Name>,
    /// Whether any stage has actions: a move then leaves them to run (see [`Engine::settle`]).
    has_actions: bool,
    /// Whether any notification is sent by what a tick notices (`on`).
    has_triggers: bool,
}

/// How a command changes a fact, as written: `NAME=VALUE`, `NAME+=AMOUNT`, `NAME-=AMOUNT`.
#[derive(Debug, Clone, PartialEq)]
pub enum FactChange {
    /// Set to this value.
    Set(String),
    /// Add this amount to the current value (numbers only).
    Add(String),
    /// Subtract this amount from the current value (numbers only).
    Subtract(String),
    /// Set to this value, already typed (a scenario's TOML value): checked against the
    /// declaration as any other.
    Value(Value),
}

/// Who does an operation and when.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// Person or process name for the audit log.
    pub name: &'a str,
    /// The injected clock's time.
    pub now: DateTime<Utc>,
}

/// Parses and checks a participant attribute written as text against `program`'s declaration.
pub fn parse_attribute(program: &Program, name: &str, text: &str) -> Result<Value, EngineError> {
    let Some(decl) = program.attributes.iter().find(|a| a.name == name) else {
        return Err(unknown_attribute(program, name));
    };
    // What the text is not is said with the attribute's name; a bound says it already.
    let value = decl
        .parse_unchecked(text)
        .map_err(|problem| EngineError::BadAttribute {
            problem: format!("attribute `{name}`: {problem}"),
        })?;
    decl.check(&value)
        .map_err(|problem| EngineError::BadAttribute { problem })?;
    Ok(value)
}

/// The refusal of attribute `name`, which `program` does not declare.
pub(crate) fn unknown_attribute(program: &Program, name: &str) -> EngineError {
    EngineError::UnknownAttribute {
        program: program.id.clone(),
        name: name.into(),
        known: names(program.attributes.iter().map(|a| a.name.as_str())),
    }
}

/// Parses and checks a fact value written as text against `program`'s declaration.
pub fn parse_fact(program: &Program, name: &str, text: &str) -> Result<Value, EngineError> {
    let Some(decl) = program.fact(name) else {
        return Err(EngineError::UnknownFact {
            program: program.id.clone(),
            name: name.into(),
            known: names(program.facts.iter().map(|f| f.name.as_str())),
        });
    };
    decl.parse(text).map_err(|problem| EngineError::BadValue {
        name: name.into(),
        problem,
    })
}

/// The name `id` among `ids` (interned when it is not among them).
fn shared(ids: &[Name], id: &str) -> Name {
    ids.iter()
        .find(|s| ***s == *id)
        .copied()
        .unwrap_or_else(|| Name::new(id))
}

/// The name of the actor of an event, refused when blank: the same as the previous event's
/// when the actor is the same (one coordinator or process usually does a whole run of
/// commands), which skips the interner's lock and the check. Kept per thread, which needs no
/// lock of its own.
fn actor_name(name: &str) -> Result<Name, EngineError> {
    thread_local! {
        static LAST_ACTOR: std::cell::Cell<Option<Name>> = const { std::cell::Cell::new(None) };
    }
    LAST_ACTOR.with(|last| match last.get() {
        Some(known) if *known == *name => Ok(known),
        _ if name.trim().is_empty() => Err(EngineError::NoActor),
        _ => {
            let known = Name::new(name);
            last.set(Some(known));
            Ok(known)
        }
    })
}

/// A done names its person exactly when its schedule is kept per person, and then one of
/// that schedule's people.
fn whose_done(
    schedule: &mentorflow_dsl::model::Schedule,
    pairing: &Pairing,
    person: Option<&str>,
) -> Result<(), EngineError> {
    let people = crate::rules::schedules::people(schedule, pairing);
    let fine = match (&schedule.per, person) {
        (None, None) => true,
        (Some(_), Some(p)) => people.contains(&p),
        _ => false,
    };
    if fine {
        return Ok(());
    }
    Err(EngineError::DoneFor {
        schedule: schedule.name.clone(),
        per: schedule.per.clone(),
        people: people.into_iter().map(str::to_string).collect(),
        given: person.map(str::to_string),
    })
}

fn names<'a>(options: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    options.into_iter().map(String::from).collect()
}

/// The transitions an advance considers from the pairing's stage (their trigger is advance
/// and their `from` names it). Borrowed from the program, never cloned: a clone would copy
/// every guard's compiled AST.
fn advance_candidates<'p>(program: &'p Program, pairing: &Pairing) -> Vec<&'p Transition> {
    program
        .transitions
        .iter()
        .filter(|t| t.on_advance_from(&pairing.stage))
        .collect()
}

impl Engine {
    /// An engine for `program` with the default sandbox.
    pub fn new(program: Program) -> Engine {
        Engine {
            has_actions: program.stages.iter().any(|s| !s.actions.is_empty())
                || program
                    .types
                    .iter()
                    .any(|t| t.stages.iter().any(|o| !o.actions.is_empty())),
            has_triggers: program.notifications.iter().any(|n| !n.on.is_empty()),
            hash: Name::new(&program.hash),
            stage_ids: program.stages.iter().map(|st| Name::new(&st.id)).collect(),
            targets: program
                .transitions
                .iter()
                .map(|t| Name::new(&t.to))
                .collect(),
            fact_ids: program.facts.iter().map(|f| Name::new(&f.name)).collect(),
            program_id: Name::new(&program.id),
            type_ids: program.types.iter().map(|t| Name::new(&t.id)).collect(),
            program: Arc::new(program),
            runtime: Runtime::default(),
        }
    }

    /// An event of `pairing`, numbered `seq`, by `actor`.
    fn new_event(
        &self,
        pairing: &Arc<str>,
        seq: u64,
        actor: &Actor<'_>,
        reason: Option<&str>,
        hash: &Name,
        kind: EventKind,
    ) -> Result<Event, EngineError> {
        Ok(Event {
            pairing: Arc::clone(pairing),
            seq,
            at: actor.now,
            actor: actor_name(actor.name)?,
            reason: reason.map(str::to_string),
            program: *hash,
            kind,
        })
    }

    /// The shared id of type `id` (a type of this program: checked by the caller).
    fn type_id(&self, id: &str) -> Name {
        shared(&self.type_ids, id)
    }

    /// The stage transition `t` (one of this program's) leads to.
    fn target(&self, t: &Transition) -> Name {
        match self.targets.get(t.number() - 1) {
            Some(to) => *to,
            None => self.stage_id(&t.to),
        }
    }

    /// The shared id of stage `id` (a stage of this program: checked at load or by the caller).
    fn stage_id(&self, id: &str) -> Name {
        shared(&self.stage_ids, id)
    }

    /// Builds the pairing's next event and applies it with the same fold the store replays.
    pub(crate) fn emit(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
        reason: Option<&str>,
        kind: EventKind,
    ) -> Result<Event, EngineError> {
        // Events are a history in time order: a command dated before the pairing's latest
        // event would make timers (idle, after) misread the history.
        let latest = pairing.latest_at.max(pairing.entered_at);
        if actor.now < latest {
            return Err(EngineError::BeforeLatestEvent {
                pairing: pairing.id.to_string(),
                now: actor.now,
                latest,
            });
        }
        // A migration is the first event of the pairing's new version.
        let version = match &kind {
            EventKind::Migrated { to_program, .. } => *to_program,
            _ => pairing.program_hash,
        };
        // Made where it is returned, and returned on every path: a copy of the event into the
        // result cost more than applying it.
        let mut made = self.new_event(
            &pairing.id,
            pairing.last_seq + 1,
            actor,
            reason,
            &version,
            kind,
        );
        if let Ok(event) = &made {
            match pairing.apply(&self.program, event) {
                Ok(()) if self.has_actions && event.kind.move_().is_some() => {
                    pairing.pending.push(event.clone());
                }
                Ok(()) => {}
                Err(e) => made = Err(e.into()),
            }
        }
        made
    }

    /// Moves a running pairing of an older version of this program onto this one, under
    /// `mapping`; refused with every reason its state has no place here.
    pub fn migrate(
        &self,
        pairing: &mut Pairing,
        mapping: &crate::rules::migration::Mapping,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        let refused = |problems| EngineError::MigrationRefused {
            pairing: pairing.id.to_string(),
            problems,
        };
        if *pairing.program_id != *self.program.id || *pairing.program_hash == *self.hash {
            return Err(refused(vec![
                crate::rules::migration::MigrationProblem::NotThisProgram,
            ]));
        }
        let (stage, facts) = mapping
            .apply(&self.program, &pairing.stage, &pairing.facts)
            .map_err(refused)?;
        let kind = EventKind::Migrated {
            from_program: pairing.program_hash,
            to_program: self.hash,
            stage: self.stage_id(&stage),
            facts,
            mapping: mapping.clone(),
        };
        self.emit(pairing, actor, None, kind)
    }

    /// Enrols a pairing after checking the type's roles, required attributes and rule.
    pub fn enrol(
        &self,
        id: &str,
        type_id: &str,
        participants: Vec<Participant>,
        actor: &Actor<'_>,
    ) -> Result<(Pairing, Event), EngineError> {
        self.enrol_in(id, type_id, participants, &self.program.initial, actor)
    }

    /// [`Engine::enrol`] starting in stage `stage` (a successor may start past the first).
    pub fn enrol_in(
        &self,
        id: &str,
        type_id: &str,
        participants: Vec<Participant>,
        stage: &str,
        actor: &Actor<'_>,
    ) -> Result<(Pairing, Event), EngineError> {
        let p = &self.program;
        actor_name(actor.name)?;
        let Some(ty) = p.mentoring_type(type_id) else {
            return Err(EngineError::UnknownType {
                program: p.id.clone(),
                type_id: type_id.into(),
                known: names(p.types.iter().map(|t| t.id.as_str())),
            });
        };
        let participants = crate::rules::enrolment::with_defaults(p, participants);
        let mut problems = crate::rules::enrolment::check_participants(p, ty, &participants);
        let event = self.new_event(
            &Arc::from(id),
            1,
            actor,
            None,
            &self.hash,
            EventKind::Enrolled {
                program_id: self.program_id,
                type_id: self.type_id(type_id),
                participants: Arc::new(participants),
                stage: self.stage_id(stage),
                label: None,
                predecessor: None,
            },
        )?;
        let mut pairing = Pairing::fold(p, std::slice::from_ref(&event))?;
        if self.has_actions {
            pairing.pending.push(event.clone());
        }
        if problems.is_empty() {
            if let Some(rule) = &ty.rule {
                problems.extend(crate::rules::enrolment::check_rule(
                    &self.program,
                    &self.runtime,
                    &mut pairing,
                    rule,
                    actor.now,
                ));
            }
        }
        if !problems.is_empty() {
            return Err(EngineError::EnrolmentRefused {
                type_id: type_id.into(),
                problems,
            });
        }
        Ok((pairing, event))
    }

    /// Parses and checks a fact value written as text.
    pub fn parse_fact(&self, name: &str, text: &str) -> Result<Value, EngineError> {
        parse_fact(&self.program, name, text)
    }

    /// The value a change gives fact `name` of `pairing`: a value written as text, or the
    /// current value (recorded, else the default) plus or minus an amount. Applied under the
    /// store's write lock, so two coordinators adding 1 at once add 2.
    pub fn resolve_change(
        &self,
        pairing: &Pairing,
        person: Option<&str>,
        name: &str,
        change: &FactChange,
    ) -> Result<Value, EngineError> {
        let decl = self.fact_decl(name)?;
        let numeric = matches!(decl.kind, ValueKind::Int | ValueKind::Float);
        let (sign, text) = match change {
            // `meetings=+1` looks like an increment but sets 1: refuse it rather than guess.
            FactChange::Set(text) if numeric && text.trim_start().starts_with('+') => {
                return Err(EngineError::SignedValue {
                    name: name.into(),
                    text: text.clone(),
                })
            }
            FactChange::Set(text) => return self.parse_fact(name, text),
            FactChange::Value(value) => {
                return decl
                    .check(value)
                    .map(|()| value.clone())
                    .map_err(|problem| EngineError::BadValue {
                        name: name.into(),
                        problem,
                    })
            }
            FactChange::Add(text) => (1, text),
            FactChange::Subtract(text) => (-1, text),
        };
        if decl.kind == ValueKind::Date {
            return self.moved_date(pairing, person, name, sign, text);
        }
        if !numeric {
            return Err(EngineError::NotANumber {
                name: name.into(),
                kind: decl.kind,
            });
        }
        let amount = decl
            .parse_unchecked(text)
            .map_err(|problem| EngineError::BadValue {
                name: name.into(),
                problem,
            })?;
        let current = self.current_value(pairing, decl, person, name)?;
        let overflow = || EngineError::BadValue {
            name: name.into(),
            problem: "the result is too large for a whole number".into(),
        };
        let value = match (current, amount) {
            (Value::Int(a), Value::Int(b)) => Value::Int(
                a.checked_add(b.checked_mul(sign).ok_or_else(overflow)?)
                    .ok_or_else(overflow)?,
            ),
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b * sign as f64),
            (Value::Float(a), Value::Int(b)) => Value::Float(a + (b * sign) as f64),
            _ => return Err(overflow()),
        };
        decl.check(&value)
            .map_err(|problem| EngineError::BadValue {
                name: name.into(),
                problem,
            })?;
        Ok(value)
    }

    /// The value `+=` or `-=` changes: the pairing's, or `person`'s for a fact kept per person;
    /// refused when there is none yet.
    fn current_value(
        &self,
        pairing: &Pairing,
        decl: &mentorflow_dsl::Declaration,
        person: Option<&str>,
        name: &str,
    ) -> Result<Value, EngineError> {
        self.check_whose(pairing, decl, person)?;
        let current = match person {
            Some(person) => {
                let p = self.participant(pairing, person)?;
                pairing.person_fact(&self.program, p, name)
            }
            None => pairing.fact(&self.program, name),
        };
        current
            .cloned()
            .ok_or_else(|| EngineError::NoValueToChange(name.into()))
    }

    /// A date fact moved by a duration (`end_date+=6w`, `end_date-=3d`): calendar months for
    /// `mo`, checked against the declaration as any value.
    fn moved_date(
        &self,
        pairing: &Pairing,
        person: Option<&str>,
        name: &str,
        sign: i64,
        text: &str,
    ) -> Result<Value, EngineError> {
        let decl = self.fact_decl(name)?;
        let bad = |why: String| {
            EngineError::BadValue {
            name: name.into(),
            problem: format!(
                "{why}: a date moves by a number of days, weeks or months; write e.g. {name}+=6w, {name}+=10d or {name}-=1mo"
            ),
        }
        };
        let due = match mentorflow_dsl::Due::parse(text) {
            Ok(mentorflow_dsl::Due::Hours(_)) => return Err(bad(format!("`{text}` is in hours"))),
            Ok(due) => due,
            Err(why) => return Err(bad(why)),
        };
        let Value::Date(date) = self.current_value(pairing, decl, person, name)? else {
            return Err(EngineError::NoValueToChange(name.into()));
        };
        let value = Value::Date(due.move_date(date, sign > 0));
        decl.check(&value)
            .map_err(|problem| EngineError::BadValue {
                name: name.into(),
                problem,
            })?;
        Ok(value)
    }

    /// The declaration of fact `name` with its shared name.
    fn fact_decl_id(
        &self,
        name: &str,
    ) -> Result<(&mentorflow_dsl::Declaration, Name), EngineError> {
        let i = self
            .program
            .facts
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| self.fact_unknown(name))?;
        Ok((&self.program.facts[i], self.fact_ids[i]))
    }

    fn fact_decl(&self, name: &str) -> Result<&mentorflow_dsl::Declaration, EngineError> {
        self.fact_decl_id(name).map(|(decl, _)| decl)
    }

    /// The error for a fact the program does not declare.
    pub fn fact_unknown(&self, name: &str) -> EngineError {
        EngineError::UnknownFact {
            program: self.program.id.clone(),
            name: name.into(),
            known: names(self.program.facts.iter().map(|f| f.name.as_str())),
        }
    }

    /// Records facts as one event, on the pairing or (`person`) for one participant: every
    /// value is checked first, so one bad value leaves the pairing unchanged.
    pub fn record<N: AsRef<str>>(
        &self,
        pairing: &mut Pairing,
        person: Option<&str>,
        facts: Vec<(N, Value)>,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        if facts.is_empty() {
            return Err(EngineError::NoFacts);
        }
        let mut checked: Vec<(Name, Value)> = Vec::with_capacity(facts.len());
        for (name, value) in facts {
            let name = name.as_ref();
            let (decl, id) = self.fact_decl_id(name)?;
            if checked.iter().any(|(n, _)| *n == id) {
                return Err(EngineError::FactTwice(name.to_string()));
            }
            self.check_whose(pairing, decl, person)?;
            decl.check(&value)
                .map_err(|problem| EngineError::BadValue {
                    name: name.to_string(),
                    problem,
                })?;
            let value = match (decl.kind, value) {
                (mentorflow_dsl::ValueKind::Float, Value::Int(i)) => Value::Float(i as f64),
                (_, v) => v,
            };
            checked.push((id, value));
        }
        if person.is_none() {
            crate::rules::relations::check(&self.program, pairing, &checked)?;
        }
        let person = person.map(str::to_string);
        self.emit(
            pairing,
            actor,
            None,
            EventKind::FactsRecorded {
                facts: checked,
                person,
            },
        )
    }

    /// Whether fact `decl` is recorded the way it is given: a pairing fact without a person,
    /// a fact kept per person for a participant it is kept for.
    fn check_whose(
        &self,
        pairing: &Pairing,
        decl: &mentorflow_dsl::Declaration,
        person: Option<&str>,
    ) -> Result<(), EngineError> {
        let keeps = |p: &&crate::model::event::Participant| decl.is_kept_for(&p.role);
        match (person, &decl.per) {
            (None, None) => Ok(()),
            (None, Some(per)) => Err(EngineError::FactPerPerson {
                name: decl.name.clone(),
                per: per.clone(),
                people: pairing
                    .participants
                    .iter()
                    .filter(keeps)
                    .map(|p| p.id.clone())
                    .collect(),
            }),
            (Some(person), None) => Err(EngineError::FactOfThePairing {
                name: decl.name.clone(),
                person: person.into(),
            }),
            (Some(person), Some(per)) => {
                let p = self.participant(pairing, person)?;
                if keeps(&p) {
                    Ok(())
                } else {
                    Err(EngineError::FactNotKeptFor {
                        name: decl.name.clone(),
                        per: per.clone(),
                        person: person.into(),
                        role: p.role.to_string(),
                    })
                }
            }
        }
    }

    pub(crate) fn ensure_active(&self, pairing: &Pairing) -> Result<(), EngineError> {
        match &pairing.outcome {
            Some(outcome) => Err(EngineError::Terminal {
                pairing: pairing.id.to_string(),
                stage: pairing.stage.to_string(),
                outcome: outcome.to_string(),
            }),
            None => Ok(()),
        }
    }

    fn stage_exists(&self, name: &str) -> Result<(), EngineError> {
        if self.program.stage(name).is_some() {
            return Ok(());
        }
        Err(EngineError::UnknownStage {
            program: self.program.id.clone(),
            name: name.into(),
            known: names(self.program.stages.iter().map(|s| s.id.as_str())),
        })
    }

    /// Explains every transition an advance would consider, in order.
    pub fn explain(&self, pairing: &mut Pairing, now: DateTime<Utc>) -> Vec<Candidate> {
        let program = &*self.program;
        advance_candidates(program, pairing)
            .into_iter()
            .map(|t| explain::candidate(program, &self.runtime, pairing, t, now))
            .collect()
    }

    /// Explains every automatic transition that leaves the pairing's stage, in order.
    pub fn explain_auto(&self, pairing: &mut Pairing, now: DateTime<Utc>) -> Vec<Candidate> {
        let program = &*self.program;
        let Some(stage) = program.stage(&pairing.stage) else {
            return Vec::new();
        };
        program
            .transitions
            .iter()
            .filter(|t| t.is_auto_from(stage))
            .map(|t| explain::candidate(program, &self.runtime, pairing, t, now))
            .collect()
    }

    /// Takes the first transition whose guard holds (or the one to `to`); refuses with an
    /// explanation of every candidate when none can be taken.
    pub fn advance(
        &self,
        pairing: &mut Pairing,
        to: Option<&str>,
        reason: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        if let Some(to) = to {
            self.stage_exists(to)?;
        }
        if let Some(reason) = reason {
            self.check_reason(Command::Advance, reason)?;
        }
        let program = &*self.program;
        let wanted = |t: &Transition| to.is_none_or(|to| t.to == to);
        // The common case allocates nothing: candidates are tried straight from the program.
        let mut any = false;
        // A transition that holds but asks for a reason not given: named if nothing else moves.
        let mut needs_reason = None;
        for t in &program.transitions {
            if !(t.on_advance_from(&pairing.stage) && wanted(t)) {
                continue;
            }
            any = true;
            if self.guards_hold(pairing, t, actor.now)? {
                if !t.accepts_reason(reason) {
                    needs_reason.get_or_insert(t);
                    continue;
                }
                let kind = self.moved(pairing, t, Move::Advance);
                return self.emit(pairing, actor, reason, kind);
            }
        }
        if let Some(t) = needs_reason {
            return Err(EngineError::ReasonNeeded {
                transition: t.number(),
                to: t.to.clone(),
                codes: t.reasons.clone(),
                given: reason.map(str::to_string),
            });
        }
        if let (Some(to), false) = (to, any) {
            return Err(self.no_such_transition(pairing, to));
        }
        let candidates: Vec<&Transition> = advance_candidates(program, pairing)
            .into_iter()
            .filter(|t| wanted(t))
            .collect();
        let explained = candidates
            .into_iter()
            .map(|t| explain::candidate(program, &self.runtime, pairing, t, actor.now))
            .collect();
        let mut refusal = refused(pairing, Command::Advance, to, explained);
        // What moves it on by itself: the automatic transitions, and the timers when nothing
        // else leaves the stage.
        if let (EngineError::Refused(r), None) = (&mut refusal, to) {
            r.automatic = self.explain_auto(pairing, actor.now);
            if r.candidates.is_empty() {
                r.timers = timers::upcoming(program, pairing);
            }
        }
        Err(refusal)
    }

    /// Takes the first advance transition whose guards hold, or none: for bulk commands,
    /// which would throw an explanation away (building one re-runs every guard part).
    pub fn try_advance(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Option<Event>, EngineError> {
        self.ensure_active(pairing)?;
        let program = &*self.program;
        for t in &program.transitions {
            // A transition that asks for a reason is left to a coordinator who gives one.
            if t.on_advance_from(&pairing.stage)
                && t.accepts_reason(None)
                && self.guards_hold(pairing, t, actor.now)?
            {
                let kind = self.moved(pairing, t, Move::Advance);
                return self.emit(pairing, actor, None, kind).map(Some);
            }
        }
        Ok(None)
    }

    /// The event of taking transition `t`.
    fn moved(&self, pairing: &Pairing, t: &Transition, by: Move) -> EventKind {
        EventKind::Moved {
            from: pairing.stage,
            to: self.target(t),
            by,
            transition: Some(t.number()),
        }
    }

    /// The fast path: evaluates guards in order without building explanations.
    fn first_holding<'t>(
        &self,
        pairing: &mut Pairing,
        candidates: &[&'t Transition],
        now: DateTime<Utc>,
    ) -> Result<Option<&'t Transition>, EngineError> {
        for &t in candidates {
            if self.guards_hold(pairing, t, now)? {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    fn guards_hold(
        &self,
        pairing: &mut Pairing,
        t: &Transition,
        now: DateTime<Utc>,
    ) -> Result<bool, EngineError> {
        let program = &*self.program;
        let guard = t.guard.as_ref().and_then(|g| match g {
            mentorflow_dsl::Guard::Script(s) => Some(&**s),
            mentorflow_dsl::Guard::Criterion(c) => program.criterion(c).map(|c| &c.script),
        });
        let extra = explain::extra_guard(program, &pairing.type_id, t);
        for script in [guard, extra].into_iter().flatten() {
            let ctx = Context::of(program, pairing, now);
            match self.runtime.eval(script, &ctx) {
                Ok(true) => {}
                Ok(false) => return Ok(false),
                // Reading a fact not recorded yet is "not yet", not a broken script.
                Err(_)
                    if script
                        .facts_read
                        .iter()
                        .any(|f| pairing.fact(program, f).is_none()) =>
                {
                    return Ok(false)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }

    fn no_such_transition(&self, pairing: &Pairing, to: &str) -> EngineError {
        let options: Vec<String> = advance_candidates(&self.program, pairing)
            .iter()
            .map(|t| t.to.clone())
            .collect();
        EngineError::NoSuchTransition {
            from: pairing.stage.to_string(),
            to: to.into(),
            options,
        }
    }

    /// Records an occurrence of `schedule` as done on `on` (at most the command's time), with
    /// `facts` it records (ones the schedule lists): it counts for the first occurrence not
    /// yet done and not missed by then.
    pub fn done(
        &self,
        pairing: &mut Pairing,
        schedule: &str,
        on: DateTime<Utc>,
        facts: Vec<(String, Value)>,
        person: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        let program = &*self.program;
        let Some(s) = program.schedule(schedule, &pairing.type_id) else {
            return Err(EngineError::UnknownSchedule {
                program: program.id.clone(),
                name: schedule.to_string(),
                known: names(program.schedules.iter().map(|s| s.name.as_str())),
            });
        };
        whose_done(s, pairing, person)?;
        if on > actor.now {
            return Err(EngineError::DoneInFuture);
        }
        if on < pairing.enrolled_at {
            return Err(EngineError::DoneBeforeEnrolment {
                pairing: pairing.id.to_string(),
                enrolled: pairing.enrolled_at,
            });
        }
        if let Some((fact, _)) = facts.iter().find(|(f, _)| !s.facts.contains(f)) {
            return Err(EngineError::NotAScheduleFact {
                schedule: schedule.to_string(),
                fact: fact.clone(),
                known: s.facts.clone(),
            });
        }
        let not_open = |why: String| EngineError::NoOpenOccurrence {
            pairing: pairing.id.to_string(),
            schedule: schedule.to_string(),
            why,
        };
        let Some(anchor) = crate::rules::schedules::anchor_for(program, s, pairing, person) else {
            return Err(not_open(format!(
                "it runs from {}{}{}, which does not apply to this pairing now",
                s.anchor,
                s.during
                    .as_ref()
                    .map_or(String::new(), |d| format!(" while in {d}")),
                if s.types.is_empty() {
                    String::new()
                } else {
                    format!(" for types {}", s.types.join(", "))
                }
            )));
        };
        use crate::rules::schedules::NotOpen;
        let open = crate::rules::schedules::open_occurrence(program, s, pairing, person, on);
        let occurrence = match open {
            Ok((occurrence, _)) => occurrence,
            Err(NotOpen::NoneLeft) => {
                return Err(not_open(
                    "every occurrence is done or was missed before then".into(),
                ))
            }
            Err(NotOpen::NotYet {
                occurrence,
                due,
                opens,
            }) => {
                let minute = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
                let before = match occurrence {
                    1 => format!("it counts from {}", minute(opens)),
                    k => format!("#{} is done already", k - 1),
                };
                return Err(not_open(format!(
                    "{before}; #{occurrence} (due {}) counts a done from {} on, so record it then (or with --on); an extra session is a fact, not an occurrence",
                    minute(due),
                    minute(opens),
                )));
            }
        };
        let short = self.short_of(pairing, s, &facts, actor.now)?;
        let kind = EventKind::Done {
            schedule: schedule.to_string(),
            occurrence,
            anchor,
            on,
            facts,
            short,
            turn: crate::rules::schedules::turn(s, pairing, occurrence),
            person: person.map(str::to_string),
        };
        self.emit(pairing, actor, None, kind)
    }

    /// Whether a done of `schedule` giving `facts` falls short of the schedule's `require`
    /// (it then counts as missed); refused when it lacks a value the schedule requires.
    fn short_of(
        &self,
        pairing: &Pairing,
        schedule: &mentorflow_dsl::model::Schedule,
        facts: &[(String, Value)],
        now: DateTime<Utc>,
    ) -> Result<bool, EngineError> {
        let missing: Vec<String> = schedule
            .required
            .iter()
            .filter(|r| !facts.iter().any(|(f, _)| f == *r))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(EngineError::DoneNeeds {
                schedule: schedule.name.clone(),
                missing,
            });
        }
        let Some(require) = &schedule.require else {
            return Ok(false);
        };
        let probe = pairing.with_occurrence_values(&schedule.facts, facts);
        let ctx = Context::of(&self.program, &probe, now);
        match self.runtime.eval(require, &ctx) {
            Ok(met) => Ok(!met),
            // A value it reads that this done did not give: it does not meet it.
            Err(_)
                if require
                    .facts_read
                    .iter()
                    .any(|f| !facts.iter().any(|(g, _)| g == f)) =>
            {
                Ok(true)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A `comes_due` event for each schedule a notification announces whose next occurrence
    /// came due (its period began) since the last tick, with whose turn it is.
    fn announce(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let program = &*self.program;
        let mut events = Vec::new();
        for schedule in program
            .schedules
            .iter()
            .filter(|s| program.announces(&s.name))
        {
            let Some((anchor, occurrence, due)) =
                crate::rules::schedules::newly_coming(program, schedule, pairing, actor.now)
            else {
                continue;
            };
            let kind = EventKind::ComesDue {
                schedule: schedule.name.clone(),
                anchor,
                occurrence,
                due,
                turn: crate::rules::schedules::turn(schedule, pairing, occurrence),
            };
            events.push(self.emit(pairing, actor, None, kind)?);
        }
        Ok(events)
    }

    /// A reason is required; when the program declares reason codes it must start with one.
    pub(crate) fn check_reason(&self, command: Command, reason: &str) -> Result<(), EngineError> {
        if reason.trim().is_empty() {
            return Err(EngineError::ReasonRequired(command));
        }
        self.program
            .reason_code(reason)
            .map(|_| ())
            .map_err(|known| EngineError::UnknownReason {
                program: self.program.id.clone(),
                given: reason
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                known,
            })
    }

    /// Moves the pairing to `to` without checking guards; logged as forced with the reason.
    pub fn force(
        &self,
        pairing: &mut Pairing,
        to: &str,
        reason: &str,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        self.stage_exists(to)?;
        self.check_reason(Command::Force, reason)?;
        let kind = EventKind::Moved {
            from: pairing.stage,
            to: self.stage_id(to),
            by: Move::Forced,
            transition: None,
        };
        self.emit(pairing, actor, Some(reason), kind)
    }

    /// Withdraws through the first withdraw transition whose guard holds.
    pub fn withdraw(
        &self,
        pairing: &mut Pairing,
        reason: &str,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        self.check_reason(Command::Withdraw, reason)?;
        let program = &*self.program;
        let any: Vec<&Transition> = program
            .transitions
            .iter()
            .filter(|t| t.trigger == Trigger::Withdraw)
            .collect();
        let Some(first) = any.first() else {
            return Err(EngineError::NoWithdrawTransition(self.program.id.clone()));
        };
        // A withdraw transition that lists codes is only for them (`goals-met` ends in
        // `completed`, any other reason in `withdrawn`).
        let first = *first;
        let any: Vec<&Transition> = any
            .into_iter()
            .filter(|t| t.accepts_reason(Some(reason)))
            .collect();
        if any.is_empty() {
            return Err(EngineError::ReasonNeeded {
                transition: first.number(),
                to: first.to.clone(),
                codes: first.reasons.clone(),
                given: Some(reason.to_string()),
            });
        }
        let Some(t) = self.first_holding(pairing, &any, actor.now)? else {
            let candidates = any
                .into_iter()
                .map(|t| explain::candidate(program, &self.runtime, pairing, t, actor.now))
                .collect();
            return Err(refused(pairing, Command::Withdraw, None, candidates));
        };
        let kind = self.moved(pairing, t, Move::Withdraw);
        self.emit(pairing, actor, Some(reason), kind)
    }

    /// Takes automatic transitions while one from the pairing's stage holds (the first in
    /// file order each time): what the engine does after every command and at every tick.
    /// More than [`AUTO_CHAIN`] moves in a row is a loop in the program: refused, naming it.
    pub fn settle(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let program = &*self.program;
        // The actions of the moves the command made, first: an automatic transition may read
        // what they set.
        let mut events = self.run_pending(pairing, actor)?;
        if !program
            .transitions
            .iter()
            .any(|t| t.trigger == Trigger::Auto)
        {
            return Ok(events);
        }
        let mut path = vec![pairing.stage.to_string()];
        // Moves are counted, not events: the actions of each stage entered add events of
        // their own, and a count of events could step over the limit.
        let mut moves = 0;
        while pairing.outcome.is_none() {
            let Some(stage) = program.stage(&pairing.stage) else {
                break;
            };
            let autos: Vec<&Transition> = program
                .transitions
                .iter()
                .filter(|t| t.is_auto_from(stage))
                .collect();
            let Some(t) = self.first_holding(pairing, &autos, actor.now)? else {
                break;
            };
            path.push(t.to.clone());
            if moves >= AUTO_CHAIN {
                return Err(EngineError::AutoLoop {
                    pairing: pairing.id.to_string(),
                    path,
                });
            }
            let kind = self.moved(pairing, t, Move::Auto);
            events.push(self.emit(pairing, actor, None, kind)?);
            moves += 1;
            events.extend(self.run_pending(pairing, actor)?);
        }
        Ok(events)
    }

    /// At `actor.now`: fires the first timer transition that is due and whose guard holds;
    /// else warns once of each timer whose lead time has come, and logs once that the stage
    /// went overdue. Returns the events (possibly none).
    pub fn tick(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        if pairing.outcome.is_some() {
            return Ok(Vec::new());
        }
        let program = &*self.program;
        let Some(stage) = program.stage(&pairing.stage) else {
            return Ok(Vec::new());
        };
        let timers: Vec<&Transition> = program
            .transitions
            .iter()
            .filter(|t| t.timer().is_some() && t.leaves(stage))
            .collect();
        let due: Vec<&Transition> = timers
            .iter()
            .copied()
            .filter(|t| {
                t.timeout()
                    .and_then(|timeout| timers::fires_at(program, pairing, timeout))
                    .is_some_and(|fires| actor.now >= fires)
            })
            .collect();
        if let Some(t) = self.first_holding(pairing, &due, actor.now)? {
            // The reason is stored with the event: the log says why the timer fired and since
            // when it was due (a tick may come long after).
            let reason = t.timeout().and_then(|timeout| {
                let fires = timers::fires_at(program, pairing, timeout)?;
                Some(timers::reason(pairing, timeout, fires, actor.now))
            });
            let kind = self.moved(pairing, t, Move::Timer);
            return Ok(vec![self.emit(pairing, actor, reason.as_deref(), kind)?]);
        }
        let mut events = Vec::new();
        for t in timers {
            let Some((warn, fires)) = timers::warns_at(program, pairing, t) else {
                continue;
            };
            let warned = pairing.warned.get(&t.number()) == Some(&fires);
            if actor.now >= warn && actor.now < fires && !warned {
                let kind = EventKind::Warned {
                    transition: t.number(),
                    to: self.target(t),
                    fires,
                };
                events.push(self.emit(pairing, actor, None, kind)?);
            }
        }
        for schedule in &program.schedules {
            // A schedule kept per person is missed by each of its people on their own.
            let people: Vec<Option<String>> = match schedule.per {
                None => vec![None],
                Some(_) => crate::rules::schedules::people(schedule, pairing)
                    .into_iter()
                    .map(|p| Some(p.to_string()))
                    .collect(),
            };
            for person in people {
                let who = person.as_deref();
                let Some((anchor, occurrences, checked)) = crate::rules::schedules::newly_missed(
                    program, schedule, pairing, who, actor.now,
                ) else {
                    continue;
                };
                let kind = EventKind::Missed {
                    schedule: schedule.name.clone(),
                    anchor,
                    occurrences,
                    checked,
                    person,
                };
                events.push(self.emit(pairing, actor, None, kind)?);
            }
        }
        events.extend(self.announce(pairing, actor)?);
        if let (Some(due), false) = (pairing.due, pairing.overdue_logged) {
            if actor.now > due {
                let kind = EventKind::BecameOverdue {
                    stage: pairing.stage,
                    due,
                };
                events.push(self.emit(pairing, actor, None, kind)?);
            }
        }
        if self.has_triggers {
            let noticed = events.clone();
            for event in &noticed {
                events.extend(self.triggered(pairing, event, actor)?);
            }
        }
        Ok(events)
    }
}

/// The most automatic moves one command may make in a row; one more is a loop.
pub const AUTO_CHAIN: usize = 10;

fn refused(
    pairing: &Pairing,
    command: Command,
    to: Option<&str>,
    candidates: Vec<Candidate>,
) -> EngineError {
    EngineError::Refused(Box::new(Refusal {
        pairing: pairing.id.to_string(),
        stage: pairing.stage.to_string(),
        command,
        to: to.map(String::from),
        candidates,
        automatic: Vec::new(),
        timers: Vec::new(),
    }))
}
