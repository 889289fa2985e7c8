//! `mentorflow demo`: a cohort of all five types on programs/mentoring.toml, run over simulated
//! weeks in a fresh store, then the board and the log. The main job on built-in defaults.

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use mentorflow_engine::{Coordinator, Enrolment, EventKind, FactChange, Participant};
use mentorflow_engine::{Filter, Location, StoreError};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The shipped program, compiled into the binary so the demo runs from any folder.
const MENTORING: &str = include_str!("../../programs/mentoring.toml");

/// Run a demo cohort (all five types) over simulated weeks and print the board and the log.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  mentorflow demo\n  mentorflow demo --store /tmp/demo.db")]
pub struct Args {
    /// Where the demo keeps its store: a SQLite file (an earlier demo's is replaced; any other
    /// store is refused) or a PostgreSQL URL whose database is empty [default:
    /// mentorflow-demo.db]. MENTORFLOW_STORE is not read: the demo never writes into the
    /// store you work on.
    #[arg(long, value_name = "PATH|URL")]
    store: Option<PathBuf>,
}

type Person = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The cohort: type, participants, and how the pairing behaves.
fn cohort() -> Vec<(&'static str, Vec<Person>, Plan)> {
    use Plan::*;
    vec![
        (
            "one-on-one",
            vec![
                ("mentor", "ana", &[("experience_years", "14")]),
                ("mentee", "budi", &[("experience_years", "2")]),
            ],
            Succeeds,
        ),
        (
            "one-on-one",
            vec![
                ("mentor", "citra", &[("experience_years", "9")]),
                ("mentee", "dewi", &[("experience_years", "1")]),
            ],
            SecondCycle,
        ),
        (
            "peer",
            vec![
                ("peer", "eko", &[("grade", "5")]),
                ("peer", "fajar", &[("grade", "6")]),
            ],
            Succeeds,
        ),
        (
            "group",
            vec![
                ("mentor", "gita", &[("experience_years", "20")]),
                ("mentee", "hadi", &[("experience_years", "1")]),
                ("mentee", "indra", &[("experience_years", "3")]),
                ("mentee", "joko", &[("experience_years", "2")]),
            ],
            Succeeds,
        ),
        (
            "reverse",
            vec![
                (
                    "mentor",
                    "kiki",
                    &[("grade", "3"), ("department", "engineering")],
                ),
                (
                    "mentee",
                    "lestari",
                    &[("grade", "12"), ("department", "finance")],
                ),
            ],
            Withdraws,
        ),
        (
            "virtual",
            vec![
                ("mentor", "made", &[("utc_offset", "8")]),
                ("mentee", "nina", &[("utc_offset", "2")]),
            ],
            Succeeds,
        ),
        (
            "virtual",
            vec![
                ("mentor", "oki", &[("utc_offset", "7")]),
                ("mentee", "putri", &[("utc_offset", "9")]),
            ],
            Stalls,
        ),
    ]
}

/// Simulated weeks: long enough for a second cycle and for the stalled pair to go overdue.
const WEEKS: i64 = 17;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Plan {
    Succeeds,
    SecondCycle,
    Withdraws,
    Stalls,
}

