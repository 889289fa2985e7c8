//! `mentorflow replay --program NEW.toml`: each pairing's recorded history against another
//! version of its program, and where its path would differ. Nothing is written.

use std::path::PathBuf;

use mentorflow_engine::Replayed;
use mentorflow_engine::{Filter, OutcomeFilter};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Replay recorded pairings against another version of their program (nothing is stored).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow replay --program new.toml\n  mentorflow replay --program new.toml --rename-stage evaluation=review \\\n    --rename-fact goals=goals_total"
)]
pub struct Args {
    /// The other version (a program file).
    #[arg(long, value_name = "FILE")]
    program: PathBuf,
    /// Stages and facts the other version renames (stages that only changed their id are found
    /// without it), as `migrate` takes them.
    #[command(flatten)]
    mapping: crate::input::mapping::MappingArgs,
    #[command(flatten)]
    stands: crate::select_args::StandsArgs,
    /// Print JSON (`mentorflow schema replay`).
    #[arg(long)]
    json: bool,
}

/// Replays and reports.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let filter = Filter {
        stage: args.stands.stage.clone(),
        type_id: args.stands.type_id.clone(),
        program: Some(program.id.clone()),
        outcome: args.stands.outcome.as_deref().map(OutcomeFilter::parse),
        due_before: None,
    };
    let mut coordinator = store.open()?;
    let checked = args.mapping.checked_against_store(
        &mut coordinator,
        &program,
        &[],
        "nothing was replayed",
        output,
    )?;
    let Some(mapping) = checked else {
        return Ok(crate::EXIT_FAILED);
    };
    let replayed = coordinator.replay(&program, &filter, &mapping)?;
    let names = coordinator.directory()?;
    if args.json {
        return json(&program, &replayed, output);
    }
    let (mut same, mut different, mut impossible) = (0u64, 0u64, 0u64);
    for (id, r) in &replayed {
        match r {
            Replayed::Same { events } => {
                same += 1;
                writeln!(
                    output.out,
                    "{id}: same path ({})",
                    render::count(*events as u64, "event")
                )?;
            }
            Replayed::Different(d) => {
                different += 1;
                let line = render::event(&d.event, &names);
                writeln!(
                    output.out,
                    "{id}: differs at #{} ({}): after it, then `{}` (in the new version's names), now `{}`",
                    d.event.seq,
                    line.split_once(": ")
                        .map_or(line.as_str(), |(_, what)| what),
                    d.was,
                    d.now
                )?;
                let mut s = String::new();
                for c in &d.candidates {
                    render::candidate(&mut s, c, "    ");
                }
                write!(output.out, "{s}")?;
            }
            Replayed::Impossible { seq, error } => {
                impossible += 1;
                writeln!(
                    output.out,
                    "{id}: cannot be replayed at #{seq}: {}",
                    render::engine_error(error)
                )?;
            }
        }
    }
    writeln!(
        output.out,
        "replayed {} against {} version {}: {same} same, {different} different, {impossible} impossible; nothing was stored",
        render::count(replayed.len() as u64, "pairing"),
        program.id,
        render::short_hash(&program.hash)
    )?;
    Ok(EXIT_OK)
}

/// The replay in its documented shape.
fn json(
    program: &mentorflow_dsl::Program,
    replayed: &[(String, Replayed)],
    output: &mut Output<'_>,
) -> CommandResult {
    use crate::json::store_reads::{Replay, Replayed as Shown};
    let none = |pairing: &str, result: &str| Shown {
        pairing: pairing.into(),
        result: result.into(),
        at_seq: None,
        was: None,
        now: None,
        error: None,
    };
    let pairings = replayed
        .iter()
        .map(|(id, r)| match r {
            Replayed::Same { .. } => none(id, "same"),
            Replayed::Different(d) => Shown {
                at_seq: Some(d.event.seq),
                was: Some(d.was.to_string()),
                now: Some(d.now.to_string()),
                ..none(id, "different")
            },
            Replayed::Impossible { seq, error } => Shown {
                at_seq: Some(*seq),
                error: Some(render::engine_error(error)),
                ..none(id, "impossible")
            },
        })
        .collect();
    let doc = Replay {
        program_version: program.hash.clone(),
        pairings,
    };
    super::versioned_json(output, doc)
}
