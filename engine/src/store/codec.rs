//! The codec and the chain writer, over any [`Store`]: how events, states and program
//! sources are encoded, the hash chain that makes the log tamper-evident, how pairings are
//! numbered and named, and how a transaction appends events and saves a pairing. An adapter
//! only moves rows; the unit of work that decides what to write is the coordinator's ledger.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::model::event::Event;
use crate::model::pairing::Pairing;
use crate::rules::people::Person;
use crate::store::{EventRow, PairingRow, StoreError, Tx};

pub use crate::base::stamp::stamp;

/// `t` stamped to the millisecond, always with three digits so that text order is time
/// order: outbox claims, whose leases are often a second or less.
pub fn stamp_ms(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The id of the pairing numbered `n`.
pub fn pairing_id(n: u64) -> String {
    format!("p-{n}")
}

/// The chained hash of an event body after `previous`: each event's hash covers every event
/// before it, so altering or removing one breaks every later link.
pub fn chain(previous: &str, body: &str) -> String {
    mentorflow_dsl::hex(&digest(previous, body))
}

fn digest(previous: &str, body: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(body.as_bytes());
    h.finalize().into()
}

/// Whether `hash` is [`chain`]`(previous, body)`, without writing the hash out: verify asks
/// it of every event of a store.
pub(crate) fn is_link(previous: &str, body: &str, hash: &str) -> bool {
    let hash = hash.as_bytes();
    hash.len() == 64
        && digest(previous, body)
            .iter()
            .zip(hash.chunks_exact(2))
            .all(|(b, pair)| pair == mentorflow_dsl::hex_pair(*b))
}

/// A stored person of the registry; damage is named by the person.
pub(crate) fn decode_person(id: &str, json: &str) -> Result<Person, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("the stored person {id} is not a person: {e}")))
}

/// An event's text, with nobody's values sealed (what the store holds is
/// [`crate::store::sealing::seal`]'s).
pub fn encode_event(event: &Event) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::Database(e.to_string()))
}

/// A stored event, in today's or an earlier version's form, its sealed values left sealed
/// (empty): what reads that need nobody's values take.
pub fn decode_event(body: &str) -> Result<Event, StoreError> {
    Event::from_stored(body).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}

/// A stored event with every person's sealed values opened with their key from `keys`, and
/// whether a box stayed shut: an erased person's values read empty, and a free text sealed
/// for a group that held them reads in its clear form.
pub fn decode_event_opened(
    body: &str,
    keys: &mut crate::store::sealing::Keys<'_>,
) -> Result<(Event, bool), StoreError> {
    // Only today's form is sealed: an opened event is read as today's, without a second
    // pass over text.
    match crate::store::sealing::open(body, keys)? {
        None => Ok((decode_event(body)?, false)),
        Some(opened) => serde::Deserialize::deserialize(opened.value)
            .map(|event| (event, opened.shut))
            .map_err(|e: serde_json::Error| StoreError::Corrupt(format!("event: {e}"))),
    }
}

/// Opens stored events with their people's keys from `store`, each key read once.
pub(crate) struct Opener<'a> {
    store: &'a dyn crate::store::Store,
    keys: std::collections::HashMap<String, Option<String>>,
}

impl<'a> Opener<'a> {
    pub(crate) fn new(store: &'a dyn crate::store::Store) -> Opener<'a> {
        Opener {
            store,
            keys: Default::default(),
        }
    }

    /// The stored event `body`, opened (see [`decode_event_opened`]).
    pub(crate) fn event(&mut self, body: &str) -> Result<(Event, bool), StoreError> {
        let (store, keys) = (self.store, &mut self.keys);
        decode_event_opened(body, &mut |person| {
            if let Some(key) = keys.get(person) {
                return Ok(key.clone());
            }
            let key = store.person_key(person)?;
            keys.insert(person.to_string(), key.clone());
            Ok(key)
        })
    }
}

/// A stored pairing state.
pub fn decode_state(json: &str) -> Result<Pairing, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("pairing state: {e}")))
}

/// The stored state of pairing `id`; damage is named by the pairing.
pub(crate) fn decode_state_of(id: &str, json: &str) -> Result<Pairing, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        StoreError::Corrupt(format!(
            "the stored state of pairing {id} is not a pairing: {e}"
        ))
    })
}

