//! `mentorflow record PAIRING NAME=VALUE...`, or `record --from facts.csv`: facts, all or none.

use crate::failure::CommandResult;
use crate::input::facts;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Record facts on a pairing: NAME=VALUE..., or on many from a CSV file.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow record p-1 meetings+=1 mentee_rating=4\n  mentorflow record p-4 --person dewi attended+=1\n  mentorflow record --from week-12.csv",
    override_usage = "mentorflow record [OPTIONS] <PAIRING> <NAME=VALUE>...\n       mentorflow record [OPTIONS] --from <FILE>"
)]
pub struct Args {
    /// Pairing id, e.g. p-12 (or the label it was imported under).
    #[arg(required_unless_present = "from", conflicts_with = "from")]
    pairing: Option<String>,
    /// Record facts kept per person (declared with `per`) for this participant.
    #[arg(long, value_name = "ID", conflicts_with = "from")]
    person: Option<String>,
    /// Facts as NAME=VALUE, e.g. meetings=6 mentee_rating=4; NAME+=N or NAME-=N adds to or
    /// subtracts from a number's current value (meetings+=1).
    #[arg(required_unless_present = "from", value_name = "NAME=VALUE")]
    facts: Vec<String>,
    /// A CSV file (or - for standard input): a `pairing` column, an optional `person` column
    /// (for facts kept per person), then one column per fact; a cell is a value, +=N or -=N,
    /// or empty (left as it is). All rows or none.
    #[arg(long, value_name = "FILE")]
    from: Option<String>,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
}

/// Records facts in one transaction (all or none).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    if let Some(file) = &args.from {
        return from_file(file, args.json, store, output);
    }
    let facts = args
        .facts
        .iter()
        .map(|f| facts::change(f))
        .collect::<Result<Vec<_>, _>>()?;
    let pairing = args.pairing.as_deref().unwrap_or_default();
    let mut coordinator = store.open()?;
    let recorded = coordinator.record_for(pairing, args.person.as_deref(), &facts)?;
    super::stored(&coordinator, &recorded.events, args.json, output)?;
    if let Some(w) = &recorded.waiting {
        for early in &recorded.early {
            writeln!(
                output.err,
                "warning: `{}` is read by the guards of stage `{}`, but {pairing} still waits to leave `{}` on {}",
                early.fact,
                early.used_from,
                recorded.stage,
                render::waiting(w)
            )?;
        }
    }
    Ok(EXIT_OK)
}

fn from_file(file: &str, json: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let known = coordinator.fact_names()?;
    let rows = match facts::read_rows(file, &known) {
        Ok(rows) => rows,
        Err(problems) => {
            return super::file_problems(file, &problems, "nothing was recorded", output)
        }
    };
    let changes: Vec<mentorflow_engine::FactRow> = rows
        .iter()
        .filter(|(_, _, _, c)| !c.is_empty())
        .map(|(_, id, person, c)| (id.clone(), person.clone(), c.clone()))
        .collect();
    let lines: Vec<u64> = rows
        .iter()
        .filter(|(_, _, _, c)| !c.is_empty())
        .map(|(line, _, _, _)| *line)
        .collect();
    let mut started = false;
    let recorded = coordinator.record_many(&changes, &mut |n, total| {
        if !std::mem::replace(&mut started, true) {
            output.progress_total(total, "rows");
        }
        output.progress("recording", n);
    });
    output.progress_done();
    match recorded {
        Ok(events) if json => {
            let events: Vec<_> = events.into_iter().flatten().collect();
            super::stored(&coordinator, &events, true, output)
        }
        Ok(events) => {
            let n = events.iter().flatten().count() as u64;
            let names = coordinator.directory()?;
            for e in events.iter().flatten().take(super::SHOWN) {
                writeln!(output.out, "{}", render::event(e, &names))?;
            }
            if n as usize > super::SHOWN {
                writeln!(
                    output.out,
                    "... and {} more events (mentorflow log shows them all)",
                    n as usize - super::SHOWN
                )?;
            }
            let mut pairings: Vec<&str> = changes.iter().map(|(id, _, _)| id.as_str()).collect();
            pairings.sort_unstable();
            pairings.dedup();
            writeln!(
                output.out,
                "recorded {} on {} from {file}",
                render::count(n, "row"),
                render::count(pairings.len() as u64, "pairing")
            )?;
            Ok(EXIT_OK)
        }
        Err(mentorflow_engine::Error::Rows(refused)) => {
            for (i, e) in &refused {
                let line = lines.get(*i).copied().unwrap_or_default();
                let id = changes.get(*i).map_or("", |c| c.0.as_str());
                writeln!(
                    output.err,
                    "error: {file}:{line}: {id}: {}",
                    render::error(e)
                )?;
            }
            writeln!(
                output.err,
                "error: {} refused; nothing was recorded",
                render::count(refused.len() as u64, "row")
            )?;
            Ok(crate::EXIT_FAILED)
        }
        Err(e) => Err(e.into()),
    }
}
