//! The unit of work over any [`Store`]: the atomic commands (enrol, update one, update many,
//! update all, record people) and the writer a command sees in its transaction. The codec and
//! the chain writer it stores with are the store layer's (`store/codec.rs`).

use chrono::{DateTime, Utc};
use mentorflow_dsl::Program;
use std::sync::Arc;

use crate::coordinator::error::Error;
use crate::model::event::{Event, EventKind};
use crate::model::pairing::Pairing;
use crate::model::person::Difference;
use crate::rules::engine_error::EngineError;
use crate::rules::people::Person;
pub use crate::store::codec::stamp;
use crate::store::codec::{
    append, completed, decode_person, decode_state_of, save, update_of, with_history, Save,
};
use crate::store::codec::{decode_event, decode_state, pairing_id};
use crate::store::{Abort, Filter, ProgramRow, Store, StoreError, Tx};

/// How many pairings a page of a listing holds: what a paged reader (the report) keeps at once.
pub const LIST_PAGE: usize = 1000;

/// What recording people did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleReport {
    /// People new to the registry.
    pub added: Vec<String>,
    /// People whose entry changed.
    pub changed: Vec<String>,
    /// People whose entry was already as given (nothing stored for them).
    pub unchanged: Vec<String>,
    /// For each person added or changed, in order, what differs from their entry before.
    pub differences: Vec<(String, Vec<Difference>)>,
    /// Whether it was a dry run: nothing was stored.
    pub dry_run: bool,
}

/// Builds the new pairing number `index` (from 0) of an enrolment, with the id handed out:
/// the pairing with its events (the enrolment first; a bulk load may add more).
/// It reads the store through the writer, for the rules across pairings.
pub type MakePairing<'a> =
    dyn FnMut(usize, String, &mut Writer<'_>) -> Result<(Pairing, Vec<Event>), Error> + 'a;

/// One command on one pairing: sees its current state (and the store, through the writer),
/// returns the events to store. An [`Error::Engine`] refuses this pairing only; any other
/// error rolls the whole transaction back.
pub type PairingCommand<'a> =
    dyn FnMut(&mut Pairing, &mut Writer<'_>) -> Result<Vec<Event>, Error> + 'a;

/// One command on the pairing of row `i` of a bulk command.
pub type RowCommand<'a> =
    dyn FnMut(usize, &mut Pairing, &mut Writer<'_>) -> Result<Vec<Event>, Error> + 'a;

/// What a command may do in its transaction besides changing its own pairing: read who takes
/// part where (the rules across pairings), and create new pairings (a successor), which are
/// stored right after the command's own events.
pub struct Writer<'t> {
    tx: &'t mut dyn Tx,
    /// The next pairing number to hand out, once one was.
    next: Option<u64>,
    /// Pairings to create after the command's events: number, state, events.
    created: Vec<(u64, Pairing, Vec<Event>)>,
    /// Whether the registry has anyone (asked once per transaction: with nobody in it, an
    /// enrolment asks it nothing per person).
    people: Option<bool>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t mut dyn Tx) -> Writer<'t> {
        Writer {
            tx,
            next: None,
            created: Vec::new(),
            people: None,
        }
    }

    /// The running pairings `person` takes part in.
    pub fn memberships(
        &mut self,
        person: &str,
    ) -> Result<Vec<crate::store::Membership>, StoreError> {
        self.tx.memberships(person)
    }

    /// Whether running pairing `id` is in stage `stage` or has been (its history), as it
    /// stands in this transaction.
    pub fn entered(&mut self, id: &str, stage: &str) -> Result<bool, StoreError> {
        let Some(state) = self.tx.state(id)? else {
            return Ok(false);
        };
        let pairing = crate::store::codec::decode_state_of(id, &state)?;
        let pairing = crate::store::codec::with_history(pairing, |p| self.tx.events(p))?;
        Ok(*pairing.stage == *stage
            || pairing
                .history
                .as_ref()
                .is_some_and(|h| h.entries(stage) > 0))
    }

    /// Person `id` of the people registry, as it stands in this transaction.
    pub fn person(&mut self, id: &str) -> Result<Option<Person>, StoreError> {
        let anyone = match self.people {
            Some(known) => known,
            None => *self.people.insert(self.tx.has_people()?),
        };
        if !anyone {
            return Ok(None);
        }
        self.tx
            .person(id)?
            .map(|(_, state)| decode_person(id, &state))
            .transpose()
    }

    /// `id`'s managers in the registry, nearest first (see [`crate::rules::people::reporting_line`]).
    pub fn reporting_line(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        crate::rules::people::reporting_line(id, &mut |p| {
            Ok(self.person(p)?.and_then(|p| p.manager))
        })
    }

    /// A number and id for a new pairing, never handed out twice in one transaction.
    pub fn new_pairing(&mut self) -> Result<(u64, String), StoreError> {
        let n = match self.next {
            Some(n) => n,
            None => self.tx.next_number()?,
        };
        self.next = Some(n + 1);
        Ok((n, pairing_id(n)))
    }

    /// Creates pairing `number` (from [`Writer::new_pairing`]) with its events, after the
    /// command's own.
    pub fn create(&mut self, number: u64, pairing: Pairing, events: Vec<Event>) {
        self.created.push((number, pairing, events));
    }

    /// Stores the pairings the command created, continuing the chain from `previous`.
    fn store_created(&mut self, previous: &mut String) -> Result<(), StoreError> {
        for (number, pairing, events) in std::mem::take(&mut self.created) {
            append(self.tx, previous, &events, &pairing.texts_sealed_for())?;
            save(self.tx, &pairing, Save::New(number))?;
        }
        Ok(())
    }
}

