//! Where a migration sends old stages and facts, as a `migrated` event carries it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where old stages and facts go, and values for the new version's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Old stage id to new stage id (a stage not named keeps its id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stages: BTreeMap<String, String>,
    /// Old fact name to new fact name, or `-` to drop it (a fact not named keeps its name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
    /// Values given to facts of the new version that a pairing has not recorded, as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, String>,
}