/// `pairing` with its history, folded from its events (read by `events`) when its state was
/// stored before history was kept: what every read needs (time in stage, entries).
pub(crate) fn with_history(
    pairing: Pairing,
    events: impl FnOnce(&str) -> Result<Vec<String>, StoreError>,
) -> Result<Pairing, StoreError> {
    if pairing.history.is_some() {
        return Ok(pairing);
    }
    completed(pairing, events)
}

/// `pairing` with everything a state stored by an earlier version did not keep, from its
/// events: its history, who joined when, and the values each occurrence of a schedule
/// recorded. For a command on one pairing or a few (a migration among them), which stores it
/// whole; reads and bulk commands take [`with_history`], since only a program version newer
/// than the state reads the rest, and reading every old pairing's events on every `report`
/// or `tick` would cost an old store dearly.
pub(crate) fn completed(
    mut pairing: Pairing,
    events: impl FnOnce(&str) -> Result<Vec<String>, StoreError>,
) -> Result<Pairing, StoreError> {
    let values_missing = pairing.schedules.values().any(|s| !s.values_kept());
    let joins_missing = pairing.history.as_ref().is_some_and(|h| h.joined.is_none());
    if pairing.history.is_some() && !values_missing && !joins_missing {
        return Ok(pairing);
    }
    let events = events(&pairing.id)?
        .iter()
        .map(|body| decode_event(body))
        .collect::<Result<Vec<_>, _>>()?;
    let told = crate::model::pairing::History::of(&events);
    match &mut pairing.history {
        None => pairing.history = Some(told),
        Some(kept) if kept.joined.is_none() => kept.joined = told.joined,
        Some(_) => {}
    }
    for e in &events {
        let crate::model::event::EventKind::Done {
            schedule,
            occurrence,
            anchor,
            facts,
            person,
            ..
        } = &e.kind
        else {
            continue;
        };
        let key = crate::model::schedule_state::key(schedule, person.as_deref());
        if let Some(state) = pairing.schedules.get_mut(&*key) {
            if state.anchor == *anchor && state.done.contains_key(occurrence) {
                state
                    .values
                    .entry(*occurrence)
                    .or_insert_with(|| facts.clone());
            }
        }
    }
    Ok(pairing)
}

pub(crate) fn encode_state(p: &Pairing) -> Result<String, StoreError> {
    serde_json::to_string(p).map_err(|e| StoreError::Database(e.to_string()))
}

/// Whether `stored` is exactly what [`encode_state`] writes for `p`: compared as it is
/// written, without the text being made (verify asks it of every pairing of a store).
pub(crate) fn is_stored_as(p: &Pairing, stored: &str) -> bool {
    /// The part of the stored text not yet matched; a write that differs fails.
    struct Against<'a>(&'a [u8]);
    impl std::io::Write for Against<'_> {
        fn write(&mut self, written: &[u8]) -> std::io::Result<usize> {
            // Times chrono writes (those `base::stamp` leaves to it) arrive a character at a
            // time: short writes are compared inline, not through memcmp.
            let n = written.len();
            let same = match self.0.get(..n) {
                Some(next) if n <= 16 => next.iter().zip(written).all(|(a, b)| a == b),
                Some(next) => next == written,
                None => false,
            };
            if !same {
                return Err(std::io::ErrorKind::InvalidData.into());
            }
            self.0 = &self.0[n..];
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut against = Against(stored.as_bytes());
    serde_json::to_writer(&mut against, p).is_ok() && against.0.is_empty()
}

/// A program version's files as stored.
pub fn decode_sources(
    hash: &str,
    json: &str,
) -> Result<Vec<(std::path::PathBuf, String)>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("program {hash}: {e}")))
}

