//! When a schedule's occurrences fall for a pairing, which are done, missed or open: the one
//! place that reads a [`Schedule`] against a pairing, for `done`, `tick`, scripts and `status`.

use chrono::{DateTime, NaiveTime, Utc};
use mentorflow_dsl::model::{Anchor, Cadence, Schedule};
use mentorflow_dsl::{Due, Program, Value};

use crate::model::pairing::Pairing;

/// The most occurrences of one schedule the engine looks at: a weekly schedule over 190 years.
const MAX_OCCURRENCES: u32 = 10_000;

// What a pairing did of a schedule lives in the model (the pairing keeps it); its path here
// is kept.
pub use crate::model::schedule_state::ScheduleState;

/// One schedule as it stands for a pairing at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    /// Occurrences done.
    pub done: u32,
    /// Of those, done by their due time.
    pub on_time: u32,
    /// Occurrences whose due time and grace passed without being done.
    pub missed: u32,
    /// Those occurrences: number (from 1) and due time, in order.
    pub missed_due: Vec<(u32, DateTime<Utc>)>,
    /// Occurrences due so far.
    pub due: u32,
    /// When the latest was done.
    pub last_done: Option<DateTime<Utc>>,
    /// The first occurrence still open: its number and due time.
    pub next: Option<(u32, DateTime<Utc>)>,
    /// Whose turn that one is (`rotate`).
    pub turn: Option<String>,
    /// For a schedule kept per person: how it stands for each of its people.
    pub people: Vec<(String, Standing)>,
}

/// `due` times `k`, in the same unit (calendar months stay calendar months).
fn times(due: Due, k: u32) -> Due {
    let n = |x: u32| x.saturating_mul(k);
    match due {
        Due::Hours(h) => Due::Hours(n(h)),
        Due::Days(d) => Due::Days(n(d)),
        Due::Weeks(w) => Due::Weeks(n(w)),
        Due::Months(m) => Due::Months(n(m)),
        Due::Years(y) => Due::Years(n(y)),
    }
}

/// When occurrence `k` (from 1) of `schedule` falls after `anchor`; none past its end.
pub fn due(schedule: &Schedule, anchor: DateTime<Utc>, k: u32) -> Option<DateTime<Utc>> {
    if k == 0 || k > MAX_OCCURRENCES {
        return None;
    }
    let at = match &schedule.cadence {
        Cadence::At(offsets) => offsets.get(k as usize - 1)?.after(anchor),
        Cadence::Every {
            every,
            until: Some(until),
            then: Some(then),
        } => {
            let switch = until.after(anchor);
            // The first period's occurrences up to the switch, then the second period's.
            let first = (1..=MAX_OCCURRENCES)
                .take_while(|&i| times(*every, i).after(anchor) <= switch)
                .count() as u32;
            if k <= first {
                times(*every, k).after(anchor)
            } else {
                times(*then, k - first).after(switch)
            }
        }
        Cadence::Every { every, .. } => times(*every, k).after(anchor),
    };
    match schedule.end {
        Some(end) if at > end.after(anchor) => None,
        _ => Some(at),
    }
}

/// What `schedule` counts from for `pairing`; none while it does not apply (another type, a
/// stage not entered, a date not recorded, an ended pairing, outside its `during` stage).
pub fn anchor(program: &Program, schedule: &Schedule, pairing: &Pairing) -> Option<DateTime<Utc>> {
    if pairing.outcome.is_some() || !schedule.applies_to(&pairing.type_id) {
        return None;
    }
    if schedule
        .during
        .as_deref()
        .is_some_and(|s| s != &*pairing.stage)
    {
        return None;
    }
    counted_from(program, schedule, pairing)
}