/// The facts recorded in week `week` for a pairing on `plan`; each week facts are recorded,
/// then every pairing is advanced once and the timers run.
fn facts(plan: Plan, week: i64) -> Vec<(&'static str, String)> {
    let v = |pairs: &[(&'static str, &str)]| {
        pairs.iter().map(|(k, v)| (*k, (*v).to_string())).collect()
    };
    match (plan, week) {
        (_, 1) => v(&[
            ("mentor_assigned", "true"),
            ("schedule_set", "true"),
            ("video_ready", "true"),
        ]),
        (_, 2) => v(&[("orientation_done", "true")]),
        (_, 3) => v(&[("goals_total", "4")]),
        // The stalled pair meets rarely: never enough for an evaluation, so mentoring goes overdue.
        (Plan::Stalls, 6 | 10 | 14) => vec![("meetings", (week / 4).to_string())],
        (Plan::Stalls, _) => vec![],
        (_, w @ 4..=8) => vec![("meetings", ((w - 3) * 2).to_string())],
        (Plan::SecondCycle, 9) => v(&[
            ("goals_met", "2"),
            ("mentee_rating", "4"),
            ("evaluations", "1"),
        ]),
        (_, 9) => v(&[
            ("goals_met", "4"),
            ("mentee_rating", "5"),
            ("evaluations", "1"),
        ]),
        (Plan::SecondCycle, 12) => v(&[("goals_met", "4"), ("evaluations", "2")]),
        _ => vec![],
    }
}

/// The demo's own store, unless --store names another.
const DEMO_STORE: &str = "mentorflow-demo.db";

/// Who the demo acts as: a store whose every event is by this actor is an earlier demo's.
const DEMO_ACTOR: &str = "demo-coordinator";

/// Clears the way for the demo's store at `location`: an earlier demo's store is removed; a
/// store with anyone else's events, or a file that is no store, is refused and left as it is.
fn replace_earlier_demo(location: &Location) -> Result<(), Failure> {
    let Location::File(path) = location else {
        return Ok(());
    };
    if !path.exists() {
        return Ok(());
    }
    let refuse = |why: String| {
        Failure::Refused(format!(
            "{} {why}; the demo replaces only its own store: move that file, or run `mentorflow demo --store another.db`",
            path.display()
        ))
    };
    let existing = StoreArgs {
        store: Some(path.clone()),
        ..StoreArgs::default()
    };
    let coordinator = existing
        .open()
        .map_err(|_| refuse("exists and is not a mentorflow store".into()))?;
    let log = coordinator.log(None)?;
    if let Some(e) = log.iter().find(|e| e.actor.as_str() != DEMO_ACTOR) {
        return Err(refuse(format!(
            "holds work that is not the demo's ({} by {})",
            e.pairing, e.actor
        )));
    }
    drop(coordinator);
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Failure::Refused(format!(
                    "cannot replace the earlier demo's store {file}: {e}"
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Each pairing's way through the stages, one line each: the week it entered each stage, its
/// ending, and the reason where one was given. The full log is `mentorflow log`.
fn journeys(
    coordinator: &mut Coordinator,
    start: chrono::DateTime<Utc>,
    output: &mut Output<'_>,
) -> CommandResult {
    writeln!(output.out, "\njourneys (week the stage was entered):")?;
    for p in coordinator.list(&Filter::default())? {
        let who: Vec<&str> = p.participants.iter().map(|x| x.id.as_str()).collect();
        let mut line = format!("{} {} ({}): preparation", p.id, p.type_id, who.join(", "));
        for e in coordinator.log(Some(&p.id))? {
            let week = (e.at - start).num_weeks();
            match &e.kind {
                EventKind::BecameOverdue { .. } => line.push_str(" [overdue]"),
                EventKind::Moved { to, .. } => {
                    line.push_str(&format!(" -> {to} (w{week})"));
                    if let Some(reason) = &e.reason {
                        line.push_str(&format!(" [{reason}]"));
                    }
                }
                _ => {}
            }
        }
        if let Some(outcome) = &p.outcome {
            line.push_str(&format!(": {outcome}"));
        }
        writeln!(output.out, "{line}")?;
    }
    Ok(EXIT_OK)
}

/// The demo's program, from the copy compiled into the binary.
fn program() -> Result<mentorflow_dsl::Program, Failure> {
    let loaded = mentorflow_dsl::load_str(Path::new("programs/mentoring.toml"), MENTORING);
    let report = loaded.render();
    loaded
        .program
        .ok_or_else(|| StoreError::Corrupt(report).into())
}

/// The cohort's enrolments, with each pairing's plan.
fn enrolments(program: &mentorflow_dsl::Program) -> Vec<(Enrolment, Plan)> {
    cohort()
        .into_iter()
        .map(|(type_id, people, plan)| {
            let participants = people
                .iter()
                .map(|(role, id, attrs)| Participant {
                    id: (*id).into(),
                    role: (*role).into(),
                    attributes: attrs
                        .iter()
                        .filter_map(|(k, v)| {
                            let value = mentorflow_engine::parse_attribute(program, k, v);
                            Some(((*k).to_string(), value.ok()?))
                        })
                        .collect(),
                    facts: Default::default(),
                    managers: Vec::new(),
                })
                .collect();
            let enrolment = Enrolment {
                type_id: type_id.into(),
                participants,
                label: None,
                facts: Vec::new(),
            };
            (enrolment, plan)
        })
        .collect()
}

/// One simulated week: each pairing's facts (and the planned withdrawal), then every pairing
/// is advanced once and the timers run.
fn week(coordinator: &mut Coordinator, plans: &[(String, Plan)], week: i64) -> Result<(), Failure> {
    for (id, plan) in plans {
        if coordinator.pairing(id)?.outcome.is_some() {
            continue;
        }
        let to_record: Vec<(String, FactChange)> = facts(*plan, week)
            .into_iter()
            .map(|(n, v)| (n.to_string(), FactChange::Set(v)))
            .collect();
        if !to_record.is_empty() {
            coordinator.record(id, &to_record)?;
        }
        if *plan == Plan::Withdraws && week == 6 {
            coordinator.withdraw(id, "mentee moved to another city")?;
        }
    }
    coordinator.advance_all(&mut |_| {})?;
    coordinator.tick(&mut |_| {})?;
    Ok(())
}

/// Runs the demo.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let path = args
        .store
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEMO_STORE));
    let start = Utc
        .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let demo = StoreArgs {
        store: Some(path),
        actor: Some(DEMO_ACTOR.into()),
        now: Some(crate::store_args::When::At(start)),
        ..StoreArgs::default()
    };
    let location = demo.location()?;
    replace_earlier_demo(&location)?;
    let mut coordinator = demo.create(&location)?;
    let program = program()?;
    writeln!(
        output.out,
        "demo store: {} (program {} version {})\n",
        location,
        program.id,
        render::short_hash(&program.hash)
    )?;
    let source = "programs/mentoring.toml (built in)";
    let mut plans = Vec::new();
    for (enrolment, plan) in enrolments(&program) {
        let p = coordinator.enrol(&program, source, &enrolment)?;
        plans.push((p.id.to_string(), plan));
    }
    for n in 1..=WEEKS {
        coordinator.set_time(Some(start + Duration::weeks(n)));
        week(&mut coordinator, &plans, n)?;
    }
    super::status::show(&super::status::Args::default(), &mut coordinator, output)?;
    journeys(&mut coordinator, start, output)?;
    let stalled = plans
        .iter()
        .find(|(_, p)| *p == Plan::Stalls)
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    writeln!(output.out, "\n{stalled} is overdue; what it needs:")?;
    let one = super::status::Args {
        pairing: Some(stalled),
        json: false,
    };
    super::status::show(&one, &mut coordinator, output)?;
    writeln!(
        output.out,
        "\nnext, try:\n  mentorflow list --store {0}\n  mentorflow status p-2 --store {0}\n  mentorflow report --store {0}\n  mentorflow log p-2 --store {0}\n  mentorflow verify --store {0}",
        location
    )?;
    Ok(EXIT_OK)
}
