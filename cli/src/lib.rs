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
    #[command(flatten)]
    store: commands::store::StoreArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(commands::check::Args),
    Show(commands::show::Args),
    Graph(commands::graph::Args),
    Paths(commands::paths::Args),
    Simulate(commands::simulate::Args),
    /// Run a demo cohort of all five types over simulated weeks (the main job).
    Demo(commands::demo::DemoArgs),
    /// Create a new, empty store.
    Init(commands::pairings::InitArgs),
    /// Enrol a pairing in a program.
    Enrol(commands::pairings::EnrolArgs),
    /// Enrol many pairings from a CSV roster, all or none.
    Import(commands::import::ImportArgs),
    /// Record facts on a pairing.
    Record(commands::pairings::RecordArgs),
    /// Advance a pairing, or all.
    Advance(commands::pairings::AdvanceArgs),
    /// Withdraw a pairing with a reason.
    Withdraw(commands::pairings::WithdrawArgs),
    /// Run timers: timeouts and overdue stages.
    Tick(commands::pairings::TickArgs),
    /// The board, or one pairing and what it needs to move on.
    Status(commands::board::StatusArgs),
    /// List pairings with filters.
    List(commands::board::ListArgs),
    /// The event history, with actor and reason.
    Log(commands::board::LogArgs),
    /// Stored program versions and their pairing counts.
    Programs(commands::board::ProgramsArgs),
    /// Check the hash chain and every projection against its events.
    Verify(commands::board::VerifyArgs),
    /// Export pairings or events as JSON or CSV.
    Export(commands::board::ExportArgs),
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
    let s = &cli.store;
    let stored =
        |r: Result<u8, mentorflow_engine::store::StoreError>, output: &mut Output<'_>| match r {
            Ok(code) => code,
            Err(e) => {
                let _ = writeln!(output.err, "error: {e}");
                EXIT_FAILED
            }
        };
    let result = match cli.command {
        Command::Demo(_) => Ok(stored(commands::demo::run(s, &mut output), &mut output)),
        Command::Init(_) => Ok(stored(
            commands::pairings::init(s, &mut output),
            &mut output,
        )),
        Command::Enrol(a) => Ok(stored(
            commands::pairings::enrol(&a, s, &mut output),
            &mut output,
        )),
        Command::Import(a) => Ok(stored(
            commands::import::import(&a, s, &mut output),
            &mut output,
        )),
        Command::Record(a) => Ok(stored(
            commands::pairings::record(&a, s, &mut output),
            &mut output,
        )),
        Command::Advance(a) => Ok(stored(
            commands::pairings::advance(&a, s, &mut output),
            &mut output,
        )),
        Command::Withdraw(a) => Ok(stored(
            commands::pairings::withdraw(&a, s, &mut output),
            &mut output,
        )),
        Command::Tick(_) => Ok(stored(
            commands::pairings::tick(s, &mut output),
            &mut output,
        )),
        Command::Status(a) => Ok(stored(
            commands::board::status(&a, s, &mut output),
            &mut output,
        )),
        Command::List(a) => Ok(stored(
            commands::board::list(&a, s, &mut output),
            &mut output,
        )),
        Command::Log(a) => Ok(stored(
            commands::board::log(&a, s, &mut output),
            &mut output,
        )),
        Command::Programs(a) => Ok(stored(
            commands::board::programs(&a, s, &mut output),
            &mut output,
        )),
        Command::Verify(a) => Ok(stored(
            commands::board::verify(&a, s, &mut output),
            &mut output,
        )),
        Command::Export(a) => Ok(stored(
            commands::board::export(&a, s, &mut output),
            &mut output,
        )),
        Command::Check(args) => commands::check::run(&args, &mut output),
        Command::Show(args) => commands::show::run(&args, &mut output),
        Command::Graph(args) => commands::graph::run(&args, &mut output),
        Command::Paths(args) => commands::paths::run(&args, &mut output),
        Command::Simulate(args) => commands::simulate::run(&args, &mut output),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`mentorflow paths ... | head`): stop quietly, like other tools.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            let _ = writeln!(output.err, "error: {e}");
            EXIT_FAILED
        }
    }
}
