//! `mentorflow diff OLD NEW`: what changed between two program versions, by meaning.

use mentorflow_dsl::diff::{Change, What};
use mentorflow_dsl::Program;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Compare two versions of a program: files, or versions stored in the store (a hash prefix
/// as `mentorflow programs` shows it).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow diff programs/mentoring.toml new.toml\n  mentorflow diff old.toml new.toml --rename-stage evaluation=review \\\n    --rename-fact goals=goals_total"
)]
pub struct Args {
    /// The old version: a program file or a stored version.
    old: String,
    /// The new version: a program file or a stored version.
    new: String,
    /// Stages and facts the new version renames, as `migrate` takes them: a renamed stage or
    /// fact is then one that changed, not one removed and one added.
    #[command(flatten)]
    mapping: crate::input::mapping::MappingArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A program file, or a stored version named by a prefix of its hash.
fn program(which: &str, store: &StoreArgs, output: &mut Output<'_>) -> Result<Program, Failure> {
    if std::path::Path::new(which).exists() {
        return super::load_program(std::path::Path::new(which), output).map_err(Failure::Reported);
    }
    let mut coordinator = store.open().map_err(|e| match e {
        Failure::Coordinator(_) => Failure::Refused(format!(
            "`{which}` is neither a program file nor a stored version (no store to look in)"
        )),
        other => other,
    })?;
    let versions = coordinator.programs()?;
    let matching: Vec<_> = versions
        .iter()
        .filter(|v| v.hash.starts_with(which))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*coordinator.program(&one.hash)?).clone()),
        [] => Err(Failure::Refused(format!(
            "`{which}` is neither a program file nor a stored version; `mentorflow programs` lists the versions"
        ))),
        _ => Err(Failure::Refused(format!(
            "`{which}` names {} stored versions; give more of the hash",
            matching.len()
        ))),
    }
}

fn line(c: &Change) -> String {
    match &c.what {
        What::Added => format!("  + {} `{}`", c.section, c.item),
        What::Removed => format!("  - {} `{}`", c.section, c.item),
        What::Renamed(old) => format!("  ~ {} `{old}` renamed `{}`", c.section, c.item),
        What::Changed(props) => {
            let parts: Vec<String> = props
                .iter()
                .map(|(name, old, new)| match (old.is_empty(), new.is_empty()) {
                    (true, _) => format!("{name} added: `{new}`"),
                    (_, true) => format!("{name} removed (was `{old}`)"),
                    _ => format!("{name} `{old}` -> `{new}`"),
                })
                .collect();
            format!("  ~ {} `{}`: {}", c.section, c.item, parts.join("; "))
        }
    }
}

/// Prints the differences.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let old = program(&args.old, store, output)?;
    let new = program(&args.new, store, output)?;
    let (mapping, text) = args.mapping.read(&[])?;
    args.mapping.check_names(&[&old], &new)?;
    if let (Some(file), Some(text)) = (&args.mapping.file, &text) {
        let older = [(args.old.clone(), std::sync::Arc::new(old.clone()))];
        if crate::input::mapping::errors(file, text, &older, &new, "nothing was compared", output)?
            > 0
        {
            return Ok(crate::EXIT_FAILED);
        }
    }
    let changes = mentorflow_dsl::diff::diff_mapped(&old, &new, &mapping.stages, &mapping.facts);
    if args.json {
        use crate::json::store_reads::{Change as Shown, Diff, Property};
        let changes = changes
            .iter()
            .map(|c| {
                let (change, renamed_from, properties) = match &c.what {
                    What::Added => ("added", None, Vec::new()),
                    What::Removed => ("removed", None, Vec::new()),
                    What::Renamed(old) => ("renamed", Some(old.clone()), Vec::new()),
                    What::Changed(props) => (
                        "changed",
                        None,
                        props
                            .iter()
                            .map(|(name, old, new)| Property {
                                name: name.clone(),
                                old: old.clone(),
                                new: new.clone(),
                            })
                            .collect(),
                    ),
                };
                Shown {
                    section: c.section.into(),
                    item: c.item.clone(),
                    change: change.into(),
                    renamed_from,
                    properties,
                    text: line(c).trim_start().to_string(),
                }
            })
            .collect();
        let doc = Diff {
            old: old.hash.clone(),
            new: new.hash.clone(),
            changes,
        };
        return super::versioned_json(output, doc);
    }
    writeln!(
        output.out,
        "{} {} -> {} {}: {}",
        old.id,
        render::short_hash(&old.hash),
        new.id,
        render::short_hash(&new.hash),
        match changes.len() {
            0 => "no change in meaning".to_string(),
            n => render::count(n as u64, "change"),
        }
    )?;
    for c in &changes {
        writeln!(output.out, "{}", line(c))?;
    }
    Ok(EXIT_OK)
}
