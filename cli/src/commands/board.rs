//! Read commands for coordinators: status, list, log, programs, verify, export. Each has --json.

use std::collections::BTreeMap;

use mentorflow_engine::store::{Filter, Store, StoreError};
use mentorflow_engine::Pairing;

use super::store::{Session, StoreArgs};
use crate::{Output, EXIT_FAILED, EXIT_OK};

fn json(output: &mut Output<'_>, value: &impl serde::Serialize) -> Result<u8, StoreError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| StoreError::Database(e.to_string()))?;
    writeln!(output.out, "{text}").ok();
    Ok(EXIT_OK)
}

/// The board (pairings per stage and type, overdue counts), or one pairing in detail.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// One pairing: stage, due, facts, who, and what is needed to move on.
    pairing: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl StatusArgs {
    /// The whole board, as text.
    pub fn for_board() -> StatusArgs {
        StatusArgs {
            pairing: None,
            json: false,
        }
    }

    /// One pairing, as text.
    pub fn for_pairing(id: &str) -> StatusArgs {
        StatusArgs {
            pairing: Some(id.into()),
            json: false,
        }
    }
}

/// Prints the board or a pairing.
pub fn status(
    args: &StatusArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    let now = store.now();
    let Some(id) = &args.pairing else {
        return board(
            &session.store.list(&Filter::default())?,
            now,
            args.json,
            output,
        );
    };
    let mut p = session.store.pairing(id)?;
    let engine = session.engine(&p.program_hash)?;
    let candidates = if p.outcome.is_none() {
        engine.explain(&mut p, now)
    } else {
        Vec::new()
    };
    if args.json {
        let needs: Vec<_> = candidates.iter().map(|c| serde_json::json!({"transition": c.transition + 1, "name": c.name, "can_be_taken": c.holds()})).collect();
        return json(
            output,
            &serde_json::json!({"pairing": p, "overdue": p.is_overdue(now), "next": needs}),
        );
    }
    let mut s = format!(
        "{} — {} ({}), version {}\n",
        p.id,
        p.program_id,
        p.type_id,
        &p.program_hash[..12]
    );
    s.push_str(&format!(
        "stage: {} since {}, cycle {}\n",
        p.stage,
        p.entered_at.format("%Y-%m-%d"),
        p.cycle
    ));
    match (&p.outcome, p.due) {
        (Some(o), _) => s.push_str(&format!("outcome: {o}\n")),
        (None, Some(due)) => s.push_str(&format!(
            "due: {}{}\n",
            due.format("%Y-%m-%d %H:%M"),
            if p.is_overdue(now) { "  OVERDUE" } else { "" }
        )),
        (None, None) => {}
    }
    for person in &p.participants {
        let attrs: Vec<String> = person
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        s.push_str(&format!(
            "  {} {} {}\n",
            person.role,
            person.id,
            attrs.join(" ")
        ));
    }
    let facts: Vec<String> = engine
        .program
        .facts
        .iter()
        .map(|f| {
            format!(
                "{}={}",
                f.name,
                p.fact(&engine.program, &f.name)
                    .map_or("-".into(), ToString::to_string)
            )
        })
        .collect();
    s.push_str(&format!("facts: {}\n", facts.join(" ")));
    if !candidates.is_empty() {
        s.push_str("to move on:\n");
        candidates.iter().for_each(|c| c.render(&mut s, "  "));
    }
    write!(output.out, "{s}").ok();
    Ok(EXIT_OK)
}

fn board(
    pairings: &[Pairing],
    now: chrono::DateTime<chrono::Utc>,
    as_json: bool,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut by_stage: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for p in pairings {
        let key = (format!("{}/{}", p.program_id, p.stage), p.type_id.clone());
        let e = by_stage.entry(key).or_default();
        e.0 += 1;
        e.1 += u64::from(p.is_overdue(now));
    }
    if as_json {
        let rows: Vec<_> = by_stage.iter().map(|((stage, ty), (n, o))| serde_json::json!({"stage": stage, "type": ty, "pairings": n, "overdue": o})).collect();
        return json(output, &rows);
    }
    let overdue: u64 = by_stage.values().map(|v| v.1).sum();
    writeln!(
        output.out,
        "{} pairing{}, {overdue} overdue, at {}",
        pairings.len(),
        if pairings.len() == 1 { "" } else { "s" },
        now.format("%Y-%m-%d %H:%M")
    )
    .ok();
    let header = ["program/stage", "type", "pairings", "overdue"].map(String::from);
    let rows: Vec<[String; 4]> = by_stage
        .iter()
        .map(|((stage, ty), (n, o))| [stage.clone(), ty.clone(), n.to_string(), o.to_string()])
        .collect();
    table(output, &header, &rows);
    Ok(EXIT_OK)
}

