//! `mentorflow withdraw PAIRING --reason R`.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Withdraw a pairing with a reason.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pairing id.
    pairing: String,
    /// Why (moved, lost interest, not a good fit ...); goes into the audit log.
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
