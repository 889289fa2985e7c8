//! A mapping between two versions of a program, as `migrate`, `diff` and `replay` read it:
//! `--rename-stage OLD=NEW`, `--rename-fact OLD=NEW` (or `OLD=-`) and a mapping file with the
//! tables `[stages]`, `[facts]` and `[set]`, checked against the versions it maps between.

use std::path::{Path, PathBuf};

use mentorflow_engine::Mapping;

use crate::failure::Failure;
use crate::{render, Output};

/// The renames of a mapping, given as flags or a file.
#[derive(Debug, Default, clap::Args)]
pub struct MappingArgs {
    /// A stage of the old version and its id in the new one: OLD=NEW (repeat).
    #[arg(long = "rename-stage", value_name = "OLD=NEW")]
    pub stages: Vec<String>,
    /// A fact of the old version and its new name, or - for one dropped: OLD=NEW (repeat).
    #[arg(long = "rename-fact", value_name = "OLD=NEW")]
    pub facts: Vec<String>,
    /// A mapping file (TOML tables [stages], [facts], [set]), besides the flags.
    #[arg(long = "mapping", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

impl MappingArgs {
    /// The mapping the flags, the file and `set` (FACT=VALUE, `migrate --set`) give together,
    /// and the file's text (read once, through the file gate) to check it with.
    pub fn read(&self, set: &[String]) -> Result<(Mapping, Option<String>), Failure> {
        let text = self.file.as_deref().map(read_text).transpose()?;
        let mut mapping = match (&self.file, &text) {
            (Some(file), Some(text)) => toml::from_str(text).map_err(|e| {
                Failure::Refused(format!(
                    "{} is not a mapping: {}; write [stages] old = \"new\", [facts] old = \"new\" (or \"-\"), [set] fact = \"value\"",
                    file.display(),
                    e.to_string().trim_end()
                ))
            })?,
            _ => Mapping::default(),
        };
        mapping
            .stages
            .extend(pairs("--rename-stage", &self.stages)?);
        mapping.facts.extend(pairs("--rename-fact", &self.facts)?);
        mapping.set.extend(pairs("--set", set)?);
        Ok((mapping, text))
    }
}

impl MappingArgs {
    /// Refuses a `--rename-stage` or `--rename-fact` whose old name no version in `old` has,
    /// or whose new name `new` lacks (a typo would otherwise rename nothing, silently).
    pub fn check_names(
        &self,
        old: &[&mentorflow_dsl::Program],
        new: &mentorflow_dsl::Program,
    ) -> Result<(), Failure> {
        let stages = |p: &mentorflow_dsl::Program| -> Vec<String> {
            p.stages.iter().map(|s| s.id.to_string()).collect()
        };
        let facts = |p: &mentorflow_dsl::Program| -> Vec<String> {
            p.facts.iter().map(|f| f.name.clone()).collect()
        };
        let old_stages: Vec<String> = old.iter().flat_map(|p| stages(p)).collect();
        let old_facts: Vec<String> = old.iter().flat_map(|p| facts(p)).collect();
        known(
            "--rename-stage",
            "stage",
            &self.stages,
            &old_stages,
            &stages(new),
        )?;
        known(
            "--rename-fact",
            "fact",
            &self.facts,
            &old_facts,
            &facts(new),
        )?;
        Ok(())
    }
}

/// Refuses the first of `given` (OLD=NEW) whose old name is not among `old` or new name not
/// among `new` (`-`, a fact dropped, aside).
fn known(
    flag: &str,
    what: &str,
    given: &[String],
    old: &[String],
    new: &[String],
) -> Result<(), Failure> {
    for (from, to) in pairs(flag, given)? {
        if !old.contains(&from) {
            return Err(Failure::Usage(format!(
                "{flag} {from}={to}: the old version has no {what} `{from}`{}",
                render::did_you_mean_or_known(&from, old)
            )));
        }
        if to != "-" && !new.contains(&to) {
            return Err(Failure::Usage(format!(
                "{flag} {from}={to}: the new version has no {what} `{to}`{}",
                render::did_you_mean_or_known(&to, new)
            )));
        }
    }
    Ok(())
}

impl MappingArgs {
    /// The mapping towards `program` from its stored older versions, its names and its file
    /// checked against them (`set`: `migrate --set`); none when the file has errors, which
    /// are printed with `not_done` (`nothing was migrated`).
    pub fn checked_against_store(
        &self,
        coordinator: &mut mentorflow_engine::Coordinator,
        program: &mentorflow_dsl::Program,
        set: &[String],
        not_done: &str,
        output: &mut Output<'_>,
    ) -> Result<Option<Mapping>, Failure> {
        let (mapping, text) = self.read(set)?;
        let older = stored_older(coordinator, program)?;
        let versions: Vec<&mentorflow_dsl::Program> = older.iter().map(|(_, p)| &**p).collect();
        self.check_names(&versions, program)?;
        if let (Some(file), Some(text)) = (&self.file, &text) {
            if errors(file, text, &older, program, not_done, output)? > 0 {
                return Ok(None);
            }
        }
        Ok(Some(mapping))
    }
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
fn read_text(file: &Path) -> Result<String, Failure> {
    mentorflow_dsl::files::read_text(file).map_err(|problem| {
        Failure::Refused(format!(
            "cannot read mapping {}: {problem}; a mapping is a TOML file: [stages] old = \"new\", [facts] old = \"new\"",
            file.display()
        ))
    })
}

/// The mapping file checked against `old` (the versions it maps from, each with how to name
/// it) and `new`, each problem located and explained on standard error, then `not_done`
/// (`nothing was migrated`): how many errors.
pub fn errors(
    file: &Path,
    text: &str,
    old: &[(String, std::sync::Arc<mentorflow_dsl::Program>)],
    new: &mentorflow_dsl::Program,
    not_done: &str,
    output: &mut Output<'_>,
) -> Result<usize, Failure> {
    let mut errors = 0;
    for (name, program) in old {
        let checked = mentorflow_dsl::mapping::check(file, text, program, new);
        if !checked.diagnostics.is_empty() {
            writeln!(output.err, "{} against {name}:", file.display())?;
            write!(output.err, "{}", checked.render())?;
            writeln!(output.err)?;
        }
        errors += checked.diagnostics.iter().filter(|d| d.is_error()).count();
    }
    if errors > 0 {
        writeln!(
            output.err,
            "error: {} in {}; {not_done}",
            render::count(errors as u64, "error"),
            file.display()
        )?;
    }
    Ok(errors)
}

/// Every stored version of `new`'s program other than `new`, named as `errors` shows them.
pub fn stored_older(
    coordinator: &mut mentorflow_engine::Coordinator,
    new: &mentorflow_dsl::Program,
) -> Result<Vec<(String, std::sync::Arc<mentorflow_dsl::Program>)>, Failure> {
    let mut out = Vec::new();
    for v in coordinator.programs()? {
        if v.id == new.id && v.hash != new.hash {
            let name = format!("version {} of {}", render::short_hash(&v.hash), v.id);
            out.push((name, coordinator.program(&v.hash)?));
        }
    }
    Ok(out)
}
