//! `mentorflow init`: create a new, empty store.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Create a new, empty store.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow init\n  mentorflow init --store postgres://mentorflow@localhost/mentoring"
)]
pub struct Args {
    /// Print the store created as JSON (`mentorflow schema store`).
    #[arg(long)]
    json: bool,
}

/// Creates the store.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let location = store.location()?;
    store.create(&location)?;
    if args.json {
        let store = location.to_string();
        return super::versioned_json(output, crate::json::store::Store { store });
    }
    writeln!(output.out, "created store {location}")?;
    Ok(EXIT_OK)
}
