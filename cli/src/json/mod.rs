//! The JSON the command line prints with `--json`: one documented shape per command, plain
//! values (a fact is its value: `6`, `"2026-03-01"`, `true`), times in RFC 3339 with their
//! zone, and a `version` that changes only when a shape changes incompatibly. Each shape is a
//! type here; its JSON Schema is generated from it (`mentorflow schema NAME`) and committed
//! under `schemas/`, and a test keeps the two the same.

pub mod report;

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

/// Every shape by the name `mentorflow schema` knows it under, with its schema.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    vec![(
        "report",
        schema::<report::Report>("mentorflow report --json"),
    )]
}

/// The schema of `T`'s versioned output, titled with the command that prints it.
fn schema<T: JsonSchema>(title: &str) -> schemars::Schema {
    let mut schema = schemars::schema_for!(Versioned<T>);
    schema.insert("title".into(), title.into());
    schema
}
