//! Recording facts: one pairing, one person of it, a sheet of many.

use super::*;

impl Coordinator {
    /// Records facts given as text (set, add or subtract), checked against the program: all
    /// or none. Additions read the current value under the write lock. Says which facts were
    /// recorded for a later stage while the pairing still waits in its own.
    pub fn record(&mut self, id: &str, facts: &[(String, FactChange)]) -> Result<Recorded, Error> {
        self.record_for(id, None, facts)
    }

    /// [`Coordinator::record`] for the pairing (`person` none) or for one of its participants
    /// (facts declared with `per`).
    pub fn record_for(
        &mut self,
        id: &str,
        person: Option<&str>,
        facts: &[(String, FactChange)],
    ) -> Result<Recorded, Error> {
        let changed = self.change_to(
            id,
            &mut |engine, p, actor| record_changes(engine, p, person, facts, actor),
            true,
        );
        let (events, after) = match changed {
            Err(Error::Engine(e)) => return Err(self.pinned(id, *e)),
            other => other?,
        };
        let mut pairing = match after {
            Some(p) => p,
            None => self.ledger.pairing(id)?,
        };
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let names: Vec<String> = facts.iter().map(|(n, _)| n.clone()).collect();
        let early = crate::decide::attention::early_facts(&engine.program, &pairing, &names);
        let waiting = match crate::decide::attention::attention(&engine, &mut pairing, self.now()) {
            Attention::Waiting(w) if !early.is_empty() => Some(w),
            _ => None,
        };
        Ok(Recorded {
            events,
            early,
            waiting,
            stage: pairing.stage.to_string(),
        })
    }

    /// Records facts on many pairings (each row: a pairing, the person when the facts are
    /// kept per person, the changes) in one transaction: all, or none when any row is refused
    /// (every refusal is returned, with its row's position). `progress` hears how many rows
    /// are done, of how many.
    pub fn record_many(
        &mut self,
        rows: &[FactRow],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Vec<Vec<Event>>, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        // Rows may name a pairing by its label.
        let ids: Vec<String> = rows
            .iter()
            .map(|(id, _, _)| {
                self.ledger
                    .pairing(id)
                    .map_or_else(|_| id.clone(), |p| p.id.to_string())
            })
            .collect();
        self.ledger.update_many(&ids, None, &mut |i, p, writer| {
            let Some(engine) = engines.get(&*p.program_hash) else {
                return Ok(Vec::new());
            };
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            progress(i as u64 + 1, rows.len() as u64);
            let (_, person, changes) = &rows[i];
            let person = person.as_deref();
            let mut record = |engine: &Engine, p: &mut Pairing, actor: &Actor<'_>| {
                record_changes(engine, p, person, changes, actor)
            };
            settled(engine, p, &actor, &mut record, writer)
        })
    }

    /// Every fact name the stored program versions declare, sorted.
    pub fn fact_names(&mut self) -> Result<Vec<String>, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        let mut names: Vec<String> = engines
            .values()
            .flat_map(|e| e.program.facts.iter().map(|f| f.name.clone()))
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(names)
    }
}
