//! Commands that change pairings: init, enrol, record, advance, withdraw, tick. Each is one
//! transaction: refused or failed, it stores nothing.

use std::path::PathBuf;

use mentorflow_engine::sqlite::SqliteStore;
use mentorflow_engine::store::{Filter, Store, StoreError};
use mentorflow_engine::{Actor, Participant};

use super::store::{Session, StoreArgs};
use crate::{Output, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// Create a new, empty store.
#[derive(Debug, clap::Args)]
pub struct InitArgs {}

/// Creates the store.
pub fn init(store: &StoreArgs, output: &mut Output<'_>) -> Result<u8, StoreError> {
    let path = store.path();
    SqliteStore::create(&path)?;
    writeln!(output.out, "created store {}", path.display()).ok();
    Ok(EXIT_OK)
}

/// Enrol a pairing: a program, a type and its participants.
#[derive(Debug, clap::Args)]
pub struct EnrolArgs {
    /// Program file (TOML); its current version is stored and the pairing pinned to it.
    program: PathBuf,
    /// Mentoring type, e.g. one-on-one.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: String,
    /// A participant: ROLE=ID followed by attributes, e.g. mentor=ana,experience_years=12 (repeat).
    #[arg(
        long = "person",
        value_name = "ROLE=ID[,ATTR=VALUE...]",
        required = true
    )]
    persons: Vec<String>,
}

/// Parses `ROLE=ID,ATTR=VALUE...`; the error carries its exit code: a malformed spec is a
/// usage error, a value the program refuses is a refusal.
fn participant(program: &mentorflow_dsl::Program, spec: &str) -> Result<Participant, (u8, String)> {
    let usage = |m: String| (EXIT_USAGE, m);
    let mut parts = spec.split(',');
    let head = parts.next().unwrap_or_default();
    let (role, id) = head
        .split_once('=')
        .ok_or_else(|| usage(format!("`{spec}`: write ROLE=ID, e.g. mentor=ana")))?;
    if role.trim().is_empty() || id.trim().is_empty() {
        return Err(usage(format!(
            "`{spec}`: the role and the id must not be empty, e.g. mentor=ana"
        )));
    }
    let mut attributes = std::collections::BTreeMap::new();
    for pair in parts {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| usage(format!("`{pair}` in `{spec}`: write ATTR=VALUE")))?;
        let value = attribute(program, id, name.trim(), text).map_err(|e| (EXIT_FAILED, e))?;
        if attributes.insert(name.trim().to_string(), value).is_some() {
            return Err(usage(format!(
                "{id}: `{}` is given twice; give each attribute once",
                name.trim()
            )));
        }
    }
    Ok(Participant {
        id: id.trim().into(),
        role: role.trim().into(),
        attributes,
    })
}

/// A participant attribute written as text, checked against the program's declaration.
pub(crate) fn attribute(
    program: &mentorflow_dsl::Program,
    person: &str,
    name: &str,
    text: &str,
) -> Result<mentorflow_dsl::Value, String> {
    match program.attributes.iter().find(|a| a.name == name) {
        Some(decl) => decl.parse(text).map_err(|e| format!("{person}: {e}")),
        None => {
            let known: Vec<&str> = program.attributes.iter().map(|a| a.name.as_str()).collect();
            let hint = mentorflow_dsl::suggest::did_you_mean(name, known.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            Err(format!(
                "{person}: program `{}` declares no attribute `{name}`{hint}; declared: {}",
                program.id,
                known.join(", ")
            ))
        }
    }
}

/// Enrols one pairing.
pub fn enrol(
    args: &EnrolArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let program = match super::load_program(&args.program, output) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let people: Result<Vec<_>, _> = args
        .persons
        .iter()
        .map(|p| participant(&program, p))
        .collect();
    let people = match people {
        Ok(p) => p,
        Err((code, e)) => {
            writeln!(output.err, "error: {e}").ok();
            return Ok(code);
        }
    };
    let mut session = Session::open(store)?;
    let engine = session.pin(&program);
    let source = args.program.display().to_string();
    let (actor, now) = (store.actor(), store.now());
    let who = Actor { name: &actor, now };
    let created = session.store.enrol(&program, &source, 1, &mut |ids| {
        let id = ids.first().cloned().unwrap_or_default();
        let (pairing, event) = engine.enrol(&id, &args.type_id, people.clone(), &who)?;
        Ok(vec![(pairing, vec![event])])
    })?;
    for p in created {
        writeln!(
            output.out,
            "enrolled {} in {} as {}, stage {}",
            p.id, p.program_id, p.type_id, p.stage
        )
        .ok();
    }
    Ok(EXIT_OK)
}

/// Record facts on a pairing: NAME=VALUE...
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Pairing id, e.g. p-12.
    pairing: String,
    /// Facts as NAME=VALUE, e.g. meetings=6 mentee_rating=4.
    #[arg(required = true, value_name = "NAME=VALUE")]
    facts: Vec<String>,
}

/// Records facts in one transaction (all or none).
pub fn record(
    args: &RecordArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut pairs = Vec::new();
    for f in &args.facts {
        match f.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => {
                pairs.push((n.trim().to_string(), v.to_string()))
            }
            _ => {
                writeln!(
                    output.err,
                    "error: `{f}` is not NAME=VALUE, e.g. meetings=6"
                )
                .ok();
                return Ok(EXIT_USAGE);
            }
        }
    }
    let mut session = Session::open(store)?;
    session.change(&args.pairing, store, output, &mut |engine, p, who| {
        let facts = pairs
            .iter()
            .map(|(n, v)| Ok((n.clone(), engine.parse_fact(n, v)?)))
            .collect::<Result<Vec<_>, mentorflow_engine::EngineError>>()?;
        Ok(vec![engine.record(p, facts, who)?])
    })
}

