//! `mentorflow import ROSTER.csv --program P`: enrol many pairings from a CSV roster in one
//! transaction; one bad row refuses the whole file and stores nothing.

use std::path::PathBuf;

use mentorflow_engine::{EngineError, Error};

use crate::failure::{CommandResult, Failure};
use crate::input::roster::{self, Roster, Unreadable};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Enrol pairings from a CSV roster: columns pairing, type, role, id, then one column per
/// attribute. Rows with the same `pairing` label form one pairing.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow import roster.csv --program programs/mentoring.toml\n  mentorflow import roster.csv --program programs/mentoring.toml --dry-run",
    override_usage = "mentorflow import [OPTIONS] --program <PROGRAM> <ROSTER>"
)]
pub struct Args {
    /// The roster (CSV with a header row), or - for standard input.
    roster: String,
    /// Program file (TOML) every pairing is enrolled in.
    #[arg(long)]
    program: PathBuf,
    /// Mentoring type for rows whose `type` cell is empty (or when there is no `type` column).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Check every row as the import would, and store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Enrol pairings even when the same people already take part in a running pairing of
    /// the program (refused otherwise: a roster imported twice would enrol everyone again).
    #[arg(long)]
    allow_duplicate: bool,
    /// Print the stored events and the new pairings as JSON (`mentorflow schema changes`);
    /// with --dry-run, how many would be enrolled (`mentorflow schema import-check`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Every refused roster pairing, each reason located at its roster line.
fn refused(roster: &Roster<'_>, e: Error, output: &mut Output<'_>) -> CommandResult {
    let reasons = refusals(roster, e, output)?;
    writeln!(
        output.err,
        "error: {} of {} refused ({}); nothing was enrolled",
        render::count(reasons.0, "roster pairing"),
        roster.groups.len(),
        render::count(reasons.1, "reason")
    )?;
    Ok(crate::EXIT_FAILED)
}

/// Prints why each refused roster pairing was refused; how many pairings and reasons.
fn refusals(roster: &Roster<'_>, e: Error, output: &mut Output<'_>) -> Result<(u64, u64), Failure> {
    let Error::Rows(rows) = e else {
        return Err(Failure::Coordinator(e));
    };
    let mut reasons = 0u64;
    for (index, error) in &rows {
        let Some(g) = roster.groups.get(*index) else {
            continue;
        };
        let lines: Vec<String> = match error {
            Error::Engine(e) => match &**e {
                EngineError::EnrolmentRefused { problems, .. } => {
                    problems.iter().map(render::enrolment_problem).collect()
                }
                other => vec![render::engine_error(other)],
            },
            other => vec![render::error(other)],
        };
        for line in lines {
            reasons += 1;
            writeln!(output.err, "error: {}: {line}", roster.at(g))?;
        }
    }
    Ok((rows.len() as u64, reasons))
}

/// Reports a roster that cannot be imported as it is: the problems reading it, then what the
/// engine says of the pairings read without one, so one run shows every problem.
fn unreadable(
    shown: &str,
    found: Unreadable<'_>,
    args: &Args,
    store: &StoreArgs,
    program: &mentorflow_dsl::Program,
    output: &mut Output<'_>,
) -> CommandResult {
    let mut problems = found.problems.len() as u64;
    for p in &found.problems {
        writeln!(output.err, "error: {p}")?;
    }
    // The engine's checks need the store (rules across pairings read it); a store that does
    // not open is reported once the roster reads.
    let rest = found.rest.filter(|r| !r.groups.is_empty());
    if let (Some(rest), Ok(mut coordinator)) = (rest, store.open()) {
        coordinator.allow_same_participants(args.allow_duplicate);
        if let Err(e) = coordinator.check_import(program, &*rest) {
            problems += refusals(&rest, e, output)?.1;
        }
    }
    writeln!(
        output.err,
        "error: {} in {shown}; nothing was enrolled",
        render::count(problems, "problem")
    )?;
    Ok(crate::EXIT_FAILED)
}

/// Imports the roster.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let shown = args.roster.as_str();
    let input = match crate::input::file::open(shown) {
        Ok(file) => file,
        Err(e) => return super::file_problems(shown, &[e], "nothing was enrolled", output),
    };
    let roster = match roster::read(shown, input, &program, args.type_id.as_deref()) {
        Ok(roster) => roster,
        Err(found) => return unreadable(shown, found, args, store, &program, output),
    };
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    coordinator.allow_same_participants(args.allow_duplicate);
    if args.dry_run {
        return match coordinator.check_import(&program, &roster) {
            Ok(n) if args.json => {
                let check = crate::json::store::ImportCheck {
                    roster: shown.to_string(),
                    program: program.id.clone(),
                    would_enrol: n as u64,
                    dry_run: true,
                };
                super::versioned_json(output, check)
            }
            Ok(n) => {
                writeln!(
                    output.out,
                    "dry run: {} from {shown} would be enrolled in {}; nothing was stored",
                    render::count(n as u64, "pairing"),
                    program.id
                )?;
                Ok(EXIT_OK)
            }
            Err(e) => refused(&roster, e, output),
        };
    }
    let created = match coordinator.import(&program, &args.program.display().to_string(), &roster) {
        Ok(created) => created,
        Err(e) => return refused(&roster, e, output),
    };
    if args.json {
        let mut events = Vec::new();
        for id in &created {
            events.extend(coordinator.log(Some(id))?);
        }
        return super::stored(&coordinator, &events, true, output);
    }
    let n = created.len();
    writeln!(
        output.out,
        "enrolled {} from {shown} in {}:",
        render::count(n as u64, "pairing"),
        program.id
    )?;
    for (id, g) in created.iter().zip(&roster.groups).take(50) {
        writeln!(
            output.out,
            "  {id} = roster pairing `{}` ({})",
            roster.label(g),
            g.type_id
        )?;
    }
    if n > 50 {
        writeln!(
            output.out,
            "  ... and {} more (mentorflow list shows them all)",
            n - 50
        )?;
    }
    Ok(EXIT_OK)
}