/// What a bulk command did.
#[derive(Debug, Clone, Default)]
pub struct BulkReport {
    /// Running pairings looked at.
    pub seen: u64,
    /// Events stored.
    pub stored: u64,
    /// Pairings changed (each stored one event or more).
    pub changed: u64,
    /// Pairings whose command failed, with why; they were left unchanged.
    pub refused: Vec<(String, EngineError)>,
    /// The command stopped before seeing every pairing (its script budget was spent); what
    /// it stored stays stored, and running it again goes on.
    pub unfinished: bool,
}

/// The longest a bulk command holds the write lock in one transaction.
const BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// The store with its store-neutral policy: every write goes through here.
pub struct Ledger {
    store: Box<dyn Store>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ledger")
    }
}

impl Ledger {
    /// A ledger over `store`.
    pub fn new(store: Box<dyn Store>) -> Ledger {
        Ledger { store }
    }

    /// The store, for reads.
    pub fn store_mut(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// The store, to read.
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Creates pairings atomically: stores `program` (read from `path`) as a version if it is
    /// new, hands `make` the next `count` pairing ids and stores what it returns. A refusal
    /// stores nothing at all, not even the program version; so does a check (`keep` false),
    /// which rolls back what it made after seeing every refusal under the same rules.
    pub fn enrol(
        &mut self,
        program: &Program,
        path: &str,
        stored_at: DateTime<Utc>,
        count: usize,
        keep: bool,
        make: &mut MakePairing<'_>,
    ) -> Result<Vec<Arc<str>>, Error> {
        let sources = serde_json::to_string(&program.sources)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let stored_at = stamp(stored_at);
        let mut created = Vec::new();
        let result = write(&mut *self.store, &mut |tx| {
            tx.add_program(&ProgramRow {
                hash: &program.hash,
                id: &program.id,
                title: &program.title,
                path,
                sources: &sources,
                stored_at: &stored_at,
            })?;
            let first = tx.next_number()?;
            let mut previous = tx.last_hash()?;
            let mut writer = Writer::new(tx);
            writer.next = Some(first + count as u64);
            // Each pairing is written as soon as it is made, so memory does not grow with the
            // roster; after a refusal the rest are still made and written, so the rules across
            // pairings see them all and every refusal is reported; the transaction is then
            // rolled back.
            let mut refused = Vec::new();
            created.clear();
            for (index, number) in (first..first + count as u64).enumerate() {
                match make(index, pairing_id(number), &mut writer) {
                    Ok((pairing, events)) => {
                        let group = pairing.texts_sealed_for();
                        append(writer.tx, &mut previous, &events, &group)?;
                        save(writer.tx, &pairing, Save::New(number))?;
                        created.push(pairing.id);
                        writer.store_created(&mut previous)?;
                    }
                    Err(e) => refused.push((index, e)),
                }
            }
            if !refused.is_empty() {
                Err(Error::Rows(refused))
            } else if keep {
                Ok(())
            } else {
                // No refusal: an empty list of them rolls the check back.
                Err(Error::Rows(Vec::new()))
            }
        });
        match result {
            Ok(()) => Ok(created),
            Err(Error::Rows(rows)) if rows.is_empty() && !keep => Ok(created),
            Err(e) => Err(e),
        }
    }

    /// Runs one command on one pairing atomically: under the write lock, `command` sees the
    /// current state and returns its events, which are stored with the new state, or nothing.
    pub fn update(
        &mut self,
        id: &str,
        command: &mut PairingCommand<'_>,
    ) -> Result<Vec<Event>, Error> {
        let mut stored = Vec::new();
        let mut missing = false;
        write(&mut *self.store, &mut |tx| {
            let Some(json) = tx.state(id)? else {
                missing = true;
                return Ok(());
            };
            let mut pairing = completed(decode_state_of(id, &json)?, |id| tx.events(id))?;
            let before = pairing.last_seq;
            let mut writer = Writer::new(tx);
            let events = command(&mut pairing, &mut writer)?;
            if !events.is_empty() {
                let mut previous = writer.tx.last_hash()?;
                append(
                    writer.tx,
                    &mut previous,
                    &events,
                    &pairing.texts_sealed_for(),
                )?;
                save(writer.tx, &pairing, update_of(before, &events))?;
                writer.store_created(&mut previous)?;
            }
            stored = events;
            Ok(())
        })?;
        if missing {
            return Err(self.unknown(id));
        }
        Ok(stored)
    }

    /// Runs `command` on each of `ids` (a pairing may come more than once: it sees its earlier
    /// changes) in one transaction: all are stored, or, when any is refused, none, and every
    /// refusal is returned with its position.
    pub fn update_many(
        &mut self,
        ids: &[String],
        program: Option<(&Program, &str, DateTime<Utc>)>,
        command: &mut RowCommand<'_>,
    ) -> Result<Vec<Vec<Event>>, Error> {
        let mut stored = Vec::new();
        let mut refused: Vec<(usize, Error)> = Vec::new();
        let known = self.store.pairing_ids().unwrap_or_default();
        let sources = match program {
            Some((p, _, _)) => serde_json::to_string(&p.sources)
                .map_err(|e| StoreError::Database(e.to_string()))?,
            None => String::new(),
        };
        write(&mut *self.store, &mut |tx| {
            stored.clear();
            // A version the commands move pairings onto is stored with them.
            if let Some((p, path, at)) = program {
                tx.add_program(&ProgramRow {
                    hash: &p.hash,
                    id: &p.id,
                    title: &p.title,
                    path,
                    sources: &sources,
                    stored_at: &stamp(at),
                })?;
            }
            let mut previous = tx.last_hash()?;
            for (i, id) in ids.iter().enumerate() {
                let Some(json) = tx.state(id)? else {
                    refused.push((
                        i,
                        Error::UnknownPairing {
                            id: id.clone(),
                            known: known.clone(),
                        },
                    ));
                    continue;
                };
                let mut pairing = completed(decode_state(&json)?, |id| tx.events(id))?;
                let before = pairing.last_seq;
                let mut writer = Writer::new(tx);
                match command(i, &mut pairing, &mut writer) {
                    Ok(events) => {
                        if !events.is_empty() {
                            let group = pairing.texts_sealed_for();
                            append(writer.tx, &mut previous, &events, &group)?;
                            save(writer.tx, &pairing, update_of(before, &events))?;
                            writer.store_created(&mut previous)?;
                        }
                        stored.push(events);
                    }
                    Err(e @ Error::Engine(_)) => refused.push((i, e)),
                    Err(e) => return Err(e),
                }
            }
            if refused.is_empty() {
                Ok(())
            } else {
                Err(Error::Rows(std::mem::take(&mut refused)))
            }
        })?;
        Ok(stored)
    }

    /// Runs `command` over every running pairing matching `filter`, `batch` pairings per
    /// transaction, streaming; a refusal of one pairing is reported and skipped. After each
    /// batch `progress` hears how many were seen and may stop the command.
    pub fn update_all(
        &mut self,
        filter: &Filter,
        batch: usize,
        command: &mut PairingCommand<'_>,
        progress: &mut dyn FnMut(u64) -> std::ops::ControlFlow<()>,
    ) -> Result<BulkReport, Error> {
        let mut report = BulkReport::default();
        let mut after = 0u64;
        loop {
            let mut done = false;
            write(&mut *self.store, &mut |tx| {
                let rows = tx.active_page(filter, after, batch.max(1))?;
                done = rows.is_empty();
                let mut previous = tx.last_hash()?;
                // A batch also ends after a second, so slow scripts cannot hold the store's
                // write lock (and every other coordinator) for long.
                let started = std::time::Instant::now();
                for (n, json) in &rows {
                    if started.elapsed() > BATCH_TIME {
                        break;
                    }
                    after = *n;
                    report.seen += 1;
                    let mut pairing = with_history(decode_state(json)?, |id| tx.events(id))?;
                    let before = pairing.last_seq;
                    let mut writer = Writer::new(tx);
                    match command(&mut pairing, &mut writer) {
                        Ok(events) if events.is_empty() => {}
                        Ok(events) => {
                            let group = pairing.texts_sealed_for();
                            append(writer.tx, &mut previous, &events, &group)?;
                            save(writer.tx, &pairing, update_of(before, &events))?;
                            report.stored += events.len() as u64;
                            report.changed += 1;
                            writer.store_created(&mut previous)?;
                        }
                        Err(Error::Engine(e)) => report.refused.push((pairing.id.to_string(), *e)),
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            })?;
            if done {
                break;
            }
            if progress(report.seen).is_break() {
                report.unfinished = true;
                break;
            }
        }
        Ok(report)
    }

    /// Records the people `make` gives, under the write lock (it reads the registry as the
    /// transaction sees it, merges and checks): each entry that differs from the stored one is
    /// logged and stored; one already as given stores nothing. When not `keep` (a dry run),
    /// the report says what would change and nothing is stored.
    pub fn record_people(
        &mut self,
        at: DateTime<Utc>,
        actor: &str,
        keep: bool,
        make: &mut dyn FnMut(&mut Writer<'_>) -> Result<Vec<Person>, Error>,
    ) -> Result<PeopleReport, Error> {
        let mut report = PeopleReport::default();
        let program = mentorflow_dsl::Name::new("");
        let actor = mentorflow_dsl::Name::new(actor);
        let result = write(&mut *self.store, &mut |tx| {
            report = PeopleReport {
                dry_run: !keep,
                ..PeopleReport::default()
            };
            let people = make(&mut Writer::new(tx))?;
            let mut previous = tx.last_hash()?;
            for person in &people {
                let stored = tx.person(&person.id)?;
                let before = match &stored {
                    Some((_, json)) => Some(decode_person(&person.id, json)?),
                    None => None,
                };
                if before.as_ref() == Some(person) {
                    report.unchanged.push(person.id.clone());
                    continue;
                }
                let (seq, expected) = stored.as_ref().map_or((1, 0), |(seq, _)| (seq + 1, *seq));
                let event = Event {
                    pairing: Arc::from(crate::rules::people::subject(&person.id).as_str()),
                    seq,
                    at,
                    actor,
                    reason: None,
                    program,
                    kind: crate::model::event::EventKind::PersonRecorded {
                        person: person.clone(),
                    },
                };
                append(
                    tx,
                    &mut previous,
                    std::slice::from_ref(&event),
                    &[&person.id],
                )?;
                let state = serde_json::to_string(person)
                    .map_err(|e| StoreError::Database(e.to_string()))?;
                if !tx.put_person(&person.id, seq, &state, expected)? {
                    return Err(StoreError::Conflict(person.id.clone()).into());
                }
                report
                    .differences
                    .push((person.id.clone(), person.differences(before.as_ref())));
                match before {
                    None => report.added.push(person.id.clone()),
                    Some(_) => report.changed.push(person.id.clone()),
                }
            }
            match keep {
                true => Ok(()),
                // No refusal: an empty list of them rolls the dry run back.
                false => Err(Error::Rows(Vec::new())),
            }
        });
        match result {
            Ok(()) => Ok(report),
            Err(Error::Rows(rows)) if rows.is_empty() && !keep => Ok(report),
            Err(e) => Err(e),
        }
    }

    /// Erases `person` in one transaction, all or nothing: their key destroyed, the erasure
    /// logged under `person:ID` and in each pairing they took part in (`pairings`, each with
    /// its program), whose projection then holds nothing of theirs, and their registry entry
    /// removed. Refused when an event holds their values in clear (written before values were
    /// sealed): destroying the key would not erase those.
    pub fn erase(
        &mut self,
        person: &str,
        why: (DateTime<Utc>, &str, &str),
        pairings: &[(String, Arc<Program>)],
    ) -> Result<crate::coordinator::privacy::Erasure, Error> {
        let (at, actor, reason) = why;
        let mut erasure = None;
        write(&mut *self.store, &mut |tx| {
            let subject = crate::rules::people::subject(person);
            let (key, edits) = (tx.person_key(person)?, tx.events(&subject)?);
            let last = edits.last().map(|body| decode_event(body)).transpose()?;
            if matches!(last.map(|e| e.kind), Some(EventKind::Erased { .. })) {
                return Err(Error::AlreadyErased {
                    person: person.into(),
                });
            }
            // A pairing enrolled with them since `pairings` was read would keep their values
            // in its projection: the erasure starts again rather than miss it.
            for m in tx.memberships(person)? {
                if !pairings.iter().any(|(id, _)| *id == m.pairing) {
                    return Err(StoreError::Conflict(m.pairing).into());
                }
            }
            let (mut in_clear, mut notices) = erasure_scan(&subject, &edits, person)?;
            for (id, _) in pairings {
                let (clear, sealed) = erasure_scan(id, &tx.events(id)?, person)?;
                in_clear.extend(clear);
                notices.extend(sealed);
            }
            if !in_clear.is_empty() {
                return Err(Error::NotErasable {
                    person: person.into(),
                    events: in_clear,
                });
            }
            tx.erase_person_key(person)?;
            // Their notices can no longer be opened: nothing is left to deliver, or to keep.
            for (id, seq) in notices {
                tx.forget_notice(&id, seq)?;
            }
            let kind = EventKind::Erased {
                person: person.into(),
                key: key.as_deref().map(fingerprint).unwrap_or_default(),
            };
            let stamped = |pairing: &str, seq: u64, program: mentorflow_dsl::Name| Event {
                pairing: Arc::from(pairing),
                seq,
                at,
                actor: mentorflow_dsl::Name::new(actor),
                reason: Some(reason.to_string()),
                program,
                kind: kind.clone(),
            };
            let mut previous = tx.last_hash()?;
            let logged = stamped(
                &subject,
                edits.len() as u64 + 1,
                mentorflow_dsl::Name::new(""),
            );
            // An erasure's reason stays in clear (see `sealing::texts`): no group.
            append(tx, &mut previous, std::slice::from_ref(&logged), &[])?;
            let receipt = previous.clone();
            let registered = tx.forget_person(person)?;
            for (id, program) in pairings {
                let json = tx
                    .state(id)?
                    .ok_or_else(|| StoreError::Conflict(id.clone()))?;
                let mut pairing = decode_state_of(id, &json)?;
                let before = pairing.last_seq;
                let event = stamped(id, before + 1, pairing.program_hash);
                pairing
                    .apply(program, &event)
                    .map_err(|e| StoreError::Corrupt(format!("{id}: {e}")))?;
                append(tx, &mut previous, std::slice::from_ref(&event), &[])?;
                save(tx, &pairing, Save::Update(before))?;
            }
            erasure = Some(crate::coordinator::privacy::Erasure {
                person: person.into(),
                at,
                key: key.as_deref().map(fingerprint).unwrap_or_default(),
                pairings: pairings.iter().map(|(id, _)| id.clone()).collect(),
                registered,
                receipt,
                lingers: None,
            });
            Ok(())
        })?;
        erasure.ok_or_else(|| StoreError::Database("the erasure stored nothing".into()).into())
    }

    /// Runs `read` in a write transaction and rolls it back: a read that must see the store
    /// as a command would, under the write lock (a matching proposal reads capacity).
    pub fn inspect(
        &mut self,
        read: &mut dyn FnMut(&mut Writer<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let result = write(&mut *self.store, &mut |tx| {
            read(&mut Writer::new(tx))?;
            // No refusal: an empty list of them rolls the read back.
            Err(Error::Rows(Vec::new()))
        });
        match result {
            Ok(()) => Ok(()),
            Err(Error::Rows(rows)) if rows.is_empty() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every person of the registry, by id.
    pub fn people(&self) -> Result<Vec<Person>, Error> {
        self.store
            .people()?
            .iter()
            .map(|p| Ok(decode_person(&p.id, &p.state)?))
            .collect()
    }

    /// The current state of the pairing named `name`: its id, or the label it was imported
    /// under when that names exactly one pairing.
    pub fn pairing(&self, name: &str) -> Result<Pairing, Error> {
        let (id, json) = match self.store.state(name)? {
            Some(json) => (name.to_string(), json),
            None => {
                let id = self.labelled(name)?;
                let json = self.store.state(&id)?.ok_or_else(|| self.unknown(name))?;
                (id, json)
            }
        };
        Ok(with_history(decode_state_of(&id, &json)?, |id| {
            self.store.events(Some(id))
        })?)
    }

    /// The one pairing imported under `label`.
    fn labelled(&self, label: &str) -> Result<String, Error> {
        let mut ids = self.store.labelled(label)?;
        match ids.len() {
            0 => Err(self.unknown(label)),
            1 => Ok(ids.remove(0)),
            _ => Err(Error::AmbiguousLabel {
                label: label.to_string(),
                pairings: ids,
            }),
        }
    }

    /// Hands every pairing matching `filter` to `each`, in number order, a page at a time:
    /// memory holds one page, not the store.
    pub fn each(
        &self,
        filter: &Filter,
        each: &mut dyn FnMut(Pairing) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut after = 0;
        while let Some((last, page)) = self.list_page(filter, after, LIST_PAGE)? {
            page.into_iter().try_for_each(&mut *each)?;
            after = last;
        }
        Ok(())
    }

    /// The pairings `person` takes or took part in, in number order.
    pub fn pairings_of(&self, person: &str) -> Result<Vec<Pairing>, Error> {
        let mut theirs = Vec::new();
        self.each(&Filter::default(), &mut |p| {
            if p.has_taken_part(person) {
                theirs.push(p);
            }
            Ok(())
        })?;
        Ok(theirs)
    }

    /// Pairings matching `filter`, in number order.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Pairing>, Error> {
        let mut all = Vec::new();
        self.each(filter, &mut |p| {
            all.push(p);
            Ok(())
        })?;
        Ok(all)
    }

    /// Up to `limit` of the pairings matching `filter` numbered after `after`, in number
    /// order, with the number of the last; none past the last page.
    pub fn list_page(
        &self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Option<(u64, Vec<Pairing>)>, Error> {
        let rows = self.store.states(filter, after, limit)?;
        let Some(last) = rows.last().map(|(n, _)| *n) else {
            return Ok(None);
        };
        // Decoding is most of a listing's time: spread over the cores. The few states stored
        // before history was kept are completed from their events here, on this thread (the
        // store's connection is one).
        let decoded = crate::base::parallel::try_map(&rows, |(_, json)| decode_state(json))?;
        let page = decoded
            .into_iter()
            .map(|pairing| Ok(with_history(pairing, |id| self.store.events(Some(id)))?))
            .collect::<Result<Vec<Pairing>, Error>>()?;
        Ok(Some((last, page)))
    }

    /// The events of each of `pairings` of the `kinds` asked for, in their order (a pairing's
    /// in the order stored), with nobody's sealed values opened: what a report reads of a
    /// pairing's life (stages, times, counts) holds none.
    pub fn events_of(&self, pairings: &[&str], kinds: &[&str]) -> Result<Vec<Vec<Event>>, Error> {
        let rows = self.store.events_of(pairings, kinds)?;
        let events = crate::base::parallel::try_map(&rows, |(_, body)| decode_event(body))?;
        let mut by_pairing: std::collections::HashMap<String, Vec<Event>> =
            std::collections::HashMap::with_capacity(pairings.len());
        for ((pairing, _), event) in rows.into_iter().zip(events) {
            by_pairing.entry(pairing).or_default().push(event);
        }
        Ok(pairings
            .iter()
            .map(|id| by_pairing.remove(*id).unwrap_or_default())
            .collect())
    }

    /// Events of one pairing (which must exist), or of all, in the order they were stored.
    pub fn events(&self, pairing: Option<&str>) -> Result<Vec<Event>, Error> {
        let id = match pairing {
            // A person's edits of the registry read like a pairing's events.
            Some(name) if crate::rules::people::person_of(name).is_some() => Some(Arc::from(name)),
            Some(name) => Some(self.pairing(name)?.id),
            None => None,
        };
        let pairing = id.as_deref();
        let mut opener = crate::store::codec::Opener::new(&*self.store);
        self.store
            .events(pairing)?
            .iter()
            .enumerate()
            .map(|(i, body)| {
                // Name the damaged event: its seq within a pairing, its position in the log.
                opener.event(body).map(|(event, _)| event).map_err(|e| {
                    let StoreError::Corrupt(why) = e else {
                        return e.into();
                    };
                    let which = match pairing {
                        Some(id) => format!("{id} #{}", i + 1),
                        None => format!("the log's event {}", i + 1),
                    };
                    StoreError::Corrupt(format!("{which}: {why}")).into()
                })
            })
            .collect()
    }

    fn unknown(&self, id: &str) -> Error {
        Error::UnknownPairing {
            id: id.into(),
            known: self.store.pairing_ids().unwrap_or_default(),
        }
    }
}

/// Runs `work` in one transaction of `store`; the work's error comes back as it was given.
fn write(
    store: &mut dyn Store,
    work: &mut dyn FnMut(&mut dyn Tx) -> Result<(), Error>,
) -> Result<(), Error> {
    store
        .write(&mut |tx| work(tx).map_err(|e| Abort::Work(Box::new(e))))
        .map_err(|abort| match abort {
            Abort::Store(e) => e.into(),
            Abort::Work(e) => match e.downcast::<Error>() {
                Ok(e) => *e,
                // Only this function puts a work's error in.
                Err(_) => StoreError::Database("a unit of work failed".into()).into(),
            },
        })
}

/// What an erasure of `person` must know of `subject`'s events (stored `bodies`), read in
/// one pass: those holding their values in clear, as `SUBJECT #SEQ`; and the notices whose
/// text was sealed for a group they are one of, as (subject, seq).
type Scan = (Vec<String>, Vec<(String, u64)>);

fn erasure_scan(subject: &str, bodies: &[String], person: &str) -> Result<Scan, Error> {
    let (mut in_clear, mut notices) = (Vec::new(), Vec::new());
    for body in bodies {
        let event = decode_event(body)?;
        if crate::store::sealing::holds_in_clear(body, &event, person) {
            in_clear.push(format!("{subject} #{}", event.seq));
        }
        let notice = matches!(event.kind, EventKind::Notified { .. });
        if notice && crate::store::sealing::sealed_with(body, person) {
            notices.push((subject.to_string(), event.seq));
        }
    }
    Ok((in_clear, notices))
}

/// A key's fingerprint: the first 16 hex digits of its SHA-256, naming it without revealing it.
fn fingerprint(key: &str) -> String {
    use sha2::Digest as _;
    let digest: [u8; 32] = sha2::Sha256::digest(key.as_bytes()).into();
    mentorflow_dsl::hex(&digest[..8])
}
