//! What a pairing did of one schedule: the model's part of schedules (the rules are in
//! `rules/schedules.rs`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
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
}
