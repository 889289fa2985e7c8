//! An event as `log`, `export` and the write commands show it: who, when, why, and what
//! happened under `event`, with its own fields beside it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_engine::EventKind;
use schemars::JsonSchema;
use serde::Serialize;

use super::pairing::Participant;
use super::value::Values;

/// One stored event.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Event {
    /// The pairing it belongs to (`person:ID` for an edit of the people registry).
    pub pairing: String,
    /// Its position in the pairing's history, from 1.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// The program version (content hash) the pairing ran on.
    pub program_version: String,
    /// What happened.
    #[serde(flatten)]
    pub what: What,
}

/// Someone a notification goes to.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Recipient {
    /// Person id.
    pub id: String,
    /// Their role in the pairing.
    pub role: String,
    /// Their name in the people registry (in the outbox and the document `--exec` receives;
    /// absent in the log, which keeps ids only, and when the registry has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their e-mail address, the registry's `email` attribute (likewise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What an event did, named by `event`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum What {
    /// The pairing was created in its first stage.
    Enrolled {
        /// Program id.
        program: String,
        /// Mentoring type.
        r#type: String,
        /// Who takes part.
        participants: Vec<Participant>,
        /// The first stage.
        stage: String,
        /// The roster label it was imported under.
        label: Option<String>,
        /// The pairing it continues.
        predecessor: Option<String>,
    },
    /// An entry of the people registry was added or changed.
    PersonRecorded {
        /// Person id.
        id: String,
        /// Full name.
        name: String,
        /// Their manager's id.
        manager: Option<String>,
        /// Attributes as written.
        attributes: BTreeMap<String, String>,
    },
    /// The ended pairing continues as a new one.
    Continued {
        /// The new pairing.
        successor: String,
    },
    /// A person joined.
    Joined {
        /// Who, with role and attributes.
        participant: Participant,
    },
    /// A person left (the reason says why).
    Left {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
    },
    /// A person took another's place, in the same role.
    Replaced {
        /// Who left.
        person: String,
        /// Who took their place.
        participant: Participant,
    },
    /// Facts were recorded, for the pairing or for one person.
    FactsRecorded {
        /// The new values, in the order given.
        facts: Values,
        /// The person they were recorded for (facts declared with `per`).
        person: Option<String>,
    },
    /// The pairing changed stage.
    Moved {
        /// Stage left.
        from: String,
        /// Stage entered.
        to: String,
        /// What moved it: `advance`, `withdraw`, `timer`, `auto` or `forced`.
        by: String,
        /// The transition's number in the program; null when forced.
        transition: Option<usize>,
    },
    /// A tick found the pairing past its stage's due time.
    BecameOverdue {
        /// The stage.
        stage: String,
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// A tick warned that a timer will move the pairing.
    Warned {
        /// The timer transition's number.
        transition: usize,
        /// The stage it would move to.
        to: String,
        /// When it fires.
        fires: DateTime<Utc>,
    },
    /// An occurrence of a schedule was done.
    Done {
        /// The schedule.
        schedule: String,
        /// Which occurrence, from 1.
        occurrence: u32,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// When it was done.
        on: DateTime<Utc>,
        /// Facts recorded with it.
        facts: Values,
        /// Its values fell short of the schedule's `require`: it counts as missed.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        short: bool,
        /// Whose turn it was (a schedule that rotates).
        #[serde(skip_serializing_if = "Option::is_none")]
        turn: Option<String>,
        /// The person it was done for (a schedule kept per person).
        #[serde(skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// A tick found occurrences of a schedule missed.
    Missed {
        /// The schedule.
        schedule: String,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// The occurrences missed, from 1.
        occurrences: Vec<u32>,
        /// The last occurrence looked at.
        checked: u32,
        /// The person who missed them (a schedule kept per person).
        #[serde(skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// A tick found the next occurrence of a schedule come due (a notification announces it).
    ComesDue {
        /// The schedule.
        schedule: String,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// The occurrence, from 1.
        occurrence: u32,
        /// When it is due.
        due: DateTime<Utc>,
        /// Whose turn it is (a rotating schedule).
        #[serde(skip_serializing_if = "Option::is_none")]
        turn: Option<String>,
    },
    /// A stage's action started a schedule (the reason names the action).
    ScheduleStarted {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action stopped a schedule.
    ScheduleStopped {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action sent a notification (the reason names the action).
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
    /// The pairing moved to another version of its program.
    Migrated {
        /// The version it ran on.
        from_version: String,
        /// The version it runs on now.
        to_version: String,
        /// Its stage in the new version.
        stage: String,
        /// Its facts in the new version (all of them).
        facts: Values,
        /// Old stage id to new.
        stages_renamed: BTreeMap<String, String>,
        /// Old fact name to new, or `-` for dropped.
        facts_renamed: BTreeMap<String, String>,
        /// Values given to facts the pairing had not recorded, as written.
        facts_set: BTreeMap<String, String>,
    },
    /// A person's values were erased: their key destroyed, nothing sealed with it readable.
    Erased {
        /// Whose.
        person: String,
        /// The destroyed key's fingerprint (empty when they had none).
        key: String,
    },
}

impl From<&mentorflow_engine::Event> for Event {
    fn from(e: &mentorflow_engine::Event) -> Event {
        Event {
            pairing: e.pairing.to_string(),
            seq: e.seq,
            at: e.at,
            actor: e.actor.to_string(),
            reason: e.reason.clone(),
            program_version: e.program.to_string(),
            what: what(&e.kind),
        }
    }
}

fn what(kind: &EventKind) -> What {
    match kind {
        EventKind::Enrolled {
            program_id,
            type_id,
            participants,
            stage,
            label,
            predecessor,
        } => What::Enrolled {
            program: program_id.to_string(),
            r#type: type_id.to_string(),
            participants: participants.iter().map(Participant::from).collect(),
            stage: stage.to_string(),
            label: label.clone(),
            predecessor: predecessor.clone(),
        },
        EventKind::PersonRecorded { person } => registry_entry(person),
        EventKind::Continued { successor } => What::Continued {
            successor: successor.clone(),
        },
        EventKind::Joined { participant } => What::Joined {
            participant: participant.into(),
        },
        EventKind::Left { person, role } => What::Left {
            person: person.clone(),
            role: role.clone(),
        },
        EventKind::Replaced {
            person,
            participant,
        } => What::Replaced {
            person: person.clone(),
            participant: participant.into(),
        },
        EventKind::FactsRecorded { facts, person } => What::FactsRecorded {
            facts: Values::of_list(facts),
            person: person.clone(),
        },
        EventKind::Moved {
            from,
            to,
            by,
            transition,
        } => What::Moved {
            from: from.to_string(),
            to: to.to_string(),
            by: moved_by(*by).into(),
            transition: *transition,
        },
        EventKind::BecameOverdue { stage, due } => What::BecameOverdue {
            stage: stage.to_string(),
            due: *due,
        },
        EventKind::Missed { .. }
        | EventKind::ComesDue { .. }
        | EventKind::Done { .. }
        | EventKind::ScheduleStarted { .. }
        | EventKind::ScheduleStopped { .. } => what_of_a_schedule(kind),
        EventKind::Warned { .. } | EventKind::Notified { .. } | EventKind::Migrated { .. } => {
            what_happened_on_time(kind)
        }
        EventKind::Erased { person, key } => What::Erased {
            person: person.clone(),
            key: key.clone(),
        },
    }
}

/// What timers, notifications and migrations did.
/// Its match and [`what`]'s each name every kind: a new one must be placed in one of them.
fn what_happened_on_time(kind: &EventKind) -> What {
    match kind {
        EventKind::Warned {
            transition,
            to,
            fires,
        } => What::Warned {
            transition: *transition,
            to: to.to_string(),
            fires: *fires,
        },
        EventKind::Notified {
            notification,
            to,
            subject,
            body,
        } => What::Notified {
            notification: notification.clone(),
            to: to.iter().map(Recipient::from).collect(),
            subject: subject.clone(),
            body: body.clone(),
        },
        EventKind::Migrated {
            from_program,
            to_program,
            stage,
            facts,
            mapping,
        } => What::Migrated {
            from_version: from_program.to_string(),
            to_version: to_program.to_string(),
            stage: stage.to_string(),
            facts: Values::of_list(facts),
            stages_renamed: mapping.stages.clone(),
            facts_renamed: mapping.facts.clone(),
            facts_set: mapping.set.clone(),
        },
        EventKind::Enrolled { .. }
        | EventKind::PersonRecorded { .. }
        | EventKind::Continued { .. }
        | EventKind::Joined { .. }
        | EventKind::Left { .. }
        | EventKind::Replaced { .. }
        | EventKind::FactsRecorded { .. }
        | EventKind::Moved { .. }
        | EventKind::BecameOverdue { .. }
        | EventKind::Missed { .. }
        | EventKind::ComesDue { .. }
        | EventKind::Done { .. }
        | EventKind::ScheduleStarted { .. }
        | EventKind::ScheduleStopped { .. }
        | EventKind::Erased { .. } => what(kind),
    }
}

/// What a schedule's occurrences did: done, missed, come due, started or stopped.
/// Its match names every kind, as [`what`]'s does.
fn what_of_a_schedule(kind: &EventKind) -> What {
    match kind {
        EventKind::ComesDue {
            schedule,
            anchor,
            occurrence,
            due,
            turn,
        } => What::ComesDue {
            schedule: schedule.clone(),
            anchor: *anchor,
            occurrence: *occurrence,
            due: *due,
            turn: turn.clone(),
        },
        EventKind::Missed {
            schedule,
            anchor,
            occurrences,
            checked,
            person,
        } => What::Missed {
            schedule: schedule.clone(),
            anchor: *anchor,
            occurrences: occurrences.clone(),
            checked: *checked,
            person: person.clone(),
        },
        EventKind::Done {
            schedule,
            occurrence,
            anchor,
            on,
            facts,
            short,
            turn,
            person,
        } => What::Done {
            schedule: schedule.clone(),
            occurrence: *occurrence,
            anchor: *anchor,
            on: *on,
            facts: Values::of_list(facts),
            short: *short,
            turn: turn.clone(),
            person: person.clone(),
        },
        EventKind::ScheduleStarted { schedule } => What::ScheduleStarted {
            schedule: schedule.clone(),
        },
        EventKind::ScheduleStopped { schedule } => What::ScheduleStopped {
            schedule: schedule.clone(),
        },
        EventKind::Enrolled { .. }
        | EventKind::PersonRecorded { .. }
        | EventKind::Continued { .. }
        | EventKind::Joined { .. }
        | EventKind::Left { .. }
        | EventKind::Replaced { .. }
        | EventKind::FactsRecorded { .. }
        | EventKind::Moved { .. }
        | EventKind::BecameOverdue { .. }
        | EventKind::Erased { .. } => what(kind),
        EventKind::Warned { .. } | EventKind::Notified { .. } | EventKind::Migrated { .. } => {
            what_happened_on_time(kind)
        }
    }
}

/// An edit of the people registry.
fn registry_entry(person: &mentorflow_engine::Person) -> What {
    What::PersonRecorded {
        id: person.id.clone(),
        name: person.name.clone(),
        manager: person.manager.clone(),
        attributes: person.attributes.clone(),
    }
}

impl From<&mentorflow_engine::Recipient> for Recipient {
    fn from(r: &mentorflow_engine::Recipient) -> Recipient {
        Recipient {
            id: r.id.clone(),
            role: r.role.clone(),
            name: None,
            email: None,
        }
    }
}

/// How a move happened, as the log's JSON names it.
pub fn moved_by(by: mentorflow_engine::Move) -> &'static str {
    use mentorflow_engine::Move;
    match by {
        Move::Advance => "advance",
        Move::Withdraw => "withdraw",
        Move::Timer => "timer",
        Move::Auto => "auto",
        Move::Forced => "forced",
    }
}

/// The events a command stored (every write command's `--json`), or a log.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Events {
    /// The events, in the order they were stored.
    pub events: Vec<Event>,
}

impl Events {
    /// The shapes of `events`.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a mentorflow_engine::Event>) -> Events {
        Events {
            events: events.into_iter().map(Event::from).collect(),
        }
    }
}

/// What a write command stored (`--json` on every command that writes).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Changes {
    /// Whether nothing was stored (a dry run): no events, the pairings as they would be.
    pub dry_run: bool,
    /// The events stored, in order (none for a dry run).
    pub events: Vec<Event>,
    /// The pairings they changed (or, for a dry run, would create), as they are now.
    pub pairings: Vec<super::pairing::Pairing>,
}

