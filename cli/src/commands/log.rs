//! `mentorflow log [PAIRING]`: the history, with actor and reason.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The history of one pairing or all: every event with actor and reason.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow log p-1\n  mentorflow log -n 20\n  mentorflow log person:e015\n  mentorflow log --json"
)]
pub struct Args {
    /// One pairing.
    pairing: Option<String>,
    /// Only stage changes (no fact records).
    #[arg(long)]
    transitions: bool,
    /// Only the N most recent events (still oldest first).
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the log.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let coordinator = store.open()?;
    let mut events: Vec<_> = coordinator
        .log(args.pairing.as_deref())?
        .into_iter()
        .filter(|e| !args.transitions || e.kind.move_().is_some())
        .collect();
    if let Some(n) = args.limit {
        events.drain(..events.len().saturating_sub(n));
    }
    if args.json {
        return super::versioned_json(output, crate::json::event::Events::of(&events));
    }
    let names = coordinator.directory()?;
    for e in &events {
        writeln!(output.out, "{}", render::event(e, &names))?;
    }
    Ok(EXIT_OK)
}
