//! Verification, for any store: recompute the hash chain over the stored event bodies, and
//! check that every pairing's stored state (and the columns queries filter on) equals the fold
//! of its events.

use std::collections::BTreeMap;
use std::sync::Arc;

use mentorflow_dsl::Program;

use crate::model::event::Event;
use crate::model::pairing::{FoldError, Pairing};
use crate::store::codec::{chain, decode_event, decode_state, stamp};
use crate::store::{Store, StoreError};

/// An event as the store holds it: storage position, pairing and seq columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    /// Storage position.
    pub row: i64,
    /// Pairing column.
    pub pairing: String,
    /// Seq column.
    pub seq: i64,
}

/// A problem `verify` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Breach {
    /// The first event whose chain hash does not match: it, or one before it, was altered.
    ChainBroken(EventRef),
    /// An event body that does not decode, or names another pairing or seq than its row.
    BodyMismatch(EventRef),
    /// A pairing whose program version is not stored, or no longer loads.
    ProgramMissing {
        /// Pairing id.
        pairing: String,
        /// The version.
        hash: String,
        /// Why it cannot be used: not stored, altered, no longer checks.
        why: String,
    },
    /// The stage, outcome or due column differs from the stored state.
    ColumnsDiffer {
        /// Pairing id.
        pairing: String,
    },
    /// The stored state differs from the fold of the pairing's events.
    StateDiffers {
        /// Pairing id.
        pairing: String,
        /// How many events it has.
        events: usize,
    },
    /// The pairing's events do not fold at all.
    DoesNotFold {
        /// Pairing id.
        pairing: String,
        /// Why.
        error: FoldError,
    },
    /// A stored state that does not decode.
    StateUnreadable {
        /// Pairing id.
        pairing: String,
    },
    /// Events of a pairing that has no stored state.
    Orphan {
        /// Pairing id.
        pairing: String,
    },
    /// The index of who takes part where (read by the rules across pairings) differs from the
    /// pairing's participants: capacity would be counted wrong.
    MembersDiffer {
        /// Pairing id.
        pairing: String,
    },
    /// A person of the registry whose stored entry differs from their last recorded edit, or
    /// whose edits do not count up from 1.
    PersonDiffers {
        /// Person id.
        person: String,
    },
    /// A chain head published earlier is no longer a link of the chain: the history before it
    /// was rewritten (hashes recomputed), or it belongs to another store.
    CheckpointMissing(String),
    /// A notification in the log (a `notified` event) that the outbox does not hold: it
    /// would never be delivered.
    NoticeMissing {
        /// Pairing id.
        pairing: String,
        /// The `notified` event's seq.
        seq: u64,
    },
    /// An outbox row that differs from what the log says of it.
    OutboxDiffers {
        /// Outbox id.
        id: u64,
        /// What is wrong with it.
        problem: OutboxProblem,
    },
}

/// What is wrong with an outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxProblem {
    /// It names no `notified` event: there is nothing to deliver (it would go out empty).
    NoNotice {
        /// The pairing and seq it names.
        pairing: String,
        /// Seq.
        seq: u64,
    },
    /// Its queue time is not its event's time.
    QueuedAt {
        /// As stored.
        stored: String,
        /// The event's.
        event: String,
    },
    /// Marked delivered without a delivery attempt.
    DeliveredUnattempted,
    /// Held by a claim longer than any deliverer's lease can last (until when).
    ClaimTooLong(String),
}

/// The longest lease `outbox deliver` takes: a claim until later than this from now was not
/// made by a deliverer.
pub const LONGEST_LEASE: chrono::Duration = chrono::Duration::days(1);

/// What `verify` found.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// Events checked.
    pub events: u64,
    /// The chain head: the hash of the last event ("" for an empty store). Published outside
    /// the store, it lets a later `verify` notice a history rewritten with its hashes.
    pub head: String,
    /// Problems, in the order found (empty: the store is intact).
    pub breaches: Vec<Breach>,
}

/// Whether a stored person is their last edit, with edits numbered 1, 2, ... up to it.
fn person_is_fold(stored: &crate::store::StoredPerson, events: &[Event]) -> bool {
    let numbered = events.iter().zip(1u64..).all(|(e, n)| e.seq == n);
    let last = match events.last().map(|e| &e.kind) {
        Some(crate::model::event::EventKind::PersonRecorded { person }) => person,
        _ => return false,
    };
    let state: Option<crate::rules::people::Person> = serde_json::from_str(&stored.state).ok();
    numbered && stored.last_seq == events.len() as u64 && state.as_ref() == Some(last)
}

/// The outbox recomputed from the log's `notified` events (`notices`: their time, by pairing
/// and seq) against the stored rows: each notice queued once at its time, each row a notice,
/// delivered only after an attempt, and no claim later than `latest_claim`.
fn outbox_breaches(
    outbox: &[crate::store::OutboxRow],
    mut notices: BTreeMap<(String, u64), String>,
    latest_claim: &str,
) -> Vec<Breach> {
    let mut breaches = Vec::new();
    let mut differs = |id: u64, problem: OutboxProblem| {
        breaches.push(Breach::OutboxDiffers { id, problem });
    };
    for row in outbox {
        let Some(queued) = notices.remove(&(row.pairing.clone(), row.seq)) else {
            differs(
                row.id,
                OutboxProblem::NoNotice {
                    pairing: row.pairing.clone(),
                    seq: row.seq,
                },
            );
            continue;
        };
        if row.queued_at != queued {
            differs(
                row.id,
                OutboxProblem::QueuedAt {
                    stored: row.queued_at.clone(),
                    event: queued,
                },
            );
        }
        let delivered_early = row.delivered_at.as_ref().is_some_and(|_| row.attempts == 0);
        if delivered_early {
            differs(row.id, OutboxProblem::DeliveredUnattempted);
        }
        // Claims are stamped to the millisecond, older ones to the second: compare as times.
        let until = row.claimed_until.as_deref().unwrap_or_default();
        if row.claimed_until.is_some() && !claim_within(until, latest_claim) {
            differs(row.id, OutboxProblem::ClaimTooLong(until.to_string()));
        }
    }
    for ((pairing, seq), _) in notices {
        breaches.push(Breach::NoticeMissing { pairing, seq });
    }
    breaches
}

