//! `mentorflow withdraw PAIRING --reason R`.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

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
}

/// Withdraws.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    for e in store.open()?.withdraw(&args.pairing, &args.reason)? {
        writeln!(output.out, "{}", render::event(&e))?;
    }
    Ok(EXIT_OK)
}
