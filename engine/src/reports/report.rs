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
use crate::reports::breakdown::{By, Counted, Group, Groups, Registry};
use crate::reports::life::Life;
use crate::reports::load::{Load, Loads};
use crate::reports::measures::{Measure, Measures};
pub use crate::reports::rate::{Rate, SUCCESS};
use crate::reports::selection::Selection;
use crate::reports::trend::{Trend, Week};

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
    /// group the longest overdue (then the longest in its stage) first; only the first ones
    /// when the report was asked to keep a number of them.
    pub attention: Vec<Call>,
    /// How many running pairings need a call (listed in `attention` or not).
    pub needing_a_call: u64,
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

/// One program's section while the selected pairings are counted into it, one at a time.
struct Section {
    id: String,
    /// Its stored versions, oldest first, and their programs.
    stored: Vec<crate::store::ProgramVersion>,
    versions: Vec<Arc<Program>>,
    by: Option<By>,
    stages: Vec<(String, String, Option<String>)>,
    durations: Vec<Vec<f64>>,
    types: BTreeMap<String, TypeReport>,
    endings: BTreeMap<String, Ending>,
    /// Per stored version: pairings on it, of those migrated to it, started on it, success.
    on_version: Vec<(u64, u64, u64, Rate)>,
    trend: Trend,
    measures: Option<Measures>,
    schedules: Vec<ScheduleReport>,
    groups: Groups,
    loads: Loads,
}

/// The running pairings that need a call, the first `keep` of them (all without a number).
struct Calls {
    keep: Option<usize>,
    calls: Vec<Call>,
    total: u64,
    now: DateTime<Utc>,
}

impl Calls {
    fn offer(&mut self, s: Selected) {
        let Some(health) = s.health.filter(Health::needs_a_call) else {
            return;
        };
        self.total += 1;
        self.calls.push(Call {
            pairing: s.pairing,
            health,
            attention: s.attention,
        });
        // Trimmed now and then, not at every call: the first `keep` stay in order.
        if self.keep.is_some_and(|k| self.calls.len() >= 2 * k.max(64)) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        let now = self.now;
        self.calls
            .sort_by_cached_key(|c| crate::decide::health::call_order(&c.pairing, &c.health, now));
        if let Some(keep) = self.keep {
            self.calls.truncate(keep);
        }
    }
}

impl Coordinator {
    /// The report on the pairings `selection` picks, each program section broken down `by`
    /// (`type`, a role, an attribute or `ROLE.ATTRIBUTE`; `type` when none), listing the first
    /// `calls` pairings that need a call (all of them when none). The pairings are read a page
    /// at a time and counted as they come: a store of any size is reported in bounded memory.
    pub fn report(
        &mut self,
        selection: &Selection,
        by: Option<&str>,
        calls: Option<usize>,
    ) -> Result<Report, Error> {
        let now = self.now();
        let people = self.people()?;
        let versions = self.programs()?;
        let by_text = by.unwrap_or("type");
        let registry: Registry<'_> = people
            .iter()
            .map(|p| (p.id.as_str(), &p.attributes))
            .collect();
        let names = Directory::of(people.iter().cloned());
        // Looked up for each mentor the load meets: a scan of the registry each time was
        // mentors x people.
        let by_id: std::collections::HashMap<&str, &Person> =
            people.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut sections: BTreeMap<String, Section> = BTreeMap::new();
        let mut calls = Calls {
            keep: calls,
            calls: Vec::new(),
            total: 0,
            now,
        };
        let (mut pairings, mut running, mut health) = (0u64, 0u64, [0u64; 3]);
        let mut after = 0;
        while let Some((last, placed)) = self.select_page(selection, after)? {
            after = last;
            let healths = self.healths(&placed)?;
            let ids: Vec<&str> = placed.iter().map(|(p, _)| &*p.id).collect();
            let logs = self.ledger.events_of(&ids, &crate::reports::life::KINDS)?;
            for (((pairing, attention), health_of), log) in
                placed.into_iter().zip(healths).zip(logs)
            {
                let s = Selected {
                    life: Life::of(&log),
                    pairing,
                    attention,
                    health: health_of,
                };
                pairings += 1;
                running += u64::from(s.pairing.outcome.is_none());
                if let Some(h) = &s.health {
                    health[h.state as usize] += 1;
                }
                let id = s.pairing.program_id.to_string();
                if !sections.contains_key(&id) {
                    let section = self.section(&id, &versions, by_text, &people, now)?;
                    sections.insert(id.clone(), section);
                }
                let section = sections.get_mut(&id).expect("inserted above");
                let standings = self.schedules(&s.pairing)?;
                let person = |id: &str| by_id.get(id).copied();
                section.add(&s, &standings, &names, &registry, person);
                calls.offer(s);
            }
        }
        if !sections.is_empty() && sections.values().all(|s| s.by.is_none()) {
            return Err(unknown_by(by_text, &versions, self, &people));
        }
        calls.trim();
        Ok(Report {
            now,
            pairings,
            running,
            health,
            programs: sections.into_values().map(Section::finish).collect(),
            attention: calls.calls,
            needing_a_call: calls.total,
            names,
            by: by_text.to_string(),
        })
    }

