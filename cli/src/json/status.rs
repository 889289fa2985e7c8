//! `status --json` (the board, or one pairing) and `list --json`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::pairing::Pairing;

/// The board: pairings per program, stage (in stage order) and type.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Board {
    /// The time it was read at.
    pub now: DateTime<Utc>,
    /// Pairings in the store.
    pub pairings: u64,
    /// One row per program, stage and type that has pairings.
    pub rows: Vec<BoardRow>,
}

/// One row of the board.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardRow {
    /// Program id.
    pub program: String,
    /// Stage id.
    pub stage: String,
    /// Mentoring type.
    pub r#type: String,
    /// Pairings in the stage.
    pub pairings: u64,
    /// Of which overdue.
    pub overdue: u64,
    /// Of which running and unable to advance now.
    pub blocked: u64,
    /// What most of the waiting ones wait on, and how many; null when none wait.
    pub waiting_on: Option<Waiting>,
    /// Ended pairings per reason code.
    pub reasons: std::collections::BTreeMap<String, u64>,
}

/// A guard part and how many pairings wait on it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Waiting {
    /// The guard part that does not hold.
    pub part: String,
    /// Pairings waiting on it.
    pub pairings: u64,
}

/// One pairing in detail, and what it needs to move on.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Status {
    /// The pairing.
    pub pairing: Pairing,
    /// Whether it is past its stage's due time.
    pub overdue: bool,
    /// The reason it ended with, when it ended with one.
    pub ended_because: Option<String>,
    /// What it waits on, in words (empty once ended).
    pub waiting_on: String,
    /// How it is doing, while running (absent once ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<super::health::Health>,
    /// The transitions `advance` could take from its stage.
    pub next: Vec<Next>,
    /// The timers leaving its stage, soonest first.
    pub timers: Vec<Timer>,
    /// How each schedule stands.
    pub schedules: Vec<Schedule>,
    /// The program file its version was read from.
    pub program_file: String,
    /// The version that file holds now (null when it cannot be read).
    pub program_file_version: Option<String>,
}

/// A transition out of the current stage.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Next {
    /// Its number in the program.
    pub transition: usize,
    /// Its label, or `from -> to`.
    pub name: String,
    /// The stage it leads to.
    pub to: String,
    /// Whether `advance` would take it now.
    pub can_be_taken: bool,
}

/// A timer leaving the stage.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Timer {
    /// Its transition's number.
    pub transition: usize,
    /// The stage it moves to.
    pub to: String,
    /// What it counts, as written (`after 30d`, `idle 60d` ...).
    pub timer: String,
    /// When it fires; null while it cannot.
    pub fires: Option<DateTime<Utc>>,
    /// Whether a tick warned of it.
    pub warned: bool,
}

/// A schedule as it stands for the pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Schedule {
    /// Its name.
    pub schedule: String,
    /// Its cadence, as written.
    pub cadence: String,
    /// Occurrences done.
    pub done: u32,
    /// Of those, on time.
    pub on_time: u32,
    /// Missed.
    pub missed: u32,
    /// Due so far.
    pub due: u32,
    /// When the latest was done.
    pub last_done: Option<DateTime<Utc>>,
    /// When the next open one is due.
    pub next_due: Option<DateTime<Utc>>,
    /// Whose turn that one is (a schedule that rotates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn: Option<String>,
}

/// `list --json`: the pairings selected.
#[derive(Debug, Serialize, JsonSchema)]
pub struct List {
    /// The pairings, each with where it stands.
    pub pairings: Vec<Listed>,
}

/// A listed pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Listed {
    /// The pairing.
    #[serde(flatten)]
    pub pairing: Pairing,
    /// Whether it is overdue.
    pub overdue: bool,
    /// What it waits on, in words (empty once ended).
    pub waiting_on: String,
    /// How it is doing, while running (absent once ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<super::health::Health>,
}

/// `export --what pairings --format json`: every pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Pairings {
    /// The pairings, by id.
    pub pairings: Vec<Pairing>,
}
