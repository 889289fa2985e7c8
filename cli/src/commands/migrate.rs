//! `mentorflow migrate --to NEW.toml`: move running pairings to a new version of their program,
//! under a mapping, all or none; `--dry-run` shows what each would become.

use std::path::PathBuf;

use mentorflow_engine::Filter;
use mentorflow_engine::Mapping;

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
    /// A stage of the old version and where it goes: OLD=NEW (repeat).
    #[arg(long = "rename-stage", value_name = "OLD=NEW")]
    stages: Vec<String>,
    /// A fact of the old version and its new name, or - to drop it: OLD=NEW (repeat).
    #[arg(long = "rename-fact", value_name = "OLD=NEW")]
    facts: Vec<String>,
    /// A value for a fact of the new version that a pairing has not recorded: FACT=VALUE.
    #[arg(long = "set", value_name = "FACT=VALUE")]
    set: Vec<String>,
    /// A mapping file (TOML tables [stages], [facts], [set]), besides the flags.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
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

fn pairs(flag: &str, given: &[String]) -> Result<Vec<(String, String)>, Failure> {
    given
        .iter()
        .map(|g| match g.split_once('=') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                Ok((a.trim().to_string(), b.trim().to_string()))
            }
            _ => Err(Failure::Usage(format!("`{g}`: write {flag} OLD=NEW"))),
        })
        .collect()
}

/// The mapping file's text, through the file gate (a regular file of at most 1 MiB).
fn read_mapping(file: &std::path::Path) -> Result<String, Failure> {
    mentorflow_dsl::files::read_text(file).map_err(|problem| {
        Failure::Refused(format!(
            "cannot read mapping {}: {problem}; a mapping is a TOML file: [stages] old = \"new\", [facts] old = \"new\"",
            file.display()
        ))
    })
}

/// The mapping the flags and the mapping file (`text`, read once) give together.
fn mapping(args: &Args, text: Option<&str>) -> Result<Mapping, Failure> {
    let mut mapping = match (&args.mapping, text) {
        (Some(file), Some(text)) => {
            toml::from_str(text).map_err(|e| {
                Failure::Refused(format!(
                    "{} is not a mapping: {}; write [stages] old = \"new\", [facts] old = \"new\" (or \"-\"), [set] fact = \"value\"",
                    file.display(),
                    e.to_string().trim_end()
                ))
            })?
        }
        _ => Mapping::default(),
    };
    mapping
        .stages
        .extend(pairs("--rename-stage", &args.stages)?);
    mapping.facts.extend(pairs("--rename-fact", &args.facts)?);
    mapping.set.extend(pairs("--set", &args.set)?);
    Ok(mapping)
}

/// Migrates (or shows what a migration would do).
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.to, output).map_err(Failure::Reported)?;
    let text = args.mapping.as_deref().map(read_mapping).transpose()?;
    let mapping = mapping(args, text.as_deref())?;
    let filter = Filter {
        type_id: args.type_id.clone(),
        stage: args.in_stage.clone(),
        ..Filter::default()
    };
    let mut coordinator = store.open()?;
    if let (Some(file), Some(text)) = (&args.mapping, &text) {
        if mapping_errors(&mut coordinator, file, text, &program, output)? > 0 {
            return Ok(crate::EXIT_FAILED);
        }
    }
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

/// The mapping file checked against every stored older version of `program`, each problem
/// located and explained on standard error: how many errors.
fn mapping_errors(
    coordinator: &mut mentorflow_engine::Coordinator,
    file: &std::path::Path,
    text: &str,
    program: &mentorflow_dsl::Program,
    output: &mut Output<'_>,
) -> Result<usize, Failure> {
    let mut errors = 0;
    for v in coordinator.programs()? {
        if v.id != program.id || v.hash == program.hash {
            continue;
        }
        let old = coordinator.program(&v.hash)?;
        let checked = mentorflow_dsl::mapping::check(file, text, &old, program);
        if !checked.diagnostics.is_empty() {
            writeln!(
                output.err,
                "{} against version {} of {}:",
                file.display(),
                render::short_hash(&v.hash),
                v.id
            )?;
            write!(output.err, "{}", checked.render())?;
            writeln!(output.err)?;
        }
        errors += checked.diagnostics.iter().filter(|d| d.is_error()).count();
    }
    if errors > 0 {
        writeln!(
            output.err,
            "error: {} in {}; nothing was migrated",
            render::count(errors as u64, "error"),
            file.display()
        )?;
    }
    Ok(errors)
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
