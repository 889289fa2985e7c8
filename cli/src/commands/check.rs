//! `mentorflow check FILE...`: every problem in every file, in one run.

use std::path::PathBuf;

use crate::failure::CommandResult;
use crate::render::count;
use crate::{Output, EXIT_FAILED, EXIT_OK};

/// Check programs and report every problem with its line, column and a fix.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow check programs/*.toml\n  mentorflow check programs/mentoring.toml --json"
)]
pub struct Args {
    /// Program files (TOML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Print JSON: each file with its diagnostics (code, severity, message, line, column, help).
    #[arg(long)]
    json: bool,
}

use crate::json::designer::{Check, CheckedFile, Diagnostic};

/// Runs the checker.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let (mut errors, mut warnings) = (0, 0);
    let mut files = Vec::new();
    for path in &args.files {
        let loaded = mentorflow_dsl::load(path);
        // Scenarios often sit beside programs (`check programs/*.toml`): name them, skip them.
        if loaded.scenario {
            skipped(path, args.json, &mut files, output)?;
            continue;
        }
        let e = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        let w = loaded.diagnostics.len() - e;
        errors += e;
        warnings += w;
        if args.json {
            files.push(CheckedFile {
                file: path.display().to_string(),
                ok: e == 0 && !(args.deny_warnings && w > 0),
                skipped: None,
                diagnostics: Diagnostic::all(&loaded),
            });
            continue;
        }
        if !loaded.diagnostics.is_empty() {
            writeln!(output.err, "{}", loaded.render())?;
        }
        if let Some(p) = &loaded.program {
            let verdict = match args.deny_warnings && w > 0 {
                true => "failed (warnings denied)",
                false => "ok",
            };
            let warned = match w {
                0 => String::new(),
                w => format!(", {}", count(w as u64, "warning")),
            };
            let (path, summary) = (path.display(), summary(p));
            writeln!(output.out, "{verdict}: {path} ({summary}){warned}")?;
        }
    }
    if args.json {
        let doc = Check {
            ok: files.iter().all(|f| f.ok),
            errors: errors as u64,
            warnings: warnings as u64,
            files,
        };
        super::versioned_json(output, doc)?;
    } else if errors > 0 || warnings > 0 {
        writeln!(
            output.err,
            "{}, {} in {}",
            count(errors as u64, "error"),
            count(warnings as u64, "warning"),
            count(args.files.len() as u64, "file")
        )?;
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
}

/// A scenario file among the programs: named and skipped.
fn skipped(
    path: &std::path::Path,
    json: bool,
    files: &mut Vec<CheckedFile>,
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    if json {
        files.push(CheckedFile {
            file: path.display().to_string(),
            ok: true,
            skipped: Some("a scenario file; run it with mentorflow simulate".into()),
            diagnostics: Vec::new(),
        });
        return Ok(());
    }
    writeln!(
        output.out,
        "skipped: {} (a scenario file; run it with `mentorflow simulate {}`)",
        path.display(),
        path.display()
    )
}

/// What a checked program holds: `id: 5 stages, 7 transitions, 9 facts, 2 types`.
fn summary(p: &mentorflow_dsl::Program) -> String {
    let n = |k: usize, what| count(k as u64, what);
    format!(
        "{}: {}, {}, {}, {}",
        p.id,
        n(p.stages.len(), "stage"),
        n(p.transitions.len(), "transition"),
        n(p.facts.len(), "fact"),
        n(p.types.len(), "type")
    )
}
