//! The `mentorflow` command line. It parses arguments, calls the engine's [`Coordinator`]
//! (or the program checker) and renders what comes back; [`run`] takes the arguments and two
//! writers, so tests run commands in-process and snapshot exactly what a user sees.
//!
//! [`Coordinator`]: mentorflow_engine::Coordinator

mod commands;
mod failure;
mod json;
mod output;
mod paint;
mod render;
mod roster;
mod select_args;
mod store_args;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};

pub use output::Output;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: refused, failed, or errors found.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage error (bad flags or arguments).
pub const EXIT_USAGE: u8 = 2;

/// The commands by who uses them, and what the exit codes mean.
const AFTER_HELP: &str = "\
Commands by who uses them:
  program designers  check, show, graph, paths, diff
  coordinators       init, people, match, enrol, import, record, done, advance, withdraw,
                     join, leave, replace, continue, tick, status, list, log, report
  testers            simulate, paths
  the store          verify, programs, export, migrate, replay, store
  your shell         completions, man, schema
  a first look       demo

Exit codes: 0 done; 1 refused or failed (nothing was stored, the message says why and what
to do); 2 a usage error (a flag or argument is wrong).

`mentorflow COMMAND --help` shows a command's options and examples.";

/// mentorflow: a workflow engine for mentoring programs.
#[derive(Debug, Parser)]
#[command(
    name = "mentorflow",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    store: store_args::StoreArgs,
    /// Colour marks (errors, OVERDUE, FORCED) on a terminal; `NO_COLOR` turns `auto` off.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: paint::ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(commands::check::Args),
    Show(commands::show::Args),
    Graph(commands::graph::Args),
    Paths(commands::paths::Args),
    Simulate(commands::simulate::Args),
    /// What changed between two program versions (files or stored versions), by meaning.
    Diff(commands::diff::Args),
    /// Run a demo cohort of all five types over simulated weeks (the main job).
    Demo(commands::demo::Args),
    /// Create a new, empty store.
    Init(commands::init::Args),
    /// Enrol a pairing in a program.
    Enrol(commands::enrol::Args),
    /// Enrol many pairings from a CSV roster, all or none.
    Import(commands::import::Args),
    /// Record facts on a pairing.
    Record(commands::record::Args),
    /// Advance a pairing, or all.
    Advance(commands::advance::Args),
    /// Withdraw a pairing with a reason.
    Withdraw(commands::withdraw::Args),
    /// Add a participant to a running pairing.
    Join(commands::join::Args),
    /// Remove a participant from a running pairing, with a reason.
    Leave(commands::leave::Args),
    /// Replace a participant of a running pairing by someone else in the same role.
    Replace(commands::replace::Args),
    /// Propose mentor-mentee pairs: the best total score under every rule and capacity.
    #[command(name = "match")]
    Match(commands::match_::Args),
    /// The people registry: import people, list them, show one.
    People(commands::people::Args),
    /// Continue an ended pairing as a new one, linked to it.
    #[command(name = "continue")]
    Continue(commands::continue_::Args),
    /// Record an occurrence of a schedule done (a check-in held, a survey answered).
    Done(commands::done::Args),
    /// Run timers: timeouts and overdue stages.
    Tick(commands::tick::Args),
    /// The board, or one pairing and what it needs to move on.
    Status(commands::status::Args),
    /// The cohort report: funnel, success, time in stage, who needs attention (text, HTML).
    Report(commands::report::Args),
    /// List pairings with filters.
    List(commands::list::Args),
    /// The event history, with actor and reason.
    Log(commands::log::Args),
    /// Stored program versions and their pairing counts.
    Programs(commands::programs::Args),
    /// Check the hash chain and every projection against its events.
    Verify(commands::verify::Args),
    /// Export pairings or events as JSON or CSV.
    Export(commands::export::Args),
    /// Move running pairings to a new version of their program, under a mapping.
    Migrate(commands::migrate::Args),
    /// Replay recorded pairings against another version of their program (nothing is stored).
    Replay(commands::replay::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::Args),
    /// Print the JSON Schema of a command's `--json` output.
    Schema(commands::schema::Args),
    /// Print the manual page (roff).
    Man(commands::man::Args),
    /// Work on whole stores: copy between SQLite and PostgreSQL.
    Store(commands::store::Args),
}

