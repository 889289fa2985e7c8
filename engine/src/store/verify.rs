//! Verification, for any store: recompute the hash chain over the stored event bodies, and
//! check that every pairing's stored state (and the columns queries filter on) equals the fold
//! of its events.
//!
//! The chain is read in storage order, a page at a time, each link checked against the hash
//! stored before it; then the store is read a subject (a pairing, a person) at a time. Memory
//! stays bounded however large the store; pages and subjects are checked on every core while
//! the next ones are read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};

use mentorflow_dsl::Program;

use crate::model::event::{Event, EventKind};
use crate::model::pairing::{FoldError, Pairing};
use crate::store::codec::{decode_event_opened, decode_state, is_link, is_stored_as, stamp};
use crate::store::subjects::{Subject, Subjects};
use crate::store::{Reading, Store, StoreError, StoredEvent};

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
    /// An event body that does not decode, or names another pairing, seq or kind than its row.
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
    /// The stage, outcome, due or program column differs from the stored state.
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
        Some(EventKind::PersonRecorded { person }) => person,
        _ => return false,
    };
    let state: Option<crate::rules::people::Person> = serde_json::from_str(&stored.state).ok();
    numbered && stored.last_seq == events.len() as u64 && state.as_ref() == Some(last)
}

/// Whether a person's events end in their erasure: they are no longer in the registry.
fn is_erased(events: &[Event]) -> bool {
    matches!(
        events.last().map(|e| &e.kind),
        Some(EventKind::Erased { .. })
    )
}

