//! The cohort report: what a steering committee asks of the pairings a selection picks. Per
//! program: the funnel per type in stage order (a stage counted once per pairing however often
//! it came back), success per type and per program version (pairings counted on the version
//! they ended on, migrations shown), how long stays in each stage last, what ended pairings
//! achieved (number facts, rating distributions), why pairings ended (a reason code, or the
//! transition whose guard ended them), how schedules were kept over the pairings' lives, the
//! stages week by week, a breakdown by type, person or attribute, and mentor load. Across
//! programs: who needs a call, at risk first. It is data: the command line draws it as text,
//! HTML or JSON.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Guard, Program};

use crate::coordinator::error::Error;
use crate::coordinator::Coordinator;
use crate::decide::attention::Attention;
use crate::decide::health::Health;
use crate::model::directory::Directory;
use crate::model::pairing::Pairing;
use crate::model::person::Person;
use crate::reports::breakdown::{By, Counted, Group, Registry};
use crate::reports::life::Life;
use crate::reports::load::Load;
use crate::reports::measures::Measure;
pub use crate::reports::rate::{Rate, SUCCESS};
use crate::reports::selection::Selection;
use crate::reports::trend::Week;

/// How the report names an ending without a reason.
pub const NO_REASON: &str = "no reason given";

/// The upper bounds (in days) of the buckets stays are counted in; the last bucket is open.
pub const STAY_BUCKETS: [(u32, &str); 7] = [
    (1, "under 1d"),
    (7, "1d-1w"),
    (14, "1-2w"),
    (28, "2-4w"),
    (61, "1-2mo"),
    (92, "2-3mo"),
    (183, "3-6mo"),
];

/// The cohort report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The time it was made for (the clock, or `--now`).
    pub now: DateTime<Utc>,
    /// Pairings selected.
    pub pairings: u64,
    /// Of those, running.
    pub running: u64,
    /// Running pairings per health state: at risk, needing a check-in, on track.
    pub health: [u64; 3],
    /// One section per program, by id.
    pub programs: Vec<ProgramReport>,
    /// Running pairings that need a call: at risk first, then those needing a check-in, each
    /// group the longest overdue (then the longest in its stage) first.
    pub attention: Vec<Call>,
    /// The registry's names, for the people the report names.
    pub names: Directory,
    /// What each program section is broken down by (`type` unless asked otherwise).
    pub by: String,
}

/// A running pairing that needs a call, and why.
#[derive(Debug, Clone)]
pub struct Call {
    /// The pairing.
    pub pairing: Pairing,
    /// Its health: at risk or needing a check-in, with the reasons.
    pub health: Health,
    /// Where it stands (what it waits on).
    pub attention: Attention,
}

/// One program's part of the report (all its versions together).
#[derive(Debug, Clone)]
pub struct ProgramReport {
    /// The program id.
    pub id: String,
    /// Its title (the newest version's).
    pub title: String,
    /// Its stages in the newest version's order (stages only older versions have follow).
    pub stages: Vec<StageReport>,
    /// One funnel per mentoring type, by type id.
    pub types: Vec<TypeReport>,
    /// Success per program version, oldest first.
    pub versions: Vec<VersionReport>,
    /// Why pairings ended other than in success (or with a reason), most first.
    pub reasons: Vec<Ending>,
    /// How each schedule is kept, by the program's order.
    pub schedules: Vec<ScheduleReport>,
    /// What the ended pairings achieved: each number fact of the newest version.
    pub measures: Vec<Measure>,
    /// Pairings per stage, week by week (stages aligned with [`ProgramReport::stages`]).
    pub trend: Vec<Week>,
    /// The pairings broken down by the report's `by`, the largest group first.
    pub breakdown: Vec<Group>,
    /// Each mentor's load, the busiest first.
    pub load: Vec<Load>,
}

