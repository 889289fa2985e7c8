//! `mentorflow join PAIRING --person ROLE=ID[,ATTR=VALUE...]`: someone joins a running pairing.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::Output;

/// Add a participant to a running pairing (the type's role counts, rule and capacity apply).
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow join [OPTIONS] --person <ROLE=ID[,ATTR=VALUE...]> <PAIRING>",
    after_help = "Example:\n  mentorflow join p-4 --person mentee=dewi,department=sales"
)]
pub struct Args {
    /// Pairing id (or the label it was imported under).
    pairing: String,
    /// Who joins: ROLE=ID followed by attributes, e.g. mentee=dewi,department=sales.
    #[arg(long = "person", value_name = "ROLE=ID[,ATTR=VALUE...]")]
    person: String,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Joins.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    let program = super::pairing_program(&mut coordinator, &args.pairing)?;
    let participant = crate::input::person::participant(&program, &args.person)?;
    let events = coordinator.join(&args.pairing, &participant)?;
    super::stored(&coordinator, &events, args.json, output)
}
