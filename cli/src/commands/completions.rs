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

/// Prints the script. It asks the binary at each TAB, so it completes pairing ids, stages,
/// types and schema names from the store as well as commands and flags.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    let shell: &dyn EnvCompleter = match args.shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        clap_complete::Shell::Elvish => &Elvish,
        other => {
            return Err(crate::failure::Failure::Usage(format!(
                "no completion script for {other}; use bash, zsh, fish, powershell or elvish"
            )))
        }
    };
    shell.write_registration(
        "MENTORFLOW_COMPLETE",
        "mentorflow",
        "mentorflow",
        "mentorflow",
        &mut *output.out,
    )?;
    Ok(EXIT_OK)
}