/// Why some pairings ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// The reason code (the reason itself when the program declares no codes), `other` for a
    /// reason that is none of the codes, `transition N` when a guard or a timer ended them,
    /// or [`NO_REASON`].
    pub key: String,
    /// The same in words: the code's description, or the transition's label, stages and the
    /// criterion it checks.
    pub words: String,
    /// How many pairings.
    pub count: u64,
}

/// A stage, and how long pairings stayed in it.
#[derive(Debug, Clone)]
pub struct StageReport {
    /// Stage id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The outcome, for a terminal stage.
    pub outcome: Option<String>,
    /// The stays that ended (the pairing moved on), in days.
    pub stays: Spread,
}

/// How long stays lasted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spread {
    /// Stays counted.
    pub count: u64,
    /// Shortest, median, 90th percentile and longest, in days; none without stays.
    pub days: Option<Quantiles>,
    /// How many fall in each of [`STAY_BUCKETS`] and, last, in the open bucket beyond.
    pub buckets: [u64; STAY_BUCKETS.len() + 1],
}

/// Quantiles of a set of durations, in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// Shortest.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile (nearest rank).
    pub p90: f64,
    /// Longest.
    pub max: f64,
}

/// One type's funnel and outcomes.
#[derive(Debug, Clone)]
pub struct TypeReport {
    /// The type id.
    pub type_id: String,
    /// Pairings of this type.
    pub pairings: u64,
    /// Per stage (aligned with [`ProgramReport::stages`]): how many reached it (once each,
    /// however often they came back), and how many are in it now.
    pub funnel: Vec<(u64, u64)>,
    /// Ended pairings per outcome, by outcome.
    pub outcomes: Vec<(String, u64)>,
    /// Success among the ended.
    pub success: Rate,
}

/// One program version's pairings.
#[derive(Debug, Clone)]
pub struct VersionReport {
    /// Its number among the program's stored versions, from 1 (oldest).
    pub number: usize,
    /// Content hash.
    pub hash: String,
    /// When it was first stored.
    pub stored_at: String,
    /// Pairings on it now (selected), including those migrated to it.
    pub pairings: u64,
    /// Of those, migrated to it from an earlier version.
    pub migrated_in: u64,
    /// Pairings enrolled on it (some may run on a later version now).
    pub started: u64,
    /// Success among the pairings that ended on it.
    pub success: Rate,
}

/// How one schedule is kept across the pairings it applies to.
#[derive(Debug, Clone, Default)]
pub struct ScheduleReport {
    /// The schedule's name.
    pub name: String,
    /// Its title, where the program gives one.
    pub title: String,
    /// Pairings it applies to now.
    pub pairings: u64,
    /// Occurrences due so far.
    pub due: u64,
    /// Occurrences done.
    pub done: u64,
    /// Of those, on time.
    pub on_time: u64,
    /// Occurrences missed.
    pub missed: u64,
    /// Pairings with at least one missed.
    pub pairings_missing: u64,
    /// Occurrences held over the selected pairings' whole lives (ended ones too).
    pub held_ever: u64,
    /// Occurrences missed over their whole lives.
    pub missed_ever: u64,
}

/// What the report reads of one selected pairing.
struct Selected {
    pairing: Pairing,
    attention: Attention,
    health: Option<Health>,
    life: Life,
}

