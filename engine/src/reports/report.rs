//! The cohort report: what a steering committee asks of the pairings a selection picks. The
//! funnel per type in stage order, success per type and per program version, how long stays in
//! each stage last, who is overdue or blocked and on what, why pairings ended, and how the
//! schedules are kept. It is data: the command line draws it as text, HTML or JSON.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use mentorflow_dsl::Name;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Program;

use crate::coordinator::error::Error;
use crate::coordinator::Coordinator;
use crate::decide::attention::Attention;
use crate::model::event::{Event, EventKind};
use crate::model::pairing::Pairing;
use crate::reports::selection::Selection;

/// The outcome a report counts as success.
pub const SUCCESS: &str = "success";

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
    /// One section per program, by id.
    pub programs: Vec<ProgramReport>,
    /// Running pairings that are overdue or cannot advance now, overdue first.
    pub attention: Vec<Needs>,
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
    /// Why pairings ended other than in success (or with a reason): reason code (the reason
    /// itself when the program declares no codes) and count, most first (`other` for a reason
    /// that is none of the codes, [`NO_REASON`] for an ending without one).
    pub reasons: Vec<(String, u64)>,
    /// How each schedule is kept, by the program's order.
    pub schedules: Vec<ScheduleReport>,
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
    /// Per stage (aligned with [`ProgramReport::stages`]): how many reached it, and how many
    /// are in it now.
    pub funnel: Vec<(u64, u64)>,
    /// Ended pairings per outcome, by outcome.
    pub outcomes: Vec<(String, u64)>,
    /// Success among the ended.
    pub success: Rate,
}

/// Success among ended pairings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// Ended with the outcome [`SUCCESS`].
    pub succeeded: u64,
    /// Ended.
    pub ended: u64,
}

impl Rate {
    /// The share that succeeded; none before any ended.
    pub fn share(self) -> Option<f64> {
        (self.ended > 0).then(|| self.succeeded as f64 / self.ended as f64)
    }

    fn count(&mut self, outcome: Option<&str>) {
        if let Some(o) = outcome {
            self.ended += 1;
            self.succeeded += u64::from(o == SUCCESS);
        }
    }
}

/// One program version's pairings.
#[derive(Debug, Clone)]
pub struct VersionReport {
    /// Content hash.
    pub hash: String,
    /// When it was first stored.
    pub stored_at: String,
    /// Pairings on it (selected).
    pub pairings: u64,
    /// Success among its ended pairings.
    pub success: Rate,
}

/// How one schedule is kept across the pairings it applies to.
#[derive(Debug, Clone, Default)]
pub struct ScheduleReport {
    /// The schedule's name.
    pub name: String,
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
}

/// A running pairing that needs a coordinator: overdue, or unable to advance.
#[derive(Debug, Clone)]
pub struct Needs {
    /// The pairing.
    pub pairing: Pairing,
    /// Where it stands (what it waits on).
    pub attention: Attention,
    /// Whether its stage is past its due time.
    pub overdue: bool,
}

impl Coordinator {
    /// The report on the pairings `selection` picks.
    pub fn report(&mut self, selection: &Selection) -> Result<Report, Error> {
        let now = self.now();
        let selected = self.select(selection)?;
        let total = selected.len() as u64;
        let running = selected.iter().filter(|(p, _)| p.outcome.is_none()).count() as u64;
        // One pairing's events at a time: the whole log of a large store would not fit.
        let mut stays: HashMap<Arc<str>, Vec<(Name, f64)>> = HashMap::new();
        for (p, _) in &selected {
            stays.insert(Arc::clone(&p.id), ended_stays(&self.log(Some(&p.id))?));
        }
        let versions = self.programs()?;
        let mut programs: BTreeMap<String, Vec<&(Pairing, Attention)>> = BTreeMap::new();
        for entry in &selected {
            programs
                .entry(entry.0.program_id.to_string())
                .or_default()
                .push(entry);
        }
        let mut sections = Vec::with_capacity(programs.len());
        for (id, pairings) in programs {
            let mut hashes: Vec<&crate::store::ProgramVersion> =
                versions.iter().filter(|v| v.id == id).collect();
            hashes.sort_by(|a, b| a.stored_at.cmp(&b.stored_at));
            let mut loaded = Vec::with_capacity(hashes.len());
            for v in &hashes {
                loaded.push(self.program(&v.hash)?);
            }
            let mut section = program_section(&id, &loaded, &hashes, &pairings, &stays);
            section.schedules = self.schedule_report(&loaded, &pairings)?;
            sections.push(section);
        }
        let mut attention: Vec<Needs> = selected
            .into_iter()
            .filter(|(p, a)| p.outcome.is_none() && (p.is_overdue(now) || a.is_blocked()))
            .map(|(pairing, attention)| Needs {
                overdue: pairing.is_overdue(now),
                pairing,
                attention,
            })
            .collect();
        attention.sort_by(|a, b| {
            (!a.overdue, a.pairing.due, a.pairing.entered_at).cmp(&(
                !b.overdue,
                b.pairing.due,
                b.pairing.entered_at,
            ))
        });
        Ok(Report {
            now,
            pairings: total,
            running,
            programs: sections,
            attention,
        })
    }

