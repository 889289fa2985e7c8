//! The store read a subject at a time: every stream of a [`Reading`] merged on its pairing
//! column, so a pairing (or a person of the registry) comes with its events, projection,
//! members and outbox rows together, and a store of any size is checked in bounded memory.

use std::collections::VecDeque;

use crate::rules::people::subject;
use crate::store::{OutboxRow, Reading, StoreError, StoredEvent, StoredPairing, StoredPerson};

/// Everything stored under one pairing column value: a pairing's rows, or a person's
/// (`person:ID`), or rows that name something that is not there.
#[derive(Debug, Default)]
pub struct Subject {
    /// The pairing column value.
    pub key: String,
    /// Its events by seq.
    pub events: Vec<StoredEvent>,
    /// The pairing's projection, when one is stored under this id.
    pub pairing: Option<StoredPairing>,
    /// The person, when this is a person's subject.
    pub person: Option<StoredPerson>,
    /// Its rows of the members index: person and role, by person.
    pub members: Vec<(String, String)>,
    /// Its outbox rows, by seq.
    pub outbox: Vec<OutboxRow>,
}

/// A stream's rows read so far and not yet taken; `done` once its last page came.
struct Buffer<T> {
    rows: VecDeque<T>,
    done: bool,
}

impl<T> Buffer<T> {
    fn new() -> Self {
        Buffer {
            rows: VecDeque::new(),
            done: false,
        }
    }

    /// The next row, reading a page with `next_page` when none is at hand.
    fn front(
        &mut self,
        next_page: impl FnOnce() -> Result<Vec<T>, StoreError>,
    ) -> Result<Option<&T>, StoreError> {
        if self.rows.is_empty() && !self.done {
            let page = next_page()?;
            self.done = page.is_empty();
            self.rows.extend(page);
        }
        Ok(self.rows.front())
    }
}

/// The subjects of a [`Reading`], in byte order of their keys.
pub struct Subjects<'r> {
    reading: &'r mut dyn Reading,
    events: Buffer<StoredEvent>,
    pairings: Buffer<StoredPairing>,
    people: Buffer<(String, StoredPerson)>,
    members: Buffer<(String, String, String)>,
    outbox: Buffer<OutboxRow>,
}

impl<'r> Subjects<'r> {
    /// The subjects `reading` holds.
    pub fn new(reading: &'r mut dyn Reading) -> Self {
        Subjects {
            reading,
            events: Buffer::new(),
            pairings: Buffer::new(),
            people: Buffer::new(),
            members: Buffer::new(),
            outbox: Buffer::new(),
        }
    }

    /// The reading underneath, for a query of its own between subjects (the keys a batch
    /// of them needs).
    pub fn reading(&mut self) -> &mut dyn Reading {
        &mut *self.reading
    }

    /// The smallest key at the front of any stream.
    fn smallest(&mut self) -> Result<Option<String>, StoreError> {
        let reading = &mut *self.reading;
        let mut keys: Vec<&str> = Vec::with_capacity(5);
        let event = self.events.front(|| reading.events_by_subject())?;
        keys.extend(event.map(|e| e.pairing.as_str()));
        let pairing = self.pairings.front(|| reading.pairings())?;
        keys.extend(pairing.map(|p| p.id.as_str()));
        let person = self.people.front(|| people_page(reading))?;
        keys.extend(person.map(|(key, _)| key.as_str()));
        let member = self.members.front(|| reading.members())?;
        keys.extend(member.map(|m| m.0.as_str()));
        let queued = self.outbox.front(|| reading.outbox_by_subject())?;
        keys.extend(queued.map(|o| o.pairing.as_str()));
        Ok(keys.into_iter().min().map(str::to_string))
    }

    /// The next subject, or none once every stream is done.
    pub fn next_subject(&mut self) -> Result<Option<Subject>, StoreError> {
        let Some(key) = self.smallest()? else {
            return Ok(None);
        };
        let mut s = Subject {
            key,
            ..Subject::default()
        };
        let reading = &mut *self.reading;
        while let Some(e) = self.events.front(|| reading.events_by_subject())? {
            if e.pairing != s.key {
                break;
            }
            s.events.extend(self.events.rows.pop_front());
        }
        if self
            .pairings
            .front(|| reading.pairings())?
            .is_some_and(|p| p.id == s.key)
        {
            s.pairing = self.pairings.rows.pop_front();
        }
        if (self.people.front(|| people_page(reading))?).is_some_and(|(key, _)| *key == s.key) {
            s.person = self.people.rows.pop_front().map(|(_, p)| p);
        }
        while let Some(m) = self.members.front(|| reading.members())? {
            if m.0 != s.key {
                break;
            }
            s.members
                .extend(self.members.rows.pop_front().map(|m| (m.1, m.2)));
        }
        while let Some(o) = self.outbox.front(|| reading.outbox_by_subject())? {
            if o.pairing != s.key {
                break;
            }
            s.outbox.extend(self.outbox.rows.pop_front());
        }
        Ok(Some(s))
    }
}

/// The next page of people, each with their subject (the key their edits are stored under).
fn people_page(reading: &mut dyn Reading) -> Result<Vec<(String, StoredPerson)>, StoreError> {
    let page = reading.people()?;
    Ok(page.into_iter().map(|p| (subject(&p.id), p)).collect())
}
