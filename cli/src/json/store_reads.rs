//! `programs --json`, `verify --json` and `diff --json`: what a store holds and whether it is
//! intact.

use schemars::JsonSchema;
use serde::Serialize;

/// The stored program versions.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Programs {
    /// Every version, in the order stored.
    pub programs: Vec<ProgramVersion>,
}

/// One stored program version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgramVersion {
    /// Program id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Content hash.
    pub version: String,
    /// Pairings running on it.
    pub pairings: u64,
    /// When it was first stored (RFC 3339).
    pub stored_at: String,
    /// The file it was read from at first enrolment.
    pub path: String,
}

/// Whether the store is intact.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Verify {
    /// Whether no breach was found.
    pub ok: bool,
    /// Events checked.
    pub events: u64,
    /// The hash chain's head (the last event's hash; empty for an empty store).
    pub head: String,
    /// What is wrong, in the order found.
    pub breaches: Vec<Breach>,
}

/// One breach.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Breach {
    /// Where: an event (`p-3 #4`), a pairing, a person or the store.
    pub at: String,
    /// What is wrong, in words.
    pub problem: String,
}

/// What changed between two program versions, by meaning.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Diff {
    /// The old version's hash.
    pub old: String,
    /// The new version's hash.
    pub new: String,
    /// The changes, in the order of the program file.
    pub changes: Vec<Change>,
}

/// One change between two versions.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Change {
    /// program, stage, transition, fact, attribute, criterion or type.
    pub section: String,
    /// Which one: a stage id, `from -> to`, a fact name ...
    pub item: String,
    /// added, removed, renamed or changed.
    pub change: String,
    /// For a rename, the old name.
    pub renamed_from: Option<String>,
    /// For a change, each property that differs.
    pub properties: Vec<Property>,
    /// The change in words, as the text output says it.
    pub text: String,
}

/// A property that differs between two versions.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Property {
    /// Its name.
    pub name: String,
    /// Its old value as written (empty: it had none).
    pub old: String,
    /// Its new value as written (empty: it has none).
    pub new: String,
}

/// Recorded pairings replayed against another program version (nothing stored).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Replay {
    /// The program version replayed against.
    pub program_version: String,
    /// Each pairing replayed.
    pub pairings: Vec<Replayed>,
}

/// How one pairing's history fares under the other version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Replayed {
    /// Pairing id.
    pub pairing: String,
    /// same, different or impossible.
    pub result: String,
    /// The event where it went another way or could not go on (null when the same).
    pub at_seq: Option<u64>,
    /// For `different`: the stage it reached then, in the new version's names.
    pub was: Option<String>,
    /// For `different`: the stage the new version reaches.
    pub now: Option<String>,
    /// For `impossible`: why, in words.
    pub error: Option<String>,
}
