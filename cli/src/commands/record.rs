//! `mentorflow record PAIRING NAME=VALUE...`: facts, all or none.

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Record facts on a pairing: NAME=VALUE...
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pairing id, e.g. p-12.
    pairing: String,
    /// Facts as NAME=VALUE, e.g. meetings=6 mentee_rating=4.
    #[arg(required = true, value_name = "NAME=VALUE")]
    facts: Vec<String>,
}

/// Records facts in one transaction (all or none).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let facts = args
        .facts
        .iter()
        .map(|f| match f.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_string(), v.to_string())),
            _ => Err(Failure::Usage(format!(
                "`{f}` is not NAME=VALUE, e.g. meetings=6"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let events = store.open()?.record(&args.pairing, &facts)?;
    for e in &events {
        writeln!(output.out, "{}", render::event(e))?;
    }
    Ok(EXIT_OK)
}
