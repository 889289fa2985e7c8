//! The facade's error: every failure a command can end in, whatever layer it comes from. The
//! layers' own errors are re-exported here, by the path they always had.

pub use crate::rules::engine_error::{Command, EngineError, Refusal};
pub use crate::store::store_error::{CopyError, CopyProblem, StoreError};

/// What a [`crate::Coordinator`] command can fail with: the store, the engine's decision, or
/// a name the store does not know.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The store failed or is not usable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused the command; nothing was stored.
    #[error(transparent)]
    Engine(Box<EngineError>),
    /// No pairing with that id.
    #[error("no pairing `{id}`")]
    UnknownPairing {
        /// The id given.
        id: String,
        /// Every stored pairing id.
        known: Vec<String>,
    },
    /// Matching could not run.
    #[error("{0}")]
    Match(Box<crate::decide::matching::MatchError>),
    /// No person with that id in the registry.
    #[error("no person `{id}` in the registry")]
    UnknownPerson {
        /// The id given.
        id: String,
        /// Every registered id.
        known: Vec<String>,
    },
    /// Nothing is stored about that id: no registry entry, no pairing, no history (what
    /// `people export` and `people erase` look through).
    #[error("nothing is stored about `{id}`")]
    NothingStored {
        /// The id given.
        id: String,
        /// Every registered id.
        known: Vec<String>,
    },
    /// A person whose values some events hold in clear (written before values were
    /// sealed): destroying their key would not erase them, so nothing was erased.
    #[error("{person}'s values are in {} event(s) written before values were sealed", events.len())]
    NotErasable {
        /// The person.
        person: String,
        /// The events, as `PAIRING #SEQ`.
        events: Vec<String>,
    },
    /// A person erased already.
    #[error("{person} was erased already")]
    AlreadyErased {
        /// The person.
        person: String,
    },
    /// A label that several pairings were imported under.
    #[error("label `{label}` names {} pairings", pairings.len())]
    AmbiguousLabel {
        /// The label given.
        label: String,
        /// The pairings it names, in number order.
        pairings: Vec<String>,
    },
    /// A list filter value that no stored program knows (it would list nothing, silently).
    #[error("no stored program has {what} `{value}`")]
    UnknownFilter {
        /// stage, type, program or outcome.
        what: &'static str,
        /// The value given.
        value: String,
        /// Every value stored programs know, sorted.
        known: Vec<String>,
    },
    /// Some rows of a bulk command were refused; nothing was stored. Each with its position.
    #[error("{} row(s) refused", .0.len())]
    Rows(Vec<(usize, Error)>),
    /// A fact the pairing's program version does not declare, though the program's file does
    /// today: the pairing stays on the version it was enrolled with.
    #[error("pairing {pairing} runs on a version that declares no fact `{fact}`")]
    Pinned {
        /// Pairing id.
        pairing: String,
        /// The fact.
        fact: String,
        /// The version the pairing runs on.
        version: String,
        /// The program file.
        file: String,
        /// The version the file holds today.
        file_version: String,
    },
    /// A store copy was refused or did not verify.
    #[error("store copy refused: {0:?}")]
    CopyRefused(CopyProblem),
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Error {
        Error::Engine(Box::new(e))
    }
}

impl From<CopyError> for Error {
    fn from(e: CopyError) -> Error {
        match e {
            CopyError::Store(e) => Error::Store(e),
            CopyError::Refused(p) => Error::CopyRefused(p),
        }
    }
}