impl Coordinator {
    /// The report on the pairings `selection` picks, each program section broken down `by`
    /// (`type`, a role, an attribute or `ROLE.ATTRIBUTE`; `type` when none).
    pub fn report(&mut self, selection: &Selection, by: Option<&str>) -> Result<Report, Error> {
        let now = self.now();
        let placed = self.select(selection)?;
        let healths = self.healths(&placed)?;
        let mut selected = Vec::with_capacity(placed.len());
        // One pairing's events at a time: the whole log of a large store would not fit.
        for ((pairing, attention), health) in placed.into_iter().zip(healths) {
            let life = Life::of(&self.log(Some(&pairing.id))?);
            selected.push(Selected {
                pairing,
                attention,
                health,
                life,
            });
        }
        let people = self.people()?;
        let by_text = by.unwrap_or("type");
        let mut programs: BTreeMap<String, Vec<&Selected>> = BTreeMap::new();
        for s in &selected {
            programs
                .entry(s.pairing.program_id.to_string())
                .or_default()
                .push(s);
        }
        let versions = self.programs()?;
        let mut sections = Vec::with_capacity(programs.len());
        let mut bys = Vec::with_capacity(programs.len());
        for (id, pairings) in &programs {
            let mut stored: Vec<&crate::store::ProgramVersion> =
                versions.iter().filter(|v| v.id == *id).collect();
            stored.sort_by(|a, b| a.stored_at.cmp(&b.stored_at));
            let mut loaded = Vec::with_capacity(stored.len());
            for v in &stored {
                loaded.push(self.program(&v.hash)?);
            }
            bys.push(breakdown_by(by_text, &loaded, &people)?);
            let mut section = program_section(id, &loaded, &stored, pairings, now);
            section.schedules = self.schedule_report(&loaded, pairings)?;
            sections.push(section);
        }
        if !programs.is_empty() && bys.iter().all(Option::is_none) {
            return Err(unknown_by(by_text, &versions, self, &people));
        }
        let registry: Registry<'_> = people
            .iter()
            .map(|p| (p.id.as_str(), &p.attributes))
            .collect();
        let names = Directory::of(people.iter().cloned());
        for ((section, pairings), by) in sections.iter_mut().zip(programs.values()).zip(&bys) {
            let counted = counted(pairings);
            if let Some(by) = by {
                section.breakdown =
                    crate::reports::breakdown::groups(by, &counted, &names, &registry);
            }
            let newest = self.newest(&versions, &section.id)?;
            let person = |id: &str| people.iter().find(|p| p.id == id);
            section.load = crate::reports::load::load(&newest, &counted, person);
        }
        Ok(Report {
            now,
            pairings: selected.len() as u64,
            running: selected
                .iter()
                .filter(|s| s.pairing.outcome.is_none())
                .count() as u64,
            health: health_counts(&selected),
            programs: sections,
            attention: calls(selected, now),
            names,
            by: by_text.to_string(),
        })
    }

    /// The newest stored version of program `id`.
    fn newest(
        &mut self,
        versions: &[crate::store::ProgramVersion],
        id: &str,
    ) -> Result<Arc<Program>, Error> {
        let newest = versions
            .iter()
            .filter(|v| v.id == id)
            .max_by(|a, b| a.stored_at.cmp(&b.stored_at))
            .map(|v| v.hash.clone())
            .unwrap_or_default();
        self.program(&newest)
    }

    /// How each schedule of the program stands, summed over `pairings`.
    fn schedule_report(
        &mut self,
        versions: &[Arc<Program>],
        pairings: &[&Selected],
    ) -> Result<Vec<ScheduleReport>, Error> {
        let mut reports: Vec<ScheduleReport> = Vec::new();
        for program in versions.iter().rev() {
            for s in &program.schedules {
                if !reports.iter().any(|r| r.name == s.name) {
                    reports.push(ScheduleReport {
                        name: s.name.clone(),
                        title: s.title.clone(),
                        ..ScheduleReport::default()
                    });
                }
            }
        }
        for s in pairings {
            for r in &mut reports {
                let (held, missed) = s.life.meetings(&r.name);
                r.held_ever += held;
                r.missed_ever += missed;
            }
            for (schedule, st) in self.schedules(&s.pairing)? {
                let Some(r) = reports.iter_mut().find(|r| r.name == schedule.name) else {
                    continue;
                };
                r.pairings += 1;
                r.due += u64::from(st.due);
                r.done += u64::from(st.done);
                r.on_time += u64::from(st.on_time);
                r.missed += u64::from(st.missed);
                r.pairings_missing += u64::from(st.missed > 0);
            }
        }
        Ok(reports)
    }
}

