//! Moving pairings: advance, done, withdraw, advance all, tick.

use super::*;

impl Coordinator {
    /// Advances one pairing.
    pub fn advance(&mut self, id: &str, how: &Advance) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            let event = match how {
                Advance::Next => engine.advance(p, None, None, actor),
                Advance::To(to) => engine.advance(p, Some(to), None, actor),
                Advance::Because { to, reason } => {
                    engine.advance(p, to.as_deref(), Some(reason), actor)
                }
                Advance::Force { to, reason } => engine.force(p, to, reason, actor),
            };
            event.map(|e| vec![e])
        })
    }

    /// Records an occurrence of `schedule` done (at `on`, else now), with facts it records;
    /// for `person` when the schedule is kept per person (the facts are then theirs).
    pub fn done(
        &mut self,
        id: &str,
        schedule: &str,
        on: Option<DateTime<Utc>>,
        facts: &[(String, FactChange)],
        person: Option<&str>,
    ) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            let typed = facts
                .iter()
                .map(|(n, change)| Ok((n.clone(), engine.resolve_change(p, person, n, change)?)))
                .collect::<Result<Vec<_>, EngineError>>()?;
            let on = on.unwrap_or(actor.now);
            Ok(vec![engine.done(p, schedule, on, typed, person, actor)?])
        })
    }

    /// How each schedule stands for `pairing` now (those that apply).
    pub fn schedules(
        &mut self,
        pairing: &Pairing,
    ) -> Result<
        Vec<(
            mentorflow_dsl::model::Schedule,
            crate::rules::schedules::Standing,
        )>,
        Error,
    > {
        let now = self.now();
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(engine
            .program
            .schedules
            .iter()
            .filter_map(|s| {
                crate::rules::schedules::standing(&engine.program, s, pairing, now)
                    .map(|st| (s.clone(), st))
            })
            .collect())
    }

    /// Withdraws one pairing with a reason.
    pub fn withdraw(&mut self, id: &str, reason: &str) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            engine.withdraw(p, reason, actor).map(|e| vec![e])
        })
    }

    /// Advances every running pairing whose guards hold, each as far as it can go: through
    /// every stage whose guards already hold, but not past the start of a new goal cycle
    /// (its goals are still the last cycle's); the others wait (not an error).
    pub fn advance_all(
        &mut self,
        observe: &mut dyn FnMut(BulkStep<'_>),
    ) -> Result<BulkReport, Error> {
        self.bulk(
            observe,
            // No explanation in bulk: the pairings that wait are counted, not explained.
            &mut |engine, p, actor| {
                let mut events = Vec::new();
                let cycle = p.cycle;
                while p.outcome.is_none() && p.cycle == cycle {
                    let Some(moved) = engine.try_advance(p, actor)? else {
                        break;
                    };
                    events.push(moved);
                }
                Ok(events)
            },
        )
    }

    /// Runs the timers of every running pairing: due timer transitions are taken, stages that
    /// went overdue are logged once.
    pub fn tick(&mut self, observe: &mut dyn FnMut(BulkStep<'_>)) -> Result<TickReport, Error> {
        let mut counts = [0u64; 5];
        // Counted as they are stored: the automatic moves after a timer are stored too.
        let mut counting = |step: BulkStep<'_>| {
            if let BulkStep::Stored(e) = &step {
                let i = match &e.kind {
                    EventKind::Moved {
                        by: Move::Timer, ..
                    } => Some(0),
                    EventKind::Moved { by: Move::Auto, .. } => Some(1),
                    EventKind::Warned { .. } => Some(2),
                    EventKind::BecameOverdue { .. } => Some(4),
                    _ => None,
                };
                if let Some(i) = i {
                    counts[i] += 1;
                }
                if let EventKind::Missed { occurrences, .. } = &e.kind {
                    counts[3] += occurrences.len() as u64;
                }
            }
            observe(step);
        };
        let mut next: Option<(String, crate::rules::timers::Upcoming)> = None;
        let bulk = self.bulk(&mut counting, &mut |engine, p, actor| {
            let events = engine.tick(p, actor)?;
            let soonest = crate::rules::timers::upcoming(&engine.program, p)
                .into_iter()
                .find(|u| u.fires.is_some());
            if let Some(u) = soonest {
                if next.as_ref().is_none_or(|(_, n)| u.fires < n.fires) {
                    next = Some((p.id.to_string(), u));
                }
            }
            Ok(events)
        })?;
        let [timed_out, automatic, warned, missed, overdue] = counts;
        Ok(TickReport {
            bulk,
            timed_out,
            automatic,
            warned,
            missed,
            overdue,
            next,
        })
    }
}
