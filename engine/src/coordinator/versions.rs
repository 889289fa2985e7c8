//! Program versions: migrating pairings, the stored versions, and verification.

use super::*;

impl Coordinator {
    /// Moves the running pairings of `program`'s other versions (those `filter` picks) onto
    /// it under `mapping`, in one transaction: all, or none with every refusal. A dry run
    /// stores nothing and says what each pairing would become.
    pub fn migrate(
        &mut self,
        program: &Program,
        source: &str,
        mapping: &crate::rules::migration::Mapping,
        filter: &Filter,
        dry_run: bool,
    ) -> Result<Vec<Migrated>, Error> {
        let engine = self.registry.pin(program);
        let now = self.now();
        let filter = Filter {
            program: Some(program.id.clone()),
            outcome: Some(OutcomeFilter::Active),
            ..filter.clone()
        };
        let pairings: Vec<Pairing> = self
            .ledger
            .list(&filter)?
            .into_iter()
            .filter(|p| *p.program_hash != *program.hash)
            .collect();
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let mut outcomes = Vec::new();
        let mut migrate_one = |p: &mut Pairing| -> Result<Vec<Event>, EngineError> {
            let before = (p.stage.to_string(), p.program_hash.to_string());
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            let event = engine.migrate(p, mapping, &actor)?;
            let mut after = p.clone();
            let attention = crate::decide::attention::attention(&engine, &mut after, actor.now);
            outcomes.push(Migrated {
                from_stage: before.0,
                from_version: before.1,
                pairing: after,
                attention,
            });
            Ok(vec![event])
        };
        if dry_run {
            let mut refused = Vec::new();
            for (i, mut p) in pairings.into_iter().enumerate() {
                if let Err(e) = migrate_one(&mut p) {
                    refused.push((i, Error::from(e)));
                }
            }
            return if refused.is_empty() {
                Ok(outcomes)
            } else {
                Err(Error::Rows(refused))
            };
        }
        let ids: Vec<String> = pairings.iter().map(|p| p.id.to_string()).collect();
        self.ledger
            .update_many(&ids, Some((program, source, now)), &mut |_, p, _| {
                Ok(migrate_one(p)?)
            })?;
        Ok(outcomes)
    }

    /// The file a stored version was read from, and how it stands today.
    pub fn file_of(
        &self,
        hash: &str,
    ) -> Result<(String, crate::coordinator::registry::FileState), Error> {
        // The stored versions without their pairing counts: counting reads every pairing.
        let Some(row) = self
            .ledger
            .store()
            .program_rows()?
            .into_iter()
            .find(|v| v.hash == hash)
        else {
            return Ok((
                String::new(),
                crate::coordinator::registry::FileState::Missing,
            ));
        };
        let stored = crate::store::codec::decode_sources(hash, &row.sources)?;
        let state = crate::coordinator::registry::file_state(&row.path, hash, &stored);
        Ok((row.path, state))
    }

    /// Every stored program version with its pairing count.
    pub fn programs(&self) -> Result<Vec<ProgramVersion>, Error> {
        Ok(self.ledger.store().programs()?)
    }

    /// The program of a stored version.
    pub fn program(&mut self, hash: &str) -> Result<Arc<Program>, Error> {
        Ok(Arc::clone(
            &self.registry.engine(self.ledger.store(), hash)?.program,
        ))
    }

    /// Checks the hash chain and that every pairing equals the fold of its events; `expect`
    /// is a chain head published earlier, which must still be in the chain.
    pub fn verify(&mut self, expect: Option<&str>) -> Result<VerifyReport, Error> {
        // A version that no longer loads is reported as a breach, with why, not a failed verify.
        let (registry, store) = (&mut self.registry, self.ledger.store());
        Ok(crate::store::verify::verify(
            store,
            &mut |hash| match registry.engine(store, hash) {
                Ok(e) => Ok(Arc::clone(&e.program)),
                Err(StoreError::Corrupt(why)) => Err(why),
                Err(other) => Err(other.to_string()),
            },
            expect,
        )?)
    }
}
