//! When a pairing's timers fire and warn: the one place that reads a [`Timeout`] against a
//! pairing's state, for `tick`, `status` and explanations alike.

use chrono::{DateTime, NaiveTime, Utc};
use mentorflow_dsl::{Program, Timeout, Transition, Value};

use crate::pairing::Pairing;

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

/// Why a timer fired, for the log: what it counted from and when it was due (a tick may
/// come long after).
pub fn reason(pairing: &Pairing, timeout: &Timeout, fired: DateTime<Utc>) -> String {
    let minute = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let first = |stage: &str| {
        pairing
            .history
            .as_ref()
            .and_then(|h| h.first_entered(stage))
            .map_or_else(String::new, minute)
    };
    match timeout {
        Timeout::Idle(d) => format!(
            "no activity for {d} (last activity {}, due {})",
            minute(pairing.last_event_at),
            minute(fired)
        ),
        Timeout::After(d) => format!(
            "{d} in stage {} (entered {}, due {})",
            pairing.stage,
            minute(pairing.entered_at),
            minute(fired)
        ),
        Timeout::SinceEnrolment(d) => format!(
            "{d} since enrolment (enrolled {}, due {})",
            minute(pairing.enrolled_at),
            minute(fired)
        ),
        Timeout::SinceFirstEntered(stage, d) => format!(
            "{d} since first entering {stage} ({}, due {})",
            first(stage),
            minute(fired)
        ),
        Timeout::AtDate(fact) => format!("the date in {fact} came ({})", minute(fired)),
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