/// A subject's outbox rows against its `notified` events (`notices`: their time, by seq;
/// and those whose text was erased, which the outbox no longer holds): each notice queued
/// once at its time, each row a notice, delivered only after an attempt, and no claim later
/// than `latest_claim`.
fn outbox_breaches(
    key: &str,
    outbox: &[crate::store::OutboxRow],
    (mut notices, erased): (BTreeMap<u64, String>, BTreeSet<u64>),
    latest_claim: &str,
    breaches: &mut Vec<Breach>,
) {
    let mut differs = |id: u64, problem: OutboxProblem| {
        breaches.push(Breach::OutboxDiffers { id, problem });
    };
    for row in outbox {
        let Some(queued) = notices.remove(&row.seq) else {
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
    for seq in notices.into_keys().filter(|seq| !erased.contains(seq)) {
        breaches.push(Breach::NoticeMissing {
            pairing: key.to_string(),
            seq,
        });
    }
}

/// Whether a claim until `until` ends no later than `latest` (both stored times); a claim
/// that is no time at all is not one a deliverer made.
fn claim_within(until: &str, latest: &str) -> bool {
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    matches!((time(until), time(latest)), (Some(u), Some(l)) if u <= l)
}

/// A subject to check, with the program of its pairing (by the pairing's program column), or
/// why that program cannot be used; and its place in the store's order.
struct Task {
    subject: Subject,
    program: Option<Result<Arc<Program>, String>>,
    place: u64,
    /// The keys its events' boxes need, of those who have one (an erased person has none).
    keys: Vec<(String, String)>,
}

/// What the checks found, in an order that does not depend on which core checked what.
#[derive(Default)]
struct Found {
    events: u64,
    checkpoint: bool,
    /// Each breach with where it sorts: chain breaches by storage position first, then the
    /// others by subject.
    breaches: Vec<((u8, u64), Breach)>,
}

impl Found {
    fn add(&mut self, other: Found) {
        self.events += other.events;
        self.checkpoint |= other.checkpoint;
        self.breaches.extend(other.breaches);
    }
}

/// A page of events in storage order, with the hash stored before its first ("" for the
/// store's first event).
struct Links {
    previous: String,
    rows: Vec<StoredEvent>,
}

/// Where an event is stored, to name it in a breach.
fn event_ref(row: &StoredEvent) -> EventRef {
    EventRef {
        row: row.row,
        pairing: row.pairing.clone(),
        seq: row.seq,
    }
}

/// What the checks of every subject share.
struct Checks<'a> {
    expect: Option<&'a str>,
    latest_claim: String,
}

impl Checks<'_> {
    /// Checks each link of the chain in `links`: the event's hash against the hash stored
    /// before it and its body, so every altered event is named, not only the first.
    fn links(&self, links: Links, found: &mut Found) {
        let mut previous = links.previous.as_str();
        for row in &links.rows {
            found.events += 1;
            if !is_link(previous, &row.body, &row.hash) {
                let breach = Breach::ChainBroken(event_ref(row));
                found.breaches.push(((0, row.row as u64), breach));
            }
            found.checkpoint |= self.expect == Some(row.hash.as_str());
            previous = &row.hash;
        }
    }

    /// Checks one subject: its event bodies, and its pairing or person against the fold of
    /// its events, its members and its outbox rows.
    fn subject(&self, task: Task, found: &mut Found) {
        let Task {
            subject: s,
            program,
            place,
            keys,
        } = task;
        let mut notices = BTreeMap::new();
        // Notices whose text was sealed for someone erased: taken out of the outbox.
        let mut erased_notices = BTreeSet::new();
        let mut events = Vec::with_capacity(s.events.len());
        let mut key = |person: &str| {
            let kept = keys.iter().find(|(p, _)| p == person);
            Ok(kept.map(|(_, key)| key.clone()))
        };
        for row in s.events {
            match decode_event_opened(&row.body, &mut key) {
                Ok((e, shut))
                    if *e.pairing == *row.pairing
                        && e.seq as i64 == row.seq
                        && e.kind.stored_as(&row.kind) =>
                {
                    if let EventKind::Notified { .. } = e.kind {
                        notices.insert(e.seq, stamp(e.at));
                        if shut {
                            erased_notices.insert(e.seq);
                        }
                    }
                    events.push(e);
                }
                _ => found
                    .breaches
                    .push(((0, row.row as u64), Breach::BodyMismatch(event_ref(&row)))),
            }
        }
        let mut breaches = Vec::new();
        match (s.pairing, s.person) {
            (Some(stored), _) => {
                pairing_breaches(stored, program, s.members, &events, &mut breaches)
            }
            (None, person) => {
                if let Some(person) = person {
                    if !person_is_fold(&person, &events) {
                        breaches.push(Breach::PersonDiffers { person: person.id });
                    }
                } else if !events.is_empty() && !is_erased(&events) {
                    breaches.push(Breach::Orphan {
                        pairing: s.key.clone(),
                    });
                }
                if !s.members.is_empty() {
                    breaches.push(Breach::MembersDiffer {
                        pairing: s.key.clone(),
                    });
                }
            }
        }
        outbox_breaches(
            &s.key,
            &s.outbox,
            (notices, erased_notices),
            &self.latest_claim,
            &mut breaches,
        );
        found
            .breaches
            .extend(breaches.into_iter().map(|b| ((1, place), b)));
    }
}

