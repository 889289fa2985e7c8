//! `mentorflow store copy FROM TO`: move a store between SQLite and PostgreSQL.

use mentorflow_engine::Location;

use crate::failure::{CommandResult, Failure};
use crate::{render, Output, EXIT_OK};

/// Work on whole stores.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow store copy mentorflow.db \\\n    postgres://mentorflow@localhost/mentoring\n  mentorflow store copy postgres://mentorflow@localhost/mentoring backup.db"
)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Copy a store to a new one (SQLite file or postgres:// URL, either way), all or nothing,
    /// verified at both ends.
    Copy {
        /// The store to copy from.
        #[arg(value_name = "FROM")]
        from: String,
        /// The new store (or an empty one) to copy to.
        #[arg(value_name = "TO")]
        to: String,
        /// Print what was copied as JSON (`mentorflow schema copy`).
        #[arg(long)]
        json: bool,
    },
}

/// A copy's own words for a store that is missing or in the way (the general ones speak of
/// `--store` and `init`, which `store copy` has not).
fn copy_error(e: mentorflow_engine::Error, from: &Location) -> Failure {
    use mentorflow_engine::{Error, StoreError};
    match e {
        Error::Store(StoreError::Exists(to)) => Failure::Refused(format!(
            "{to} exists already; store copy makes a new store: give another TO, or move {to} away first"
        )),
        Error::Store(StoreError::Missing(at)) if at == *from => Failure::Refused(format!(
            "no store at {at} to copy from; check the FROM path (`mentorflow store copy FROM TO`)"
        )),
        other => other.into(),
    }
}

/// Runs a store action.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    match &args.action {
        Action::Copy { from, to, json } => {
            let parse = |which: &str, text: &str| {
                Location::parse(text)
                    .map_err(|e| crate::failure::Failure::Usage(format!("{which}: {e}")))
            };
            let (from, to) = (parse("FROM", from)?, parse("TO", to)?);
            let report =
                mentorflow_engine::copy(&from, &to).map_err(|e| copy_error(e.into(), &from))?;
            if *json {
                let doc = crate::json::store::Copy {
                    from: from.to_string(),
                    to: to.to_string(),
                    programs: report.programs as u64,
                    events: report.events,
                    pairings: report.pairings as u64,
                    head: Some(report.verified.head).filter(|h| !h.is_empty()),
                };
                return crate::commands::versioned_json(output, doc);
            }
            writeln!(
                output.out,
                "copied {}, {} and {} from {from} to {to}; verified: hash chain intact, every pairing equals the fold of its events",
                render::count(report.programs as u64, "program version"),
                render::count(report.events, "event"),
                render::count(report.pairings as u64, "pairing"),
            )?;
            Ok(EXIT_OK)
        }
    }
}
