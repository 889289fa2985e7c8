//! Events: every change to a pairing is one, and a pairing's state is their fold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Value;
use serde::{Deserialize, Serialize};

/// A person in a pairing, with their role and attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Person id, e.g. an e-mail or staff number.
    pub id: String,
    /// Role in the type, e.g. mentor, mentee, peer.
    pub role: String,
    /// Attributes such as experience_years, department, utc_offset.
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The pairing it belongs to.
    pub pairing: std::sync::Arc<str>,
    /// Position in the pairing's history, from 1.
    pub seq: u64,
    /// When it happened (the injected clock).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: std::sync::Arc<str>,
    /// Why, when a reason was given or is required (force, withdraw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Content hash of the program version the pairing runs on (shared, not copied per event).
    pub program: std::sync::Arc<str>,
    /// What happened.
    pub kind: EventKind,
}

/// What an event did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The pairing was created in the initial stage.
    Enrolled {
        /// Program id.
        program_id: String,
        /// Mentoring type.
        type_id: String,
        /// Who takes part.
        participants: Vec<Participant>,
        /// The initial stage.
        stage: std::sync::Arc<str>,
    },
    /// Facts were set by one command, in the order given.
    FactsRecorded {
        /// Fact names and their new values.
        facts: Vec<(String, Value)>,
    },
    /// An advance took a transition whose guard held.
    Transitioned {
        /// Stage left.
        from: std::sync::Arc<str>,
        /// Stage entered.
        to: std::sync::Arc<str>,
        /// Number of the transition in the program file, from 1 (as `show` prints it).
        transition: usize,
    },
    /// A coordinator moved the pairing without its guard.
    Forced {
        /// Stage left.
        from: std::sync::Arc<str>,
        /// Stage entered.
        to: std::sync::Arc<str>,
    },
    /// The pairing was withdrawn.
    Withdrawn {
        /// Stage left.
        from: std::sync::Arc<str>,
        /// The withdrawn stage entered.
        to: std::sync::Arc<str>,
        /// Number of the transition in the program file, from 1.
        transition: usize,
    },
    /// A timer transition fired on tick.
    TimedOut {
        /// Stage left.
        from: std::sync::Arc<str>,
        /// Stage entered.
        to: std::sync::Arc<str>,
        /// Number of the transition in the program file, from 1.
        transition: usize,
    },
    /// A tick found the pairing past its stage's due time (logged once per stage entry).
    BecameOverdue {
        /// The stage.
        stage: std::sync::Arc<str>,
        /// When it was due.
        due: DateTime<Utc>,
    },
}

impl EventKind {
    /// The stage change this event makes, if any.
    pub fn move_(&self) -> Option<(&std::sync::Arc<str>, &std::sync::Arc<str>)> {
        match self {
            EventKind::Transitioned { from, to, .. }
            | EventKind::Forced { from, to }
            | EventKind::Withdrawn { from, to, .. }
            | EventKind::TimedOut { from, to, .. } => Some((from, to)),
            _ => None,
        }
    }

    /// Short name: enrolled, facts_recorded, transitioned ...
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Enrolled { .. } => "enrolled",
            EventKind::FactsRecorded { .. } => "facts_recorded",
            EventKind::Transitioned { .. } => "transitioned",
            EventKind::Forced { .. } => "forced",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::TimedOut { .. } => "timed_out",
            EventKind::BecameOverdue { .. } => "became_overdue",
        }
    }
}

/// `s` with control characters escaped, so a value cannot forge extra lines in a log.
fn printable(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

impl std::fmt::Display for Event {
    /// One line: `#seq time pairing actor: what (reason)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{} {} {} by {}: ",
            self.seq,
            self.at.format("%Y-%m-%d %H:%M"),
            self.pairing,
            printable(&self.actor)
        )?;
        match &self.kind {
            EventKind::Enrolled {
                program_id,
                type_id,
                participants,
                stage,
            } => {
                let who: Vec<String> = participants
                    .iter()
                    .map(|p| format!("{} ({})", printable(&p.id), printable(&p.role)))
                    .collect();
                write!(
                    f,
                    "enrolled in {program_id} as {type_id}, starting in {stage}: {}",
                    who.join(", ")
                )?
            }
            EventKind::FactsRecorded { facts } => {
                let shown: Vec<String> = facts.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                write!(f, "recorded {}", shown.join(", "))?
            }
            EventKind::Transitioned {
                from,
                to,
                transition,
            } => write!(f, "{from} -> {to} (transition {transition})")?,
            EventKind::Forced { from, to } => write!(f, "{from} -> {to} FORCED")?,
            EventKind::Withdrawn { from, to, .. } => write!(f, "{from} -> {to} (withdraw)")?,
            EventKind::TimedOut {
                from,
                to,
                transition,
            } => write!(f, "{from} -> {to} timed out (transition {transition})")?,
            EventKind::BecameOverdue { stage, due } => write!(
                f,
                "overdue in {stage} (was due {})",
                due.format("%Y-%m-%d %H:%M")
            )?,
        }
        if let Some(reason) = &self.reason {
            write!(f, " — reason: {}", printable(reason))?;
        }
        Ok(())
    }
}