    /// How each schedule of the program stands, summed over `pairings`.
    fn schedule_report(
        &mut self,
        versions: &[Arc<Program>],
        pairings: &[&(Pairing, Attention)],
    ) -> Result<Vec<ScheduleReport>, Error> {
        let mut names: Vec<String> = Vec::new();
        for program in versions.iter().rev() {
            for s in &program.schedules {
                if !names.contains(&s.name) {
                    names.push(s.name.clone());
                }
            }
        }
        let mut reports: Vec<ScheduleReport> = names
            .into_iter()
            .map(|name| ScheduleReport {
                name,
                ..ScheduleReport::default()
            })
            .collect();
        for (p, _) in pairings {
            for (schedule, st) in self.schedules(p)? {
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

/// The stays a pairing's events tell that ended, each with the stage (under the name its
/// program uses now) and how many days it lasted.
fn ended_stays(events: &[Event]) -> Vec<(Name, f64)> {
    let mut stays: Vec<(Name, f64)> = Vec::new();
    let mut current: Option<(Name, DateTime<Utc>)> = None;
    for e in events {
        match &e.kind {
            EventKind::Enrolled { stage, .. } => current = Some((*stage, e.at)),
            EventKind::Moved { to, .. } => {
                if let Some((stage, since)) = current.take() {
                    stays.push((stage, days(e.at - since)));
                }
                current = Some((*to, e.at));
            }
            EventKind::Migrated { mapping, stage, .. } => {
                for (s, _) in &mut stays {
                    if let Some(new) = mapping.stages.get(&**s) {
                        *s = Name::new(new);
                    }
                }
                if let Some((s, _)) = &mut current {
                    *s = *stage;
                }
            }
            _ => {}
        }
    }
    stays
}

/// A duration in days, to the minute.
fn days(d: chrono::Duration) -> f64 {
    d.num_minutes() as f64 / (24.0 * 60.0)
}

/// One program's section, without its schedules (those read the store).
fn program_section(
    id: &str,
    versions: &[Arc<Program>],
    stored: &[&crate::store::ProgramVersion],
    pairings: &[&(Pairing, Attention)],
    stays: &HashMap<Arc<str>, Vec<(Name, f64)>>,
) -> ProgramReport {
    let stages = stage_order(versions);
    let position = |stage: &str| stages.iter().position(|s| s.0 == stage);
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let mut types: BTreeMap<String, TypeReport> = BTreeMap::new();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_version: BTreeMap<&str, (u64, Rate)> = BTreeMap::new();
    for (p, _) in pairings {
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
        for stage in &p.visited {
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
            // A program without reason codes is read by its reasons' words.
            let code = program
                .and_then(|program| crate::coordinator::ended_because(program, p))
                .or_else(|| p.history.as_ref()?.reason.clone());
            // A pairing that succeeded needs no reason; any other ending is counted, with or
            // without one.
            if code.is_some() || o != SUCCESS {
                let code = code.unwrap_or_else(|| NO_REASON.into());
                *reasons.entry(code).or_default() += 1;
            }
        }
        let v = by_version.entry(&p.program_hash).or_default();
        v.0 += 1;
        v.1.count(p.outcome.as_deref());
        for (stage, d) in stays.get(&p.id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(i) = position(stage) {
                durations[i].push(*d);
            }
        }
    }
    for t in types.values_mut() {
        t.outcomes.sort();
    }
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let newest = versions.last();
    ProgramReport {
        id: id.into(),
        title: newest.map(|p| p.title.clone()).unwrap_or_default(),
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
        versions: stored
            .iter()
            .filter_map(|v| {
                let (pairings, success) = by_version.get(v.hash.as_str()).copied()?;
                Some(VersionReport {
                    hash: v.hash.clone(),
                    stored_at: v.stored_at.clone(),
                    pairings,
                    success,
                })
            })
            .collect(),
        reasons,
        schedules: Vec::new(),
    }
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
