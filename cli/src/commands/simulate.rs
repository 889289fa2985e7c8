//! `mentorflow simulate SCENARIO...`: run scenario files on a fixed clock, print transcripts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mentorflow_dsl::Program;
use mentorflow_engine::scenario::{self, Scenario, ScenarioError};

use crate::failure::CommandResult;
use crate::input::scenario_files::ScenarioFiles;
use crate::{render, Output, EXIT_FAILED, EXIT_OK};

/// A scenario that cannot be read, with a pointer to `check` when it is a program.
pub(super) fn load_error(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid {
            program_file: true, ..
        } => format!("{e}\nhelp: this looks like a program file; simulate takes scenario files (programs/README.md, \"Scenario files\"). To check a program, use `mentorflow check`"),
        _ => e.to_string(),
    }
}

/// Run scenario files and print a deterministic transcript of each.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow simulate tests/flows/mentoring/*.toml\n  mentorflow simulate --coverage tests/flows/mentoring/*.toml\n  mentorflow simulate --explore 200 --seed 7 \\\n    tests/flows/mentoring/cohort-three-types.toml"
)]
pub struct Args {
    /// Scenario files (TOML; format in programs/README.md).
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// After the transcripts, report which transitions the scenarios exercised.
    #[arg(long)]
    coverage: bool,
    /// Run the scenarios against this version of their program instead, and show how each
    /// transcript differs from the one under the scenario's own program (exit 1 if any does).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "coverage"])]
    program: Option<PathBuf>,
    #[command(flatten)]
    explore: super::explore::Args,
}

/// Runs every scenario; exit 1 when any expectation fails or a scenario cannot run.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    if let Some(other) = &args.program {
        return against(args, other, output);
    }
    if let Some(runs) = args.explore.explore {
        return super::explore::run(&args.scenarios, runs, &args.explore, output);
    }
    let mut programs: BTreeMap<PathBuf, Program> = BTreeMap::new();
    let mut taken: BTreeMap<PathBuf, BTreeMap<usize, usize>> = BTreeMap::new();
    let mut failed = 0;
    let mut json = Vec::new();
    for path in &args.scenarios {
        let Some((scenario, program_path)) = prepare(path, &mut programs, output)? else {
            failed += 1;
            continue;
        };
        let Some(program) = programs.get(&program_path) else {
            continue;
        };
        let source = program_path.display().to_string();
        let transcript = scenario::run(program, &source, &scenario, &ScenarioFiles);
        let lines = render::transcript(program, &transcript);
        let counts = taken.entry(program_path.clone()).or_default();
        transcript
            .taken
            .iter()
            .for_each(|t| *counts.entry(*t).or_default() += 1);
        if args.json {
            json.push(scenario_json(path, &transcript, &lines));
        } else {
            print_transcript(path, &scenario, &transcript, &lines, output)?;
        }
        if !transcript.failures.is_empty() {
            failed += 1;
        }
    }
    if args.json {
        let doc = crate::json::designer::Simulate {
            scenarios: json,
            coverage: args.coverage.then(|| coverage_json(&programs, &taken)),
        };
        super::versioned_json(output, doc)?;
    } else if args.coverage {
        coverage(&programs, &taken, output)?;
    }
    if failed > 0 {
        writeln!(
            output.err,
            "{failed} of {} failed",
            render::count(args.scenarios.len() as u64, "scenario")
        )?;
    }
    Ok(if failed > 0 { EXIT_FAILED } else { EXIT_OK })
}

/// The scenario at `path` and its program's path, the program loaded into `programs` once;
/// `None` when either cannot be used (said on standard error).
pub(super) fn prepare(
    path: &std::path::Path,
    programs: &mut BTreeMap<PathBuf, Program>,
    output: &mut Output<'_>,
) -> std::io::Result<Option<(Scenario, PathBuf)>> {
    let scenario = match Scenario::load(path) {
        Ok(s) => s,
        Err(e) => {
            writeln!(output.err, "error: {}", load_error(&e))?;
            return Ok(None);
        }
    };
    let program_path = match scenario.program_path(path) {
        Ok(p) => p,
        Err(e) => {
            writeln!(output.err, "error: scenario {}: {e}", path.display())?;
            return Ok(None);
        }
    };
    if !programs.contains_key(&program_path) {
        let Ok(program) = super::load_program(&program_path, output) else {
            writeln!(
                output.err,
                "error: scenario {} names program {}, which cannot be used",
                path.display(),
                program_path.display()
            )?;
            return Ok(None);
        };
        programs.insert(program_path.clone(), program);
    }
    Ok(Some((scenario, program_path)))
}

/// A scenario's run as `--json` gives it.
fn scenario_json(
    path: &std::path::Path,
    transcript: &scenario::Transcript,
    lines: &[String],
) -> crate::json::designer::ScenarioRun {
    crate::json::designer::ScenarioRun {
        scenario: path.display().to_string(),
        passed: transcript.failures.is_empty(),
        failures: transcript
            .failures
            .iter()
            .map(|f| crate::paint::plain(&render::failure_summary(f)))
            .collect(),
        events: transcript.events.iter().map(Into::into).collect(),
        // Data: the marks the terminal colours are made plain.
        transcript: lines.iter().map(|l| crate::paint::plain(l)).collect(),
        last: transcript.pairing.as_ref().map(Into::into),
        pairings: transcript.pairings.iter().map(Into::into).collect(),
    }
}

