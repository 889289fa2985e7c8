//! The `mentorflow` command line. It parses arguments, calls the engine's [`Coordinator`]
//! (or the program checker) and renders what comes back; [`run`] takes the arguments and two
//! writers, so tests run commands in-process and snapshot exactly what a user sees.
//!
//! [`Coordinator`]: mentorflow_engine::Coordinator

mod commands;
mod completion;
mod failure;
mod input;
mod json;
mod leading;
mod output;
pub mod pager;
mod paint;
mod render;
mod select_args;
mod store_args;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};
use store_args::{AtTime, Reads, Runs, Writes};

pub use output::Output;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: refused, failed, or errors found.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: usage error (bad flags or arguments).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: partly done. What was done is stored; some was not (a pairing refused, the
/// script budget spent, a notification not delivered), and the message says what.
pub const EXIT_PARTIAL: u8 = 3;

/// The commands by who uses them, and what the exit codes mean.
const AFTER_HELP: &str = "\
Commands by who uses them:
  program designers  check, show, graph, paths, diff
  coordinators       init, people, match, enrol, import, record, done, advance, withdraw,
                     join, leave, replace, continue, tick, status, list, log, report,
                     outbox, retention
  testers            simulate, paths
  the store          verify, programs, export, migrate, replay, store
  your shell         completions, man, schema
  a first look       demo

Exit codes: 0 done; 1 refused or failed (nothing was stored, the message says why and what
to do); 2 a usage error (a flag or argument is wrong); 3 partly done (`advance --all`, `tick`,
`outbox deliver`: what was done is stored, the message says what was not; run it again to go
on).

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
    /// Colour marks (errors, OVERDUE, FORCED) on a terminal; `NO_COLOR` turns `auto` off.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: paint::ColorChoice,
    /// No progress lines (they are shown on a terminal only, never in a pipe).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
}