    /// The section of program `id` before any pairing is counted: its stored versions loaded,
    /// oldest first, and what it is broken down by.
    fn section(
        &mut self,
        id: &str,
        versions: &[crate::store::ProgramVersion],
        by_text: &str,
        people: &[Person],
        now: DateTime<Utc>,
    ) -> Result<Section, Error> {
        let mut stored: Vec<crate::store::ProgramVersion> =
            versions.iter().filter(|v| v.id == id).cloned().collect();
        stored.sort_by(|a, b| a.stored_at.cmp(&b.stored_at));
        let mut loaded = Vec::with_capacity(stored.len());
        for v in &stored {
            loaded.push(self.program(&v.hash)?);
        }
        let stages = stage_order(&loaded);
        let schedules = schedule_reports(&loaded);
        Ok(Section {
            id: id.to_string(),
            by: breakdown_by(by_text, &loaded, people)?,
            durations: vec![Vec::new(); stages.len()],
            trend: Trend::new(stages.len(), now),
            measures: loaded.last().map(|p| Measures::new(p)),
            on_version: vec![(0, 0, 0, Rate::default()); stored.len()],
            types: BTreeMap::new(),
            endings: BTreeMap::new(),
            groups: Groups::default(),
            loads: Loads::default(),
            stages,
            schedules,
            stored,
            versions: loaded,
        })
    }
}

/// A report for each schedule of the program's versions (the newest's first), none counted.
fn schedule_reports(versions: &[Arc<Program>]) -> Vec<ScheduleReport> {
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
    reports
}

