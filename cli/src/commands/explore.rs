//! `mentorflow simulate --explore N SCENARIO`: property runs. Seeded random walks from a
//! scenario's cohort look for a step that breaks one of the program's `[[invariants]]`; the
//! shortest failing walk found is written out as a scenario to keep.

use std::path::{Component, Path, PathBuf};

use mentorflow_engine::scenario::{self, Exploration, Found};

use crate::failure::{CommandResult, Failure};
use crate::input::scenario_files::ScenarioFiles;
use crate::{render, Output, EXIT_FAILED, EXIT_OK};

/// The flags of a property run.
#[derive(Debug, clap::Args)]
#[group(id = "explore_flags")]
pub struct Args {
    /// Walk N seeded random schedules of facts, times and participant changes from the
    /// scenario, checking the program's [[invariants]] after every step; a walk that breaks
    /// one is shrunk and written out as a scenario (exit 1).
    #[arg(long, value_name = "N", conflicts_with_all = ["json", "coverage", "program"], value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub explore: Option<u64>,
    /// With --explore: the first walk's seed (walk i uses SEED + i); the same seed walks the
    /// same steps.
    #[arg(long, default_value_t = 1, requires = "explore")]
    seed: u64,
    /// With --explore: random steps per walk, at most.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=1000), requires = "explore")]
    steps: u64,
    /// With --explore: where to write the failing scenario (default: beside the scenario,
    /// NAME-breaks-INVARIANT.toml).
    #[arg(long, value_name = "FILE", requires = "explore")]
    out: Option<PathBuf>,
}

/// Explores from the one scenario given.
pub fn run(
    scenarios: &[PathBuf],
    runs: u64,
    args: &Args,
    output: &mut Output<'_>,
) -> CommandResult {
    let [path] = scenarios else {
        return Err(Failure::Usage(
            "--explore walks from one scenario: give exactly one scenario file".into(),
        ));
    };
    let mut programs = std::collections::BTreeMap::new();
    let Some((scenario, program_path)) = super::simulate::prepare(path, &mut programs, output)?
    else {
        return Ok(EXIT_FAILED);
    };
    let program = &programs[&program_path];
    if program.invariants.is_empty() {
        return Err(Failure::Refused(format!(
            "program {} declares no [[invariants]]: there is nothing to look for; declare what must hold of every pairing, e.g.\n  [[invariants]]\n  name = \"preparation_within_14_days\"\n  script = 'stage != \"preparation\" || days_in_stage <= 14'",
            program_path.display()
        )));
    }
    let how = Exploration {
        runs: runs as usize,
        seed: args.seed,
        steps: args.steps as usize,
    };
    let source = program_path.display().to_string();
    let explored = match scenario::explore(program, &source, &scenario, &ScenarioFiles, &how) {
        Ok(explored) => explored,
        Err(own) => {
            for line in render::transcript(program, &own) {
                writeln!(output.out, "{line}")?;
            }
            return Err(Failure::Refused(format!(
                "scenario {} fails by itself; --explore walks on from a scenario that passes",
                path.display()
            )));
        }
    };
    writeln!(
        output.out,
        "explored {} from {} (seeds {}..{}): {} tried, {} taken",
        render::count(explored.runs as u64, "walk"),
        path.display(),
        args.seed,
        args.seed + explored.runs.saturating_sub(1) as u64,
        render::count(explored.tried as u64, "random step"),
        explored.taken
    )?;
    let Some(found) = explored.found else {
        writeln!(
            output.out,
            "every invariant held: {}",
            program
                .invariants
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        return Ok(EXIT_OK);
    };
    report(path, &program_path, program, &found, args, output)
}

/// Says what broke, shows the shortest walk's transcript and writes it out as a scenario.
fn report(
    path: &Path,
    program_path: &Path,
    program: &mentorflow_dsl::Program,
    found: &Found,
    args: &Args,
    output: &mut Output<'_>,
) -> CommandResult {
    writeln!(
        output.out,
        "invariant `{}` broke on {} in walk {} (seed {}) after {}; shrunk to {}:",
        found.broken.name,
        found.pairing,
        found.run,
        found.seed,
        render::count(found.walked as u64, "step"),
        render::count(found.steps.len() as u64, "step")
    )?;
    for line in render::transcript(program, &found.transcript) {
        writeln!(output.out, "{line}")?;
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        path.with_file_name(format!("{stem}-breaks-{}.toml", found.broken.name))
    });
    let text = scenario_text(path, program_path, &out, found, args)?;
    std::fs::write(&out, text).map_err(|e| {
        Failure::Refused(format!(
            "cannot write {}: {e}; name another file with --out",
            out.display()
        ))
    })?;
    writeln!(
        output.out,
        "wrote {}: `mentorflow simulate {}` fails the same way; once the program is fixed it passes, a test to keep",
        out.display(),
        out.display()
    )?;
    Ok(EXIT_FAILED)
}

/// The scenario as written, its program named from where the copy is written, with the
/// shortest walk's steps after its own.
fn scenario_text(
    path: &Path,
    program_path: &Path,
    out: &Path,
    found: &Found,
    args: &Args,
) -> Result<String, Failure> {
    let text = mentorflow_dsl::files::read_text(path)
        .map_err(|e| Failure::Refused(format!("cannot read {}: {e}", path.display())))?;
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let program = relative(folder, program_path).ok_or_else(|| {
        Failure::Refused(format!(
            "cannot name {} from {}; write the scenario elsewhere with --out",
            program_path.display(),
            folder.display()
        ))
    })?;
    let named = toml::Value::String(program.display().to_string());
    let mut lines: Vec<String> = Vec::new();
    let mut renamed = false;
    for line in text.lines() {
        // The first `program = ...`, before any table: the scenario's program.
        let key = line.split('=').next().unwrap_or_default().trim();
        match !renamed && key == "program" {
            true => {
                lines.push(format!("program = {named}"));
                renamed = true;
            }
            false => lines.push(line.to_string()),
        }
    }
    let mut out_text = format!(
        "# Written by `mentorflow simulate --explore` (walk {}, seed {}, {} steps a walk) from\n# {}: invariant `{}` breaks on {} at the last step.\n{}\n\n# The steps the walk found, as few as shrinking left.\n",
        found.run,
        found.seed,
        args.steps,
        path.display(),
        found.broken.name,
        found.pairing,
        lines.join("\n").trim_end()
    );
    for step in &found.steps {
        out_text.push_str("\n[[steps]]\n");
        for (key, value) in scenario::step_table(step) {
            out_text.push_str(&format!("{key} = {value}\n"));
        }
    }
    Ok(out_text)
}

/// `to` as a path relative to the folder `from` (both made absolute first).
fn relative(from: &Path, to: &Path) -> Option<PathBuf> {
    let from = std::fs::canonicalize(from).ok()?;
    let to = std::fs::canonicalize(to).ok()?;
    let (a, b): (Vec<Component>, Vec<Component>) =
        (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}
