//! Delivering the outbox: every pending notification handed, one at a time, to whatever the
//! organisation delivers with (a command, in the CLI), at least once and in order per pairing.
//! A notification is claimed before it is handed on, so two deliverers at once (cron on two
//! machines) never hand on the same one together; a claim that outlives its deliverer expires
//! and the notification is handed on again. After a failure, that pairing's later
//! notifications wait for the next run: they are never delivered ahead of an earlier one.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::coordinator::Coordinator;
use crate::error::Error;
use crate::event::Event;
use crate::ledger::{decode_event, stamp};
use crate::store::OutboxRow;

/// A notification in the outbox, with its `notified` event.
#[derive(Debug, Clone)]
pub struct Queued {
    /// Its place and delivery state.
    pub row: OutboxRow,
    /// The `notified` event: what it says and who it goes to.
    pub event: Event,
}

/// What one delivery run did.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// Delivered now: outbox id and pairing.
    pub delivered: Vec<(u64, String)>,
    /// Handed on but refused: outbox id, pairing and why (left pending).
    pub failed: Vec<(u64, String, String)>,
    /// Left for a later run: another deliverer holds them, or an earlier notification of
    /// their pairing is not delivered yet.
    pub waiting: u64,
}

impl Coordinator {
    /// The outbox in queue order: pending notifications, or all with `all`.
    pub fn outbox(&self, all: bool) -> Result<Vec<Queued>, Error> {
        self.ledger
            .store()
            .outbox(all)?
            .into_iter()
            .map(|(row, body)| {
                Ok(Queued {
                    event: decode_event(&body)?,
                    row,
                })
            })
            .collect()
    }

    /// Hands every pending notification to `hand`, in queue order, at most `limit`; each is
    /// claimed for `lease` first (a delivery that takes longer may be repeated by another
    /// deliverer). `hand` says whether it was delivered.
    pub fn deliver(
        &mut self,
        lease: chrono::Duration,
        limit: usize,
        hand: &mut dyn FnMut(&Queued) -> Result<(), String>,
    ) -> Result<Delivery, Error> {
        let mut report = Delivery::default();
        // A pairing whose earlier notification is not delivered: its later ones wait.
        let mut held: BTreeSet<String> = BTreeSet::new();
        for queued in self.outbox(false)? {
            let pairing = queued.row.pairing.clone();
            let handled = report.delivered.len() + report.failed.len();
            if held.contains(&pairing) || handled >= limit {
                report.waiting += 1;
                continue;
            }
            let now = self.now();
            if !self.claim(&queued, now, lease)? {
                held.insert(pairing);
                report.waiting += 1;
                continue;
            }
            let outcome = hand(&queued);
            let at = stamp(self.now().max(now));
            let store = self.ledger.store_mut();
            match outcome {
                Ok(()) => {
                    store.attempted(queued.row.id, &at, None)?;
                    report.delivered.push((queued.row.id, pairing));
                }
                Err(why) => {
                    store.attempted(queued.row.id, &at, Some(&why))?;
                    report.failed.push((queued.row.id, pairing.clone(), why));
                    held.insert(pairing);
                }
            }
        }
        Ok(report)
    }

    fn claim(
        &mut self,
        queued: &Queued,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<bool, Error> {
        let until = stamp(now + lease);
        Ok(self
            .ledger
            .store_mut()
            .claim(queued.row.id, &stamp(now), &until)?)
    }
}
