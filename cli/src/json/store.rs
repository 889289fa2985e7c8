//! `init --json`, `store copy --json` and `people import --json`: what happened to a store.

use schemars::JsonSchema;
use serde::Serialize;

/// A store created.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Store {
    /// Where it is (a PostgreSQL password shown as `***`).
    pub store: String,
}

/// A whole store copied, and the copy verified.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Copy {
    /// The store copied from.
    pub from: String,
    /// The store copied to.
    pub to: String,
    /// Program versions copied.
    pub programs: u64,
    /// Events copied.
    pub events: u64,
    /// Pairings copied.
    pub pairings: u64,
    /// The copy's hash chain head after verification.
    pub head: Option<String>,
}

/// People imported into the registry.
#[derive(Debug, Serialize, JsonSchema)]
pub struct People {
    /// Ids new to the registry.
    pub added: Vec<String>,
    /// Ids whose entry changed.
    pub changed: Vec<String>,
    /// Ids already as given (nothing stored for them).
    pub unchanged: Vec<String>,
}
