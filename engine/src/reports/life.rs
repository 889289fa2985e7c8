//! A pairing's life as its log tells it, read once per pairing for the report: the stages it
//! reached (each once, however often it came back), its stays, where it stood week by week,
//! the meetings held and missed, the versions it ran on, and the transition that ended it.
//! Stage names follow migrations, so an old stay counts under the stage's name today.

use chrono::{DateTime, Utc};
use mentorflow_dsl::Name;

use crate::model::event::{Event, EventKind, Move, MOVED_BEFORE};

/// What the report reads of one pairing's events.
#[derive(Debug, Clone, Default)]
pub struct Life {
    /// Stages entered, each once, in the order first entered.
    pub reached: Vec<Name>,
    /// Stays that ended (the pairing moved on): stage and days.
    pub stays: Vec<(Name, f64)>,
    /// Each stage entered and when: where the pairing stood at any time.
    pub timeline: Vec<(DateTime<Utc>, Name)>,
    /// Occurrences done, per schedule.
    pub held: Vec<(String, u64)>,
    /// Occurrences missed, per schedule.
    pub missed: Vec<(String, u64)>,
    /// The version it was enrolled on.
    pub started_on: Option<Name>,
    /// The number of the transition that took it to its last stage when a guard or a timer
    /// took it (not a withdrawal, not a forced move).
    pub last_transition: Option<usize>,
}

/// The kinds of event a life is read from (each a case of [`Life::apply`]); the report reads
/// no others (a pairing's recorded facts are most of its log).
pub const KINDS: [&str; 9] = [
    "enrolled",
    "moved",
    "migrated",
    "done",
    "missed",
    // What 0.1.0 stored for a move.
    MOVED_BEFORE[0],
    MOVED_BEFORE[1],
    MOVED_BEFORE[2],
    MOVED_BEFORE[3],
];

impl Life {
    /// The life `events` (one pairing's, in order) tell.
    pub fn of(events: &[Event]) -> Life {
        let mut life = Life::default();
        for e in events {
            life.apply(e);
        }
        life
    }

    /// Reads one event; a kind read here is one of [`KINDS`].
    fn apply(&mut self, e: &Event) {
        match &e.kind {
            EventKind::Enrolled { stage, .. } => {
                self.started_on = Some(e.program);
                self.enter(*stage, e.at);
            }
            EventKind::Moved {
                to, by, transition, ..
            } => {
                if let Some((since, stage)) = self.timeline.last() {
                    self.stays.push((*stage, days(e.at - *since)));
                }
                self.last_transition = match by {
                    Move::Advance | Move::Auto | Move::Timer => *transition,
                    Move::Withdraw | Move::Forced => None,
                };
                self.enter(*to, e.at);
            }
            EventKind::Migrated { mapping, stage, .. } => {
                let rename = |s: &mut Name| {
                    if let Some(new) = mapping.stages.get(&**s) {
                        *s = Name::new(new);
                    }
                };
                self.reached.iter_mut().for_each(rename);
                self.stays.iter_mut().for_each(|(s, _)| rename(s));
                self.timeline.iter_mut().for_each(|(_, s)| rename(s));
                if let Some((_, s)) = self.timeline.last_mut() {
                    *s = *stage;
                }
                if !self.reached.contains(stage) {
                    self.reached.push(*stage);
                }
                // Transitions are renumbered by a new version: the old number says nothing.
                self.last_transition = None;
            }
            EventKind::Done { schedule, .. } => add(&mut self.held, schedule, 1),
            EventKind::Missed {
                schedule,
                occurrences,
                ..
            } => add(&mut self.missed, schedule, occurrences.len() as u64),
            _ => {}
        }
    }

    fn enter(&mut self, stage: Name, at: DateTime<Utc>) {
        if !self.reached.contains(&stage) {
            self.reached.push(stage);
        }
        self.timeline.push((at, stage));
    }

    /// The stage it stood in at `at`; none before it was enrolled.
    pub fn stage_at(&self, at: DateTime<Utc>) -> Option<Name> {
        let entered = self.timeline.partition_point(|(t, _)| *t <= at);
        entered.checked_sub(1).map(|i| self.timeline[i].1)
    }

    /// Occurrences of `schedule` held and missed.
    pub fn meetings(&self, schedule: &str) -> (u64, u64) {
        let of = |list: &[(String, u64)]| {
            list.iter()
                .find(|(s, _)| s == schedule)
                .map_or(0, |(_, n)| *n)
        };
        (of(&self.held), of(&self.missed))
    }
}

fn add(counts: &mut Vec<(String, u64)>, schedule: &str, n: u64) {
    match counts.iter_mut().find(|(s, _)| s == schedule) {
        Some((_, c)) => *c += n,
        None => counts.push((schedule.to_string(), n)),
    }
}

/// A duration in days, to the minute.
fn days(d: chrono::Duration) -> f64 {
    d.num_minutes() as f64 / (24.0 * 60.0)
}
