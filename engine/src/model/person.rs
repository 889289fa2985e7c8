//! A person of the people registry, as events carry them and the registry stores them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A person of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Person id, as rosters and enrolments name them.
    pub id: String,
    /// Full name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Their manager's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Attributes as written (typed by each program's declarations when they enrol).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}