/// What `text` breaks a program down by, in the program's newest version; none when it names
/// nothing there (another program of the report may have it).
fn breakdown_by(
    text: &str,
    versions: &[Arc<Program>],
    people: &[Person],
) -> Result<Option<By>, Error> {
    let registry = registry_attributes(people);
    Ok(versions
        .last()
        .and_then(|p| By::resolve(text, p, &registry)))
}

/// Every attribute name the registry holds.
fn registry_attributes(people: &[Person]) -> Vec<&str> {
    let mut names: Vec<&str> = people
        .iter()
        .flat_map(|p| p.attributes.keys().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The refusal of a `by` no selected program has, with every choice they offer.
fn unknown_by(
    text: &str,
    versions: &[crate::store::ProgramVersion],
    coordinator: &mut Coordinator,
    people: &[Person],
) -> Error {
    let registry = registry_attributes(people);
    let mut known = Vec::new();
    for v in versions {
        if let Ok(p) = coordinator.program(&v.hash) {
            known.extend(By::choices(&p, &registry));
        }
    }
    known.sort();
    known.dedup();
    Error::UnknownFilter {
        what: "a type, role or attribute to break down by",
        value: text.into(),
        known,
    }
}

/// The pairings as a breakdown and the load count them.
fn counted<'a>(pairings: &[&'a Selected]) -> Vec<Counted<'a>> {
    pairings
        .iter()
        .map(|s| Counted {
            pairing: &s.pairing,
            state: s.health.as_ref().map(|h| h.state),
            meetings: (
                s.life.held.iter().map(|h| h.1).sum(),
                s.life.missed.iter().map(|m| m.1).sum(),
            ),
        })
        .collect()
}

/// Running pairings per state: at risk, needing a check-in, on track.
fn health_counts(selected: &[Selected]) -> [u64; 3] {
    let mut counts = [0; 3];
    for h in selected.iter().filter_map(|s| s.health.as_ref()) {
        counts[h.state as usize] += 1;
    }
    counts
}

/// The running pairings that need a call, at risk first, then the longest overdue and the
/// longest in their stage.
fn calls(selected: Vec<Selected>, now: DateTime<Utc>) -> Vec<Call> {
    let mut calls: Vec<Call> = selected
        .into_iter()
        .filter_map(|s| {
            let health = s.health.filter(Health::needs_a_call)?;
            Some(Call {
                pairing: s.pairing,
                health,
                attention: s.attention,
            })
        })
        .collect();
    calls.sort_by_key(|c| crate::decide::health::call_order(&c.pairing, &c.health, now));
    calls
}

