//! `mentorflow graph FILE`: the stage graph as Mermaid or DOT; with the store, one pairing's
//! path (`--pairing`) or how many pairings are in each stage (`--counts`).

use std::path::PathBuf;

use mentorflow_dsl::diagram::{self, Format, Overlay};
use mentorflow_engine::Filter;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Draw the stage graph: guards on the edges, terminal stages marked by outcome.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow graph programs/mentoring.toml > mentoring.mmd\n  mentorflow graph programs/mentoring.toml --format dot | dot -Tsvg > \\\n    mentoring.svg\n  mentorflow graph --pairing p-4   # its version, its path drawn thick\n  mentorflow graph programs/mentoring.toml --counts"
)]
pub struct Args {
    /// Program file (TOML); with --pairing, the version the pairing runs on is drawn instead.
    #[arg(required_unless_present = "pairing")]
    file: Option<PathBuf>,
    /// Draw the program as this mentoring type sees it (its overrides applied).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    format: GraphFormat,
    /// Mark this pairing's path: the stages it entered and the transitions it took, thick;
    /// where it is now, filled (from the store).
    #[arg(long, value_name = "ID")]
    pairing: Option<String>,
    /// Label each stage with how many of the program's pairings are in it (from the store).
    #[arg(long)]
    counts: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum GraphFormat {
    /// Mermaid flowchart (renders on GitHub inside ```mermaid).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

/// Prints the diagram.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut overlay = Overlay::default();
    let mut type_id = args.type_id.clone();
    let program = match (&args.pairing, &args.file) {
        (Some(id), _) => {
            let mut coordinator = store.open()?;
            let p = coordinator.pairing(id)?;
            let program = coordinator.program(&p.program_hash)?;
            if let Some(history) = &p.history {
                overlay.visited = history.stages.iter().map(|v| v.stage.to_string()).collect();
                overlay.taken = history
                    .taken
                    .iter()
                    .filter_map(|(n, _)| usize::try_from(*n).ok())
                    .collect();
            }
            overlay.current = Some(p.stage.to_string());
            type_id = type_id.or(Some(p.type_id.to_string()));
            (*program).clone()
        }
        (None, Some(file)) => match super::load_program(file, output) {
            Ok(p) => p,
            Err(code) => return Ok(code),
        },
        (None, None) => return Err(Failure::Usage("give a program file or --pairing ID".into())),
    };
    if let Err(code) = super::check_type(&program, type_id.as_deref(), output) {
        return Ok(code);
    }
    if args.counts {
        let filter = Filter {
            program: Some(program.id.clone()),
            ..Filter::default()
        };
        for p in store.open()?.list(&filter)? {
            *overlay.counts.entry(p.stage.to_string()).or_default() += 1;
        }
    }
    let format = match args.format {
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    write!(
        output.out,
        "{}",
        diagram::render(&program, format, type_id.as_deref(), &overlay)
    )?;
    Ok(EXIT_OK)
}
