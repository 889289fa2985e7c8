//! `mentorflow withdraw PAIRING --reason R`.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::Output;

/// Withdraw a pairing with a reason.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow withdraw p-1 --reason moved\n  mentorflow withdraw p-1 --reason \"left: joined a competitor\"",
    override_usage = "mentorflow withdraw [OPTIONS] --reason <REASON> <PAIRING>"
)]
pub struct Args {
    /// Pairing id.
    pairing: String,
    /// Why; goes into the audit log. When the program declares [reasons], one of its codes,
    /// alone or with details: `left` or "left: joined a competitor" (`mentorflow show` lists them).
    #[arg(long, required = true)]
    reason: String,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
}

/// Withdraws.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let events = coordinator.withdraw(&args.pairing, &args.reason)?;
    super::stored(&coordinator, &events, args.json, output)
}
