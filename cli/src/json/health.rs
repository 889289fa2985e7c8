//! A running pairing's health in JSON: its state and each reason, with the fields a script
//! keys on and the same words `status` prints.

use chrono::{DateTime, Utc};
use mentorflow_engine::{HealthReason, HealthState};
use schemars::JsonSchema;
use serde::Serialize;

/// How a running pairing is doing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// `at_risk`, `needs_check_in` or `on_track`.
    pub state: State,
    /// Why, worst first (empty: on track).
    pub reasons: Vec<Reason>,
}

/// A health state.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Call now.
    AtRisk,
    /// Worth a call.
    NeedsCheckIn,
    /// Moving, or waiting for the calendar.
    OnTrack,
}

/// Why a pairing is not on track: what, and the words `status` prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Reason {
    /// What it is, with its details.
    #[serde(flatten)]
    pub kind: Kind,
    /// In words.
    pub words: String,
}

/// The kinds of reason.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// Its stage is past its due time.
    Overdue {
        /// The stage.
        stage: String,
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// Occurrences of a schedule were missed.
    Missed {
        /// The schedule.
        schedule: String,
        /// How many.
        missed: u32,
        /// Which: each occurrence's number (from 1) and when it was due.
        occurrences: Vec<Occurrence>,
        /// Whose they were (a schedule kept per person).
        #[serde(skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// Nothing was recorded for a while.
    Idle {
        /// Days since the latest activity.
        days: i64,
    },
    /// A guard's script fails to run.
    ScriptFails {
        /// The transition's number.
        transition: usize,
        /// The part that fails.
        part: String,
    },
    /// A tick warned that a timer will move it.
    Warned {
        /// The timer's transition.
        transition: usize,
        /// When it fires.
        fires: DateTime<Utc>,
    },
}

/// One occurrence of a schedule.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Occurrence {
    /// Its number, from 1.
    pub number: u32,
    /// When it was due.
    pub due: DateTime<Utc>,
}

impl From<&mentorflow_engine::Health> for Health {
    fn from(h: &mentorflow_engine::Health) -> Health {
        Health {
            state: match h.state {
                HealthState::AtRisk => State::AtRisk,
                HealthState::NeedsCheckIn => State::NeedsCheckIn,
                HealthState::OnTrack => State::OnTrack,
            },
            reasons: h.reasons.iter().map(reason).collect(),
        }
    }
}

fn reason(r: &HealthReason) -> Reason {
    let kind = match r {
        HealthReason::Overdue { stage, due } => Kind::Overdue {
            stage: stage.clone(),
            due: *due,
        },
        HealthReason::Missed {
            schedule,
            missed,
            occurrences,
            person,
        } => Kind::Missed {
            person: person.clone(),
            schedule: schedule.clone(),
            missed: *missed,
            occurrences: occurrences
                .iter()
                .map(|(number, due)| Occurrence {
                    number: *number,
                    due: *due,
                })
                .collect(),
        },
        HealthReason::Idle { days } => Kind::Idle { days: *days },
        HealthReason::ScriptFails { transition, part } => Kind::ScriptFails {
            transition: *transition,
            part: part.clone(),
        },
        HealthReason::Warned { transition, fires } => Kind::Warned {
            transition: *transition,
            fires: *fires,
        },
    };
    Reason {
        kind,
        words: crate::render::health_reason(r),
    }
}