/// Whether a claim until `until` ends no later than `latest` (both stored times); a claim
/// that is no time at all is not one a deliverer made.
fn claim_within(until: &str, latest: &str) -> bool {
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    matches!((time(until), time(latest)), (Some(u), Some(l)) if u <= l)
}

/// Verifies everything in `store`; `program` gives the program of a version hash. `expect` is
/// a chain head published earlier (by `verify`): it must still be a link of the chain, or the
/// events before it were rewritten, hashes and all.
pub fn verify(
    store: &dyn Store,
    program: &mut dyn FnMut(&str) -> Result<Arc<Program>, String>,
    expect: Option<&str>,
) -> Result<VerifyReport, StoreError> {
    let (mut previous, mut count, mut breaches) = (String::new(), 0u64, Vec::new());
    let mut checkpoint_found = false;
    let mut histories: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let mut notices: BTreeMap<(String, u64), String> = BTreeMap::new();
    let projections = store.snapshot(&mut |row| {
        count += 1;
        let at = EventRef {
            row: row.row,
            pairing: row.pairing.clone(),
            seq: row.seq,
        };
        // Each link is checked against the stored hash before it, so every altered event is
        // named, not only the first.
        if chain(&previous, &row.body) != row.hash {
            breaches.push(Breach::ChainBroken(at.clone()));
        }
        if expect.is_some_and(|h| h == row.hash) {
            checkpoint_found = true;
        }
        match decode_event(&row.body) {
            Ok(e) if *e.pairing == *row.pairing && e.seq as i64 == row.seq => {
                if let crate::model::event::EventKind::Notified { .. } = e.kind {
                    notices.insert((row.pairing.clone(), e.seq), stamp(e.at));
                }
                histories.entry(row.pairing).or_default().push(e)
            }
            _ => breaches.push(Breach::BodyMismatch(at)),
        }
        previous = row.hash;
        Ok(())
    })?;
    for stored in projections.people {
        let events = histories
            .remove(&crate::rules::people::subject(&stored.id))
            .unwrap_or_default();
        if !person_is_fold(&stored, &events) {
            breaches.push(Breach::PersonDiffers { person: stored.id });
        }
    }
    let mut members: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (pairing, person, role) in projections.members {
        members.entry(pairing).or_default().push((person, role));
    }
    for stored in projections.pairings {
        let events = histories.remove(&stored.id).unwrap_or_default();
        // Sorted here: a database may order text by its own collation.
        let mut indexed = members.remove(&stored.id).unwrap_or_default();
        indexed.sort();
        let Ok(p) = decode_state(&stored.state) else {
            breaches.push(Breach::StateUnreadable { pairing: stored.id });
            continue;
        };
        let program = match program(&p.program_hash) {
            Ok(program) => program,
            Err(why) => {
                breaches.push(Breach::ProgramMissing {
                    pairing: stored.id,
                    hash: p.program_hash.to_string(),
                    why,
                });
                continue;
            }
        };
        let mut taking_part: Vec<(String, String)> = p
            .participants
            .iter()
            .map(|m| (m.id.clone(), m.role.to_string()))
            .collect();
        taking_part.sort();
        if taking_part != indexed {
            breaches.push(Breach::MembersDiffer {
                pairing: stored.id.clone(),
            });
        }
        let derived = (
            p.stage.to_string(),
            p.outcome.map(|o| o.to_string()),
            p.due.map(stamp),
        );
        if (
            stored.stage.clone(),
            stored.outcome.clone(),
            stored.due.clone(),
        ) != derived
        {
            breaches.push(Breach::ColumnsDiffer {
                pairing: stored.id.clone(),
            });
        }
        match Pairing::fold(&program, &events).map(|f| f.as_stored_like(&p)) {
            Ok(folded) if folded == p => {}
            Ok(_) => breaches.push(Breach::StateDiffers {
                pairing: stored.id,
                events: events.len(),
            }),
            Err(error) => breaches.push(Breach::DoesNotFold {
                pairing: stored.id,
                error,
            }),
        }
    }
    for pairing in histories.into_keys() {
        breaches.push(Breach::Orphan { pairing });
    }
    for pairing in members.into_keys() {
        breaches.push(Breach::MembersDiffer { pairing });
    }
    breaches.extend(outbox_breaches(
        &projections.outbox,
        notices,
        &crate::store::codec::stamp_ms(chrono::Utc::now() + LONGEST_LEASE),
    ));
    if let (Some(head), false) = (expect, checkpoint_found) {
        breaches.push(Breach::CheckpointMissing(head.to_string()));
    }
    Ok(VerifyReport {
        events: count,
        head: previous,
        breaches,
    })
}