/// List pairings, with filters.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only pairings in this stage.
    #[arg(long)]
    stage: Option<String>,
    /// Only this mentoring type.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Only this program id.
    #[arg(long)]
    program: Option<String>,
    /// Only this outcome (success, withdrawn ...), or `active`.
    #[arg(long)]
    outcome: Option<String>,
    /// Only overdue pairings.
    #[arg(long)]
    overdue: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A filter value that no stored program knows (a typo would otherwise list nothing, silently).
fn unknown_filter_value(
    args: &ListArgs,
    session: &mut Session,
) -> Result<Option<String>, StoreError> {
    let engines = session.all_engines()?;
    let programs: Vec<&mentorflow_dsl::Program> = engines.values().map(|e| &*e.program).collect();
    let known = |what: &str, value: &Option<String>, names: Vec<&str>| -> Option<String> {
        let value = value.as_deref()?;
        if names.contains(&value) {
            return None;
        }
        let hint = mentorflow_dsl::suggest::did_you_mean(value, names.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        let mut names = names;
        names.sort_unstable();
        names.dedup();
        Some(format!(
            "no stored program has {what} `{value}`{hint}; known: {}",
            names.join(", ")
        ))
    };
    let stages = programs
        .iter()
        .flat_map(|p| p.stages.iter().map(|s| s.id.as_str()))
        .collect();
    let types = programs
        .iter()
        .flat_map(|p| p.types.iter().map(|t| t.id.as_str()))
        .collect();
    let ids = programs.iter().map(|p| p.id.as_str()).collect();
    let outcomes = programs
        .iter()
        .flat_map(|p| p.stages.iter().filter_map(|s| s.outcome.as_deref()))
        .chain(["active"])
        .collect();
    Ok(known("stage", &args.stage, stages)
        .or_else(|| known("type", &args.type_id, types))
        .or_else(|| known("program", &args.program, ids))
        .or_else(|| known("outcome", &args.outcome, outcomes)))
}

/// Lists pairings.
pub fn list(args: &ListArgs, store: &StoreArgs, output: &mut Output<'_>) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    if let Some(problem) = unknown_filter_value(args, &mut session)? {
        writeln!(output.err, "error: {problem}").ok();
        return Ok(EXIT_FAILED);
    }
    let now = store.now();
    let filter = Filter {
        stage: args.stage.clone(),
        type_id: args.type_id.clone(),
        program: args.program.clone(),
        outcome: args.outcome.clone(),
        due_before: args.overdue.then_some(now),
    };
    let pairings = session.store.list(&filter)?;
    if args.json {
        return json(output, &pairings);
    }
    let rows: Vec<[String; 6]> = pairings
        .iter()
        .map(|p| {
            let due = match (&p.outcome, p.due) {
                (Some(o), _) => o.clone(),
                (None, Some(d)) => format!(
                    "{}{}",
                    d.format("%Y-%m-%d"),
                    if p.is_overdue(now) { " OVERDUE" } else { "" }
                ),
                (None, None) => "-".into(),
            };
            let who: Vec<&str> = p.participants.iter().map(|x| x.id.as_str()).collect();
            [
                p.id.to_string(),
                p.program_id.clone(),
                p.type_id.clone(),
                p.stage.to_string(),
                due,
                who.join(", "),
            ]
        })
        .collect();
    let header = ["id", "program", "type", "stage", "due/outcome", "who"].map(String::from);
    table(output, &header, &rows);
    let n = pairings.len();
    writeln!(output.out, "{n} pairing{}", if n == 1 { "" } else { "s" }).ok();
    Ok(EXIT_OK)
}

/// Prints rows in columns as wide as their widest cell.
fn table<const N: usize>(output: &mut Output<'_>, header: &[String; N], rows: &[[String; N]]) {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(output.out, "{}", cells.join("  ").trim_end()).ok();
    }
}

/// The history of one pairing or all: every event with actor and reason.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// One pairing.
    pairing: Option<String>,
    /// Only stage changes (no fact records).
    #[arg(long)]
    transitions: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the log.
pub fn log(args: &LogArgs, store: &StoreArgs, output: &mut Output<'_>) -> Result<u8, StoreError> {
    let session = Session::open(store)?;
    let events: Vec<_> = session
        .store
        .events(args.pairing.as_deref())?
        .into_iter()
        .filter(|e| !args.transitions || e.kind.move_().is_some())
        .collect();
    if args.json {
        return json(output, &events);
    }
    events.iter().for_each(|e| {
        writeln!(output.out, "{e}").ok();
    });
    Ok(EXIT_OK)
}