/// A stored pairing against its program (by its program column), members index and the fold
/// of its events.
fn pairing_breaches(
    stored: crate::store::StoredPairing,
    program: Option<Result<Arc<Program>, String>>,
    mut indexed: Vec<(String, String)>,
    events: &[Event],
    breaches: &mut Vec<Breach>,
) {
    let program = program.unwrap_or_else(|| Err("not stored".into()));
    let folded = program
        .as_ref()
        .map_err(Clone::clone)
        .map(|program| Pairing::fold(program, events));
    // Nearly always the stored state is the fold written out as today's version writes it:
    // equal text, with nothing to decode. Anything else is decoded and compared as values.
    let p = match folded {
        Ok(Ok(f)) if is_stored_as(&f, &stored.state) => f,
        folded => {
            let Ok(p) = decode_state(&stored.state) else {
                breaches.push(Breach::StateUnreadable { pairing: stored.id });
                return;
            };
            if let Err(breach) = same_as_fold(&stored, &p, folded, events.len()) {
                breaches.push(breach);
            }
            p
        }
    };
    // Sorted here: a database may order text by its own collation. Compared as borrowed
    // text: verify asks it of every pairing of the store.
    indexed.sort();
    let mut taking_part: Vec<(&str, &str)> = p
        .participants
        .iter()
        .map(|m| (m.id.as_str(), m.role.as_str()))
        .collect();
    taking_part.sort();
    let same_members = taking_part.len() == indexed.len()
        && taking_part
            .iter()
            .zip(&indexed)
            .all(|((id, role), (i, r))| id == i && role == r);
    if !same_members {
        breaches.push(Breach::MembersDiffer {
            pairing: stored.id.clone(),
        });
    }
    let same_columns = stored.stage == p.stage.as_str()
        && stored.outcome.as_deref() == p.outcome.as_ref().map(|o| o.as_str())
        && stored.due == p.due.map(stamp)
        && stored.program_hash == p.program_hash.as_str();
    if !same_columns {
        breaches.push(Breach::ColumnsDiffer { pairing: stored.id });
    }
}

/// Whether the stored state `p` of `stored` equals the fold of its `events` (folded on the
/// program its program column names), or the breach that says how it does not.
fn same_as_fold(
    stored: &crate::store::StoredPairing,
    p: &Pairing,
    folded: Result<Result<Pairing, FoldError>, String>,
    events: usize,
) -> Result<(), Breach> {
    let pairing = stored.id.clone();
    if *p.program_hash != *stored.program_hash {
        // Folded on another program than the state names: the column is what differs.
        return Ok(());
    }
    match folded.map(|f| f.map(|f| f.as_stored_like(p))) {
        Err(why) => Err(Breach::ProgramMissing {
            pairing,
            hash: p.program_hash.to_string(),
            why,
        }),
        Ok(Ok(f)) if f == *p => Ok(()),
        Ok(Ok(_)) => Err(Breach::StateDiffers { pairing, events }),
        Ok(Err(error)) => Err(Breach::DoesNotFold { pairing, error }),
    }
}

/// How many subjects travel to a checking thread at once.
const BATCH: usize = 256;

/// Verifies everything in `store`; `program` gives the program of a version hash. `expect` is
/// a chain head published earlier (by `verify`): it must still be a link of the chain, or the
/// events before it were rewritten, hashes and all.
pub fn verify(
    store: &dyn Store,
    program: &mut dyn FnMut(&str) -> Result<Arc<Program>, String>,
    expect: Option<&str>,
) -> Result<VerifyReport, StoreError> {
    let (mut found, mut head) = (Found::default(), String::new());
    store.read(&mut |reading| {
        head = reading.head()?;
        let checks = Checks {
            expect,
            latest_claim: crate::store::codec::stamp_ms(chrono::Utc::now() + LONGEST_LEASE),
        };
        found = check_all(reading, program, &checks)?;
        Ok(())
    })?;
    if let (Some(head), false) = (expect, found.checkpoint) {
        let breach = Breach::CheckpointMissing(head.to_string());
        found.breaches.push(((2, 0), breach));
    }
    // Stable: a subject's breaches keep the order its checks found them in.
    found.breaches.sort_by_key(|(place, _)| *place);
    Ok(VerifyReport {
        events: found.events,
        head,
        breaches: found.breaches.into_iter().map(|(_, b)| b).collect(),
    })
}

/// Reads the chain, then every subject, of `reading` on this thread, and checks them on as
/// many others as there are cores.
fn check_all(
    reading: &mut dyn Reading,
    program: &mut dyn FnMut(&str) -> Result<Arc<Program>, String>,
    checks: &Checks<'_>,
) -> Result<Found, StoreError> {
    // In storage order, without a seek per event for the hash before it.
    let mut found = in_parallel(
        |send| send_links(reading, send),
        |links, found| checks.links(links, found),
    )?;
    found.add(in_parallel(
        |send| send_subjects(reading, program, send),
        |task, found| checks.subject(task, found),
    )?);
    Ok(found)
}