/// One program's section, without its schedules, breakdown and load (those read more).
fn program_section(
    id: &str,
    versions: &[Arc<Program>],
    stored: &[&crate::store::ProgramVersion],
    pairings: &[&Selected],
    now: DateTime<Utc>,
) -> ProgramReport {
    let stages = stage_order(versions);
    let position = |stage: &str| stages.iter().position(|s| s.0 == stage);
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let mut types: BTreeMap<String, TypeReport> = BTreeMap::new();
    let mut endings: BTreeMap<String, Ending> = BTreeMap::new();
    for s in pairings {
        let p = &s.pairing;
        let t = types
            .entry(p.type_id.to_string())
            .or_insert_with(|| TypeReport {
                type_id: p.type_id.to_string(),
                pairings: 0,
                funnel: vec![(0, 0); stages.len()],
                outcomes: Vec::new(),
                success: Rate::default(),
            });
        t.pairings += 1;
        for stage in &s.life.reached {
            if let Some(i) = position(stage) {
                t.funnel[i].0 += 1;
            }
        }
        if let Some(i) = position(&p.stage) {
            t.funnel[i].1 += 1;
        }
        t.success.count(p.outcome.as_deref());
        if let Some(o) = &p.outcome {
            match t.outcomes.iter_mut().find(|(name, _)| name == o) {
                Some((_, n)) => *n += 1,
                None => t.outcomes.push((o.to_string(), 1)),
            }
            let program = versions.iter().find(|v| v.hash == *p.program_hash);
            if let Some(e) = ending(program.map(|p| &**p), s) {
                endings
                    .entry(e.key.clone())
                    .or_insert(Ending { count: 0, ..e })
                    .count += 1;
            }
        }
        for (stage, d) in &s.life.stays {
            if let Some(i) = position(stage) {
                durations[i].push(*d);
            }
        }
    }
    for t in types.values_mut() {
        t.outcomes.sort();
    }
    let mut reasons: Vec<Ending> = endings.into_values().collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let newest = versions.last();
    let lives: Vec<&Life> = pairings.iter().map(|s| &s.life).collect();
    let all: Vec<&Pairing> = pairings.iter().map(|s| &s.pairing).collect();
    ProgramReport {
        id: id.into(),
        title: newest.map(|p| p.title.clone()).unwrap_or_default(),
        trend: crate::reports::trend::weeks(&lives, stages.len(), position, now),
        measures: newest.map_or_else(Vec::new, |p| crate::reports::measures::measures(p, &all)),
        stages: stages
            .into_iter()
            .zip(durations)
            .map(|((id, title, outcome), mut d)| StageReport {
                id,
                title,
                outcome,
                stays: spread(&mut d),
            })
            .collect(),
        types: types.into_values().collect(),
        versions: version_reports(stored, pairings),
        reasons,
        schedules: Vec::new(),
        breakdown: Vec::new(),
        load: Vec::new(),
    }
}

/// Success per stored version: pairings counted on the version they run (or ended) on, with
/// how many came to it by a migration and how many started on it.
fn version_reports(
    stored: &[&crate::store::ProgramVersion],
    pairings: &[&Selected],
) -> Vec<VersionReport> {
    stored
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let on: Vec<&&Selected> = pairings
                .iter()
                .filter(|s| *s.pairing.program_hash == *v.hash)
                .collect();
            let mut success = Rate::default();
            for s in &on {
                success.count(s.pairing.outcome.as_deref());
            }
            let started_here = |s: &Selected| s.life.started_on.is_some_and(|h| *h == *v.hash);
            VersionReport {
                number: i + 1,
                hash: v.hash.clone(),
                stored_at: v.stored_at.clone(),
                pairings: on.len() as u64,
                migrated_in: on.iter().filter(|s| !started_here(s)).count() as u64,
                started: pairings.iter().filter(|s| started_here(s)).count() as u64,
                success,
            }
        })
        .filter(|v| v.pairings > 0 || v.started > 0)
        .collect()
}

/// Why the ended pairing `s` ended, when the report counts it: a pairing that succeeded needs
/// no reason; any other ending is counted, with or without one.
fn ending(program: Option<&Program>, s: &Selected) -> Option<Ending> {
    let p = &s.pairing;
    let code = program.and_then(|program| crate::coordinator::ended_because(program, p));
    if let Some(code) = code {
        let words = program
            .and_then(|pr| pr.reasons.iter().find(|r| r.code == code))
            .map_or_else(String::new, |r| r.description.clone());
        return Some(Ending {
            key: code,
            words,
            count: 1,
        });
    }
    // A program without reason codes is read by its reasons' words.
    if let Some(reason) = p.history.as_ref().and_then(|h| h.reason.clone()) {
        return Some(Ending {
            key: reason,
            words: String::new(),
            count: 1,
        });
    }
    if p.outcome.as_deref() == Some(SUCCESS) {
        return None;
    }
    let by_guard = program
        .zip(s.life.last_transition)
        .and_then(|(program, n)| {
            let t = program.transitions.iter().find(|t| t.number() == n)?;
            Some(Ending {
                key: format!("transition {n}"),
                words: guard_words(program, t),
                count: 1,
            })
        });
    Some(by_guard.unwrap_or_else(|| Ending {
        key: NO_REASON.into(),
        words: String::new(),
        count: 1,
    }))
}

