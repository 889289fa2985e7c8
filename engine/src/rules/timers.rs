//! When a pairing's timers fire and warn: the one place that reads a [`Timeout`] against a
//! pairing's state, for `tick`, `status` and explanations alike.

use chrono::{DateTime, NaiveTime, Utc};
use mentorflow_dsl::{Program, Timeout, Transition, Value};

use crate::model::pairing::Pairing;

/// When `timeout` fires for `pairing`; none while it cannot (a date fact not recorded, a
/// stage never entered).
pub fn fires_at(program: &Program, pairing: &Pairing, timeout: &Timeout) -> Option<DateTime<Utc>> {
    match timeout {
        Timeout::After(d) => Some(d.after(pairing.entered_at)),
        Timeout::Idle(d) => Some(d.after(pairing.last_event_at)),
        Timeout::SinceEnrolment(d) => Some(d.after(pairing.enrolled_at)),
        Timeout::SinceFirstEntered(stage, d) => pairing
            .history
            .as_ref()
            .and_then(|h| h.first_entered(stage))
            .map(|first| d.after(first)),
        Timeout::AtDate(fact) => match pairing.fact(program, fact) {
            Some(Value::Date(date)) => Some(date.and_time(NaiveTime::MIN).and_utc()),
            _ => None,
        },
    }
}

/// When a tick warns about timer transition `t`: its lead time before it fires.
pub fn warns_at(
    program: &Program,
    pairing: &Pairing,
    t: &Transition,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let timer = t.timer()?;
    let fires = fires_at(program, pairing, &timer.timeout)?;
    Some((timer.warn?.before(fires), fires))
}

/// Why a timer fired, for the log: the time that actually passed (a tick may come long after
/// the timer was due), what it counted from, and when it was due.
pub fn reason(
    pairing: &Pairing,
    timeout: &Timeout,
    fired: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let minute = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let passed = |since: DateTime<Utc>| {
        let d = now - since;
        match d.num_days() {
            0 if d.num_hours() == 0 => "less than an hour".to_string(),
            0 => format!("{} hours", d.num_hours()),
            1 => "1 day".to_string(),
            n => format!("{n} days"),
        }
    };
    let first = |stage: &str| {
        pairing
            .history
            .as_ref()
            .and_then(|h| h.first_entered(stage))
    };
    match timeout {
        Timeout::Idle(d) => format!(
            "no activity for {} (last activity {}; the idle {d} timer was due {})",
            passed(pairing.last_event_at),
            minute(pairing.last_event_at),
            minute(fired)
        ),
        Timeout::After(d) => format!(
            "{} in stage {} (entered {}; the {d} timer was due {})",
            passed(pairing.entered_at),
            pairing.stage,
            minute(pairing.entered_at),
            minute(fired)
        ),
        Timeout::SinceEnrolment(d) => format!(
            "{} since enrolment (enrolled {}; the {d} timer was due {})",
            passed(pairing.enrolled_at),
            minute(pairing.enrolled_at),
            minute(fired)
        ),
        Timeout::SinceFirstEntered(stage, d) => match first(stage) {
            Some(at) => format!(
                "{} since first entering {stage} ({}; the {d} timer was due {})",
                passed(at),
                minute(at),
                minute(fired)
            ),
            None => format!(
                "the {d} timer since first entering {stage} was due {}",
                minute(fired)
            ),
        },
        Timeout::AtDate(fact) => format!(
            "the date in {fact} came ({}, {} ago)",
            minute(fired),
            passed(fired)
        ),
    }
}

/// A timer that leaves a pairing's current stage: when it fires, and whether a tick warned.
#[derive(Debug, Clone, PartialEq)]
pub struct Upcoming {
    /// The timer transition's number.
    pub transition: usize,
    /// The stage it moves the pairing to.
    pub to: String,
    /// What it counts.
    pub timeout: Timeout,
    /// When it fires (if its guard holds then); none while it cannot (a date fact not
    /// recorded, a stage never entered).
    pub fires: Option<DateTime<Utc>>,
    /// Whether a tick logged a warning for this firing.
    pub warned: bool,
}

/// Every timer leaving `pairing`'s stage, soonest first (those that cannot fire yet last).
pub fn upcoming(program: &Program, pairing: &Pairing) -> Vec<Upcoming> {
    if pairing.outcome.is_some() {
        return Vec::new();
    }
    let Some(stage) = program.stage(&pairing.stage) else {
        return Vec::new();
    };
    let mut all: Vec<Upcoming> = program
        .transitions
        .iter()
        .filter(|t| t.leaves(stage))
        .filter_map(|t| {
            let timeout = t.timeout()?.clone();
            let fires = fires_at(program, pairing, &timeout);
            Some(Upcoming {
                transition: t.number(),
                to: t.to.clone(),
                warned: fires.is_some() && pairing.warned.get(&t.number()) == fires.as_ref(),
                timeout,
                fires,
            })
        })
        .collect();
    all.sort_by_key(|u| (u.fires.is_none(), u.fires));
    all
}
