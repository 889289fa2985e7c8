//! Events: every change to a pairing is one, and a pairing's state is their fold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Value;
use serde::{Deserialize, Serialize};

use mentorflow_dsl::Name;

/// A person in a pairing, with their role and attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Person id, e.g. an e-mail or staff number.
    pub id: String,
    /// Role in the type, e.g. mentor, mentee, peer.
    pub role: Name,
    /// Attributes such as experience_years, department, utc_offset.
    #[serde(default)]
    pub attributes: crate::short_map::Attributes,
    /// Facts recorded for this person (declared with `per`): attendance, a survey score.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Value>,
    /// Their managers, nearest first, from the people registry when they enrolled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<String>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The pairing it belongs to (`person:ID` for an edit of the people registry).
    pub pairing: std::sync::Arc<str>,
    /// Position in the pairing's history, from 1.
    pub seq: u64,
    /// When it happened (the injected clock).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Name,
    /// Why, when a reason was given or is required (force, withdraw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Content hash of the program version the pairing runs on (a name: not copied per event).
    pub program: Name,
    /// What happened.
    pub kind: EventKind,
}

/// How a pairing came to change stage: the trigger of the transition it took, or a forced move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// `advance` took a transition whose guards held.
    Advance,
    /// `withdraw` took a `from = "*"` transition.
    Withdraw,
    /// `tick` took a timer transition that was due.
    Timer,
    /// The engine took an automatic transition whose guard held after a command or a tick.
    Auto,
    /// A coordinator moved the pairing without guards, with a reason.
    Forced,
}

/// Someone a notification goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// Person id.
    pub id: String,
    /// Their role in the pairing.
    pub role: String,
}