/// Runs the command line `args` (program name first) and returns the exit code. Progress
/// lines are not shown (see [`run_with`]).
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_with(args, &mut Output::new(out, err))
}

/// The command line's definition, for generated completions and the manual page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Runs the command line `args` with `output`.
pub fn run_with<I, T>(args: I, output: &mut Output<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = write!(output.err, "{text}");
                EXIT_USAGE
            } else {
                let _ = write!(output.out, "{text}");
                EXIT_OK
            };
        }
    };
    let (out_terminal, err_terminal) = output.terminals();
    let (paint_out, paint_err) = (
        cli.color.paints(out_terminal),
        cli.color.paints(err_terminal),
    );
    if paint_out || paint_err {
        let progress = output.shows_progress();
        let (mut out, mut err) = (
            paint::Painter::new(&mut *output.out, paint_out),
            paint::Painter::new(&mut *output.err, paint_err),
        );
        let mut painted = Output::new(&mut out, &mut err)
            .with_progress(progress)
            .with_terminals(out_terminal, err_terminal);
        return dispatch(cli, &mut painted);
    }
    dispatch(cli, output)
}

/// Runs the parsed command.
fn dispatch(cli: Cli, output: &mut Output<'_>) -> u8 {
    let s = &cli.store;
    let result = match cli.command {
        Command::Check(a) => commands::check::run(&a, output),
        Command::Show(a) => commands::show::run(&a, output),
        Command::Graph(a) => commands::graph::run(&a, s, output),
        Command::Paths(a) => commands::paths::run(&a, output),
        Command::Simulate(a) => commands::simulate::run(&a, output),
        Command::Diff(a) => commands::diff::run(&a, s, output),
        Command::Demo(a) => commands::demo::run(&a, s, output),
        Command::Init(a) => commands::init::run(&a, s, output),
        Command::Enrol(a) => commands::enrol::run(&a, s, output),
        Command::Import(a) => commands::import::run(&a, s, output),
        Command::Record(a) => commands::record::run(&a, s, output),
        Command::Advance(a) => commands::advance::run(&a, s, output),
        Command::Withdraw(a) => commands::withdraw::run(&a, s, output),
        Command::Join(a) => commands::join::run(&a, s, output),
        Command::Leave(a) => commands::leave::run(&a, s, output),
        Command::Replace(a) => commands::replace::run(&a, s, output),
        Command::Continue(a) => commands::continue_::run(&a, s, output),
        Command::People(a) => commands::people::run(&a, s, output),
        Command::Match(a) => commands::match_::run(&a, s, output),
        Command::Done(a) => commands::done::run(&a, s, output),
        Command::Tick(a) => commands::tick::run(&a, s, output),
        Command::Status(a) => commands::status::run(&a, s, output),
        Command::List(a) => commands::list::run(&a, s, output),
        Command::Report(a) => commands::report::run(&a, s, output),
        Command::Log(a) => commands::log::run(&a, s, output),
        Command::Programs(a) => commands::programs::run(&a, s, output),
        Command::Verify(a) => commands::verify::run(&a, s, output),
        Command::Export(a) => commands::export::run(&a, s, output),
        Command::Store(a) => commands::store::run(&a, s, output),
        Command::Replay(a) => commands::replay::run(&a, s, output),
        Command::Migrate(a) => commands::migrate::run(&a, s, output),
        Command::Completions(a) => commands::completions::run(&a, output),
        Command::Man(a) => commands::man::run(&a, output),
        Command::Schema(a) => commands::schema::run(&a, output),
    };
    failure::exit_code(result, output)
}
