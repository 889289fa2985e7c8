//! `mentorflow join PAIRING --person ROLE=ID[,ATTR=VALUE...]`: someone joins a running pairing.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

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
}

/// Joins.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let program = super::pairing_program(&mut coordinator, &args.pairing)?;
    let participant = super::enrol::participant(&program, &args.person)?;
    for e in coordinator.join(&args.pairing, &participant)? {
        writeln!(output.out, "{}", render::event(&e))?;
    }
    Ok(EXIT_OK)
}
