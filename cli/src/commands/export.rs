//! `mentorflow export`: pairings or events as JSON or CSV.

use mentorflow_engine::stamp;
use mentorflow_engine::Filter;

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Export events and pairings.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// What to export.
    #[arg(long, value_enum, default_value = "pairings")]
    what: What,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum What {
    Pairings,
    Events,
}

/// A cell a spreadsheet would not run as a formula: one starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` (as spreadsheet tools expect).
fn cell(value: String) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value
    }
}

/// Exports.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    match (args.what, args.format) {
        (What::Pairings, Format::Json) => {
            super::json(output, &coordinator.list(&Filter::default())?)
        }
        (What::Events, Format::Json) => super::json(output, &coordinator.log(None)?),
        (What::Pairings, Format::Csv) => {
            let mut csv = csv::Writer::from_writer(&mut *output.out);
            csv.write_record([
                "id",
                "program",
                "version",
                "type",
                "stage",
                "outcome",
                "reason",
                "due",
                "cycle",
                "participants",
                "label",
                "predecessor",
                "successor",
            ])?;
            for p in coordinator.list(&Filter::default())? {
                let who: Vec<String> = p
                    .participants
                    .iter()
                    .map(|x| format!("{}:{}", x.role, x.id))
                    .collect();
                csv.write_record(
                    [
                        p.id.to_string(),
                        p.program_id,
                        p.program_hash.to_string(),
                        p.type_id,
                        p.stage.to_string(),
                        p.outcome.clone().unwrap_or_default(),
                        p.history
                            .as_ref()
                            .and_then(|h| h.reason.clone())
                            .filter(|_| p.outcome.is_some())
                            .unwrap_or_default(),
                        p.due.map(stamp).unwrap_or_default(),
                        p.cycle.to_string(),
                        who.join(" "),
                        p.label.clone().unwrap_or_default(),
                        p.predecessor.clone().unwrap_or_default(),
                        p.successor.clone().unwrap_or_default(),
                    ]
                    .map(cell),
                )?;
            }
            csv.flush()?;
            Ok(EXIT_OK)
        }
        (What::Events, Format::Csv) => {
            let mut csv = csv::Writer::from_writer(&mut *output.out);
            csv.write_record([
                "pairing", "seq", "at", "actor", "event", "reason", "program", "detail",
            ])?;
            for e in coordinator.log(None)? {
                let detail = serde_json::to_string(&e.kind).unwrap_or_default();
                csv.write_record(
                    [
                        e.pairing.to_string(),
                        e.seq.to_string(),
                        stamp(e.at),
                        e.actor.to_string(),
                        e.kind.name().to_string(),
                        e.reason.clone().unwrap_or_default(),
                        e.program.to_string(),
                        detail,
                    ]
                    .map(cell),
                )?;
            }
            csv.flush()?;
            Ok(EXIT_OK)
        }
    }
}
