//! `mentorflow init`: create a new, empty store.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Create a new, empty store.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow init\n  mentorflow --store postgres://mentorflow@localhost/mentoring init"
)]
pub struct Args {}

/// Creates the store.
pub fn run(_: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let location = store.location();
    store.create(&location)?;
    writeln!(output.out, "created store {location}")?;
    Ok(EXIT_OK)
}
