//! `mentorflow schema [NAME]`: the JSON Schema of a command's `--json` output, generated from
//! the types that print it (the same files are committed under `schemas/`).

use crate::failure::{CommandResult, Failure};
use crate::{Output, EXIT_OK};

/// Print the JSON Schema of a command's `--json` output; without NAME, the names.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow schema\n  mentorflow schema report > report.schema.json"
)]
pub struct Args {
    /// The output's name (`mentorflow schema` lists them).
    name: Option<String>,
}

/// Prints one schema, or the names.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let schemas = crate::json::schemas();
    let Some(name) = &args.name else {
        for (name, _) in &schemas {
            writeln!(output.out, "{name}")?;
        }
        return Ok(EXIT_OK);
    };
    let Some((_, schema)) = schemas.iter().find(|(n, _)| n == name) else {
        let names: Vec<String> = schemas.iter().map(|(n, _)| n.to_string()).collect();
        return Err(Failure::Usage(format!(
            "no schema `{name}`{}; the schemas are: {}",
            crate::render::did_you_mean(name, &names),
            names.join(", ")
        )));
    };
    let text = serde_json::to_string_pretty(schema).map_err(std::io::Error::other)?;
    writeln!(output.out, "{text}")?;
    Ok(EXIT_OK)
}
