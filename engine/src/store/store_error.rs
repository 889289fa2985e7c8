//! The store layer's errors: what happened to the data's home, and why a copy was refused.

use crate::store::location::Location;

/// Store failures: what happened to the data's home, not what a command decided.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The location's backend is not built into this mentorflow.
    #[error("this mentorflow was built without the {0} store; build it with `cargo build --features {1}`")]
    NotBuiltIn(&'static str, &'static str),
    /// No store at the location.
    #[error("no store at {0}")]
    Missing(Location),
    /// The location is a directory.
    #[error("{0} is a directory")]
    Directory(Location),
    /// Something is there, but not a mentorflow store (left untouched).
    #[error("{0} is not a mentorflow store")]
    NotAStore(Location),
    /// A store already exists where one was to be created.
    #[error("a store already exists at {0}")]
    Exists(Location),
    /// Another command held the store's write lock for the whole wait; nothing was applied.
    #[error("the store {0} stayed busy for {1:?}")]
    Busy(Location, std::time::Duration),
    /// The store cannot be created there (a missing or read-only folder).
    #[error("cannot create a store at {0}")]
    CannotCreate(Location),
    /// The database server cannot be reached or refused the connection.
    #[error("cannot connect to {0}: {1}")]
    Unreachable(Location, String),
    /// The file is not a database at all.
    #[error("{0} is not a database")]
    NotADatabase(Location),
    /// The store cannot be written.
    #[error("the store {0} is read-only")]
    ReadOnly(Location),
    /// The store was written by a newer mentorflow.
    #[error("the store has schema version {found}, newer than {supported}")]
    TooNew {
        /// Version in the store.
        found: i64,
        /// Newest this version knows.
        supported: i64,
    },
    /// Another command changed the pairing first; nothing was applied.
    #[error("pairing {0} was changed by another command at the same moment")]
    Conflict(String),
    /// A stored record could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// Any other database error, in the database's words.
    #[error("store error: {0}")]
    Database(String),
}

/// Why a store copy was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyProblem {
    /// The source and the destination are the same store.
    SameStore(Location),
    /// The source does not verify.
    SourceDamaged {
        /// The source.
        from: Location,
        /// Problems verify found.
        breaches: usize,
    },
    /// The copy does not verify.
    CopyDamaged {
        /// The destination.
        to: Location,
        /// Problems verify found.
        breaches: usize,
        /// Events in the copy.
        events: u64,
        /// Events in the source.
        expected: u64,
    },
}

/// Why a store copy failed: the store, or a refusal with why.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CopyError {
    /// A store failed or is not usable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The copy was refused.
    #[error("store copy refused: {0:?}")]
    Refused(CopyProblem),
}