/// What an event did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", from = "legacy::StoredKind")]
pub enum EventKind {
    /// The pairing was created in the initial stage.
    Enrolled {
        /// Program id (a name, as the pairing it makes has it).
        program_id: Name,
        /// Mentoring type (a name likewise).
        type_id: Name,
        /// Who takes part (shared with the pairing it makes, not copied).
        participants: std::sync::Arc<Vec<Participant>>,
        /// The initial stage.
        stage: Name,
        /// The label it was imported under (its roster's `pairing` cell).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The pairing it continues (it ended in a stage with a successor, or `continue`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        predecessor: Option<String>,
    },
    /// A person of the people registry was added or changed (the pairing column is
    /// `person:ID`): their whole entry as it is now.
    PersonRecorded {
        /// The entry.
        person: crate::model::person::Person,
    },
    /// The ended pairing continues as a new one.
    Continued {
        /// The new pairing.
        successor: String,
    },
    /// A person joined the running pairing.
    Joined {
        /// Who, with their role and attributes.
        participant: Participant,
    },
    /// A person left the running pairing (the event's reason says why).
    Left {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
    },
    /// A person took another's place in the running pairing, in the same role.
    Replaced {
        /// Who left.
        person: String,
        /// Who took their place.
        participant: Participant,
    },
    /// Facts were set by one command, in the order given: the pairing's, or one person's.
    FactsRecorded {
        /// Fact names (names, as the program's declarations are interned) and their new values.
        facts: Vec<(Name, Value)>,
        /// The person they were recorded for (facts declared with `per`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// The pairing changed stage: every stage change is this one kind, saying how it happened.
    Moved {
        /// Stage left.
        from: Name,
        /// Stage entered.
        to: Name,
        /// What moved it.
        by: Move,
        /// The transition's number ([`mentorflow_dsl::Transition::number`]); none when forced.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transition: Option<usize>,
    },
    /// A tick found the pairing past its stage's due time (logged once per stage entry).
    BecameOverdue {
        /// The stage.
        stage: Name,
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// A tick warned that a timer will fire (its `warn` lead time had come): logged once per
    /// time the timer is due, not activity.
    Warned {
        /// The timer transition's number.
        transition: usize,
        /// The stage it would move the pairing to.
        to: Name,
        /// When it fires (if its guard holds then).
        fires: DateTime<Utc>,
    },
    /// An occurrence of a schedule was done (a check-in held, a survey answered), possibly
    /// recording facts with it.
    Done {
        /// The schedule.
        schedule: String,
        /// Which occurrence, from 1.
        occurrence: u32,
        /// What its occurrences count from (they start afresh when it changes).
        anchor: DateTime<Utc>,
        /// When it was done.
        on: DateTime<Utc>,
        /// Facts recorded with it, in the order given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        facts: Vec<(String, Value)>,
    },
    /// A tick found occurrences of a schedule missed (logged once each; not activity).
    Missed {
        /// The schedule.
        schedule: String,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// The occurrences missed, from 1.
        occurrences: Vec<u32>,
        /// The last occurrence looked at.
        checked: u32,
    },
    /// A stage's action started a schedule (anchored `started`, it counts from now), or
    /// started it again after a stop.
    ScheduleStarted {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action stopped a schedule: no occurrence falls until it is started again.
    ScheduleStopped {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action sent a notification: rendered once, for everyone it goes to.
    Notified {
        /// The notification's name in the program.
        notification: String,
        /// Who it goes to.
        to: Vec<Recipient>,
        /// The rendered subject.
        subject: String,
        /// The rendered body.
        body: String,
    },
    /// The pairing moved to another version of its program, under a mapping.
    Migrated {
        /// The version it ran on.
        from_program: Name,
        /// The version it runs on from now.
        to_program: Name,
        /// Its stage in the new version.
        stage: Name,
        /// Its recorded facts in the new version (all of them, replacing the old ones).
        facts: Vec<(String, Value)>,
        /// The mapping applied.
        mapping: crate::model::mapping::Mapping,
    },
}

/// Events as stores hold them: today's kinds and those of earlier versions, which are read as
/// today's (their stored text is never rewritten: the hash chain covers it).
mod legacy {
    use super::*;

    #[derive(Deserialize)]
    #[serde(tag = "event", rename_all = "snake_case")]
    pub(super) enum StoredKind {
        Enrolled {
            program_id: Name,
            type_id: Name,
            participants: std::sync::Arc<Vec<Participant>>,
            stage: Name,
            #[serde(default)]
            label: Option<String>,
            #[serde(default)]
            predecessor: Option<String>,
        },
        Continued {
            successor: String,
        },
        PersonRecorded {
            person: crate::model::person::Person,
        },
        Joined {
            participant: Participant,
        },
        Left {
            person: String,
            role: String,
        },
        Replaced {
            person: String,
            participant: Participant,
        },
        FactsRecorded {
            facts: Vec<(Name, Value)>,
            #[serde(default)]
            person: Option<String>,
        },
        Moved {
            from: Name,
            to: Name,
            by: Move,
            #[serde(default)]
            transition: Option<usize>,
        },
        BecameOverdue {
            stage: Name,
            due: DateTime<Utc>,
        },
        Warned {
            transition: usize,
            to: Name,
            fires: DateTime<Utc>,
        },
        Done {
            schedule: String,
            occurrence: u32,
            anchor: DateTime<Utc>,
            on: DateTime<Utc>,
            #[serde(default)]
            facts: Vec<(String, Value)>,
        },
        Notified {
            notification: String,
            to: Vec<Recipient>,
            subject: String,
            body: String,
        },
        ScheduleStarted {
            schedule: String,
        },
        ScheduleStopped {
            schedule: String,
        },
        Missed {
            schedule: String,
            anchor: DateTime<Utc>,
            occurrences: Vec<u32>,
            checked: u32,
        },
        Migrated {
            from_program: Name,
            to_program: Name,
            stage: Name,
            facts: Vec<(String, Value)>,
            mapping: crate::model::mapping::Mapping,
        },
        // Written by 0.1.0: one kind per way of moving.
        Transitioned {
            from: Name,
            to: Name,
            transition: usize,
        },
        Forced {
            from: Name,
            to: Name,
        },
        Withdrawn {
            from: Name,
            to: Name,
            transition: usize,
        },
        TimedOut {
            from: Name,
            to: Name,
            transition: usize,
        },
    }

    impl From<StoredKind> for EventKind {
        fn from(kind: StoredKind) -> EventKind {
            let moved = |from, to, by, transition| EventKind::Moved {
                from,
                to,
                by,
                transition,
            };
            match kind {
                StoredKind::Enrolled {
                    program_id,
                    type_id,
                    participants,
                    stage,
                    label,
                    predecessor,
                } => EventKind::Enrolled {
                    program_id,
                    type_id,
                    participants,
                    stage,
                    label,
                    predecessor,
                },
                StoredKind::Continued { successor } => EventKind::Continued { successor },
                StoredKind::PersonRecorded { person } => EventKind::PersonRecorded { person },
                StoredKind::Joined { participant } => EventKind::Joined { participant },
                StoredKind::Left { person, role } => EventKind::Left { person, role },
                StoredKind::Replaced {
                    person,
                    participant,
                } => EventKind::Replaced {
                    person,
                    participant,
                },
                StoredKind::FactsRecorded { facts, person } => {
                    EventKind::FactsRecorded { facts, person }
                }
                StoredKind::BecameOverdue { stage, due } => EventKind::BecameOverdue { stage, due },
                StoredKind::Warned {
                    transition,
                    to,
                    fires,
                } => EventKind::Warned {
                    transition,
                    to,
                    fires,
                },
                StoredKind::Done {
                    schedule,
                    occurrence,
                    anchor,
                    on,
                    facts,
                } => EventKind::Done {
                    schedule,
                    occurrence,
                    anchor,
                    on,
                    facts,
                },
                StoredKind::Missed {
                    schedule,
                    anchor,
                    occurrences,
                    checked,
                } => EventKind::Missed {
                    schedule,
                    anchor,
                    occurrences,
                    checked,
                },
                StoredKind::ScheduleStarted { schedule } => EventKind::ScheduleStarted { schedule },
                StoredKind::ScheduleStopped { schedule } => EventKind::ScheduleStopped { schedule },
                StoredKind::Notified {
                    notification,
                    to,
                    subject,
                    body,
                } => EventKind::Notified {
                    notification,
                    to,
                    subject,
                    body,
                },
                StoredKind::Migrated {
                    from_program,
                    to_program,
                    stage,
                    facts,
                    mapping,
                } => EventKind::Migrated {
                    from_program,
                    to_program,
                    stage,
                    facts,
                    mapping,
                },
                StoredKind::Moved {
                    from,
                    to,
                    by,
                    transition,
                } => moved(from, to, by, transition),
                StoredKind::Transitioned {
                    from,
                    to,
                    transition,
                } => moved(from, to, Move::Advance, Some(transition)),
                StoredKind::Forced { from, to } => moved(from, to, Move::Forced, None),
                StoredKind::Withdrawn {
                    from,
                    to,
                    transition,
                } => moved(from, to, Move::Withdraw, Some(transition)),
                StoredKind::TimedOut {
                    from,
                    to,
                    transition,
                } => moved(from, to, Move::Timer, Some(transition)),
            }
        }
    }
}

impl EventKind {
    /// The stage change this event makes, if any.
    pub fn move_(&self) -> Option<(&Name, &Name)> {
        match self {
            EventKind::Moved { from, to, .. } => Some((from, to)),
            _ => None,
        }
    }

    /// The number of the program transition this event took, if any.
    pub fn transition(&self) -> Option<usize> {
        match self {
            EventKind::Moved { transition, .. } => *transition,
            _ => None,
        }
    }

    /// Whether it changes who takes part (after enrolment).
    pub fn changes_participants(&self) -> bool {
        matches!(
            self,
            EventKind::Joined { .. } | EventKind::Left { .. } | EventKind::Replaced { .. }
        )
    }

    /// Short name: enrolled, facts_recorded, moved, became_overdue.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Enrolled { .. } => "enrolled",
            EventKind::Joined { .. } => "joined",
            EventKind::Left { .. } => "left",
            EventKind::Replaced { .. } => "replaced",
            EventKind::Continued { .. } => "continued",
            EventKind::PersonRecorded { .. } => "person_recorded",
            EventKind::FactsRecorded { .. } => "facts_recorded",
            EventKind::Moved { .. } => "moved",
            EventKind::BecameOverdue { .. } => "became_overdue",
            EventKind::Warned { .. } => "warned",
            EventKind::Done { .. } => "done",
            EventKind::Missed { .. } => "missed",
            EventKind::Notified { .. } => "notified",
            EventKind::ScheduleStarted { .. } => "schedule_started",
            EventKind::ScheduleStopped { .. } => "schedule_stopped",
            EventKind::Migrated { .. } => "migrated",
        }
    }
}