impl Section {
    fn position(&self, stage: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.0 == stage)
    }

    /// Counts the selected pairing `s`, whose schedules stand as `standings`.
    fn add<'a>(
        &mut self,
        s: &Selected,
        standings: &[(
            mentorflow_dsl::model::Schedule,
            crate::rules::schedules::Standing,
        )],
        names: &Directory,
        registry: &Registry<'_>,
        person: impl Fn(&str) -> Option<&'a Person>,
    ) {
        let p = &s.pairing;
        let columns = self.stages.len();
        let t = self
            .types
            .entry(p.type_id.to_string())
            .or_insert_with(|| TypeReport {
                type_id: p.type_id.to_string(),
                pairings: 0,
                funnel: vec![(0, 0); columns],
                outcomes: Vec::new(),
                success: Rate::default(),
            });
        t.pairings += 1;
        let reached: Vec<usize> = s
            .life
            .reached
            .iter()
            .filter_map(|st| self.position(st))
            .collect();
        let here = self.position(&p.stage);
        let t = self.types.get_mut(&*p.type_id).expect("inserted above");
        for i in reached {
            t.funnel[i].0 += 1;
        }
        if let Some(i) = here {
            t.funnel[i].1 += 1;
        }
        t.success.count(p.outcome.as_deref());
        if let Some(o) = &p.outcome {
            match t.outcomes.iter_mut().find(|(name, _)| name == o) {
                Some((_, n)) => *n += 1,
                None => t.outcomes.push((o.to_string(), 1)),
            }
            let program = self.versions.iter().find(|v| v.hash == *p.program_hash);
            if let Some(e) = ending(program.map(|p| &**p), p, &s.life) {
                self.endings
                    .entry(e.key.clone())
                    .or_insert(Ending { count: 0, ..e })
                    .count += 1;
            }
        }
        for (stage, d) in &s.life.stays {
            if let Some(i) = self.position(stage) {
                self.durations[i].push(*d);
            }
        }
        self.count_version(s);
        let stages = &self.stages;
        self.trend
            .add(&s.life, |st| stages.iter().position(|x| x.0 == st));
        if let (Some(m), Some(newest)) = (&mut self.measures, self.versions.last()) {
            m.add(newest, p);
        }
        self.count_schedules(s, standings);
        let counted = Counted {
            pairing: p,
            state: s.health.as_ref().map(|h| h.state),
            meetings: (
                s.life.held.iter().map(|h| h.1).sum(),
                s.life.missed.iter().map(|m| m.1).sum(),
            ),
        };
        if let Some(by) = &self.by {
            self.groups.add(by, &counted, names, registry);
        }
        if let Some(newest) = self.versions.last() {
            self.loads.add(newest, &counted, person);
        }
    }

    /// Counts `s` on the version it runs (or ended) on, and on the one it started on.
    fn count_version(&mut self, s: &Selected) {
        let p = &s.pairing;
        for (v, counts) in self.stored.iter().zip(&mut self.on_version) {
            let started_here = s.life.started_on.is_some_and(|h| *h == *v.hash);
            if *p.program_hash == *v.hash {
                counts.0 += 1;
                counts.1 += u64::from(!started_here);
                counts.3.count(p.outcome.as_deref());
            }
            counts.2 += u64::from(started_here);
        }
    }

    /// Counts how `s` keeps each schedule: over its life, and as its schedules stand now.
    fn count_schedules(
        &mut self,
        s: &Selected,
        standings: &[(
            mentorflow_dsl::model::Schedule,
            crate::rules::schedules::Standing,
        )],
    ) {
        for r in &mut self.schedules {
            let (held, missed) = s.life.meetings(&r.name);
            r.held_ever += held;
            r.missed_ever += missed;
        }
        for (schedule, st) in standings {
            let Some(r) = self.schedules.iter_mut().find(|r| r.name == schedule.name) else {
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

    /// The section, everything counted.
    fn finish(self) -> ProgramReport {
        let mut types: Vec<TypeReport> = self.types.into_values().collect();
        for t in &mut types {
            t.outcomes.sort();
        }
        let mut reasons: Vec<Ending> = self.endings.into_values().collect();
        reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        let versions = self
            .stored
            .iter()
            .zip(self.on_version)
            .enumerate()
            .map(
                |(i, (v, (pairings, migrated_in, started, success)))| VersionReport {
                    number: i + 1,
                    hash: v.hash.clone(),
                    stored_at: v.stored_at.clone(),
                    pairings,
                    migrated_in,
                    started,
                    success,
                },
            )
            .filter(|v| v.pairings > 0 || v.started > 0)
            .collect();
        let newest = self.versions.last();
        ProgramReport {
            id: self.id,
            title: newest.map(|p| p.title.clone()).unwrap_or_default(),
            trend: self.trend.weeks(),
            measures: self.measures.map(Measures::finish).unwrap_or_default(),
            stages: self
                .stages
                .into_iter()
                .zip(self.durations)
                .map(|((id, title, outcome), mut d)| StageReport {
                    id,
                    title,
                    outcome,
                    stays: spread(&mut d),
                })
                .collect(),
            types,
            versions,
            reasons,
            schedules: self.schedules,
            breakdown: self.groups.largest_first(),
            load: self.loads.busiest_first(),
        }
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

/// Why the ended pairing `p` (whose life is `life`) ended, when the report counts it: a
/// pairing that succeeded needs no reason; any other ending is counted, with or without one.
fn ending(program: Option<&Program>, p: &Pairing, life: &Life) -> Option<Ending> {
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
    let by_guard = program.zip(life.last_transition).and_then(|(program, n)| {
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