/// What `schedule`'s occurrences count from, wherever the pairing is.
fn counted_from(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
) -> Option<DateTime<Utc>> {
    // An action's stop holds until an action starts it again.
    let started = match pairing.switched.get(&schedule.name) {
        Some(None) => return None,
        Some(Some(at)) => Some(*at),
        None => None,
    };
    match &schedule.anchor {
        Anchor::Started => started,
        Anchor::Enrolment => Some(pairing.enrolled_at),
        Anchor::Stage(stage) => pairing.history.as_ref()?.last_entered(stage),
        Anchor::Fact(fact) => match pairing.fact(program, fact) {
            Some(Value::Date(d)) => Some(d.and_time(NaiveTime::MIN).and_utc()),
            _ => None,
        },
    }
}

/// The pairing's record of `schedule` for `anchor` (empty when it has none for it).
fn state<'a>(pairing: &'a Pairing, name: &str, anchor: DateTime<Utc>) -> Option<&'a ScheduleState> {
    pairing.schedules.get(name).filter(|s| s.anchor == anchor)
}

/// The time an occurrence due at `due` is missed after.
fn missed_after(schedule: &Schedule, due: DateTime<Utc>) -> DateTime<Utc> {
    schedule.grace.map_or(due, |g| g.after(due))
}

/// How `schedule` stands for `pairing` at `now`; none while it does not apply.
/// A schedule kept per person stands as its people's together: their counts summed, the
/// earliest next occurrence, the latest done.
pub fn standing(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    now: DateTime<Utc>,
) -> Option<Standing> {
    if schedule.per.is_none() {
        return standing_for(program, schedule, pairing, None, now);
    }
    let mut all: Option<Standing> = None;
    for person in people(schedule, pairing) {
        let Some(one) = standing_for(program, schedule, pairing, Some(person), now) else {
            continue;
        };
        let sum = all.get_or_insert_with(Standing::default);
        sum.done += one.done;
        sum.on_time += one.on_time;
        sum.missed += one.missed;
        sum.missed_due.extend(one.missed_due.iter().copied());
        sum.due += one.due;
        sum.last_done = sum.last_done.max(one.last_done);
        sum.next = match (sum.next, one.next) {
            (Some(a), Some(b)) => Some(if b.1 < a.1 { b } else { a }),
            (a, b) => a.or(b),
        };
        sum.people.push((person.to_string(), one));
    }
    if let Some(sum) = &mut all {
        sum.missed_due.sort_by_key(|(_, at)| *at);
    }
    all
}

/// How `schedule` stands for one of its people (`who`, a schedule kept per person) or for
/// the pairing (`None`).
pub fn standing_for(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    who: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Standing> {
    let anchor = anchor_for(program, schedule, pairing, who)?;
    Some(count(schedule, pairing, who, anchor, now))
}

/// The people a schedule kept per person is kept for: those in its role, in the order they
/// joined; none for a schedule of the pairing.
pub fn people<'p>(schedule: &Schedule, pairing: &'p Pairing) -> Vec<&'p str> {
    let Some(role) = schedule.per.as_deref() else {
        return Vec::new();
    };
    pairing
        .participants
        .iter()
        .filter(|p| role == mentorflow_dsl::value::EVERY_PARTICIPANT || *p.role == *role)
        .map(|p| p.id.as_str())
        .collect()
}

/// What `schedule` counts from for `who` (kept per person: the later of its anchor and when
/// they joined) or for the pairing.
pub fn anchor_for(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    who: Option<&str>,
) -> Option<DateTime<Utc>> {
    let anchor = anchor(program, schedule, pairing)?;
    let Some(person) = who else {
        return Some(anchor);
    };
    let joined = pairing
        .history
        .as_ref()
        .and_then(|h| h.joined(person))
        .unwrap_or(pairing.enrolled_at);
    Some(anchor.max(joined))
}