/// Advance a pairing (or every active pairing with --all) along the first transition whose guard holds.
#[derive(Debug, clap::Args)]
pub struct AdvanceArgs {
    /// Pairing id, e.g. p-12.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pairing: Option<String>,
    /// Take the transition to this stage (its guard must still hold, unless --force).
    #[arg(long, value_name = "STAGE")]
    to: Option<String>,
    /// Move to --to without checking guards; needs --reason; logged as forced.
    #[arg(long, requires = "to", requires = "reason")]
    force: bool,
    /// Why (required with --force).
    #[arg(long)]
    reason: Option<String>,
    /// Advance every active pairing whose guard now holds.
    #[arg(long, conflicts_with_all = ["to", "force"])]
    all: bool,
}

/// Advances one pairing or all.
pub fn advance(
    args: &AdvanceArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    let Some(id) = &args.pairing else {
        return advance_all(&mut session, store, output);
    };
    session.change(id, store, output, &mut |engine, p, who| {
        let event = match (&args.to, args.force) {
            (Some(to), true) => {
                engine.force(p, to, args.reason.as_deref().unwrap_or_default(), who)
            }
            (to, _) => engine.advance(p, to.as_deref(), who),
        };
        event.map(|e| vec![e])
    })
}

/// Events shown after a bulk command; the rest are in `mentorflow log`.
const SHOWN: usize = 20;

/// Runs `command` over every active pairing with the engine of its program version, with a
/// progress line, and prints the first events it stored. Returns the report and exit code.
fn bulk(
    session: &mut Session,
    label: &'static str,
    store: &StoreArgs,
    output: &mut Output<'_>,
    command: &mut super::store::PairingCommand<'_>,
) -> Result<(mentorflow_engine::store::BulkReport, u8), StoreError> {
    let engines = session.all_engines()?;
    let progress = super::progress::Progress::new(label);
    let mut shown = Vec::new();
    let report = session.store.update_all(
        &Filter::default(),
        500,
        &mut |p| {
            let Some(engine) = engines.get(&*p.program_hash) else {
                return Ok(Vec::new());
            };
            let name = store.actor();
            let actor = Actor {
                name: &name,
                now: store.now_for(p),
            };
            let events = command(engine, p, &actor)?;
            shown.extend(
                events
                    .iter()
                    .take(SHOWN.saturating_sub(shown.len()))
                    .map(ToString::to_string),
            );
            Ok(events)
        },
        &mut |n| progress.tick(n),
    )?;
    progress.finish();
    for line in &shown {
        writeln!(output.out, "{line}").ok();
    }
    if report.stored as usize > shown.len() {
        writeln!(
            output.out,
            "... and {} more events (mentorflow log shows them all)",
            report.stored as usize - shown.len()
        )
        .ok();
    }
    for (id, e) in &report.refused {
        writeln!(output.err, "error: {id}: {e}").ok();
    }
    let code = if report.refused.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    Ok((report, code))
}

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn advance_all(
    session: &mut Session,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let (report, code) = bulk(
        session,
        "advancing",
        store,
        output,
        &mut |engine, p, who| match engine.advance(p, None, who) {
            Ok(e) => Ok(vec![e]),
            Err(mentorflow_engine::EngineError::Refused { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        },
    )?;
    writeln!(
        output.out,
        "advanced {} of {}; the others wait on their guards (mentorflow status PAIRING says why)",
        report.stored,
        plural(report.seen, "active pairing")
    )
    .ok();
    Ok(code)
}

/// Withdraw a pairing with a reason.
#[derive(Debug, clap::Args)]
pub struct WithdrawArgs {
    /// Pairing id.
    pairing: String,
    /// Why (moved, lost interest, not a good fit ...); goes into the audit log.
    #[arg(long, required = true)]
    reason: String,
}

/// Withdraws.
pub fn withdraw(
    args: &WithdrawArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    session.change(&args.pairing, store, output, &mut |engine, p, who| {
        engine.withdraw(p, &args.reason, who).map(|e| vec![e])
    })
}

/// Run the timers: timeout transitions that are due fire, overdue stages are logged.
#[derive(Debug, clap::Args)]
pub struct TickArgs {}

/// Ticks every active pairing.
pub fn tick(store: &StoreArgs, output: &mut Output<'_>) -> Result<u8, StoreError> {
    let mut session = Session::open(store)?;
    let now = store.now();
    let (mut timed_out, mut overdue) = (0u64, 0u64);
    let (report, code) = bulk(
        &mut session,
        "ticking",
        store,
        output,
        &mut |engine, p, who| {
            let events = engine.tick(p, who)?;
            for e in &events {
                match e.kind {
                    mentorflow_engine::EventKind::TimedOut { .. } => timed_out += 1,
                    _ => overdue += 1,
                }
            }
            Ok(events)
        },
    )?;
    writeln!(
        output.out,
        "ticked {} at {}: {timed_out} timed out, {overdue} newly overdue",
        plural(report.seen, "active pairing"),
        now.format("%Y-%m-%d %H:%M")
    )
    .ok();
    Ok(code)
}
