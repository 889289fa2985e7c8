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
    /// One section per program.
    pub programs: Vec<Program>,
    /// Running pairings that are overdue or cannot advance now, overdue first.
    pub attention: Vec<Attention>,
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
    /// `no reason given`).
    pub reasons: Vec<Count>,
    /// How each schedule is kept.
    pub schedules: Vec<Schedule>,
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
    /// Content hash.
    pub hash: String,
    /// When it was first stored.
    pub stored_at: String,
    /// Pairings on it.
    pub pairings: u64,
    /// Success among its ended pairings.
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
}

/// A running pairing that is overdue or cannot advance now.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Attention {
    /// Pairing id.
    pub pairing: String,
    /// Its label, when it has one.
    pub label: Option<String>,
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
            programs: r.programs.iter().map(program).collect(),
            attention: r
                .attention
                .iter()
                .map(|n| Attention {
                    pairing: n.pairing.id.to_string(),
                    label: n.pairing.label.clone(),
                    program: n.pairing.program_id.to_string(),
                    r#type: n.pairing.type_id.to_string(),
                    stage: n.pairing.stage.to_string(),
                    entered_at: n.pairing.entered_at,
                    due: n.pairing.due,
                    overdue: n.overdue,
                    waiting_on: crate::render::attention(&n.attention),
                })
                .collect(),
        }
    }
}

fn program(p: &engine::ProgramReport) -> Program {
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
        versions: p
            .versions
            .iter()
            .map(|v| Version {
                hash: v.hash.clone(),
                stored_at: v.stored_at.clone(),
                pairings: v.pairings,
                success: success(v.success),
            })
            .collect(),
        reasons: counts(&p.reasons),
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
            })
            .collect(),
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
