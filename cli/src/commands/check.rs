//! `mentorflow check FILE...`: every problem in every file, in one run.

use std::path::PathBuf;

use crate::{Output, EXIT_FAILED, EXIT_OK};

/// Check programs and report every problem with its line, column and a fix.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Program files (TOML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

/// Runs the checker.
pub fn run(args: &Args, output: &mut Output<'_>) -> std::io::Result<u8> {
    let (mut errors, mut warnings) = (0, 0);
    for path in &args.files {
        let loaded = mentorflow_dsl::load(path);
        let e = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        let w = loaded.diagnostics.len() - e;
        if !loaded.diagnostics.is_empty() {
            writeln!(output.err, "{}", loaded.render())?;
        }
        if let Some(p) = &loaded.program {
            writeln!(
                output.out,
                "{}: {} ({}: {} stage{}, {} transition{}, {} fact{}, {} type{}){}",
                if args.deny_warnings && w > 0 {
                    "failed (warnings denied)"
                } else {
                    "ok"
                },
                path.display(),
                p.id,
                p.stages.len(),
                plural(p.stages.len()),
                p.transitions.len(),
                plural(p.transitions.len()),
                p.facts.len(),
                plural(p.facts.len()),
                p.types.len(),
                plural(p.types.len()),
                if w > 0 {
                    format!(", {w} warning{}", plural(w))
                } else {
                    String::new()
                }
            )?;
        }
        errors += e;
        warnings += w;
    }
    if errors > 0 || warnings > 0 {
        writeln!(
            output.err,
            "{} error{}, {} warning{} in {} file{}",
            errors,
            plural(errors),
            warnings,
            plural(warnings),
            args.files.len(),
            plural(args.files.len())
        )?;
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
