//! What a shell completes from the store: pairing ids, stages, types, program ids, and the
//! names `schema` takes. The shell asks the binary itself at each TAB (`mentorflow completions
//! SHELL` prints the script that does); the store is `MENTORFLOW_STORE` or `mentorflow.db` in
//! the current folder, as for every command without `--store`. No store: nothing offered.

use clap::Command;
use clap_complete::{ArgValueCandidates, CompletionCandidate};

use crate::store_args::StoreArgs;

/// `command` with candidates on the arguments that name a pairing, a stage, a type or a
/// schema, in every command (a filter's `--program` carries its own, `select_args.rs`).
pub(crate) fn with_candidates(mut command: Command) -> Command {
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subcommands {
        command = command.mut_subcommand(name, with_candidates);
    }
    let name = command.get_name().to_string();
    // In place: `mut_arg` would move the argument last, reordering the positionals.
    command.mut_args(|arg| {
        let candidates = match (name.as_str(), arg.get_id().as_str()) {
            (_, "pairing") => ArgValueCandidates::new(pairings),
            (_, "stage" | "in_stage") | ("advance", "to") => ArgValueCandidates::new(stages),
            (_, "type_id") => ArgValueCandidates::new(types),
            ("schema", "name") => ArgValueCandidates::new(schemas),
            _ => return arg,
        };
        arg.add(candidates)
    })
}

/// The store a completion reads, if there is one.
fn store() -> Option<mentorflow_engine::Coordinator> {
    let store = StoreArgs {
        store: std::env::var_os("MENTORFLOW_STORE").map(Into::into),
        ..StoreArgs::default()
    };
    store.open().ok()
}

fn pairings() -> Vec<CompletionCandidate> {
    let ids = store()
        .and_then(|c| c.pairing_ids().ok())
        .unwrap_or_default();
    ids.into_iter().map(CompletionCandidate::new).collect()
}

/// Every stored program version, each once.
fn programs_stored() -> Vec<std::sync::Arc<mentorflow_dsl::Program>> {
    let Some(mut c) = store() else {
        return Vec::new();
    };
    let hashes: Vec<String> = c
        .programs()
        .map(|v| v.into_iter().map(|v| v.hash).collect())
        .unwrap_or_default();
    hashes.iter().filter_map(|h| c.program(h).ok()).collect()
}

/// `names` of every stored program, sorted, each once, with what it is.
fn named(
    names: impl Fn(&mentorflow_dsl::Program) -> Vec<(String, String)>,
) -> Vec<CompletionCandidate> {
    let mut all: Vec<(String, String)> = programs_stored().iter().flat_map(|p| names(p)).collect();
    all.sort();
    all.dedup_by(|a, b| a.0 == b.0);
    all.into_iter()
        .map(|(name, help)| CompletionCandidate::new(name).help(Some(help.into())))
        .collect()
}

fn stages() -> Vec<CompletionCandidate> {
    named(|p| {
        p.stages
            .iter()
            .map(|s| (s.id.to_string(), format!("{}: {}", p.id, s.title)))
            .collect()
    })
}

fn types() -> Vec<CompletionCandidate> {
    named(|p| {
        p.types
            .iter()
            .map(|t| (t.id.to_string(), format!("{}: {}", p.id, t.title)))
            .collect()
    })
}

/// The stored programs' ids (`--program` of the filters, which names an id, not a file).
pub(crate) fn programs() -> Vec<CompletionCandidate> {
    named(|p| vec![(p.id.clone(), p.title.clone())])
}

fn schemas() -> Vec<CompletionCandidate> {
    crate::json::schemas()
        .into_iter()
        .map(|(name, _)| CompletionCandidate::new(name))
        .collect()
}
