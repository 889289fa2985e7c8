//! A pairing's history: when each stage was first and last entered and how often, how often
//! each transition was taken, and the latest reason. Part of the model: the pairing keeps it,
//! scripts read it (`entries`, `first_entered`, `taken`) and timers anchor to it.

use chrono::{DateTime, Utc};
use mentorflow_dsl::Name;
use serde::{Deserialize, Serialize};

use crate::model::event::{Event, EventKind};

/// When each stage was first entered and how often, and how often each transition was
/// taken: what scripts count (`entries`, `first_entered`, `taken`) and timers anchor to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Per stage entered, in the order first entered: when first and last, how many times
    /// (the initial stage once at enrolment). A short list, not a map: a pairing visits a
    /// handful of stages, and a map's node would cost more than the whole list.
    pub stages: Vec<Visits>,
    /// Per transition number taken: how many times (forced moves take none). By number, as
    /// events name transitions: after a migration that renumbers transitions, the counts
    /// stay with the old numbers.
    pub taken: Vec<(u32, u32)>,
    /// The reason given with the latest move that had one (a withdrawal, a forced move, a
    /// timer): for an ended pairing, why it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who joined after enrolment (or took someone's place), and when: what a schedule kept
    /// per person counts from. None in a history stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<Vec<(String, DateTime<Utc>)>>,
}

/// How a stage was visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visits {
    /// The stage.
    pub stage: Name,
    /// When it was first entered.
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub first: DateTime<Utc>,
    /// When it was last entered.
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub last: DateTime<Utc>,
    /// How many times it was entered.
    pub times: u32,
}

impl History {
    /// The history told by `events` (a pairing's, in order).
    pub fn of(events: &[Event]) -> History {
        let mut history = History::default();
        for event in events {
            history.apply(event);
        }
        history
    }

    /// Adds what `event` did: the one place history is kept, for the fold and for states
    /// stored before it was kept alike.
    pub(crate) fn apply(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Enrolled { stage, .. } => {
                self.joined = Some(Vec::new());
                self.enter(stage, event.at);
            }
            EventKind::Joined { participant } | EventKind::Replaced { participant, .. } => {
                if let Some(joined) = &mut self.joined {
                    joined.push((participant.id.clone(), event.at));
                }
            }
            EventKind::Moved { to, transition, .. } => {
                if event.reason.is_some() {
                    self.reason.clone_from(&event.reason);
                }
                self.enter(to, event.at);
                // Numbered as programs number them: far below u32's range.
                if let Some(n) = transition.and_then(|n| u32::try_from(n).ok()) {
                    match self.taken.iter_mut().find(|(t, _)| *t == n) {
                        Some((_, times)) => *times += 1,
                        None => self.taken.push((n, 1)),
                    }
                }
            }
            // Stages keep their counts under the new version's names.
            EventKind::Migrated { mapping, .. } => {
                for v in &mut self.stages {
                    if let Some(new) = mapping.stages.get(&*v.stage) {
                        v.stage = Name::new(new);
                    }
                }
            }
            EventKind::FactsRecorded { .. }
            | EventKind::Continued { .. }
            | EventKind::PersonRecorded { .. }
            | EventKind::Left { .. }
            | EventKind::BecameOverdue { .. }
            | EventKind::Warned { .. }
            | EventKind::Done { .. }
            | EventKind::Missed { .. }
            | EventKind::ComesDue { .. }
            | EventKind::Notified { .. }
            | EventKind::ScheduleStarted { .. }
            | EventKind::ScheduleStopped { .. }
            | EventKind::Erased { .. } => {}
        }
    }

    fn enter(&mut self, stage: &Name, at: DateTime<Utc>) {
        // Stage ids are shared (interned per program): the pointer usually answers.
        let same = |v: &Visits| v.stage == *stage;
        match self.stages.iter_mut().find(|v| same(v)) {
            Some(v) => {
                v.times += 1;
                v.last = at;
            }
            None => self.stages.push(Visits {
                stage: *stage,
                first: at,
                last: at,
                times: 1,
            }),
        }
    }

    /// `stage` was resumed after a pause: the entry just counted is not one, and its last
    /// entry is `entered` (the stay's start moved on by the pause).
    pub(crate) fn resumed(&mut self, stage: &Name, entered: DateTime<Utc>) {
        if let Some(v) = self.stages.iter_mut().find(|v| v.stage == *stage) {
            v.times = v.times.saturating_sub(1).max(1);
            v.last = entered;
        }
    }

    fn visits(&self, id: &str) -> Option<&Visits> {
        self.stages.iter().find(|v| &*v.stage == id)
    }

    /// When `person` last joined after enrolment, if they did (and history kept it).
    pub fn joined(&self, person: &str) -> Option<DateTime<Utc>> {
        self.joined
            .as_ref()?
            .iter()
            .rev()
            .find(|(id, _)| id == person)
            .map(|(_, at)| *at)
    }

    /// How many times stage `id` was entered.
    pub fn entries(&self, id: &str) -> u32 {
        self.visits(id).map_or(0, |v| v.times)
    }

    /// When stage `id` was last entered.
    pub fn last_entered(&self, id: &str) -> Option<DateTime<Utc>> {
        self.visits(id).map(|v| v.last)
    }

    /// When stage `id` was first entered.
    pub fn first_entered(&self, id: &str) -> Option<DateTime<Utc>> {
        self.visits(id).map(|v| v.first)
    }

    /// How many times transition `number` was taken.
    pub fn taken(&self, number: usize) -> u32 {
        self.taken
            .iter()
            .find(|(t, _)| usize::try_from(*t) == Ok(number))
            .map_or(0, |(_, times)| *times)
    }
}
