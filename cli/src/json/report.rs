//! `mentorflow report --json`.

use chrono::{DateTime, Utc};
// The engine's report types, named as the engine's beside the JSON types of the same names.
use mentorflow_engine as engine;
use schemars::JsonSchema;
use serde::Serialize;

/// The cohort report.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    /// The time the report was made for.
    pub now: DateTime<Utc>,
    /// Pairings selected.
    pub pairings: u64,
    /// Of those, running.
    pub running: u64,
    /// The running pairings per health state.
    pub health: HealthCounts,
    /// What each program's breakdown groups by (`type` unless asked otherwise).
    pub by: String,
    /// One section per program.
    pub programs: Vec<Program>,
    /// Running pairings that need a call: at risk first, then those needing a check-in.
    pub attention: Vec<Attention>,
}

/// Running pairings per health state.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthCounts {
    /// At risk.
    pub at_risk: u64,
    /// Needing a check-in.
    pub needs_check_in: u64,
    /// On track.
    pub on_track: u64,
}

/// One program's section, all its versions together.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Program {
    /// Program id.
    pub id: String,
    /// Title of its newest version.
    pub title: String,
    /// Stages in the newest version's order, with how long stays in each lasted.
    pub stages: Vec<Stage>,
    /// One funnel per mentoring type.
    pub types: Vec<Type>,
    /// Success per program version, oldest first.
    pub versions: Vec<Version>,
    /// Why pairings ended other than in success, most first: the reason code (the reason
    /// itself when the program declares none; `other`: a reason that is none of the codes;
    /// `transition N`: the guard or timer of that transition ended them; `no reason given`).
    pub reasons: Vec<Ending>,
    /// How each schedule is kept.
    pub schedules: Vec<Schedule>,
    /// What the ended pairings achieved: each number fact of the newest version.
    pub measures: Vec<Measure>,
    /// Pairings per stage at the end of each week (counts in the order of `stages`).
    pub trend: Vec<Week>,
    /// The pairings grouped by the report's `by`, the largest group first.
    pub breakdown: Vec<Group>,
    /// Each mentor's load, the busiest first.
    pub load: Vec<Load>,
}

/// Why some pairings ended.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Ending {
    /// The reason code, `other`, `transition N` or `no reason given`.
    pub name: String,
    /// The same in words.
    pub words: String,
    /// How many pairings.
    pub count: u64,
}

/// One number fact over the ended pairings.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Measure {
    /// The fact.
    pub fact: String,
    /// Its description.
    pub description: String,
    /// Ended pairings with a value.
    pub recorded: u64,
    /// Ended pairings without one.
    pub unrecorded: u64,
    /// The mean; null without values.
    pub mean: Option<f64>,
    /// For a whole number on a short scale: each value and how many ended with it.
    pub distribution: Option<Vec<ValueCount>>,
}

/// A value of a scale and how many pairings ended with it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ValueCount {
    /// The value.
    pub value: i64,
    /// How many.
    pub count: u64,
}

/// One week of the trend.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Week {
    /// Its Monday, `YYYY-MM-DD`.
    pub starts: String,
    /// Pairings in each stage at its end, in the order of the section's `stages`.
    pub stages: Vec<u64>,
}

/// One group of the breakdown.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Group {
    /// The type, the person(s) or the attribute's value(s) (`(not given)` without).
    pub name: String,
    /// Pairings in it.
    pub pairings: u64,
    /// Of those, running.
    pub running: u64,
    /// Success among its ended pairings.
    pub success: Success,
    /// Running pairings at risk.
    pub at_risk: u64,
    /// Running pairings needing a check-in.
    pub needs_check_in: u64,
    /// Schedule occurrences held over the pairings' lives.
    pub held: u64,
    /// Occurrences missed.
    pub missed: u64,
}

/// One mentor's load.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Load {
    /// Person id.
    pub person: String,
    /// Their display name, where the registry gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their role.
    pub role: String,
    /// Running pairings they are in.
    pub running: u64,
    /// How many they may take (their own capacity, else the program's); null: no limit.
    pub capacity: Option<u32>,
    /// Ended pairings they were in.
    pub ended: u64,
    /// Their running pairings that need a call.
    pub needing_a_call: u64,
}

