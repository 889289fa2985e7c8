//! The store layer (may import base and model; the ledger also the rules it checks a
//! people file with, for now): the seam every backend implements, where a store lives, the
//! SQLite and PostgreSQL adapters, the codec and chain writer (ledger), verify and copy.
//!
//! The store seam: where events, pairing states and program versions live. An adapter (SQLite
//! today) implements [`Store`] and [`Tx`] with its own queries and nothing else; what events
//! mean, the hash chain, pairing ids and verification are store-neutral and live in
//! [`crate::coordinator::ledger`], so every adapter behaves the same (the conformance suite checks it).

pub mod codec;
pub(crate) mod copy;
pub(crate) mod location;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "postgres")]
mod postgres_reading;
pub(crate) mod sealing;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_reading;
pub(crate) mod store_error;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod store_sql;
pub(crate) mod subjects;
pub(crate) mod verify;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::store::location::{Location, LocationError};
pub use crate::store::store_error::StoreError;

/// A stored program version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgramVersion {
    /// Content hash.
    pub hash: String,
    /// Program id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was read from at first enrolment.
    pub path: String,
    /// When it was first stored (stored form, see [`crate::store::codec::stamp`]).
    pub stored_at: String,
    /// Pairings running on it.
    pub pairings: u64,
}

/// Which outcomes to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeFilter {
    /// Pairings still running (no outcome yet).
    Active,
    /// Pairings that ended with this outcome.
    Is(String),
}

impl OutcomeFilter {
    /// An outcome as people write it: `active` for running pairings, else the outcome.
    pub fn parse(text: &str) -> OutcomeFilter {
        match text {
            "active" => OutcomeFilter::Active,
            other => OutcomeFilter::Is(other.into()),
        }
    }
}

/// Filters for listing pairings; `None` means any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Current stage.
    pub stage: Option<String>,
    /// Mentoring type.
    pub type_id: Option<String>,
    /// Program id.
    pub program: Option<String>,
    /// Outcome.
    pub outcome: Option<OutcomeFilter>,
    /// Only running pairings whose due time is before this instant (overdue).
    pub due_before: Option<DateTime<Utc>>,
}

/// A program version as written: its files as JSON.
#[derive(Debug, Clone, Copy)]
pub struct ProgramRow<'a> {
    /// Content hash.
    pub hash: &'a str,
    /// Program id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Where it was read from.
    pub path: &'a str,
    /// Its files, encoded by the ledger.
    pub sources: &'a str,
    /// When (stored form).
    pub stored_at: &'a str,
}

/// An event as written: its body and chain hash made by the ledger.
#[derive(Debug, Clone, Copy)]
pub struct EventRow<'a> {
    /// Pairing id.
    pub pairing: &'a str,
    /// Position in the pairing's history.
    pub seq: u64,
    /// Kind name, for queries.
    pub kind: &'a str,
    /// The event, encoded.
    pub body: &'a str,
    /// The chain hash after this event.
    pub hash: &'a str,
}

/// A pairing's projection as written: the columns queries filter on, and its whole state.
#[derive(Debug, Clone, Copy)]
pub struct PairingRow<'a> {
    /// Pairing id.
    pub id: &'a str,
    /// Program version.
    pub program_hash: &'a str,
    /// Program id.
    pub program_id: &'a str,
    /// Type.
    pub type_id: &'a str,
    /// Current stage.
    pub stage: &'a str,
    /// Outcome, once terminal.
    pub outcome: Option<&'a str>,
    /// Due time (stored form).
    pub due: Option<&'a str>,
    /// Sequence number of its last event.
    pub last_seq: u64,
    /// The state, encoded by the ledger.
    pub state: &'a str,
    /// The label it was imported under, another name for it.
    pub label: Option<&'a str>,
    /// Who takes part (person, role), when that is new or changed: the adapter keeps an
    /// index of it for the rules across pairings. `None`: unchanged.
    pub members: Option<&'a [(&'a str, &'a str)]>,
}

/// A running pairing a person takes part in, as the rules across pairings see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The pairing.
    pub pairing: String,
    /// Its program id.
    pub program_id: String,
    /// The person's role in it.
    pub role: String,
    /// How many people take part in it.
    pub members: u32,
}

/// A stored event read back for verification or a copy.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Storage position (increasing).
    pub row: i64,
    /// Pairing id column.
    pub pairing: String,
    /// Seq column.
    pub seq: i64,
    /// Kind column.
    pub kind: String,
    /// The encoded event.
    pub body: String,
    /// The chain hash column.
    pub hash: String,
}