// Each command takes the store flags that mean something to it: `Reads` (--store), `AtTime`
// (and --now), `Writes` (and --actor, --lock-wait), `Runs` (and --script-budget).
#[derive(Debug, Subcommand)]
enum Command {
    Check(commands::check::Args),
    Show(commands::show::Args),
    /// Draw the stage graph (Mermaid or DOT); with a store, a pairing's path or the counts.
    Graph {
        #[command(flatten)]
        args: commands::graph::Args,
        #[command(flatten)]
        on: Reads,
    },
    Paths(commands::paths::Args),
    Simulate(commands::simulate::Args),
    /// What changed between two program versions (files or stored versions), by meaning.
    Diff {
        #[command(flatten)]
        args: commands::diff::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Run a demo cohort of all five types over simulated weeks (the main job).
    Demo {
        #[command(flatten)]
        args: commands::demo::Args,
    },
    /// Create a new, empty store.
    Init {
        #[command(flatten)]
        args: commands::init::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Enrol a pairing in a program.
    Enrol {
        #[command(flatten)]
        args: commands::enrol::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Enrol many pairings from a CSV roster, all or none.
    Import {
        #[command(flatten)]
        args: commands::import::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Record facts on a pairing.
    Record {
        #[command(flatten)]
        args: commands::record::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Advance a pairing, or all.
    Advance {
        #[command(flatten)]
        args: commands::advance::Args,
        #[command(flatten)]
        on: Runs,
    },
    /// Withdraw a pairing with a reason.
    Withdraw {
        #[command(flatten)]
        args: commands::withdraw::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Add a participant to a running pairing.
    Join {
        #[command(flatten)]
        args: commands::join::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Remove a participant from a running pairing, with a reason.
    Leave {
        #[command(flatten)]
        args: commands::leave::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Replace a participant of a running pairing by someone else in the same role.
    Replace {
        #[command(flatten)]
        args: commands::replace::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Propose mentor-mentee pairs: the best total score under every rule and capacity.
    #[command(name = "match")]
    Match {
        #[command(flatten)]
        args: commands::match_::Args,
        #[command(flatten)]
        on: Runs,
    },
    /// The people registry: import people, list them, show one.
    People(commands::people::Args),
    /// Notifications waiting to be delivered; `deliver --exec CMD` hands them on.
    Outbox(commands::outbox::Args),
    /// Continue an ended pairing as a new one, linked to it.
    #[command(name = "continue")]
    Continue {
        #[command(flatten)]
        args: commands::continue_::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Record an occurrence of a schedule done (a check-in held, a survey answered).
    Done {
        #[command(flatten)]
        args: commands::done::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Run timers: timeouts and overdue stages.
    Tick {
        #[command(flatten)]
        args: commands::tick::Args,
        #[command(flatten)]
        on: Runs,
    },
    /// The board, or one pairing and what it needs to move on.
    Status {
        #[command(flatten)]
        args: commands::status::Args,
        #[command(flatten)]
        on: AtTime,
    },
    /// List pairings with filters.
    List {
        #[command(flatten)]
        args: commands::list::Args,
        #[command(flatten)]
        on: AtTime,
    },
    /// The cohort report: who needs a call, funnel, success, weeks, breakdown, mentor load (text, HTML, JSON).
    Report {
        #[command(flatten)]
        args: commands::report::Args,
        #[command(flatten)]
        on: AtTime,
    },
    /// The event history, with actor and reason.
    Log {
        #[command(flatten)]
        args: commands::log::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Stored program versions and their pairing counts.
    Programs {
        #[command(flatten)]
        args: commands::programs::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Erase the people past their program's retention (`--dry-run` first).
    Retention {
        #[command(flatten)]
        args: commands::retention::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Check the hash chain and every projection against its events.
    Verify {
        #[command(flatten)]
        args: commands::verify::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Export pairings or events as JSON or CSV.
    Export {
        #[command(flatten)]
        args: commands::export::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Move running pairings to a new version of their program, under a mapping.
    Migrate {
        #[command(flatten)]
        args: commands::migrate::Args,
        #[command(flatten)]
        on: Writes,
    },
    /// Replay recorded pairings against another version of their program (nothing is stored).
    Replay {
        #[command(flatten)]
        args: commands::replay::Args,
        #[command(flatten)]
        on: Reads,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::Args),
    /// Print the manual page (roff).
    Man(commands::man::Args),
    /// Print the JSON Schema of a command's `--json` output, or of the program file.
    Schema(commands::schema::Args),
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

/// The command line's definition (for generated completions, the manual page, and tests
/// that ask which flags a command takes).
pub fn command() -> clap::Command {
    completion::with_candidates(<Cli as clap::CommandFactory>::command())
}

/// Runs the command line `args` with `output`.
pub fn run_with<I, T>(args: I, output: &mut Output<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match leading::after_the_command(args.into_iter().map(Into::into).collect()) {
        Ok(args) => args,
        Err(e) => {
            let _ = writeln!(
                output.err,
                "error: {e}\n\nFor more information, try '--help'."
            );
            return EXIT_USAGE;
        }
    };
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
    // Always through painters: they colour the renderers' marks, or make them plain.
    let progress = output.shows_progress() && !cli.quiet;
    let (mut out, mut err) = (
        paint::Painter::new(&mut *output.out, paint_out, false),
        paint::Painter::new(&mut *output.err, paint_err, true),
    );
    let mut painted = Output::new(&mut out, &mut err)
        .with_progress(progress)
        .with_terminals(out_terminal, err_terminal);
    dispatch(cli, &mut painted)
}

/// Runs the parsed command.
fn dispatch(cli: Cli, output: &mut Output<'_>) -> u8 {
    use commands as c;
    let result = match cli.command {
        Command::Check(a) => c::check::run(&a, output),
        Command::Show(a) => c::show::run(&a, output),
        Command::Graph { args, on } => c::graph::run(&args, &(&on).into(), output),
        Command::Paths(a) => c::paths::run(&a, output),
        Command::Simulate(a) => c::simulate::run(&a, output),
        Command::Diff { args, on } => c::diff::run(&args, &(&on).into(), output),
        Command::Demo { args } => c::demo::run(&args, output),
        Command::Init { args, on } => c::init::run(&args, &(&on).into(), output),
        Command::Enrol { args, on } => c::enrol::run(&args, &(&on).into(), output),
        Command::Import { args, on } => c::import::run(&args, &(&on).into(), output),
        Command::Record { args, on } => c::record::run(&args, &(&on).into(), output),
        Command::Advance { args, on } => c::advance::run(&args, &(&on).into(), output),
        Command::Withdraw { args, on } => c::withdraw::run(&args, &(&on).into(), output),
        Command::Join { args, on } => c::join::run(&args, &(&on).into(), output),
        Command::Leave { args, on } => c::leave::run(&args, &(&on).into(), output),
        Command::Replace { args, on } => c::replace::run(&args, &(&on).into(), output),
        Command::Continue { args, on } => c::continue_::run(&args, &(&on).into(), output),
        Command::People(a) => c::people::run(&a, output),
        Command::Outbox(a) => c::outbox::run(&a, output),
        Command::Match { args, on } => c::match_::run(&args, &(&on).into(), output),
        Command::Done { args, on } => c::done::run(&args, &(&on).into(), output),
        Command::Tick { args, on } => c::tick::run(&args, &(&on).into(), output),
        Command::Status { args, on } => c::status::run(&args, &(&on).into(), output),
        Command::List { args, on } => c::list::run(&args, &(&on).into(), output),
        Command::Report { args, on } => c::report::run(&args, &(&on).into(), output),
        Command::Log { args, on } => c::log::run(&args, &(&on).into(), output),
        Command::Programs { args, on } => c::programs::run(&args, &(&on).into(), output),
        Command::Retention { args, on } => c::retention::run(&args, &(&on).into(), output),
        Command::Verify { args, on } => c::verify::run(&args, &(&on).into(), output),
        Command::Export { args, on } => c::export::run(&args, &(&on).into(), output),
        Command::Store(a) => c::store::run(&a, output),
        Command::Replay { args, on } => c::replay::run(&args, &(&on).into(), output),
        Command::Migrate { args, on } => c::migrate::run(&args, &(&on).into(), output),
        Command::Completions(a) => c::completions::run(&a, output),
        Command::Man(a) => c::man::run(&a, output),
        Command::Schema(a) => c::schema::run(&a, output),
    };
    failure::exit_code(result, output)
}