/// A stage and its stays.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Stage {
    /// Stage id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Outcome, for a terminal stage.
    pub outcome: Option<String>,
    /// Stays that ended.
    pub stays: u64,
    /// Their length in days; null without stays.
    pub days: Option<Quantiles>,
    /// Stays per length bucket, shortest first.
    pub buckets: Vec<Count>,
}

/// Quantiles in days.
#[derive(Debug, Serialize, JsonSchema)]
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

/// A name and a count.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Count {
    /// What is counted.
    pub name: String,
    /// How many.
    pub count: u64,
}

/// One mentoring type.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Type {
    /// Type id.
    pub id: String,
    /// Pairings of the type.
    pub pairings: u64,
    /// Per stage, in the program's stage order.
    pub funnel: Vec<FunnelStep>,
    /// Ended pairings per outcome.
    pub outcomes: Vec<Count>,
    /// Success among ended pairings.
    pub success: Success,
}

/// One stage of a funnel.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FunnelStep {
    /// Stage id.
    pub stage: String,
    /// Pairings that entered it.
    pub reached: u64,
    /// Pairings in it now.
    pub now: u64,
}

/// Success among ended pairings (outcome `success`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Success {
    /// Ended with outcome `success`.
    pub succeeded: u64,
    /// Ended.
    pub ended: u64,
    /// succeeded / ended; null before any ended.
    pub rate: Option<f64>,
}

/// One program version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Version {
    /// Its number among the program's stored versions, from 1 (oldest).
    pub number: usize,
    /// Content hash.
    pub hash: String,
    /// When it was first stored.
    pub stored_at: String,
    /// Pairings on it now, including those migrated to it.
    pub pairings: u64,
    /// Of those, migrated to it from an earlier version.
    pub migrated_in: u64,
    /// Pairings enrolled on it.
    pub started: u64,
    /// Success among the pairings that ended on it.
    pub success: Success,
}

/// One schedule across the pairings it applies to.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Schedule {
    /// Schedule name.
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
    /// Pairings with a missed occurrence.
    pub pairings_missing: u64,
    /// Occurrences held over the selected pairings' whole lives, ended ones too.
    pub held_ever: u64,
    /// Occurrences missed over their whole lives.
    pub missed_ever: u64,
}

/// A running pairing that needs a call.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Attention {
    /// Pairing id.
    pub pairing: String,
    /// Its label, when it has one.
    pub label: Option<String>,
    /// Who takes part, with their names.
    pub participants: Vec<super::pairing::Participant>,
    /// Those of them whose values were erased (`people erase`); absent when nobody's were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<String>,
    /// How it is doing, and why.
    pub health: super::health::Health,
    /// Program id.
    pub program: String,
    /// Type id.
    pub r#type: String,
    /// Current stage.
    pub stage: String,
    /// When it entered the stage.
    pub entered_at: DateTime<Utc>,
    /// When the stage is due, if it has a due time.
    pub due: Option<DateTime<Utc>>,
    /// Whether it is past its due time.
    pub overdue: bool,
    /// What it waits on, in words.
    pub waiting_on: String,
}

impl From<&engine::Report> for Report {
    fn from(r: &engine::Report) -> Report {
        Report {
            now: r.now,
            pairings: r.pairings,
            running: r.running,
            health: HealthCounts {
                at_risk: r.health[0],
                needs_check_in: r.health[1],
                on_track: r.health[2],
            },
            by: r.by.clone(),
            programs: r.programs.iter().map(|p| program(p, &r.names)).collect(),
            attention: r
                .attention
                .iter()
                .map(|c| Attention {
                    pairing: c.pairing.id.to_string(),
                    label: c.pairing.label.clone(),
                    participants: super::pairing::Pairing::from(&c.pairing)
                        .named(&r.names)
                        .participants,
                    erased: c.pairing.erased.clone(),
                    health: super::health::Health::from(&c.health),
                    program: c.pairing.program_id.to_string(),
                    r#type: c.pairing.type_id.to_string(),
                    stage: c.pairing.stage.to_string(),
                    entered_at: c.pairing.entered_at,
                    due: c.pairing.due,
                    overdue: c.pairing.is_overdue(r.now),
                    waiting_on: crate::render::attention(&c.attention),
                })
                .collect(),
        }
    }
}

