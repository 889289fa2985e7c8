//! Reading pairings: one, its status, the board, replay, attention, timers, lists and logs.

use super::*;

impl Coordinator {
    /// The current state of one pairing.
    pub fn pairing(&self, id: &str) -> Result<Pairing, Error> {
        self.ledger.pairing(id)
    }

    /// One pairing, with every transition advance would consider explained.
    pub fn status(&mut self, id: &str) -> Result<Status, Error> {
        let now = self.now();
        let mut pairing = self.ledger.pairing(id)?;
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let (candidates, automatic) = if pairing.outcome.is_none() {
            (
                engine.explain(&mut pairing, now),
                engine.explain_auto(&mut pairing, now),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let file = self.file_of(&pairing.program_hash)?;
        let attention = crate::decide::attention::attention(&engine, &mut pairing, now);
        let health = crate::decide::health::health(&engine, &pairing, &attention, now);
        Ok(Status {
            health,
            file,
            overdue: pairing.is_overdue(now),
            timers: crate::rules::timers::upcoming(&engine.program, &pairing),
            program: Arc::clone(&engine.program),
            candidates,
            automatic,
            pairing,
        })
    }

    /// Pairings per program, stage (in the program's order) and type, with how many are
    /// overdue and how many wait, and on what.
    pub fn board(&mut self) -> Result<(usize, Vec<BoardRow>), Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        let pairings = self.ledger.list(&Filter::default())?;
        let total = pairings.len();
        // Keyed by program, the stage's position in its program, and type: the funnel reads
        // top to bottom in stage order.
        type Key = (mentorflow_dsl::Name, usize, String, mentorflow_dsl::Name);
        let mut rows: BTreeMap<Key, (BoardRow, BTreeMap<String, u64>)> = BTreeMap::new();
        for mut p in pairings {
            let Some(engine) = engines.get(&*p.program_hash) else {
                continue;
            };
            let position = engine
                .program
                .stages
                .iter()
                .position(|s| *s.id == *p.stage)
                .unwrap_or(usize::MAX);
            let key = (p.program_id, position, p.stage.to_string(), p.type_id);
            let overdue = p.is_overdue(now);
            let attention = crate::decide::attention::attention(engine, &mut p, now);
            let (row, waits) = rows.entry(key).or_insert_with(|| {
                let row = BoardRow {
                    program: p.program_id.to_string(),
                    stage: p.stage.to_string(),
                    type_id: p.type_id.to_string(),
                    pairings: 0,
                    overdue: 0,
                    blocked: 0,
                    waiting_on: None,
                    reasons: BTreeMap::new(),
                };
                (row, BTreeMap::new())
            });
            row.pairings += 1;
            row.overdue += u64::from(overdue);
            row.blocked += u64::from(attention.is_blocked());
            if let Attention::Waiting(w) = attention {
                *waits.entry(w.part).or_default() += 1;
            }
            if let Some(code) = ended_because(&engine.program, &p) {
                *row.reasons.entry(code).or_default() += 1;
            }
        }
        let rows = rows
            .into_values()
            .map(|(mut row, waits)| {
                row.waiting_on = waits
                    .into_iter()
                    .max_by_key(|(part, n)| (*n, std::cmp::Reverse(part.clone())));
                row
            })
            .collect();
        Ok((total, rows))
    }

    /// Each pairing matching `filter` replayed against `program` (its recorded commands at
    /// their times), stages and facts renamed as `mapping` says (stages that only changed
    /// their id are found without it); nothing is written.
    pub fn replay(
        &mut self,
        program: &Program,
        filter: &Filter,
        mapping: &crate::model::mapping::Mapping,
    ) -> Result<Vec<(String, crate::decide::replay::Replayed)>, Error> {
        let engine = Engine::new(program.clone());
        let pairings = self.list(filter)?;
        let mut out = Vec::with_capacity(pairings.len());
        for p in pairings {
            let events = self.ledger.events(Some(&p.id))?;
            let old = self.registry.engine(self.ledger.store(), &p.program_hash)?;
            let renames = crate::model::mapping::Mapping {
                stages: mentorflow_dsl::diff::stage_renames(&old.program, program, &mapping.stages),
                ..mapping.clone()
            };
            out.push((
                p.id.to_string(),
                crate::decide::replay::replay(&engine, &events, &renames),
            ));
        }
        Ok(out)
    }

    /// Where each of `pairings` stands: ended, can move, or what it waits on.
    pub fn attention(
        &mut self,
        pairings: Vec<Pairing>,
    ) -> Result<Vec<(Pairing, Attention)>, Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        Ok(pairings
            .into_iter()
            .map(|mut p| {
                let a = match engines.get(&*p.program_hash) {
                    Some(engine) => crate::decide::attention::attention(engine, &mut p, now),
                    None => Attention::NoAdvance,
                };
                (p, a)
            })
            .collect())
    }

