//! `mentorflow replace PAIRING --person ID --with ROLE=ID[,ATTR=VALUE...]`: someone takes
//! another's place in a running pairing.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::Output;

/// Replace a participant of a running pairing by someone else in the same role.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow replace [OPTIONS] --person <ID> --with <ROLE=ID[,ATTR=VALUE...]> <PAIRING>",
    after_help = "Example:\n  mentorflow replace p-4 --person ana --with \\\n    mentor=budi,experience_years=9 --reason not-a-fit"
)]
pub struct Args {
    /// Pairing id (or the label it was imported under).
    pairing: String,
    /// Who is replaced (their id).
    #[arg(long = "person", value_name = "ID")]
    person: String,
    /// Who takes their place: ROLE=ID followed by attributes, in the same role.
    #[arg(long = "with", value_name = "ROLE=ID[,ATTR=VALUE...]")]
    with: String,
    /// Why, for the audit log (one of the program's [reasons] codes when it declares them).
    #[arg(long)]
    reason: Option<String>,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Replaces.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    let program = super::pairing_program(&mut coordinator, &args.pairing)?;
    let participant = crate::input::person::participant(&program, &args.with)?;
    let events = coordinator.replace(
        &args.pairing,
        &args.person,
        &participant,
        args.reason.as_deref(),
    )?;
    let code = super::stored(&coordinator, &events, args.json, output)?;
    super::offer_deactivation(&coordinator, &args.person, args.reason.as_deref(), output)?;
    Ok(code)
}
