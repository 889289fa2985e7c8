//! Who takes part: join, leave, replace.

use super::*;

impl Coordinator {
    /// Someone joins a running pairing: the type's rules and the capacity across pairings
    /// are checked on who takes part afterwards.
    pub fn join(&mut self, id: &str, participant: &Participant) -> Result<Vec<Event>, Error> {
        self.change_participants(id, Some(participant), &mut |engine, p, actor, who| {
            engine.join(p, who.unwrap_or_else(|| participant.clone()), actor)
        })
    }

    /// Someone leaves a running pairing for a reason; if too few remain, an automatic
    /// transition must end it, or the leave is refused.
    pub fn leave(&mut self, id: &str, person: &str, reason: &str) -> Result<Vec<Event>, Error> {
        self.change_participants(id, None, &mut |engine, p, actor, _| {
            engine.leave(p, person, reason, actor)
        })
    }

    /// `participant` takes the place of `person` in a running pairing, in the same role.
    pub fn replace(
        &mut self,
        id: &str,
        person: &str,
        participant: &Participant,
        reason: Option<&str>,
    ) -> Result<Vec<Event>, Error> {
        self.change_participants(id, Some(participant), &mut |engine, p, actor, who| {
            let who = who.unwrap_or_else(|| participant.clone());
            engine.replace(p, person, who, reason, actor)
        })
    }

    /// Runs one change of participants, then the automatic moves it allows, then checks the
    /// type's rules and the capacity of whoever joined, all under the write lock.
    fn change_participants(
        &mut self,
        id: &str,
        newcomer: Option<&Participant>,
        change: &mut ParticipantChange<'_>,
    ) -> Result<Vec<Event>, Error> {
        let pairing = self.ledger.pairing(id)?;
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let allow_same = self.allow_same_participants;
        let over = self.over_capacity.clone();
        let over = over.as_deref();
        self.ledger.update(&pairing.id, &mut |p, writer| {
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            // Whoever joins is completed from the people registry, under the lock.
            let who = match newcomer {
                Some(n) => Some(completed(&engine.program, writer, n.clone())?),
                None => None,
            };
            let event = change(&engine, p, &actor, who)?;
            let joined: Vec<Participant> = match &event.kind {
                EventKind::Joined { participant } | EventKind::Replaced { participant, .. } => {
                    vec![participant.clone()]
                }
                _ => Vec::new(),
            };
            let mut events = vec![event];
            events.extend(engine.settle(p, &actor)?);
            engine.check_participants(p)?;
            let people: Vec<&Participant> = joined.iter().collect();
            let mut problems = crate::coordinator::capacity::exceeded(
                &engine.program,
                p,
                &[&p.id],
                &people,
                writer,
            )?;
            if let Some(over) = crate::coordinator::capacity::overridden(&mut problems, over) {
                logged_with(&mut events[0], over);
            }
            if !joined.is_empty() && !allow_same {
                problems.extend(crate::coordinator::capacity::same_participants(
                    &engine.program,
                    &[&p.id],
                    &p.participants,
                    writer,
                )?);
            }
            // A change that ended the pairing (a group closed) continues it as its stage says.
            events.extend(follow(&engine, p, &actor, writer)?);
            if !problems.is_empty() {
                return Err(EngineError::ParticipantsRefused {
                    pairing: p.id.to_string(),
                    type_id: p.type_id.to_string(),
                    problems,
                }
                .into());
            }
            Ok(events)
        })
    }
}
