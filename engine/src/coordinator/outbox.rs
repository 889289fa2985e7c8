//! Delivering the outbox: every pending notification handed, one at a time, to whatever the
//! organisation delivers with (a command, in the CLI), at least once and in order per pairing.
//! A notification is claimed before it is handed on, so two deliverers at once (cron on two
//! machines) never hand on the same one together; a claim that outlives its deliverer expires
//! and the notification is handed on again. After a failure, that pairing's later
//! notifications wait for the next run: they are never delivered ahead of an earlier one.

use std::collections::BTreeSet;

use chrono::Utc;

use crate::coordinator::error::Error;
use crate::coordinator::Coordinator;
use crate::model::event::Event;
use crate::store::codec::{stamp, stamp_ms, Opener};
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
    /// Handed on, but the result came after the claim expired and another deliverer took
    /// the notification over: outbox id and pairing. Nothing was recorded (that deliverer's
    /// result counts), so it may have been sent twice: at least once, never lost.
    pub late: Vec<(u64, String)>,
    /// Left for a later run: another deliverer holds them, or an earlier notification of
    /// their pairing is not delivered yet.
    pub waiting: u64,
}

/// Pending notifications are read this many at a time: a run with `--limit 1` reads one
/// page, not the whole backlog.
const PAGE: usize = 100;

impl Coordinator {
    /// The outbox in queue order: pending notifications, or all with `all`.
    pub fn outbox(&self, all: bool) -> Result<Vec<Queued>, Error> {
        let mut opener = Opener::new(self.ledger.store());
        self.ledger
            .store()
            .outbox(all)?
            .into_iter()
            .map(|(row, body)| {
                Ok(Queued {
                    event: opener.event(&body)?.0,
                    row,
                })
            })
            .collect()
    }

    /// Hands pending notifications to `hand`, in queue order, at most `limit`; each is
    /// claimed for `lease` first, on the wall clock whatever time the command runs at (a
    /// delivery that takes longer may be repeated by another deliverer, and this one's late
    /// result is then not recorded). `hand` says whether it was delivered.
    pub fn deliver(
        &mut self,
        lease: chrono::Duration,
        limit: usize,
        hand: &mut dyn FnMut(&Queued) -> Result<(), String>,
    ) -> Result<Delivery, Error> {
        let mut report = Delivery::default();
        // A pairing whose earlier notification is not delivered: its later ones wait.
        let mut held: BTreeSet<String> = BTreeSet::new();
        let mut after = 0;
        'pages: loop {
            let page = self.ledger.store().pending(after, PAGE)?;
            if page.is_empty() {
                break;
            }
            for (row, body) in page {
                after = row.id;
                if report.delivered.len() + report.failed.len() + report.late.len() >= limit {
                    break 'pages;
                }
                if held.contains(&row.pairing) {
                    continue;
                }
                let token = claim_token();
                let claimed = Utc::now();
                let store = self.ledger.store_mut();
                if !store.claim(
                    row.id,
                    &stamp_ms(claimed),
                    &stamp_ms(claimed + lease),
                    &token,
                )? {
                    held.insert(row.pairing);
                    continue;
                }
                let queued = Queued {
                    event: Opener::new(self.ledger.store()).event(&body)?.0,
                    row,
                };
                let outcome = hand(&queued);
                let at = stamp(self.now());
                let (id, pairing) = (queued.row.id, queued.row.pairing);
                let store = self.ledger.store_mut();
                let recorded =
                    store.attempted(id, &token, &at, outcome.as_ref().err().map(String::as_str))?;
                match (outcome, recorded) {
                    (_, false) => {
                        report.late.push((id, pairing.clone()));
                        held.insert(pairing);
                    }
                    (Ok(()), true) => report.delivered.push((id, pairing)),
                    (Err(why), true) => {
                        report.failed.push((id, pairing.clone(), why));
                        held.insert(pairing);
                    }
                }
            }
        }
        let pending = self.ledger.store().pending_count()?;
        report.waiting = pending.saturating_sub(report.failed.len() as u64);
        Ok(report)
    }
}

/// A token no other claim has: this process, the wall clock in nanoseconds, and a count.
fn claim_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{n}", std::process::id())
}
