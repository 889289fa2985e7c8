//! `mentorflow man`: the manual page (roff), generated from the command line's definition.

use crate::failure::CommandResult;
use crate::{Output, EXIT_OK};

/// Print the manual page (roff), e.g. `mentorflow man | man -l -`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  mentorflow man > /usr/local/share/man/man1/mentorflow.1")]
pub struct Args {}

/// Prints the page.
pub fn run(_: &Args, output: &mut Output<'_>) -> CommandResult {
    clap_mangen::Man::new(crate::command()).render(&mut *output.out)?;
    Ok(EXIT_OK)
}
