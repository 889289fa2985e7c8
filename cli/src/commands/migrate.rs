//! `mentorflow migrate --to NEW.toml`: move running pairings to a new version of their program,
//! under a mapping, all or none; `--dry-run` shows what each would become.

use std::path::PathBuf;

use mentorflow_engine::Filter;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Move running pairings to a new version of their program (stage and fact mapping, values
/// for new facts), all or none.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow migrate --to new.toml --dry-run\n  mentorflow migrate --to new.toml --rename-stage evaluation=review",
    override_usage = "mentorflow migrate [OPTIONS] --to <FILE>"
)]
pub struct Args {
    /// The new version (a program file with the same program id).
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    #[command(flatten)]
    mapping: crate::input::mapping::MappingArgs,
    /// A value for a fact of the new version that a pairing has not recorded: FACT=VALUE.
    #[arg(long = "set", value_name = "FACT=VALUE")]
    set: Vec<String>,
    /// Only pairings of this type.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Only pairings in this stage (of the old version).
    #[arg(long = "in-stage", value_name = "STAGE")]
    in_stage: Option<String>,
    /// Show what each pairing would become, and what it would wait on; store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the stored events and the moved pairings as JSON (`mentorflow schema changes`;
    /// with --dry-run no events, and the pairings as they would be).
    #[arg(long)]
    json: bool,
}

/// Migrates (or shows what a migration would do).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.to, output).map_err(Failure::Reported)?;
    let filter = Filter {
        type_id: args.type_id.clone(),
        stage: args.in_stage.clone(),
        ..Filter::default()
    };
    let mut coordinator = store.open()?;
    let checked = args.mapping.checked_against_store(
        &mut coordinator,
        &program,
        &args.set,
        "nothing was migrated",
        output,
    )?;
    let Some(mapping) = checked else {
        return Ok(crate::EXIT_FAILED);
    };
    let source = args.to.display().to_string();
    let moved = match coordinator.migrate(&program, &source, &mapping, &filter, args.dry_run) {
        Ok(moved) => moved,
        Err(mentorflow_engine::Error::Rows(rows)) => {
            for (_, e) in &rows {
                writeln!(output.err, "error: {}", render::error(e))?;
            }
            writeln!(
                output.err,
                "error: {} refused; nothing was migrated",
                render::count(rows.len() as u64, "pairing")
            )?;
            return Ok(crate::EXIT_FAILED);
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        let mut events = Vec::new();
        if !args.dry_run {
            for m in &moved {
                events.extend(coordinator.log(Some(&m.pairing.id))?.pop());
            }
        }
        let pairings = moved.iter().map(|m| (&m.pairing).into()).collect();
        return super::changes(output, &events, pairings, args.dry_run);
    }
    print_moved(&moved, &program, args.dry_run, output)?;
    Ok(EXIT_OK)
}

/// Each pairing moved (or that would move), then how many.
fn print_moved(
    moved: &[mentorflow_engine::Migrated],
    program: &mentorflow_dsl::Program,
    dry_run: bool,
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    let verb = if dry_run { "would move" } else { "moved" };
    for m in moved {
        let p = &m.pairing;
        let waits = render::attention(&m.attention);
        let waits = match waits.is_empty() {
            true => String::new(),
            false => format!("; waiting on {waits}"),
        };
        writeln!(
            output.out,
            "{}: {verb} from version {} to {}, stage {} -> {}{waits}",
            p.id,
            render::short_hash(&m.from_version),
            render::short_hash(&p.program_hash),
            m.from_stage,
            p.stage,
        )?;
    }
    let stored = if dry_run { "; nothing was stored" } else { "" };
    writeln!(
        output.out,
        "{verb} {} to {} version {}{stored}",
        render::count(moved.len() as u64, "pairing"),
        program.id,
        render::short_hash(&program.hash),
    )
}
