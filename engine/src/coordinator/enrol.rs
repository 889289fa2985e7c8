//! Enrolling pairings: one, a roster all or none, a dry run, and a successor of an ended one.

use super::*;

impl Coordinator {
    /// Enrols one pairing in `program` (read from `source`); its version is stored with it.
    pub fn enrol(
        &mut self,
        program: &Program,
        source: &str,
        enrolment: &Enrolment,
    ) -> Result<Pairing, Error> {
        let created = self.import(program, source, std::slice::from_ref(enrolment));
        let mut created = created.map_err(|e| match e {
            Error::Rows(mut rows) if rows.len() == 1 => rows.remove(0).1,
            other => other,
        })?;
        let id = created.pop().ok_or_else(|| {
            Error::Store(crate::store::StoreError::Database(
                "the enrolment stored no pairing".into(),
            ))
        })?;
        self.ledger.pairing(&id)
    }

    /// Enrols many pairings in one transaction: all, or none when any is refused (then every
    /// refusal is returned, with its position). The ids of the pairings made, in order.
    pub fn import<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        source: &str,
        roster: &R,
    ) -> Result<Vec<Arc<str>>, Error> {
        self.enrol_roster(program, source, roster, true)
    }

    /// Checks enrolments as `import` would, without storing anything: every refusal, with its
    /// position, or how many would be enrolled.
    pub fn check_import<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        roster: &R,
    ) -> Result<usize, Error> {
        let made = self.enrol_roster(program, &program.id, roster, false)?;
        Ok(made.len())
    }

    /// Continues the ended pairing `id` as a new one, in one transaction (`mentorflow
    /// continue`): in `to` (a program and the path it was read from; its own version when
    /// none), as the type given, else the one its stage's successor declares, else its own;
    /// with the participants given, else the same people; carrying the facts its stage's
    /// successor declares and those in `how.carry`. Returns the new pairing's id.
    pub fn continue_pairing(
        &mut self,
        id: &str,
        to: Option<(&Program, &str)>,
        how: &Continue,
    ) -> Result<String, Error> {
        let pairing = self.ledger.pairing(id)?;
        let old = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let new = match to {
            Some((program, _)) => self.registry.pin(program),
            None => Arc::clone(&old),
        };
        let declared = old
            .program
            .stage(&pairing.stage)
            .and_then(|s| s.successor.clone());
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let over = self.over_capacity.clone();
        let now = self.now();
        let store_version = to.map(|(program, path)| (program, path, now));
        let ids = [pairing.id.to_string()];
        self.ledger
            .update_many(&ids, store_version, &mut |_, p, writer| {
                let actor = Actor {
                    name: &name,
                    now: act_at(at, &*clock, p),
                };
                let type_id = how
                    .type_id
                    .clone()
                    .or_else(|| declared.as_ref().and_then(|s| s.type_id.clone()))
                    .unwrap_or_else(|| p.type_id.to_string());
                let mut facts: Vec<String> =
                    declared.iter().flat_map(|s| s.facts.clone()).collect();
                facts.extend(how.carry.iter().cloned());
                // The declared start stage only when it stays in the same program.
                let stage = match to {
                    None => declared.as_ref().and_then(|s| s.stage.clone()),
                    Some(_) => how.stage.clone(),
                };
                let participants = match &how.participants {
                    Some(given) => given
                        .iter()
                        .map(|g| completed(&new.program, writer, g.clone()))
                        .collect::<Result<Vec<_>, Error>>()?,
                    None => p.participants.to_vec(),
                };
                let next = crate::coordinator::successor::Continuation {
                    stage: how.stage.clone().or(stage),
                    type_id,
                    participants,
                    facts,
                };
                let event = crate::coordinator::successor::create(
                    &old,
                    &new,
                    p,
                    next,
                    &actor,
                    writer,
                    over.as_deref(),
                )?;
                Ok(vec![event])
            })
            .map_err(|e| match e {
                Error::Rows(mut rows) if rows.len() == 1 => rows.remove(0).1,
                other => other,
            })?;
        let ended = self.ledger.pairing(&pairing.id)?;
        ended.successor.ok_or_else(|| {
            Error::Store(StoreError::Database(
                "the continuation stored no successor".into(),
            ))
        })
    }

    /// Enrols the roster's pairings in one transaction, checking the rules across pairings
    /// under the write lock; stores them when `keep`, else rolls back (a check).
    fn enrol_roster<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        source: &str,
        roster: &R,
        keep: bool,
    ) -> Result<Vec<Arc<str>>, Error> {
        let engine = self.registry.pin(program);
        let now = self.now();
        let actor = Actor {
            name: &self.actor,
            now,
        };
        let allow_same = self.allow_same_participants;
        let over = self.over_capacity.clone();
        let mut make = |i, id: String, writer: &mut Writer<'_>| {
            let e = roster.enrolment(i);
            let participants = e
                .participants
                .into_iter()
                .map(|p| completed(program, writer, p))
                .collect::<Result<Vec<_>, Error>>()?;
            let (mut pairing, mut event) = engine.enrol(&id, &e.type_id, participants, &actor)?;
            label(&mut pairing, &mut event, e.label);
            let mut problems = {
                let people: Vec<&Participant> = pairing.participants.iter().collect();
                crate::coordinator::capacity::exceeded(program, &pairing, &[&id], &people, writer)?
            };
            event.reason = crate::coordinator::capacity::overridden(&mut problems, over.as_deref());
            if !allow_same {
                problems.extend(crate::coordinator::capacity::same_participants(
                    program,
                    &[&id],
                    &pairing.participants,
                    writer,
                )?);
            }
            if !problems.is_empty() {
                return Err(EngineError::EnrolmentRefused {
                    type_id: e.type_id,
                    problems,
                }
                .into());
            }
            let mut events = vec![event];
            if !e.facts.is_empty() {
                events.push(engine.record(&mut pairing, None, e.facts, &actor)?);
            }
            events.extend(engine.settle(&mut pairing, &actor)?);
            events.extend(follow(&engine, &mut pairing, &actor, writer)?);
            Ok((pairing, events))
        };
        self.ledger
            .enrol(program, source, now, roster.pairings(), keep, &mut make)
    }
}