/// A stored projection read back for verification.
#[derive(Debug, Clone)]
pub struct StoredPairing {
    /// Pairing id.
    pub id: String,
    /// Its number (order of enrolment).
    pub number: u64,
    /// Program version column.
    pub program_hash: String,
    /// Stage column.
    pub stage: String,
    /// Outcome column.
    pub outcome: Option<String>,
    /// Due column.
    pub due: Option<String>,
    /// The encoded state.
    pub state: String,
}

/// The whole store read from one consistent snapshot, a page at a time, so a store of any
/// size is read in bounded memory. Each method returns the next page of its own stream (empty
/// once the stream is done); the streams are independent, so a reader merges them as it needs.
/// Orders are by byte order of the text columns (what Rust's `str` order is), on every backend.
pub trait Reading {
    /// Events in storage order.
    fn events_in_order(&mut self) -> Result<Vec<StoredEvent>, StoreError>;
    /// Events by pairing column (a pairing, or a person's `person:ID`), then seq.
    fn events_by_subject(&mut self) -> Result<Vec<StoredEvent>, StoreError>;
    /// The hash of the event stored last ("" for an empty store): the chain head.
    fn head(&mut self) -> Result<String, StoreError>;
    /// Pairing projections, by id.
    fn pairings(&mut self) -> Result<Vec<StoredPairing>, StoreError>;
    /// The people of the registry, by id.
    fn people(&mut self) -> Result<Vec<StoredPerson>, StoreError>;
    /// The members index the rules across pairings read: (pairing, person, role), by pairing
    /// then person.
    fn members(&mut self) -> Result<Vec<(String, String, String)>, StoreError>;
    /// The outbox by the pairing and seq of each notification's event.
    fn outbox_by_subject(&mut self) -> Result<Vec<OutboxRow>, StoreError>;
    /// The outbox in queue order.
    fn outbox_in_order(&mut self) -> Result<Vec<OutboxRow>, StoreError>;
    /// Every person's key (encoded), by person: one per person whose values were sealed
    /// and not erased, so the whole list at once.
    fn person_keys(&mut self) -> Result<Vec<(String, String)>, StoreError>;
    /// The keys (encoded) of those of `people` who have one, in one query: what a batch of
    /// subjects needs to open its events, so a reader holds a batch's keys, not everyone's.
    fn keys_of(&mut self, people: &[String]) -> Result<Vec<(String, String)>, StoreError>;
}

/// Every row of one stream of `reading` (`next_page` asks for its next page), a page at a
/// time, to `each`; the first error stops.
pub fn each_row<T>(
    reading: &mut dyn Reading,
    mut next_page: impl FnMut(&mut dyn Reading) -> Result<Vec<T>, StoreError>,
    mut each: impl FnMut(T) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    loop {
        let page = next_page(reading)?;
        if page.is_empty() {
            return Ok(());
        }
        for row in page {
            each(row)?;
        }
    }
}

/// How many rows a page of a [`Reading`] holds. Debug builds (what the tests run) page in
/// small, odd-sized pages, so every test store crosses page boundaries where they fall.
pub const PAGE: usize = if cfg!(debug_assertions) { 7 } else { 4096 };

/// A notification in the outbox: queued with its `notified` event, in the same transaction,
/// until a deliverer hands it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Its place in the outbox (queue order); 0 when queuing, the store numbers it.
    pub id: u64,
    /// The pairing the `notified` event belongs to.
    pub pairing: String,
    /// That event's seq.
    pub seq: u64,
    /// When it was queued (stored form).
    pub queued_at: String,
    /// When it was delivered; `None` while pending.
    pub delivered_at: Option<String>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Until when a deliverer holds it (stored form); `None` when nobody does.
    pub claimed_until: Option<String>,
}

/// A person of the registry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPerson {
    /// Person id.
    pub id: String,
    /// Sequence number of the last edit.
    pub last_seq: u64,
    /// The encoded person.
    pub state: String,
}

/// A stored program version with its files, as read back to copy a store.
#[derive(Debug, Clone)]
pub struct StoredProgram {
    /// Content hash.
    pub hash: String,
    /// Program id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was read from.
    pub path: String,
    /// Its files, encoded by the ledger.
    pub sources: String,
    /// When it was first stored (stored form).
    pub stored_at: String,
}

