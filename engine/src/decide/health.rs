//! A running pairing's health, for the coordinator who must choose whom to call: on track,
//! needs a check-in, or at risk, each with the reasons that made it so. Waiting for the
//! calendar (a guard on time in stage or a date, a timer, a schedule not yet due) is on track,
//! and so is a quiet pairing whose stage runs a schedule that it keeps.

use chrono::{DateTime, Duration, Utc};

use crate::decide::attention::Attention;
use crate::decide::engine::Engine;
use crate::model::pairing::Pairing;
use crate::rules::explain::Verdict;

/// No activity for this long asks for a check-in.
pub const IDLE_DAYS: i64 = 21;

/// Missed occurrences of one schedule from which a pairing is at risk (fewer: a check-in).
pub const REPEATED_MISSES: u32 = 2;

/// How a running pairing is doing, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Overdue, missing meetings again and again, a script failing, or a timer about to move
    /// it: call now.
    AtRisk,
    /// A meeting missed, or quiet for a while: worth a call.
    NeedsCheckIn,
    /// Moving, or waiting for something that will come.
    OnTrack,
}

impl State {
    /// Every state, worst first.
    pub const ALL: [State; 3] = [State::AtRisk, State::NeedsCheckIn, State::OnTrack];

    /// The state in words, as every view names it.
    pub fn name(self) -> &'static str {
        match self {
            State::AtRisk => "at risk",
            State::NeedsCheckIn => "needs a check-in",
            State::OnTrack => "on track",
        }
    }
}

/// Why a pairing is not on track.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Its stage is overdue since `due`.
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
        /// Which: each occurrence's number (from 1) and due time.
        occurrences: Vec<(u32, DateTime<Utc>)>,
        /// Whose they were (a schedule kept per person).
        person: Option<String>,
    },
    /// Nothing happened for this many days.
    Idle {
        /// Days since the pairing's latest activity.
        days: i64,
    },
    /// A guard's script fails: the pairing cannot move until the program is fixed.
    ScriptFails {
        /// The transition.
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

impl Reason {
    /// The state this reason alone puts a pairing in.
    pub fn state(&self) -> State {
        match self {
            Reason::Overdue { .. } | Reason::ScriptFails { .. } | Reason::Warned { .. } => {
                State::AtRisk
            }
            Reason::Missed { missed, .. } if *missed >= REPEATED_MISSES => State::AtRisk,
            Reason::Missed { .. } | Reason::Idle { .. } => State::NeedsCheckIn,
        }
    }
}

/// A running pairing's health: its state (the worst of its reasons) and the reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// On track, needs a check-in, at risk.
    pub state: State,
    /// Why, worst first (none: on track).
    pub reasons: Vec<Reason>,
}

impl Health {
    /// Whether a coordinator should call: at risk or needing a check-in.
    pub fn needs_a_call(&self) -> bool {
        self.state != State::OnTrack
    }
}

/// The order a coordinator calls in, the one every view of who needs a call uses: at risk
/// first, then those needing a check-in; within each, the longest overdue first, then the
/// longest in their stage.
pub fn call_order(pairing: &Pairing, health: &Health, now: DateTime<Utc>) -> impl Ord + use<> {
    let overdue = pairing.is_overdue(now);
    (
        health.state,
        !overdue,
        pairing.due.filter(|_| overdue),
        pairing.entered_at,
    )
}

/// How `pairing` is doing at `now`, where it stands being `attention`; `None` once ended.
pub fn health(
    engine: &Engine,
    pairing: &Pairing,
    attention: &Attention,
    now: DateTime<Utc>,
) -> Option<Health> {
    if pairing.outcome.is_some() {
        return None;
    }
    let mut reasons = Vec::new();
    if let (true, Some(due)) = (pairing.is_overdue(now), pairing.due) {
        reasons.push(Reason::Overdue {
            stage: pairing.stage.to_string(),
            due,
        });
    }
    if let Attention::Waiting(w) = attention {
        if matches!(w.verdict, Verdict::Failed(_)) {
            reasons.push(Reason::ScriptFails {
                transition: w.transition,
                part: w.part.clone(),
            });
        }
    }
    reasons.extend(
        crate::rules::timers::upcoming(&engine.program, pairing)
            .into_iter()
            .filter(|u| u.warned)
            .filter_map(|u| {
                Some(Reason::Warned {
                    transition: u.transition,
                    fires: u.fires?,
                })
            }),
    );
    let mut scheduled = false;
    for schedule in &engine.program.schedules {
        // A schedule kept per person is missed by its people, each named.
        let whose: Vec<Option<&str>> = match schedule.per {
            None => vec![None],
            Some(_) => crate::rules::schedules::people(schedule, pairing)
                .into_iter()
                .map(Some)
                .collect(),
        };
        for who in whose {
            let standing =
                crate::rules::schedules::standing_for(&engine.program, schedule, pairing, who, now);
            scheduled |= standing.is_some();
            if let Some(s) = standing.filter(|s| s.missed > 0) {
                reasons.push(Reason::Missed {
                    schedule: schedule.name.clone(),
                    missed: s.missed,
                    occurrences: s.missed_due,
                    person: who.map(str::to_string),
                });
            }
        }
    }
    // A schedule running in the stage says when to expect activity (a monthly meeting is
    // quiet for weeks): its missed occurrences speak instead of the days without events.
    let idle = (now - pairing.last_event_at).num_days();
    if !scheduled && now - pairing.last_event_at >= Duration::days(IDLE_DAYS) {
        reasons.push(Reason::Idle { days: idle });
    }
    reasons.sort_by_key(Reason::state);
    let state = reasons.first().map_or(State::OnTrack, Reason::state);
    Some(Health { state, reasons })
}