/// A transition in words: its label, the stages it joins by their titles, and what its guard
/// checks where a criterion says it (`fell short: Evaluation → Completed without success`).
fn guard_words(program: &Program, t: &mentorflow_dsl::Transition) -> String {
    let title = |id: &str| {
        program
            .stages
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.title.clone())
    };
    let from = match &t.from {
        mentorflow_dsl::model::From::Stage(s) => title(s),
        mentorflow_dsl::model::From::Any => "any stage".into(),
    };
    let mut words = format!("{from} → {}", title(&t.to));
    if !t.label.is_empty() {
        words = format!("{}: {words}", t.label);
    }
    let criteria: Vec<&str> = match &t.guard {
        Some(Guard::Criterion(c)) => vec![c.as_str()],
        Some(Guard::Script(s)) => s.criteria_read.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    for c in criteria.iter().filter_map(|c| program.criterion(c)) {
        if !c.description.is_empty() {
            words.push_str(&format!(" (checks {}: {})", c.name, c.description));
        }
    }
    words
}

/// Stage id, title and outcome in the newest version's order, then those only older versions
/// have (newest first).
fn stage_order(versions: &[Arc<Program>]) -> Vec<(String, String, Option<String>)> {
    let mut stages: Vec<(String, String, Option<String>)> = Vec::new();
    for program in versions.iter().rev() {
        for s in &program.stages {
            if !stages.iter().any(|(id, _, _)| *id == s.id) {
                stages.push((
                    s.id.to_string(),
                    s.title.clone(),
                    s.outcome.map(|o| o.to_string()),
                ));
            }
        }
    }
    stages
}

/// The spread of `days` (sorted here).
pub fn spread(days: &mut [f64]) -> Spread {
    days.sort_by(f64::total_cmp);
    let mut buckets = [0; STAY_BUCKETS.len() + 1];
    for d in days.iter() {
        let i = STAY_BUCKETS
            .iter()
            .position(|(upper, _)| *d < f64::from(*upper))
            .unwrap_or(STAY_BUCKETS.len());
        buckets[i] += 1;
    }
    let rank = |q: f64| {
        // Nearest rank: the smallest value with at least q of the stays at or below it.
        let i = ((q * days.len() as f64).ceil() as usize).clamp(1, days.len());
        days[i - 1]
    };
    Spread {
        count: days.len() as u64,
        days: (!days.is_empty()).then(|| Quantiles {
            min: days[0],
            median: rank(0.5),
            p90: rank(0.9),
            max: days[days.len() - 1],
        }),
        buckets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_has_nearest_rank_quantiles_and_every_stay_in_one_bucket() {
        let mut days = vec![30.0, 0.5, 3.0, 10.0, 200.0, 3.0, 8.0, 45.0, 70.0, 100.0];
        let s = spread(&mut days);
        assert_eq!(s.count, 10);
        let q = s.days.unwrap();
        assert_eq!((q.min, q.median, q.p90, q.max), (0.5, 10.0, 100.0, 200.0));
        assert_eq!(s.buckets, [1, 2, 2, 0, 2, 1, 1, 1]);
        assert_eq!(s.buckets.iter().sum::<u64>(), s.count);
    }

    #[test]
    fn no_stays_have_no_quantiles() {
        assert_eq!(spread(&mut []).days, None);
    }

    #[test]
    fn a_rate_counts_only_ended_pairings() {
        let mut r = Rate::default();
        r.count(None);
        assert_eq!(r.share(), None);
        r.count(Some("success"));
        r.count(Some("withdrawn"));
        assert_eq!(
            r,
            Rate {
                succeeded: 1,
                ended: 2
            }
        );
        assert_eq!(r.share(), Some(0.5));
    }
}