/// A scenario's transcript as text, with its verdict.
fn print_transcript(
    path: &std::path::Path,
    scenario: &Scenario,
    transcript: &scenario::Transcript,
    lines: &[String],
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    writeln!(output.out, "== {}", path.display())?;
    if !scenario.description.is_empty() {
        writeln!(output.out, "   {}", scenario.description)?;
    }
    for line in lines {
        writeln!(output.out, "{line}")?;
    }
    let verdict = match transcript.failures.is_empty() {
        true => "PASSED",
        false => "FAILED",
    };
    writeln!(output.out, "{verdict}\n")
}

fn coverage_json(
    programs: &BTreeMap<PathBuf, Program>,
    taken: &BTreeMap<PathBuf, BTreeMap<usize, usize>>,
) -> Vec<crate::json::designer::Coverage> {
    programs
        .iter()
        .map(|(path, program)| {
            let counts = taken.get(path).cloned().unwrap_or_default();
            let transitions = program
                .transitions
                .iter()
                .map(|t| crate::json::designer::Covered {
                    transition: t.number(),
                    name: t.describe(),
                    label: t.label.clone(),
                    taken: counts.get(&t.number()).copied().unwrap_or(0) as u64,
                })
                .collect();
            crate::json::designer::Coverage {
                program: program.id.clone(),
                path: path.display().to_string(),
                transitions,
            }
        })
        .collect()
}

fn coverage(
    programs: &BTreeMap<PathBuf, Program>,
    taken: &BTreeMap<PathBuf, BTreeMap<usize, usize>>,
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    for (path, program) in programs {
        let counts = taken.get(path).cloned().unwrap_or_default();
        let covered = program
            .transitions
            .iter()
            .filter(|t| counts.contains_key(&t.number()))
            .count();
        writeln!(
            output.out,
            "coverage of {} ({}): {covered} of {} transitions exercised",
            program.id,
            path.display(),
            program.transitions.len()
        )?;
        for t in &program.transitions {
            let n = counts.get(&t.number()).copied().unwrap_or(0);
            let label = if t.label.is_empty() {
                String::new()
            } else {
                format!(" \"{}\"", t.label)
            };
            let mark = if n == 0 {
                "NOT EXERCISED".to_string()
            } else {
                format!("{n}x")
            };
            writeln!(
                output.out,
                "  {:>2}. {}{label}: {mark}",
                t.number(),
                t.describe()
            )?;
        }
    }
    Ok(())
}

/// The lines of `old` and `new` as a diff: `  ` kept, `- ` only in old, `+ ` only in new
/// (a longest common subsequence; transcripts are short).
fn line_diff(old: &[String], new: &[String]) -> Vec<String> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push(format!("  {}", old[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", new[j]));
            j += 1;
        } else {
            out.push(format!("- {}", old[i]));
            i += 1;
        }
    }
    out
}

/// Every scenario under its own program and under `other`, and the difference.
fn against(args: &Args, other: &std::path::Path, output: &mut Output<'_>) -> CommandResult {
    let new = super::load_program(other, output).map_err(crate::failure::Failure::Reported)?;
    let new_source = other.display().to_string();
    let mut differ = 0;
    for path in &args.scenarios {
        let scenario = match Scenario::load(path) {
            Ok(s) => s,
            Err(e) => return Err(crate::failure::Failure::Refused(load_error(&e))),
        };
        let own = scenario.program_path(path).map_err(|e| {
            crate::failure::Failure::Refused(format!("scenario {}: {e}", path.display()))
        })?;
        let old = super::load_program(&own, output).map_err(crate::failure::Failure::Reported)?;
        let old_source = own.display().to_string();
        let before = render::transcript(
            &old,
            &scenario::run(&old, &old_source, &scenario, &ScenarioFiles),
        );
        let after = render::transcript(
            &new,
            &scenario::run(&new, &new_source, &scenario, &ScenarioFiles),
        );
        // The first line names the version: the difference everyone expects. Entries of
        // several lines are compared line by line.
        let lines = |t: &[String]| -> Vec<String> {
            t.iter()
                .skip(1)
                .flat_map(|e| e.lines().map(String::from))
                .collect()
        };
        let (before, after) = (lines(&before), lines(&after));
        if before == after {
            writeln!(
                output.out,
                "== {}: the same under {}",
                path.display(),
                other.display()
            )?;
            continue;
        }
        differ += 1;
        writeln!(
            output.out,
            "== {}: differs under {}",
            path.display(),
            other.display()
        )?;
        for line in line_diff(&before, &after) {
            writeln!(output.out, "{line}")?;
        }
    }
    writeln!(
        output.out,
        "scenarios that differ under {} version {}: {differ} of {}",
        new.id,
        render::short_hash(&new.hash),
        args.scenarios.len()
    )?;
    Ok(if differ > 0 { EXIT_FAILED } else { EXIT_OK })
}
