//! One module per command.

pub mod board;
pub mod check;
pub mod demo;
pub mod graph;
pub mod import;
pub mod pairings;
pub mod paths;
pub mod progress;
pub mod show;
pub mod simulate;
pub mod store;

use std::path::Path;

use mentorflow_dsl::Program;

use crate::{Output, EXIT_FAILED};

/// Loads a program for a command that needs a valid one; on errors prints them and returns
/// the exit code to stop with.
pub(crate) fn load_program(path: &Path, output: &mut Output<'_>) -> Result<Program, u8> {
    let loaded = mentorflow_dsl::load(path);
    match loaded.program {
        Some(program) => Ok(program),
        None => {
            let _ = write!(output.err, "{}", loaded.render());
            let _ = writeln!(
                output.err,
                "error: {} has errors; run `mentorflow check {}` for the full report",
                path.display(),
                path.display()
            );
            Err(EXIT_FAILED)
        }
    }
}

/// Checks `--type` against the program, with a did-you-mean.
pub(crate) fn check_type(
    program: &Program,
    type_id: Option<&str>,
    output: &mut Output<'_>,
) -> Result<(), u8> {
    let Some(t) = type_id else { return Ok(()) };
    if program.mentoring_type(t).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = program.types.iter().map(|t| t.id.as_str()).collect();
    let hint = mentorflow_dsl::suggest::did_you_mean(t, ids.iter().copied())
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    let _ = writeln!(
        output.err,
        "error: program `{}` has no type `{t}`{hint}; its types are: {}",
        program.id,
        ids.join(", ")
    );
    Err(EXIT_FAILED)
}
