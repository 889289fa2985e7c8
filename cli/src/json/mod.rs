//! The JSON the command line prints with `--json`: one documented shape per command, plain
//! values (a fact is its value: `6`, `"2026-03-01"`, `true`), times in RFC 3339 with their
//! zone, and a `version` that changes only when a shape changes incompatibly. Each shape is a
//! type here; its JSON Schema is generated from it (`mentorflow schema NAME`) and committed
//! under `schemas/`, and a test keeps the two the same.

pub mod designer;
pub mod event;
pub mod health;
pub mod matching;
pub mod outbox;
pub mod pairing;
pub mod people;
pub mod report;
pub mod status;
pub mod store;
pub mod store_reads;
pub mod value;

use schemars::JsonSchema;
use serde::Serialize;

/// The version of every shape below. Fields may be added without changing it; a field
/// renamed, removed or given another meaning changes it.
pub const VERSION: u32 = 1;

/// A command's JSON: the version first, then the command's own fields.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Versioned<T> {
    /// The version of this shape (see the README's "JSON output").
    #[schemars(schema_with = "version_schema")]
    pub version: u32,
    #[serde(flatten)]
    pub data: T,
}

impl<T> Versioned<T> {
    /// `data` under the current version.
    pub fn new(data: T) -> Versioned<T> {
        Versioned {
            version: VERSION,
            data,
        }
    }
}

/// The `version` field: always [`VERSION`] in this build.
fn version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "The version of this shape; a shape changed incompatibly has another.",
        "const": VERSION
    })
}

/// Each shape of the command line's JSON: its name, its type, and the commands that print it.
macro_rules! shapes {
    ($($name:literal => $shape:ty: $by:literal,)*) => {
        vec![$(($name, schema::<$shape>($by))),*]
    };
}

/// Every shape by the name `mentorflow schema` knows it under, with its schema.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    let mut all = shapes![
        "board" => status::Board: "mentorflow status --json",
        "diff" => store_reads::Diff: "mentorflow diff --json",
        "events" => event::Events: "mentorflow log --json, export --what events, and every write command's --json",
        "bulk" => event::Bulk: "mentorflow advance --all --json",
        "changes" => event::Changes: "every write command's --json",
        "check" => designer::Check: "mentorflow check --json",
        "copy" => store::Copy: "mentorflow store copy --json",
        "list" => status::List: "mentorflow list --json",
        "programs" => store_reads::Programs: "mentorflow programs --json",
        "people" => people::People: "mentorflow people list --json",
        "person" => people::PersonStatus: "mentorflow people show --json",
        "person-export" => people::PersonExport: "mentorflow people export",
        "people-import" => store::People: "mentorflow people import --json",
        "import-check" => store::ImportCheck: "mentorflow import --dry-run --json",
        "match" => matching::Proposal: "mentorflow match --json",
        "paths" => designer::Paths: "mentorflow paths --json",
        "outbox" => outbox::Outbox: "mentorflow outbox --json",
        "notice" => outbox::Notice: "the document mentorflow outbox deliver --exec hands its command",
        "delivery" => outbox::Delivery: "mentorflow outbox deliver --json",
        "pairings" => status::Pairings: "mentorflow export --what pairings",
        "replay" => store_reads::Replay: "mentorflow replay --json",
        "report" => report::Report: "mentorflow report --json",
        "tick" => event::Tick: "mentorflow tick --json",
        "verify" => store_reads::Verify: "mentorflow verify --json",
        "store" => store::Store: "mentorflow init --json",
        "show" => mentorflow_dsl::Program: "mentorflow show --json",
        "simulate" => designer::Simulate: "mentorflow simulate --json",
        "status" => status::Status: "mentorflow status PAIRING --json",
    ];
    all.push(("program", mentorflow_dsl::format::schema()));
    sorted(all)
}

/// The schemas, by name.
fn sorted(mut all: Vec<(&'static str, schemars::Schema)>) -> Vec<(&'static str, schemars::Schema)> {
    all.sort_by_key(|(name, _)| *name);
    all
}

/// The schema of `T`'s versioned output, titled with the command that prints it.
fn schema<T: JsonSchema>(title: &str) -> schemars::Schema {
    // Schemas of what is printed (a field skipped when empty is not required).
    let generator = || {
        schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
    };
    let mut schema = generator().into_root_schema_for::<Versioned<T>>();
    schema.insert("title".into(), title.into());
    // The command's own shape says what the document is, not the envelope.
    let own = generator().into_root_schema_for::<T>();
    if let Some(about) = own.get("description") {
        schema.insert("description".into(), about.clone());
    }
    schema
}
