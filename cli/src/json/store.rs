//! `init --json`, `store copy --json` and `people import --json`: what happened to a store.

use schemars::JsonSchema;
use serde::Serialize;

/// A store created.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Store {
    /// Where it is (a PostgreSQL password shown as `***`).
    pub store: String,
}

/// A whole store copied, and the copy verified.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Copy {
    /// The store copied from.
    pub from: String,
    /// The store copied to.
    pub to: String,
    /// Program versions copied.
    pub programs: u64,
    /// Events copied.
    pub events: u64,
    /// Pairings copied.
    pub pairings: u64,
    /// The copy's hash chain head after verification.
    pub head: Option<String>,
}

/// What an import would enrol: checked as the import checks it, nothing stored.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportCheck {
    /// The roster, as named on the command line (`-`: standard input).
    pub roster: String,
    /// The program's id.
    pub program: String,
    /// How many pairings the import would enrol.
    pub would_enrol: u64,
    /// Always true: a dry run stores nothing.
    pub dry_run: bool,
}

/// People imported into the registry.
#[derive(Debug, Serialize, JsonSchema)]
pub struct People {
    /// Ids new to the registry.
    pub added: Vec<String>,
    /// Ids whose entry changed.
    pub changed: Vec<String>,
    /// Ids already as given (nothing stored for them).
    pub unchanged: Vec<String>,
    /// For each person added or changed, what differs from their entry before.
    pub differences: Vec<PersonDifferences>,
    /// A dry run: nothing was stored.
    pub dry_run: bool,
}

/// What changed in one person's entry.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonDifferences {
    /// The person.
    pub id: String,
    /// Each field that differs: `name`, `manager` or an attribute.
    pub fields: Vec<FieldDifference>,
}

/// One field before and after (`null`: not set).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldDifference {
    /// The field.
    pub field: String,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

impl From<&mentorflow_engine::PeopleReport> for People {
    fn from(r: &mentorflow_engine::PeopleReport) -> People {
        People {
            added: r.added.clone(),
            changed: r.changed.clone(),
            unchanged: r.unchanged.clone(),
            differences: r
                .differences
                .iter()
                .map(|(id, fields)| PersonDifferences {
                    id: id.clone(),
                    fields: fields
                        .iter()
                        .map(|d| FieldDifference {
                            field: d.field.clone(),
                            before: d.before.clone(),
                            after: d.after.clone(),
                        })
                        .collect(),
                })
                .collect(),
            dry_run: r.dry_run,
        }
    }
}
