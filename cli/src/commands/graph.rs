//! `mentorflow graph FILE`: the stage graph as Mermaid or DOT.

use std::path::PathBuf;

use mentorflow_dsl::diagram::{self, Format};

use crate::failure::CommandResult;
use crate::{Output, EXIT_OK};

/// Draw the stage graph: guards on the edges, terminal stages marked by outcome.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Program file (TOML).
    file: PathBuf,
    /// Draw the program as this mentoring type sees it (its overrides applied).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    format: GraphFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum GraphFormat {
    /// Mermaid flowchart (renders on GitHub inside ```mermaid).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

/// Prints the diagram.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let program = match super::load_program(&args.file, output) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    if let Err(code) = super::check_type(&program, args.type_id.as_deref(), output) {
        return Ok(code);
    }
    let format = match args.format {
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    write!(
        output.out,
        "{}",
        diagram::render(&program, format, args.type_id.as_deref())
    )?;
    Ok(EXIT_OK)
}