/// Stored program versions and how many pairings run on each.
#[derive(Debug, clap::Args)]
pub struct ProgramsArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Lists program versions.
pub fn programs(
    args: &ProgramsArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let session = Session::open(store)?;
    let versions = session.store.programs()?;
    if args.json {
        return json(output, &versions);
    }
    writeln!(
        output.out,
        "{:<16} {:<14} {:>8}  {:<20} from",
        "program", "version", "pairings", "stored"
    )
    .ok();
    for v in &versions {
        writeln!(
            output.out,
            "{:<16} {:<14} {:>8}  {:<20} {}",
            v.id,
            &v.hash[..12],
            v.pairings,
            v.stored_at,
            v.path
        )
        .ok();
    }
    Ok(EXIT_OK)
}

/// Check the event hash chain and that every pairing equals the fold of its events.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Verifies the store.
pub fn verify(
    args: &VerifyArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    // A version that no longer loads is reported as a breach below, not a failed verify.
    let mut programs = BTreeMap::new();
    for v in session.store.programs()? {
        if let Ok(engine) = session.engine(&v.hash) {
            programs.insert(v.hash, std::sync::Arc::clone(&engine.program));
        }
    }
    let (count, breaches) = session
        .store
        .verify(&mut |hash| programs.get(hash).cloned())?;
    if args.json {
        json(
            output,
            &serde_json::json!({ "events": count, "ok": breaches.is_empty(), "breaches": breaches }),
        )?;
        return Ok(if breaches.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILED
        });
    }
    if breaches.is_empty() {
        writeln!(
            output.out,
            "ok: {count} events, hash chain intact, every pairing equals the fold of its events"
        )
        .ok();
        return Ok(EXIT_OK);
    }
    for b in &breaches {
        writeln!(output.err, "error: {}: {}", b.event, b.problem).ok();
    }
    writeln!(
        output.err,
        "verify failed: {} problem(s) in {count} events",
        breaches.len()
    )
    .ok();
    Ok(EXIT_FAILED)
}

/// Export events and pairings.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: ExportFormat,
    /// What to export.
    #[arg(long, value_enum, default_value = "pairings")]
    what: ExportWhat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportWhat {
    Pairings,
    Events,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Exports.
pub fn export(
    args: &ExportArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let session = Session::open(store)?;
    match (args.what, args.format) {
        (ExportWhat::Pairings, ExportFormat::Json) => {
            json(output, &session.store.list(&Filter::default())?)
        }
        (ExportWhat::Events, ExportFormat::Json) => json(output, &session.store.events(None)?),
        (ExportWhat::Pairings, ExportFormat::Csv) => {
            writeln!(
                output.out,
                "id,program,version,type,stage,outcome,due,cycle,participants"
            )
            .ok();
            for p in session.store.list(&Filter::default())? {
                let who: Vec<String> = p
                    .participants
                    .iter()
                    .map(|x| format!("{}:{}", x.role, x.id))
                    .collect();
                let row = [
                    p.id.to_string(),
                    p.program_id,
                    p.program_hash.to_string(),
                    p.type_id,
                    p.stage.to_string(),
                    p.outcome.unwrap_or_default(),
                    p.due
                        .map(mentorflow_engine::sqlite::stamp)
                        .unwrap_or_default(),
                    p.cycle.to_string(),
                    who.join(" "),
                ];
                writeln!(
                    output.out,
                    "{}",
                    row.iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(",")
                )
                .ok();
            }
            Ok(EXIT_OK)
        }
        (ExportWhat::Events, ExportFormat::Csv) => {
            writeln!(
                output.out,
                "pairing,seq,at,actor,event,reason,program,detail"
            )
            .ok();
            for e in session.store.events(None)? {
                let detail = serde_json::to_string(&e.kind).unwrap_or_default();
                let row = [
                    e.pairing.to_string(),
                    e.seq.to_string(),
                    mentorflow_engine::sqlite::stamp(e.at),
                    e.actor.to_string(),
                    e.kind.name().to_string(),
                    e.reason.clone().unwrap_or_default(),
                    e.program.to_string(),
                    detail,
                ];
                writeln!(
                    output.out,
                    "{}",
                    row.iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(",")
                )
                .ok();
            }
            Ok(EXIT_OK)
        }
    }
}