/// Appends `events` to the chain, continuing from `previous`; their free texts are sealed
/// for `group` (see [`crate::store::sealing::seal`]).
pub(crate) fn append(
    tx: &mut dyn Tx,
    previous: &mut String,
    events: &[Event],
    group: &[&str],
) -> Result<(), StoreError> {
    for event in events {
        let body = crate::store::sealing::seal(tx, event, group)?;
        let hash = chain(previous, &body);
        tx.append(&EventRow {
            pairing: &event.pairing,
            seq: event.seq,
            kind: event.kind.name(),
            body: &body,
            hash: &hash,
        })?;
        // A notification is queued with its event: both stored, or neither.
        if let crate::model::event::EventKind::Notified { .. } = event.kind {
            tx.queue(&crate::store::OutboxRow {
                id: 0,
                pairing: event.pairing.to_string(),
                seq: event.seq,
                queued_at: stamp(event.at),
                delivered_at: None,
                attempts: 0,
                last_error: None,
                claimed_until: None,
            })?;
        }
        *previous = hash;
    }
    Ok(())
}

/// Writes a pairing's projection: inserted with its number, or replaced if nobody changed it
/// since `expected_seq`.
pub(crate) fn save(tx: &mut dyn Tx, p: &Pairing, write: Save) -> Result<(), StoreError> {
    let state = encode_state(p)?;
    let due = p.due.map(stamp);
    // The members index changes only with who takes part: new pairings and changed ones.
    let members: Option<Vec<(&str, &str)>> = match write {
        Save::New(_) | Save::Members(_) => Some(
            p.participants
                .iter()
                .map(|m| (m.id.as_str(), m.role.as_str()))
                .collect(),
        ),
        Save::Update(_) => None,
    };
    let row = PairingRow {
        id: &p.id,
        program_hash: &p.program_hash,
        program_id: &p.program_id,
        type_id: &p.type_id,
        stage: &p.stage,
        outcome: p.outcome.as_deref(),
        due: due.as_deref(),
        last_seq: p.last_seq,
        state: &state,
        label: p.label.as_deref(),
        members: members.as_deref(),
    };
    match write {
        Save::New(number) => tx.insert_pairing(number, &row),
        Save::Update(expected) | Save::Members(expected)
            if tx.update_pairing(&row, expected)? =>
        {
            Ok(())
        }
        Save::Update(_) | Save::Members(_) => Err(StoreError::Conflict(p.id.to_string())),
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Save {
    /// A new pairing with its number.
    New(u64),
    /// A change, if the pairing's last seq is still this.
    Update(u64),
    /// A change of who takes part, if the pairing's last seq is still this.
    Members(u64),
}

/// How to save a pairing changed from `before` by `events`.
pub(crate) fn update_of(before: u64, events: &[Event]) -> Save {
    if events.iter().any(|e| e.kind.changes_participants()) {
        Save::Members(before)
    } else {
        Save::Update(before)
    }
}

/// The stored program version `hash`, read back from its files and checked again; a version
/// that is not stored, no longer checks, or whose files were changed in the store is corrupt.
pub fn stored_program(
    store: &dyn crate::store::Store,
    hash: &str,
) -> Result<mentorflow_dsl::Program, StoreError> {
    let json = store
        .program_sources(hash)?
        .ok_or_else(|| StoreError::Corrupt(format!("program version {hash} is not stored")))?;
    let loaded = mentorflow_dsl::load_sources(&decode_sources(hash, &json)?);
    let report = loaded.render();
    let program = loaded.program.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "stored program version {hash} no longer checks:\n{report}"
        ))
    })?;
    // The hash names the files' content: a copy that hashes differently was changed.
    if program.hash != hash {
        return Err(StoreError::Corrupt(format!(
            "stored program version {hash} reloads as {}; its files were changed in the store",
            program.hash
        )));
    }
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::{chain, is_link};

    #[test]
    fn a_link_holds_for_the_hash_chain_writes_and_no_other() {
        let hash = chain("previous", "{\"body\":1}");
        assert!(is_link("previous", "{\"body\":1}", &hash));
        assert!(!is_link("previous", "{\"body\":2}", &hash));
        assert!(!is_link("", "{\"body\":1}", &hash));
        assert!(!is_link("previous", "{\"body\":1}", &hash.to_uppercase()));
        assert!(!is_link("previous", "{\"body\":1}", &hash[..63]));
        let mut altered = hash.clone().into_bytes();
        altered[63] = if altered[63] == b'0' { b'1' } else { b'0' };
        let altered = String::from_utf8(altered).expect("hex");
        assert!(!is_link("previous", "{\"body\":1}", &altered));
    }
}
