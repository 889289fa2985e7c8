//! `mentorflow man [COMMAND...]`: the manual page of the program or of one command (roff),
//! generated from the command line's definition; `--dir` writes every page.

use std::path::PathBuf;

use crate::failure::{CommandResult, Failure};
use crate::{Output, EXIT_OK};

/// Print a manual page (roff): the program's, or one command's; or write them all.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow man | man -l -\n  mentorflow man people import | man -l -\n  mentorflow man --dir /usr/local/share/man/man1"
)]
pub struct Args {
    /// The command whose page to print (`advance`, `people import`); none: the program's.
    command: Vec<String>,
    /// Write every page (mentorflow.1, mentorflow-advance.1, mentorflow-people-import.1 ...)
    /// into this folder instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    dir: Option<PathBuf>,
}

/// What every page ends with: where the store comes from, and what the exit codes mean.
const ENVIRONMENT: [(&str, &str); 3] = [
    ("MENTORFLOW_STORE", "The store when --store is not given: a SQLite file or a postgres:// URL (default: mentorflow.db)."),
    ("MENTORFLOW_ACTOR", "Who the log names as the actor of a write when --actor is not given (default: the user name)."),
    ("NO_COLOR", "When set and not empty, --color auto prints no colour."),
];

const EXIT_STATUS: [(&str, &str); 4] = [
    ("0", "Done."),
    ("1", "Refused or failed: nothing was stored; the message says why and what to do."),
    ("2", "A usage error: a flag or argument is wrong."),
    ("3", "Partly done (advance --all, tick, outbox deliver): what was done is stored, the message says what was not; run it again to go on."),
];

/// Prints one page, or writes them all.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let mut root = crate::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.dir {
        let written = write_all(&root, dir).map_err(|e| {
            Failure::Refused(format!(
                "cannot write the pages into {}: {e}; name a folder you can write to",
                dir.display()
            ))
        })?;
        writeln!(output.out, "wrote {written} pages into {}", dir.display())?;
        return Ok(EXIT_OK);
    }
    let mut page = &root;
    for name in &args.command {
        page = page.find_subcommand(name).ok_or_else(|| {
            let known: Vec<String> = page
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            Failure::Usage(format!(
                "`{name}` is no command{}",
                crate::render::did_you_mean_or_known(name, &known)
            ))
        })?;
    }
    render(page, &mut *output.out)?;
    Ok(EXIT_OK)
}

/// Writes the page of `command` and of every command under it into `dir`; how many.
fn write_all(command: &clap::Command, dir: &std::path::Path) -> std::io::Result<usize> {
    let mut written = 0;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        written += write_all(sub, dir)?;
    }
    let page = clap_mangen::Man::new(command.clone());
    let mut file = std::fs::File::create(dir.join(page.get_filename()))?;
    render(command, &mut file)?;
    Ok(written + 1)
}

/// A page: clap's sections, then the environment and the exit status.
fn render(command: &clap::Command, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone())
        .source(concat!("mentorflow ", env!("CARGO_PKG_VERSION")))
        .manual("mentorflow manual");
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w)?;
    }
    if command.has_subcommands() {
        man.render_subcommands_section(w)?;
    }
    if command.get_after_help().is_some() || command.get_after_long_help().is_some() {
        man.render_extra_section(w)?;
    }
    section(w, "ENVIRONMENT", &ENVIRONMENT)?;
    section(w, "EXIT STATUS", &EXIT_STATUS)?;
    man.render_version_section(w)
}

/// A section of tagged paragraphs, in roff.
fn section(w: &mut dyn std::io::Write, title: &str, items: &[(&str, &str)]) -> std::io::Result<()> {
    writeln!(w, ".SH \"{title}\"")?;
    for (tag, text) in items {
        writeln!(w, ".TP\n\\fB{tag}\\fR\n{}", text.replace('-', "\\-"))?;
    }
    Ok(())
}