/// What a command can read and write inside one atomic transaction, under the store's write
/// lock: two commands never both decide from the same state.
pub trait Tx {
    /// The encoded state of pairing `id`.
    fn state(&mut self, id: &str) -> Result<Option<String>, StoreError>;
    /// The encoded events of pairing `id`, in order.
    fn events(&mut self, id: &str) -> Result<Vec<String>, StoreError>;
    /// Up to `limit` running pairings matching `filter` numbered above `after`, in number
    /// order: (number, encoded state).
    fn active_page(
        &mut self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError>;
    /// The running pairings `person` takes part in, in number order.
    fn memberships(&mut self, person: &str) -> Result<Vec<Membership>, StoreError>;
    /// The registry's person `id`: last seq and encoded state.
    fn person(&mut self, id: &str) -> Result<Option<(u64, String)>, StoreError>;
    /// Whether the registry has anyone at all.
    fn has_people(&mut self) -> Result<bool, StoreError>;
    /// Stores person `id` (new when `expected_seq` is 0) if their stored last seq is still
    /// `expected_seq`; returns false (and changes nothing) when it is not.
    fn put_person(
        &mut self,
        id: &str,
        last_seq: u64,
        state: &str,
        expected_seq: u64,
    ) -> Result<bool, StoreError>;
    /// One more than the highest pairing number stored (1 for an empty store).
    fn next_number(&mut self) -> Result<u64, StoreError>;
    /// Stores a program version unless its hash is stored already.
    fn add_program(&mut self, program: &ProgramRow<'_>) -> Result<(), StoreError>;
    /// The chain hash of the last event stored ("" when there is none).
    fn last_hash(&mut self) -> Result<String, StoreError>;
    /// Appends one event.
    fn append(&mut self, event: &EventRow<'_>) -> Result<(), StoreError>;
    /// Queues a notification (a `notified` event appended in this transaction), or copies an
    /// outbox row with its delivery state.
    fn queue(&mut self, row: &OutboxRow) -> Result<(), StoreError>;
    /// Stores a new pairing with its number.
    fn insert_pairing(&mut self, number: u64, pairing: &PairingRow<'_>) -> Result<(), StoreError>;
    /// Replaces a pairing's projection if its stored `last_seq` is still `expected_seq`;
    /// returns false (and changes nothing) when it is not.
    fn update_pairing(
        &mut self,
        pairing: &PairingRow<'_>,
        expected_seq: u64,
    ) -> Result<bool, StoreError>;
    /// The key (encoded) `person`'s personal values are sealed with; none when they have
    /// none yet, or it was destroyed.
    fn person_key(&mut self, person: &str) -> Result<Option<String>, StoreError>;
    /// Keeps `person`'s new key.
    fn add_person_key(&mut self, person: &str, key: &str) -> Result<(), StoreError>;
    /// Destroys `person`'s key; whether they had one.
    fn erase_person_key(&mut self, person: &str) -> Result<bool, StoreError>;
    /// Removes person `id` from the registry (erased); whether they were in it.
    fn forget_person(&mut self, id: &str) -> Result<bool, StoreError>;
    /// Takes the notice logged as `pairing` #`seq` out of the outbox, delivered or not: its
    /// text was sealed for someone now erased, so there is nothing left to deliver or keep.
    fn forget_notice(&mut self, pairing: &str, seq: u64) -> Result<(), StoreError>;
}

/// One atomic unit of work: it commits when it returns `Ok`, and leaves nothing behind when it
/// returns an error.
pub type Work<'a> = dyn FnMut(&mut dyn Tx) -> Result<(), Abort> + 'a;

/// Why a unit of work did not commit: the store failed, or the work gave up with an error of
/// its caller's, carried back untouched (the store layer names no caller's error type).
pub enum Abort {
    /// The store failed.
    Store(StoreError),
    /// The work's own error.
    Work(Box<dyn std::any::Any>),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Abort {
        Abort::Store(e)
    }
}

impl std::fmt::Debug for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Abort::Store(e) => write!(f, "Abort::Store({e:?})"),
            Abort::Work(_) => f.write_str("Abort::Work(..)"),
        }
    }
}

/// How long a write waits for another command holding the store, unless told otherwise.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Events and projections, with atomic commands.
pub trait Store {
    /// Runs `work` in one write transaction.
    fn write(&mut self, work: &mut Work<'_>) -> Result<(), Abort>;
    /// How long `write` waits for another command holding the store before it gives up with
    /// [`StoreError::Busy`].
    fn set_lock_wait(&mut self, wait: Duration) -> Result<(), StoreError>;
    /// After keys were destroyed (`people erase`): rewrites what of the store's own files may
    /// still hold them, where the database allows. SQLite copies its write-ahead log into the
    /// database (whose deleted pages were overwritten) and empties it; PostgreSQL rewrites the
    /// key table (`VACUUM FULL`). An error says why an old copy may remain, until the next
    /// checkpoint or vacuum; the erasure itself stands.
    fn shred(&mut self) -> Result<(), StoreError>;
    /// The encoded state of pairing `id`.
    fn state(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Every person of the registry, by id.
    fn people(&self) -> Result<Vec<StoredPerson>, StoreError>;
    /// The key (encoded) `person`'s personal values are sealed with, if they have one.
    fn person_key(&self, person: &str) -> Result<Option<String>, StoreError>;
    /// The ids of the pairings imported under `label`, in number order.
    fn labelled(&self, label: &str) -> Result<Vec<String>, StoreError>;
    /// Every pairing id, in number order.
    fn pairing_ids(&self) -> Result<Vec<String>, StoreError>;
    /// Up to `limit` pairings matching `filter` numbered after `after`, in number order: each
    /// number with its encoded state (a page; the next starts after its last number).
    fn states(
        &self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError>;
    /// The encoded events of each of `pairings` whose kind column is one of `kinds`, by
    /// pairing then seq: (pairing, body).
    fn events_of(
        &self,
        pairings: &[&str],
        kinds: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Encoded events of one pairing, or of all, in storage order.
    fn events(&self, pairing: Option<&str>) -> Result<Vec<String>, StoreError>;
    /// The encoded files of a stored program version.
    fn program_sources(&self, hash: &str) -> Result<Option<String>, StoreError>;
    /// Every stored program version with its pairing count, by id, time stored and hash.
    fn programs(&self) -> Result<Vec<ProgramVersion>, StoreError>;
    /// Every stored program version with its files, in the order they were stored.
    fn program_rows(&self) -> Result<Vec<StoredProgram>, StoreError>;
    /// Runs `read` over one consistent snapshot of the whole store, even while others write.
    fn read(
        &self,
        read: &mut dyn FnMut(&mut dyn Reading) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// The outbox in queue order (only pending notifications unless `all`), each with its
    /// `notified` event as stored.
    fn outbox(&self, all: bool) -> Result<Vec<(OutboxRow, String)>, StoreError>;
    /// Up to `limit` pending notifications after outbox id `after`, in queue order, each
    /// with its `notified` event as stored: a deliverer pages through the backlog.
    fn pending(&self, after: u64, limit: usize) -> Result<Vec<(OutboxRow, String)>, StoreError>;
    /// How many notifications are pending.
    fn pending_count(&self) -> Result<u64, StoreError>;
    /// How many pairings are running (what a bulk command goes through).
    fn running_count(&self) -> Result<u64, StoreError>;
    /// Claims pending notification `id` for a delivery until `until` under `token`, unless
    /// another deliverer holds it (a claim not yet expired at `now`) or it was delivered;
    /// whether it was claimed. Times are stamped to the millisecond ([`crate::store::codec::stamp_ms`]).
    fn claim(&mut self, id: u64, now: &str, until: &str, token: &str) -> Result<bool, StoreError>;
    /// Records a delivery attempt of notification `id` at `now`, if the claim `token` still
    /// holds it: delivered when `error` is `None`, else left pending with the error; the
    /// claim is released. A deliverer whose claim expired and was taken over changes nothing
    /// (fencing): whether the attempt was recorded.
    fn attempted(
        &mut self,
        id: u64,
        token: &str,
        now: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;
}

/// The store at `location`, created (refusing an existing one) or opened: the one place that
/// chooses a backend (the coordinator and copy name none).
pub fn open(location: &Location, create: bool) -> Result<Box<dyn Store>, StoreError> {
    match location {
        Location::File(path) => open_sqlite(path, create),
        Location::Postgres(_) => open_postgres(location, create),
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &std::path::Path, create: bool) -> Result<Box<dyn Store>, StoreError> {
    use self::sqlite::{Durability, SqliteStore};
    Ok(match create {
        true => Box::new(SqliteStore::create(path)?),
        false => Box::new(SqliteStore::open(path, Durability::Full)?),
    })
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_: &std::path::Path, _: bool) -> Result<Box<dyn Store>, StoreError> {
    Err(StoreError::NotBuiltIn("SQLite", "sqlite"))
}

#[cfg(feature = "postgres")]
fn open_postgres(location: &Location, create: bool) -> Result<Box<dyn Store>, StoreError> {
    use self::postgres::PostgresStore;
    Ok(match create {
        true => Box::new(PostgresStore::create(location)?),
        false => Box::new(PostgresStore::open(location)?),
    })
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_: &Location, _: bool) -> Result<Box<dyn Store>, StoreError> {
    Err(StoreError::NotBuiltIn("PostgreSQL", "postgres"))
}

/// A new, empty store in memory (SQLite's), gone when dropped: what scenarios run on.
pub fn in_memory() -> Result<Box<dyn Store>, StoreError> {
    #[cfg(feature = "sqlite")]
    return Ok(Box::new(self::sqlite::SqliteStore::in_memory()?));
    #[cfg(not(feature = "sqlite"))]
    Err(StoreError::NotBuiltIn("SQLite", "sqlite"))
}
