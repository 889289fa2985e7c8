//! What a pairing did of one schedule: the model's part of schedules (the rules are in
//! `rules/schedules.rs`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Value;
use serde::{Deserialize, Serialize};

/// What a pairing did of one schedule since its anchor (a new anchor starts afresh).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleState {
    /// The anchor the occurrences count from.
    pub anchor: DateTime<Utc>,
    /// Occurrences done (numbered from 1), with when they were done.
    pub done: BTreeMap<u32, DateTime<Utc>>,
    /// The last occurrence a tick has looked at for being missed.
    pub checked: u32,
    /// What each occurrence done recorded (`score = 4`), one entry per occurrence done, empty
    /// when it recorded nothing. A state stored before values were kept has fewer entries than
    /// `done`: [`ScheduleState::values_kept`] says so, and loading fills them from the events.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<u32, Vec<(String, Value)>>,
    /// Whose turn each occurrence was (`rotate`), as announced or done.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub turns: BTreeMap<u32, String>,
    /// The last occurrence a tick announced as coming due (`comes_due`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub announced: u32,
    /// Occurrences done whose values fell short of the schedule's `require` (`hours >= 4`):
    /// counted as missed, their values kept.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub short: std::collections::BTreeSet<u32>,
}

/// Where a pairing keeps a schedule's state: by its name, or `NAME/PERSON` for a schedule
/// kept per person (the name itself borrowed: scripts read it on every evaluation).
pub fn key<'a>(schedule: &'a str, person: Option<&str>) -> std::borrow::Cow<'a, str> {
    match person {
        Some(person) => format!("{schedule}/{person}").into(),
        None => schedule.into(),
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl ScheduleState {
    /// Whether every occurrence done has its values here (a state stored before they were
    /// kept has not).
    pub fn values_kept(&self) -> bool {
        self.done.keys().all(|k| self.values.contains_key(k))
    }
}