/// How many occurrences are done, on time, missed and due, the latest done and the next
/// open: a [`Standing`] without the detail only some readers want (which were missed, whose
/// turn is next), which a guard reading `schedules.NAME.missed` pays for at every evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Occurrences done.
    pub done: u32,
    /// Of those, done by their due time.
    pub on_time: u32,
    /// Occurrences whose due time and grace passed without being done.
    pub missed: u32,
    /// Occurrences due so far.
    pub due: u32,
    /// When the latest was done.
    pub last_done: Option<DateTime<Utc>>,
    /// The first occurrence still open: its number and due time.
    pub next: Option<(u32, DateTime<Utc>)>,
}

impl Standing {
    /// Its counts.
    pub fn counts(&self) -> Counts {
        Counts {
            done: self.done,
            on_time: self.on_time,
            missed: self.missed,
            due: self.due,
            last_done: self.last_done,
            next: self.next,
        }
    }
}

/// The occurrences of `schedule` from `anchor`, counted at `now`, for `who` or the pairing.
fn count(
    schedule: &Schedule,
    pairing: &Pairing,
    who: Option<&str>,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Standing {
    let key = crate::model::schedule_state::key(&schedule.name, who);
    let mut missed_due = Vec::new();
    let c = tally(
        schedule,
        state(pairing, &key, anchor),
        anchor,
        now,
        &mut |k, at| missed_due.push((k, at)),
    );
    Standing {
        done: c.done,
        on_time: c.on_time,
        missed: c.missed,
        missed_due,
        due: c.due,
        last_done: c.last_done,
        next: c.next,
        turn: c.next.and_then(|(k, _)| turn(schedule, pairing, k)),
        people: Vec::new(),
    }
}

/// Counts the occurrences of `schedule` from `anchor` at `now` against what `state` records;
/// `missed` hears of each missed one, in order.
fn tally(
    schedule: &Schedule,
    state: Option<&ScheduleState>,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
    missed: &mut dyn FnMut(u32, DateTime<Utc>),
) -> Counts {
    let done_at = |k: u32| state.and_then(|s| s.done.get(&k)).copied();
    let mut s = Counts {
        last_done: state.and_then(|s| s.done.values().max().copied()),
        ..Counts::default()
    };
    for k in 1..=MAX_OCCURRENCES {
        let Some(at) = due(schedule, anchor, k) else {
            break;
        };
        // A done below the schedule's `require` counts as missed, its values kept.
        let short = state.is_some_and(|st| st.short.contains(&k));
        if let Some(done) = done_at(k).filter(|_| !short) {
            s.done += 1;
            s.on_time += u32::from(done <= at);
        } else if short || missed_after(schedule, at) < now {
            s.missed += 1;
            missed(k, at);
        } else if s.next.is_none() {
            s.next = Some((k, at));
        }
        if at <= now {
            s.due += 1;
        } else if s.next.is_some() {
            break;
        }
    }
    s
}

/// Why a done on a given time counts for no occurrence.
#[derive(Debug, Clone, PartialEq)]
pub enum NotOpen {
    /// Every occurrence is done, or was missed before then.
    NoneLeft,
    /// The next one open is not due yet and its period has not begun: the one before it was
    /// done already (a second meeting in the same week is not next week's).
    NotYet {
        /// The occurrence, from 1.
        occurrence: u32,
        /// When it is due.
        due: DateTime<Utc>,
        /// When its period begins: the due time of the one before.
        opens: DateTime<Utc>,
    },
}

/// How a schedule that runs `during` a stage stood when the running pairing last left that
/// stage: what a guard of a later stage counts (`schedules.sessions.done >= 6` in
/// evaluation), frozen then, with nothing open. None when it never ran there.
pub fn left_standing(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
) -> Option<Standing> {
    let during = schedule.during.as_deref()?;
    if pairing.outcome.is_some() || !schedule.applies_to(&pairing.type_id) {
        return None;
    }
    if during == &*pairing.stage {
        return None;
    }
    let history = pairing.history.as_ref()?;
    let entered = history.last_entered(during)?;
    // It left at the first stage entry after its last entry there: the earliest time
    // history keeps that is later (exact unless that next stage was entered again since).
    let left = history
        .stages
        .iter()
        .flat_map(|v| [v.first, v.last])
        .filter(|t| *t > entered)
        .min()?;
    if schedule.per.is_some() {
        return None;
    }
    let anchor = counted_from(program, schedule, pairing)?;
    state(pairing, &schedule.name, anchor)?;
    let mut frozen = count(schedule, pairing, None, anchor, left);
    frozen.next = None;
    frozen.turn = None;
    Some(frozen)
}

/// A time as scripts read it: its date.
fn script_date(t: DateTime<Utc>) -> rhai::Dynamic {
    rhai::Dynamic::from(mentorflow_dsl::dates::ScriptDate(t.date_naive()))
}

/// A standing as scripts read it (the pairing's, or one person's): `done`, `missed`,
/// `on_time`, `due`, `last_done`, `next_due`.
fn standing_map(s: &Standing) -> rhai::Map {
    let date = |t: Option<DateTime<Utc>>| t.map_or(rhai::Dynamic::UNIT, script_date);
    let mut one = rhai::Map::new();
    for (key, n) in [
        ("done", s.done),
        ("missed", s.missed),
        ("on_time", s.on_time),
        ("due", s.due),
    ] {
        one.insert(key.into(), rhai::Dynamic::from_int(n.into()));
    }
    one.insert("last_done".into(), date(s.last_done));
    one.insert("next_due".into(), date(s.next.map(|n| n.1)));
    one
}

/// Each occurrence of `schedule` done since the anchor it counts from, as scripts read it
/// (`schedules.survey.last("score")`): `number`, `due`, `done` and `short` (below its
/// `require`), and the values it recorded by fact name.
fn occurrences(program: &Program, schedule: &Schedule, pairing: &Pairing) -> rhai::Array {
    let date = script_date;
    let Some(anchor) =
        counted_from(program, schedule, pairing).filter(|_| schedule.applies_to(&pairing.type_id))
    else {
        return rhai::Array::new();
    };
    let Some(state) = state(pairing, &schedule.name, anchor) else {
        return rhai::Array::new();
    };
    state
        .done
        .iter()
        .map(|(k, on)| {
            let mut one = rhai::Map::new();
            one.insert("number".into(), rhai::Dynamic::from_int((*k).into()));
            one.insert(
                "due".into(),
                due(schedule, anchor, *k).map_or(rhai::Dynamic::UNIT, date),
            );
            one.insert("done".into(), date(*on));
            one.insert(
                "short".into(),
                rhai::Dynamic::from_bool(state.short.contains(k)),
            );
            for (name, value) in state.values.get(k).into_iter().flatten() {
                one.insert(name.as_str().into(), crate::model::view::to_dynamic(value));
            }
            rhai::Dynamic::from_map(one)
        })
        .collect()
}

/// How `schedule` stands as scripts read it: now while it applies; a `during` schedule, once
/// its stage is left, as it stood then.
pub fn as_scripts_read(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    now: DateTime<Utc>,
) -> Option<Standing> {
    standing(program, schedule, pairing, now).or_else(|| left_standing(program, schedule, pairing))
}

/// [`as_scripts_read`]'s counts alone: a schedule of the pairing that applies is counted
/// without the detail, anything else stands in full first.
pub fn counts_as_scripts_read(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    now: DateTime<Utc>,
) -> Option<Counts> {
    if schedule.per.is_none() {
        if let Some(anchor) = anchor(program, schedule, pairing) {
            let state = state(pairing, &schedule.name, anchor);
            return Some(tally(schedule, state, anchor, now, &mut |_, _| {}));
        }
    }
    as_scripts_read(program, schedule, pairing, now).map(|s| s.counts())
}

/// The occurrence a done on `on` counts for: the first not done and not yet missed by then,
/// once its period has begun (the first from the anchor, each next one from the due time of
/// the one before), so an early done is never counted for a later period.
pub fn open_occurrence(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    who: Option<&str>,
    on: DateTime<Utc>,
) -> Result<(u32, DateTime<Utc>), NotOpen> {
    let Some(anchor) = anchor_for(program, schedule, pairing, who) else {
        return Err(NotOpen::NoneLeft);
    };
    let key = crate::model::schedule_state::key(&schedule.name, who);
    let state = state(pairing, &key, anchor);
    let open = (1..=MAX_OCCURRENCES)
        .map_while(|k| due(schedule, anchor, k).map(|at| (k, at)))
        .find(|(k, at)| {
            !state.is_some_and(|s| s.done.contains_key(k)) && missed_after(schedule, *at) >= on
        });
    let Some((k, at)) = open else {
        return Err(NotOpen::NoneLeft);
    };
    let opens = match k {
        1 => anchor,
        _ => due(schedule, anchor, k - 1).unwrap_or(anchor),
    };
    if on < opens {
        return Err(NotOpen::NotYet {
            occurrence: k,
            due: at,
            opens,
        });
    }
    Ok((k, at))
}

/// Whose turn occurrence `k` (from 1) of `schedule` is: the one announced or done for it,
/// else, among the pairing's people in its `rotate` role, the one with the fewest turns so
/// far (the earliest to join among equals), so someone who leaves or joins changes nobody's
/// place in line but their own. None when it does not rotate or nobody is in the role.
pub fn turn(schedule: &Schedule, pairing: &Pairing, k: u32) -> Option<String> {
    let role = schedule.rotate.as_deref()?;
    let turns = pairing
        .schedules
        .get(&schedule.name)
        .map(|s| &s.turns)
        .filter(|t| !t.is_empty());
    if let Some(given) = turns.and_then(|t| t.get(&k)) {
        return Some(given.clone());
    }
    let taken = |id: &str| {
        turns.map_or(0, |t| {
            t.range(..k).filter(|(_, who)| who.as_str() == id).count()
        })
    };
    pairing
        .participants
        .iter()
        .filter(|p| role == mentorflow_dsl::value::EVERY_PARTICIPANT || *p.role == *role)
        .enumerate()
        .min_by_key(|(joined, p)| (taken(&p.id), *joined))
        .map(|(_, p)| p.id.clone())
}

/// The occurrence of `schedule` a tick at `now` finds come due next and not yet announced:
/// the first still open whose period has begun (at the anchor for the first, at the due time
/// of the one before for the others), with its anchor and due time.
pub fn newly_coming(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, u32, DateTime<Utc>)> {
    if schedule.per.is_some() {
        return None;
    }
    let anchor = anchor(program, schedule, pairing)?;
    let state = state(pairing, &schedule.name, anchor);
    let announced = state.map_or(0, |s| s.announced);
    let (k, at) = (1..=MAX_OCCURRENCES)
        .map_while(|k| due(schedule, anchor, k).map(|at| (k, at)))
        .find(|(k, at)| {
            !state.is_some_and(|s| s.done.contains_key(k)) && missed_after(schedule, *at) >= now
        })?;
    let opens = match k {
        1 => anchor,
        _ => due(schedule, anchor, k - 1).unwrap_or(anchor),
    };
    (k > announced && opens <= now).then_some((anchor, k, at))
}

/// The occurrences of `schedule` a tick at `now` finds missed and not yet logged, and the last
/// one it looked at.
pub fn newly_missed(
    program: &Program,
    schedule: &Schedule,
    pairing: &Pairing,
    who: Option<&str>,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, Vec<u32>, u32)> {
    let anchor = anchor_for(program, schedule, pairing, who)?;
    let key = crate::model::schedule_state::key(&schedule.name, who);
    let state = state(pairing, &key, anchor);
    let from = state.map_or(0, |s| s.checked) + 1;
    let mut missed = Vec::new();
    let mut checked = from - 1;
    for k in from..=MAX_OCCURRENCES {
        let Some(at) = due(schedule, anchor, k) else {
            break;
        };
        if missed_after(schedule, at) >= now {
            break;
        }
        checked = k;
        if !state.is_some_and(|s| s.done.contains_key(&k)) {
            missed.push(k);
        }
    }
    (!missed.is_empty()).then_some((anchor, missed, checked))
}

/// `schedules`: every schedule of the program with how it stands (`done`, `missed`,
/// `on_time`, `due`, `last_done`, `next_due`); a `during` schedule after its stage as it stood
/// when the pairing left it; one that does not apply reads as zeros.
pub(crate) fn script_map(
    program: &Program,
    pairing: &crate::model::pairing::Pairing,
    now: chrono::DateTime<chrono::Utc>,
) -> rhai::Dynamic {
    let map: rhai::Map = program
        .schedules
        .iter()
        // One per name: the one for the pairing's type (a type's own stands in for the
        // program's), else the first, which then reads as zeros.
        .filter(|s| {
            program
                .schedule(&s.name, &pairing.type_id)
                .is_some_and(|chosen| std::ptr::eq(chosen, *s))
        })
        .map(|s| {
            let standing = as_scripts_read(program, s, pairing, now).unwrap_or_default();
            let mut one = standing_map(&standing);
            // Whose turn the next open occurrence is (`rotate`), or `()`.
            one.insert(
                "turn".into(),
                standing.turn.map_or(rhai::Dynamic::UNIT, |id| id.into()),
            );
            one.insert(
                "occurrences".into(),
                rhai::Dynamic::from_array(occurrences(program, s, pairing)),
            );
            // A schedule kept per person: each person's own, read as `schedules.NAME.of(p)`.
            if s.per.is_some() {
                let people: rhai::Map = standing
                    .people
                    .iter()
                    .map(|(id, own)| (id.into(), rhai::Dynamic::from_map(standing_map(own))))
                    .collect();
                one.insert("people".into(), rhai::Dynamic::from_map(people));
            }
            (s.name.as_str().into(), rhai::Dynamic::from_map(one))
        })
        .collect();
    rhai::Dynamic::from_map(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn schedule(cadence: Cadence, end: Option<Due>) -> Schedule {
        Schedule {
            name: "s".into(),
            title: "s".into(),
            cadence,
            anchor: Anchor::Enrolment,
            end,
            grace: None,
            during: None,
            types: Vec::new(),
            except: Vec::new(),
            facts: Vec::new(),
            required: Vec::new(),
            require: None,
            rotate: None,
            per: None,
            span: mentorflow_dsl::Span::default(),
        }
    }

    #[test]
    fn a_cadence_that_changes_switches_after_its_first_period() {
        let s = schedule(
            Cadence::Every {
                every: Due::Weeks(1),
                until: Some(Due::Weeks(8)),
                then: Some(Due::Weeks(2)),
            },
            Some(Due::Weeks(12)),
        );
        let anchor = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let weeks: Vec<i64> = (1..20)
            .map_while(|k| due(&s, anchor, k))
            .map(|t| (t - anchor).num_weeks())
            .collect();
        assert_eq!(weeks, [1, 2, 3, 4, 5, 6, 7, 8, 10, 12]);
    }

    #[test]
    fn fixed_offsets_and_calendar_months() {
        let at = schedule(Cadence::At(vec![Due::Days(14), Due::Days(45)]), None);
        let anchor = Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap();
        assert_eq!(due(&at, anchor, 2), Some(Due::Days(45).after(anchor)));
        assert_eq!(due(&at, anchor, 3), None);
        let monthly = schedule(
            Cadence::Every {
                every: Due::Months(1),
                until: None,
                then: None,
            },
            None,
        );
        let second = Utc.with_ymd_and_hms(2026, 3, 31, 9, 0, 0).unwrap();
        assert_eq!(
            due(&monthly, anchor, 2),
            Some(second),
            "no drift to the 28th"
        );
    }
}