/// What `produce` sends, in batches, checked by `check` on as many threads as there are
/// cores, through a bounded queue: memory stays bounded when checks lag.
fn in_parallel<T: Send>(
    produce: impl FnOnce(&SyncSender<Vec<T>>) -> Result<(), StoreError>,
    check: impl Fn(T, &mut Found) + Sync,
) -> Result<Found, StoreError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (send, receive) = sync_channel::<Vec<T>>(threads * 2);
    let receive = Mutex::new(receive);
    let worker = || {
        let mut found = Found::default();
        loop {
            let batch = match receive.lock() {
                Ok(r) => r.recv(),
                Err(_) => return found,
            };
            let Ok(batch) = batch else { return found };
            for item in batch {
                check(item, &mut found);
            }
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        let read = produce(&send);
        drop(send);
        let mut found = Found::default();
        for worker in workers {
            // A check that panicked is a bug; carry it on rather than report half a store.
            found.add(
                worker
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        read.map(|()| found)
    })
}

/// Reads the events in storage order and sends them a page at a time, each with the hash
/// stored before it.
fn send_links(reading: &mut dyn Reading, send: &SyncSender<Vec<Links>>) -> Result<(), StoreError> {
    let mut previous = String::new();
    loop {
        let rows = reading.events_in_order()?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        let next = last.hash.clone();
        let links = Links {
            previous: std::mem::replace(&mut previous, next),
            rows,
        };
        if send.send(vec![links]).is_err() {
            return Ok(());
        }
    }
}

/// Reads the subjects and sends them in batches, each pairing with its program.
fn send_subjects(
    reading: &mut dyn Reading,
    program: &mut dyn FnMut(&str) -> Result<Arc<Program>, String>,
    send: &SyncSender<Vec<Task>>,
) -> Result<(), StoreError> {
    let mut programs: HashMap<String, Result<Arc<Program>, String>> = HashMap::new();
    let mut subjects = Subjects::new(reading);
    let (mut batch, mut place) = (Vec::with_capacity(BATCH), 0u64);
    while let Some(subject) = subjects.next_subject()? {
        let program = subject.pairing.as_ref().map(|p| {
            let hash = &p.program_hash;
            if !programs.contains_key(hash) {
                programs.insert(hash.clone(), program(hash));
            }
            programs[hash].clone()
        });
        batch.push(Task {
            subject,
            program,
            place,
            keys: Vec::new(),
        });
        place += 1;
        if batch.len() == BATCH {
            let mut full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            with_keys(subjects.reading(), &mut full)?;
            if send.send(full).is_err() {
                break;
            }
        }
    }
    if !batch.is_empty() {
        with_keys(subjects.reading(), &mut batch)?;
        let _ = send.send(batch);
    }
    Ok(())
}

/// Gives each task of `batch` the keys its events' boxes need, read in one query for the
/// batch: memory holds a batch's keys, never everyone's.
fn with_keys(reading: &mut dyn Reading, batch: &mut [Task]) -> Result<(), StoreError> {
    let wanted: Vec<Vec<String>> = batch
        .iter()
        .map(|t| {
            let mut people: Vec<String> = Vec::new();
            for e in &t.subject.events {
                for p in crate::store::sealing::sealed_for(&e.body) {
                    if !people.contains(&p) {
                        people.push(p);
                    }
                }
            }
            people
        })
        .collect();
    let all: Vec<String> = wanted.iter().flatten().cloned().collect();
    if all.is_empty() {
        return Ok(());
    }
    let keys: HashMap<String, String> = reading.keys_of(&all)?.into_iter().collect();
    for (task, people) in batch.iter_mut().zip(wanted) {
        task.keys = people
            .into_iter()
            .filter_map(|p| keys.get(&p).map(|k| (p, k.clone())))
            .collect();
    }
    Ok(())
}
