//! `mentorflow completions SHELL`: a completion script for bash, zsh, fish, PowerShell or
//! elvish, generated from the command line's own definition.

use crate::failure::CommandResult;
use crate::{Output, EXIT_OK};

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow completions bash > \\\n    ~/.local/share/bash-completion/completions/mentorflow\n  mentorflow completions zsh > ~/.zfunc/_mentorflow\n  mentorflow completions fish > ~/.config/fish/completions/mentorflow.fish"
)]
pub struct Args {
    /// The shell.
    shell: clap_complete::Shell,
}

/// Prints the script.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let mut command = crate::command();
    clap_complete::generate(args.shell, &mut command, "mentorflow", &mut *output.out);
    Ok(EXIT_OK)
}
