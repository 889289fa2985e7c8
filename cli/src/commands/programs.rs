//! `mentorflow programs`: stored program versions and how many pairings run on each.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Stored program versions and how many pairings run on each.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  mentorflow programs")]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Lists program versions.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let versions = store.open()?.programs()?;
    if args.json {
        use crate::json::store_reads::{ProgramVersion, Programs};
        let programs = versions
            .into_iter()
            .map(|v| ProgramVersion {
                id: v.id,
                title: v.title,
                version: v.hash,
                pairings: v.pairings,
                stored_at: v.stored_at,
                path: v.path,
            })
            .collect();
        return super::versioned_json(output, Programs { programs });
    }
    let rows: Vec<[String; 5]> = versions
        .iter()
        .map(|v| {
            [
                v.id.clone(),
                render::short_hash(&v.hash).to_string(),
                v.pairings.to_string(),
                render::stored_time(&v.stored_at),
                v.path.clone(),
            ]
        })
        .collect();
    let header = ["program", "version", "pairings", "stored", "from"];
    write!(output.out, "{}", render::table(header, &rows))?;
    Ok(EXIT_OK)
}
