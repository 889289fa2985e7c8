//! `mentorflow record PAIRING NAME=VALUE...`, or `record --from facts.csv`: facts, all or none.

use mentorflow_engine::FactChange;

use crate::failure::{CommandResult, Failure};
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

/// `NAME=VALUE`, `NAME+=AMOUNT` or `NAME-=AMOUNT`.
pub(crate) fn change(text: &str) -> Result<(String, FactChange), Failure> {
    let usage = || {
        Failure::Usage(format!(
            "`{text}` is not NAME=VALUE (or NAME+=AMOUNT, NAME-=AMOUNT), e.g. meetings=6"
        ))
    };
    let (name, value) = text.split_once('=').ok_or_else(usage)?;
    let (name, change) = if let Some(n) = name.strip_suffix('+') {
        (n, FactChange::Add(value.to_string()))
    } else if let Some(n) = name.strip_suffix('-') {
        (n, FactChange::Subtract(value.to_string()))
    } else {
        (name, FactChange::Set(value.to_string()))
    };
    if name.trim().is_empty() {
        return Err(usage());
    }
    Ok((name.trim().to_string(), change))
}

/// Records facts in one transaction (all or none).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    if let Some(file) = &args.from {
        return from_file(file, args.json, store, output);
    }
    let facts = args
        .facts
        .iter()
        .map(|f| change(f))
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

/// A CSV cell as a change: `+=N`, `-=N`, or a value.
fn cell(text: &str) -> FactChange {
    if let Some(n) = text.strip_prefix("+=") {
        FactChange::Add(n.to_string())
    } else if let Some(n) = text.strip_prefix("-=") {
        FactChange::Subtract(n.to_string())
    } else {
        FactChange::Set(text.to_string())
    }
}

/// One row per pairing (or person of a pairing): (line, pairing, person, changes).
type Rows = Vec<(u64, String, Option<String>, Vec<(String, FactChange)>)>;

/// Reads the facts file; every problem of the file itself, with its line.
fn read_rows(file: &str, known: &[String]) -> Result<Rows, Vec<String>> {
    let (mut reader, header) = super::open_csv(file)?;
    let Some(id_col) = header.iter().position(|h| h == "pairing") else {
        return Err(vec![format!(
            "{file}: the header needs a `pairing` column, then one column per fact; found: {}",
            header.join(",")
        )]);
    };
    let person_col = header.iter().position(|h| h == "person");
    let fixed = |i: usize| i == id_col || Some(i) == person_col;
    let mut problems = Vec::new();
    for name in header
        .iter()
        .enumerate()
        .filter(|(i, _)| !fixed(*i))
        .map(|(_, h)| h)
    {
        if !known.contains(name) {
            problems.push(format!(
                "{file}:1: column `{name}` is no fact of any stored program{}",
                render::did_you_mean_or_known(name, known)
            ));
        }
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{file}:{line}: {}", super::csv_problem(&e)));
                continue;
            }
        };
        let id = record.get(id_col).unwrap_or_default().to_string();
        if id.is_empty() {
            problems.push(format!("{file}:{line}: the pairing cell is empty"));
            continue;
        }
        let person = person_col
            .and_then(|i| record.get(i))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let changes = header
            .iter()
            .enumerate()
            .filter(|(i, h)| !fixed(*i) && known.contains(*h))
            .filter_map(|(i, h)| {
                let text = record.get(i).unwrap_or_default();
                (!text.is_empty()).then(|| (h.clone(), cell(text)))
            })
            .collect();
        rows.push((line, id, person, changes));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn from_file(file: &str, json: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let known = coordinator.fact_names()?;
    let rows = match read_rows(file, &known) {
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
    match coordinator.record_many(&changes) {
        Ok(events) if json => {
            let events: Vec<_> = events.into_iter().flatten().collect();
            super::stored(&coordinator, &events, true, output)
        }
        Ok(events) => {
            let n = events.iter().flatten().count() as u64;
            for e in events.iter().flatten().take(super::SHOWN) {
                writeln!(output.out, "{}", render::event(e))?;
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
