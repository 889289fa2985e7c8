//! Where events and the current state of each pairing live. The CLI talks to this trait only,
//! so a server database can be added beside SQLite without touching the CLI.

use std::path::PathBuf;

use crate::error::EngineError;
use crate::event::Event;
use crate::pairing::Pairing;

/// Store failures, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store at the path.
    #[error("no store at {0}; create it with `mentorflow --store {0} init`, or pass --store with an existing store")]
    Missing(PathBuf),
    /// The path is a directory.
    #[error("{0} is a directory; --store names a store file, e.g. {0}/mentorflow.db")]
    Directory(PathBuf),
    /// The file exists but is not a mentorflow store.
    #[error("{0} is not a mentorflow store (an empty file, or another program's database); nothing was changed. Use another path, or `mentorflow --store NEW.db init`")]
    NotAStore(PathBuf),
    /// A store already exists where `init` was asked to create one.
    #[error("a store already exists at {0}; use it, or pass --store with another path")]
    Exists(PathBuf),
    /// The file is not a SQLite database.
    #[error("{0} is not a mentorflow store (not a SQLite database); check --store")]
    NotADatabase(PathBuf),
    /// The file or folder is read-only.
    #[error("the store {0} is read-only; check the file's permissions")]
    ReadOnly(PathBuf),
    /// The store was written by a newer mentorflow.
    #[error("the store has schema version {found}, newer than this mentorflow supports ({supported}); upgrade mentorflow")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest known.
        supported: i64,
    },
    /// No pairing with that id.
    #[error("no pairing `{id}`{hint}")]
    UnknownPairing {
        /// The id given.
        id: String,
        /// Did-you-mean.
        hint: String,
    },
    /// Another command changed the pairing first.
    #[error("pairing {0} was changed by another command at the same moment; nothing was applied, run the command again")]
    Conflict(String),
    /// The engine refused the command; nothing was stored.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A stored record could not be read back.
    #[error("stored data is damaged: {0}; run `mentorflow verify`")]
    Corrupt(String),
    /// Any other database error.
    #[error("store error: {0}")]
    Database(String),
}

/// A stored program version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProgramVersion {
    /// Content hash.
    pub hash: String,
    /// Program id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was read from at first enrolment.
    pub path: String,
    /// When it was first stored.
    pub stored_at: String,
    /// Pairings running on it.
    pub pairings: u64,
}

/// Filters for listing pairings; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Current stage.
    pub stage: Option<String>,
    /// Mentoring type.
    pub type_id: Option<String>,
    /// Program id.
    pub program: Option<String>,
    /// Outcome (terminal pairings only); `active` for none.
    pub outcome: Option<String>,
    /// Only pairings whose due time is before this instant (overdue).
    pub due_before: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a bulk command did.
#[derive(Debug, Clone, Default)]
pub struct BulkReport {
    /// Active pairings looked at.
    pub seen: u64,
    /// Events stored.
    pub stored: u64,
    /// Pairings whose command failed (id, error); they were left unchanged.
    pub refused: Vec<(String, String)>,
}

/// A problem `verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Breach {
    /// The first event where the chain or a projection breaks.
    pub event: String,
    /// What is wrong.
    pub problem: String,
}

/// Builds new pairings from the ids the store hands out: each pairing with its events.
pub type MakePairings<'a> =
    dyn FnMut(Vec<String>) -> Result<Vec<(Pairing, Vec<Event>)>, EngineError> + 'a;

/// Events and projections, with atomic commands.
pub trait Store {
    /// The files of a stored program version.
    fn program_sources(&self, hash: &str) -> Result<Option<Vec<(PathBuf, String)>>, StoreError>;
    /// Every stored program version with its pairing count.
    fn programs(&self) -> Result<Vec<ProgramVersion>, StoreError>;
    /// Creates pairings atomically: stores `program` (read from `path`) as a version if it is
    /// new, then `make` gets the next free ids and returns each new pairing with its events
    /// (the enrolment first; a bulk load may add more). A refusal stores nothing at all.
    fn enrol(
        &mut self,
        program: &mentorflow_dsl::Program,
        path: &str,
        count: usize,
        make: &mut MakePairings<'_>,
    ) -> Result<Vec<Pairing>, StoreError>;
    /// The current state of a pairing.
    fn pairing(&self, id: &str) -> Result<Pairing, StoreError>;
    /// Runs one command on one pairing atomically: under the write lock, `command` sees the
    /// current state and returns its events, which are stored with the new state, or nothing.
    fn update(
        &mut self,
        id: &str,
        command: &mut dyn FnMut(&mut Pairing) -> Result<Vec<Event>, EngineError>,
    ) -> Result<Vec<Event>, StoreError>;
    /// Runs `command` over every pairing matching `filter`, streaming, `batch` pairings per
    /// transaction; a refusal of one pairing is reported and skipped.
    fn update_all(
        &mut self,
        filter: &Filter,
        batch: usize,
        command: &mut dyn FnMut(&mut Pairing) -> Result<Vec<Event>, EngineError>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BulkReport, StoreError>;
    /// Pairings matching the filter, in id order.
    fn list(&self, filter: &Filter) -> Result<Vec<Pairing>, StoreError>;
    /// Events of one pairing, or of all, in the order they were stored.
    fn events(&self, pairing: Option<&str>) -> Result<Vec<Event>, StoreError>;
    /// Checks the hash chain and that each projection equals the fold of its events.
    fn verify(
        &self,
        program: &mut dyn FnMut(&str) -> Option<std::sync::Arc<mentorflow_dsl::Program>>,
    ) -> Result<(u64, Vec<Breach>), StoreError>;
}
