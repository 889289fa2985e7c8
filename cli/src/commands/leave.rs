//! `mentorflow leave PAIRING --person ID --reason R`: someone leaves a running pairing.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Remove a participant from a running pairing, with a reason. If too few remain, the
/// program's automatic transition must end the pairing, or the leave is refused.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow leave [OPTIONS] --person <ID> --reason <REASON> <PAIRING>",
    after_help = "Example:\n  mentorflow leave p-4 --person dewi --reason moved"
)]
pub struct Args {
    /// Pairing id (or the label it was imported under).
    pairing: String,
    /// Who leaves (their id).
    #[arg(long = "person", value_name = "ID")]
    person: String,
    /// Why; goes into the audit log. When the program declares [reasons], one of its codes,
    /// alone or with details (`mentorflow show` lists them).
    #[arg(long, required = true)]
    reason: String,
}

/// Leaves.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let events = store
        .open()?
        .leave(&args.pairing, &args.person, &args.reason)?;
    for e in events {
        writeln!(output.out, "{}", render::event(&e))?;
    }
    Ok(EXIT_OK)
}