    /// Every running pairing that is not on track, with its health, in the order a
    /// coordinator calls ([`crate::decide::health::call_order`]).
    pub fn needing_a_call(&mut self) -> Result<Vec<(Pairing, Health)>, Error> {
        let running = self.ledger.list(&Filter {
            outcome: Some(OutcomeFilter::Active),
            ..Filter::default()
        })?;
        let placed = self.attention(running)?;
        let healths = self.healths(&placed)?;
        let mut out: Vec<(Pairing, Health)> = placed
            .into_iter()
            .zip(healths)
            .filter_map(|((p, _), h)| Some((p, h?)))
            .filter(|(_, h)| h.needs_a_call())
            .collect();
        let now = self.now();
        out.sort_by_key(|(p, h)| crate::decide::health::call_order(p, h, now));
        Ok(out)
    }

    /// The health of each of `placed` (a pairing and where it stands); none for an ended one.
    pub fn healths(
        &mut self,
        placed: &[(Pairing, Attention)],
    ) -> Result<Vec<Option<Health>>, Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        Ok(placed
            .iter()
            .map(|(p, a)| {
                let engine = engines.get(&*p.program_hash)?;
                crate::decide::health::health(engine, p, a, now)
            })
            .collect())
    }

    /// The reason code `pairing` ended with (see [`ended_because`]).
    pub fn ended_because(&mut self, pairing: &Pairing) -> Result<Option<String>, Error> {
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(ended_because(&engine.program, pairing))
    }

    /// The timers that leave `pairing`'s stage, soonest first, each with whether a tick warned.
    pub fn timers(
        &mut self,
        pairing: &Pairing,
    ) -> Result<Vec<crate::rules::timers::Upcoming>, Error> {
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(crate::rules::timers::upcoming(&engine.program, pairing))
    }

    /// Pairings matching `filter`; a filter value no stored program knows is refused (it would
    /// list nothing, silently).
    pub fn list(&mut self, filter: &Filter) -> Result<Vec<Pairing>, Error> {
        self.check_filter(filter)?;
        self.ledger.list(filter)
    }

    /// Every pairing's id, in number order (no states read: for completing a command line).
    pub fn pairing_ids(&self) -> Result<Vec<String>, Error> {
        Ok(self.ledger.store().pairing_ids()?)
    }

    /// The history of one pairing, or of all, in the order it was stored.
    pub fn log(&self, pairing: Option<&str>) -> Result<Vec<Event>, Error> {
        self.ledger.events(pairing)
    }

    /// Every invariant of its program that does not hold of a stored pairing now, pairing by
    /// pairing in the store's order.
    pub fn broken_invariants(
        &mut self,
    ) -> Result<Vec<(Pairing, crate::decide::invariants::Broken)>, Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        let mut broken = Vec::new();
        for p in self.ledger.list(&Filter::default())? {
            let Some(engine) = engines.get(&*p.program_hash) else {
                continue;
            };
            if engine.program.invariants.is_empty() {
                continue;
            }
            for b in engine.broken_invariants(&p, now) {
                broken.push((p.clone(), b));
            }
        }
        Ok(broken)
    }
}
