//! `mentorflow demo`: a cohort of all five types on programs/mentoring.toml, run over simulated
//! weeks in a fresh store, then the board and the log. The main job on built-in defaults.

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use mentorflow_engine::sqlite::SqliteStore;
use mentorflow_engine::store::{Filter, Store, StoreError};
use mentorflow_engine::{Actor, EngineError, Participant};

use super::store::{Session, StoreArgs};
use crate::{Output, EXIT_OK};

/// The shipped program, compiled into the binary so the demo runs from any folder.
const MENTORING: &str = include_str!("../../../programs/mentoring.toml");

/// Run a demo cohort (all five types) over simulated weeks and print the board and the log.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

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

/// The demo's own store, replaced on every run, unless --store (or MENTORFLOW_STORE) names
/// another, which must not exist yet.
const DEMO_STORE: &str = "mentorflow-demo.db";

/// Each pairing's way through the stages, one line each: the week it entered each stage, its
/// ending, and the reason where one was given. The full log is `mentorflow log`.
fn journeys(
    session: &Session,
    start: chrono::DateTime<Utc>,
    output: &mut Output<'_>,
) -> Result<(), StoreError> {
    writeln!(output.out, "\njourneys (week the stage was entered):").ok();
    for p in session.store.list(&Filter::default())? {
        let who: Vec<&str> = p.participants.iter().map(|x| x.id.as_str()).collect();
        let mut line = format!("{} {} ({}): preparation", p.id, p.type_id, who.join(", "));
        for e in session.store.events(Some(&p.id))? {
            let week = (e.at - start).num_weeks();
            match &e.kind {
                mentorflow_engine::EventKind::BecameOverdue { .. } => line.push_str(" [overdue]"),
                kind => {
                    if let Some((_, to)) = kind.move_() {
                        line.push_str(&format!(" -> {to} (w{week})"));
                        if let Some(reason) = &e.reason {
                            line.push_str(&format!(" [{reason}]"));
                        }
                    }
                }
            }
        }
        if let Some(outcome) = &p.outcome {
            line.push_str(&format!(": {outcome}"));
        }
        writeln!(output.out, "{line}").ok();
    }
    Ok(())
}

/// Runs the demo.
pub fn run(store: &StoreArgs, output: &mut Output<'_>) -> Result<u8, StoreError> {
    let path = store
        .store
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEMO_STORE));
    let is_own = path == Path::new(DEMO_STORE);
    if is_own {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    SqliteStore::create(&path)?;
    let args = StoreArgs {
        store: Some(path.clone()),
        actor: Some("demo-coordinator".into()),
        now: None,
    };
    let mut session = Session::open(&args)?;
    let loaded = mentorflow_dsl::load_str(Path::new("programs/mentoring.toml"), MENTORING);
    let report = loaded.render();
    let program = loaded.program.ok_or(StoreError::Corrupt(report))?;
    let engine = session.pin(&program);
    let source = "programs/mentoring.toml (built in)";
    let start = Utc
        .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default();
    writeln!(
        output.out,
        "demo store: {} (program {} version {})\n",
        path.display(),
        program.id,
        &program.hash[..12]
    )
    .ok();

    let mut plans = Vec::new();
    for (type_id, people, plan) in cohort() {
        let participants: Vec<Participant> = people
            .iter()
            .map(|(role, id, attrs)| Participant {
                id: (*id).into(),
                role: (*role).into(),
                attributes: attrs
                    .iter()
                    .filter_map(|(k, v)| {
                        Some((
                            (*k).to_string(),
                            program
                                .attributes
                                .iter()
                                .find(|a| a.name == *k)?
                                .parse(v)
                                .ok()?,
                        ))
                    })
                    .collect(),
            })
            .collect();
        let who = Actor {
            name: "demo-coordinator",
            now: start,
        };
        let created = session.store.enrol(&program, source, 1, &mut |ids| {
            let (pairing, event) = engine.enrol(&ids[0], type_id, participants.clone(), &who)?;
            Ok(vec![(pairing, vec![event])])
        })?;
        for p in created {
            plans.push((p.id, plan));
        }
    }
    for week in 1..=WEEKS {
        let now = start + Duration::weeks(week);
        let who = Actor {
            name: "demo-coordinator",
            now,
        };
        for (id, plan) in &plans {
            let to_record = facts(*plan, week);
            let result = session.store.update(id, &mut |p| {
                if p.outcome.is_some() {
                    return Ok(Vec::new());
                }
                let mut events = Vec::new();
                if !to_record.is_empty() {
                    let facts = to_record
                        .iter()
                        .map(|(n, v)| Ok(((*n).to_string(), engine.parse_fact(n, v)?)))
                        .collect::<Result<Vec<_>, EngineError>>()?;
                    events.push(engine.record(p, facts, &who)?);
                }
                if *plan == Plan::Withdraws && week == 6 {
                    events.push(engine.withdraw(p, "mentee moved to another city", &who)?);
                }
                Ok(events)
            });
            result?;
        }
        session.store.update_all(
            &Filter::default(),
            500,
            &mut |p| match engine.advance(p, None, &who) {
                Ok(e) => Ok(vec![e]),
                Err(EngineError::Refused { .. }) => Ok(Vec::new()),
                Err(e) => Err(e),
            },
            &mut |_| {},
        )?;
        session.store.update_all(
            &Filter::default(),
            500,
            &mut |p| engine.tick(p, &who),
            &mut |_| {},
        )?;
    }
    let end = start + Duration::weeks(WEEKS);
    let board_args = StoreArgs {
        now: Some(end),
        ..args.clone()
    };
    super::board::status(&super::board::StatusArgs::for_board(), &board_args, output)?;
    journeys(&session, start, output)?;
    let stalled = plans
        .iter()
        .find(|(_, p)| *p == Plan::Stalls)
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    writeln!(output.out, "\n{stalled} is overdue; what it needs:").ok();
    super::board::status(
        &super::board::StatusArgs::for_pairing(&stalled),
        &board_args,
        output,
    )?;
    writeln!(
        output.out,
        "\nnext, try:\n  mentorflow --store {0} list\n  mentorflow --store {0} status p-2\n  mentorflow --store {0} log p-2\n  mentorflow --store {0} verify",
        path.display()
    )
    .ok();
    Ok(EXIT_OK)
}
