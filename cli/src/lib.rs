//! The `mentorflow` command line. [`run`] takes the arguments and two writers, so tests run
//! commands in-process and snapshot exactly what a user sees.

mod commands;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: refused, failed, or errors found.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage error (bad flags or arguments).
pub const EXIT_USAGE: u8 = 2;

/// mentorflow: a workflow engine for mentoring programs.
#[derive(Debug, Parser)]
#[command(name = "mentorflow", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(commands::check::Args),
    Show(commands::show::Args),
    Graph(commands::graph::Args),
    Paths(commands::paths::Args),
    Simulate(commands::simulate::Args),
}

/// Where a command writes: its normal output and its diagnostics.
pub struct Output<'a> {
    /// Normal output.
    pub out: &'a mut dyn Write,
    /// Errors and warnings.
    pub err: &'a mut dyn Write,
}

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = write!(err, "{text}");
                EXIT_USAGE
            } else {
                let _ = write!(out, "{text}");
                EXIT_OK
            };
        }
    };
    let mut output = Output { out, err };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args, &mut output),
        Command::Show(args) => commands::show::run(&args, &mut output),
        Command::Graph(args) => commands::graph::run(&args, &mut output),
        Command::Paths(args) => commands::paths::run(&args, &mut output),
        Command::Simulate(args) => commands::simulate::run(&args, &mut output),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(output.err, "error: {e}");
            EXIT_FAILED
        }
    }
}
