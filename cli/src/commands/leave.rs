//! `mentorflow leave PAIRING --person ID --reason R`: someone leaves a running pairing.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::Output;

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
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
}

/// Leaves.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let events = coordinator.leave(&args.pairing, &args.person, &args.reason)?;
    let code = super::stored(&coordinator, &events, args.json, output)?;
    super::offer_deactivation(&coordinator, &args.person, Some(&args.reason), output)?;
    Ok(code)
}