fn program(p: &engine::ProgramReport, names: &engine::Directory) -> Program {
    Program {
        id: p.id.clone(),
        title: p.title.clone(),
        stages: p
            .stages
            .iter()
            .map(|s| Stage {
                id: s.id.clone(),
                title: s.title.clone(),
                outcome: s.outcome.clone(),
                stays: s.stays.count,
                days: s.stays.days.map(|q| Quantiles {
                    min: q.min,
                    median: q.median,
                    p90: q.p90,
                    max: q.max,
                }),
                buckets: crate::render::report::buckets(&s.stays)
                    .map(|(name, count)| Count {
                        name: name.into(),
                        count,
                    })
                    .collect(),
            })
            .collect(),
        types: p
            .types
            .iter()
            .map(|t| Type {
                id: t.type_id.clone(),
                pairings: t.pairings,
                funnel: p
                    .stages
                    .iter()
                    .zip(&t.funnel)
                    .map(|(s, (reached, now))| FunnelStep {
                        stage: s.id.clone(),
                        reached: *reached,
                        now: *now,
                    })
                    .collect(),
                outcomes: counts(&t.outcomes),
                success: success(t.success),
            })
            .collect(),
        versions: p.versions.iter().map(version).collect(),
        reasons: p.reasons.iter().map(ending).collect(),
        measures: p.measures.iter().map(measure).collect(),
        trend: p
            .trend
            .iter()
            .map(|w| Week {
                starts: w.starts.to_string(),
                stages: w.stages.clone(),
            })
            .collect(),
        breakdown: p.breakdown.iter().map(group).collect(),
        load: p.load.iter().map(|l| load(l, names)).collect(),
        schedules: p
            .schedules
            .iter()
            .map(|s| Schedule {
                name: s.name.clone(),
                pairings: s.pairings,
                due: s.due,
                done: s.done,
                on_time: s.on_time,
                missed: s.missed,
                pairings_missing: s.pairings_missing,
                held_ever: s.held_ever,
                missed_ever: s.missed_ever,
            })
            .collect(),
    }
}

fn ending(e: &engine::Ending) -> Ending {
    Ending {
        name: e.key.clone(),
        words: e.words.clone(),
        count: e.count,
    }
}

fn version(v: &engine::VersionReport) -> Version {
    Version {
        number: v.number,
        hash: v.hash.clone(),
        stored_at: v.stored_at.clone(),
        pairings: v.pairings,
        migrated_in: v.migrated_in,
        started: v.started,
        success: success(v.success),
    }
}

fn load(l: &engine::Load, names: &engine::Directory) -> Load {
    Load {
        person: l.person.clone(),
        name: names.name(&l.person).map(String::from),
        role: l.role.to_string(),
        running: l.running,
        capacity: l.capacity,
        ended: l.ended,
        needing_a_call: l.needing_a_call,
    }
}

fn measure(m: &engine::Measure) -> Measure {
    Measure {
        fact: m.fact.clone(),
        description: m.description.clone(),
        recorded: m.recorded,
        unrecorded: m.unrecorded,
        mean: m.mean,
        distribution: m.distribution.as_ref().map(|d| {
            d.iter()
                .map(|(value, count)| ValueCount {
                    value: *value,
                    count: *count,
                })
                .collect()
        }),
    }
}

fn group(g: &engine::Group) -> Group {
    Group {
        name: g.name.clone(),
        pairings: g.pairings,
        running: g.running,
        success: success(g.success),
        at_risk: g.at_risk,
        needs_check_in: g.check_in,
        held: g.held,
        missed: g.missed,
    }
}

fn counts(list: &[(String, u64)]) -> Vec<Count> {
    list.iter()
        .map(|(name, count)| Count {
            name: name.clone(),
            count: *count,
        })
        .collect()
}

fn success(r: engine::Rate) -> Success {
    Success {
        succeeded: r.succeeded,
        ended: r.ended,
        rate: r.share(),
    }
}