/// What `advance --all` did.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Bulk {
    /// Running pairings looked at.
    pub looked_at: u64,
    /// Events stored.
    pub stored: u64,
    /// The events stored, in order.
    pub events: Vec<Event>,
    /// Pairings whose command was refused (left unchanged), with why.
    pub refused: Vec<Refused>,
    /// Whether it stopped before looking at every pairing (its script budget was spent).
    pub unfinished: bool,
}

/// A pairing a bulk command left unchanged, and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Refused {
    /// Pairing id.
    pub pairing: String,
    /// Why, in words.
    pub error: String,
}

/// What `tick` did.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Tick {
    /// The time it ticked at.
    pub now: DateTime<Utc>,
    /// What it stored.
    #[serde(flatten)]
    pub bulk: Bulk,
    /// Timer transitions taken.
    pub timed_out: u64,
    /// Automatic transitions taken after them.
    pub automatic: u64,
    /// Timer warnings logged.
    pub warned: u64,
    /// Schedule occurrences newly logged as missed.
    pub missed: u64,
    /// Stages newly logged as overdue.
    pub overdue: u64,
    /// The timer that fires next among the pairings it looked at.
    pub next: Option<NextTimer>,
}

/// A timer that will fire.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NextTimer {
    /// The pairing.
    pub pairing: String,
    /// The timer transition's number.
    pub transition: usize,
    /// The stage it moves to.
    pub to: String,
    /// What it counts, as written.
    pub timer: String,
    /// When it fires; null while it cannot.
    pub fires: Option<DateTime<Utc>>,
}
