//! `people list --json` and `people show --json`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::event::Event;

/// The people registry.
#[derive(Debug, Serialize, JsonSchema)]
pub struct People {
    /// Everyone, by id.
    pub people: Vec<Person>,
}

/// An entry of the registry.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Person {
    /// Person id.
    pub id: String,
    /// Full name (empty when not given).
    pub name: String,
    /// Their manager's id.
    pub manager: Option<String>,
    /// Attributes as written.
    pub attributes: BTreeMap<String, String>,
    /// Why they are inactive (never proposed nor enrolled); `null`: active.
    pub inactive: Option<String>,
}

/// One person in detail.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonStatus {
    /// Their entry.
    pub person: Person,
    /// Their managers, nearest first.
    pub reporting_line: Vec<String>,
    /// Who reports to them directly.
    pub reports: Vec<String>,
    /// The pairings they take or took part in.
    pub pairings: Vec<TakingPart>,
    /// The edits of their entry, oldest first.
    pub edits: Vec<Event>,
}

/// A pairing someone takes or took part in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TakingPart {
    /// Pairing id.
    pub pairing: String,
    /// Program id.
    pub program: String,
    /// Current stage.
    pub stage: String,
    /// Outcome once ended.
    pub outcome: Option<String>,
    /// Their role in it.
    pub role: String,
    /// Whether they left it.
    pub left: bool,
}

impl From<&mentorflow_engine::Person> for Person {
    fn from(p: &mentorflow_engine::Person) -> Person {
        Person {
            id: p.id.clone(),
            name: p.name.clone(),
            manager: p.manager.clone(),
            attributes: p.attributes.clone(),
            inactive: p.inactive.clone(),
        }
    }
}

impl From<&mentorflow_engine::PersonStatus> for PersonStatus {
    fn from(s: &mentorflow_engine::PersonStatus) -> PersonStatus {
        let id = &s.person.id;
        PersonStatus {
            person: (&s.person).into(),
            reporting_line: s.reporting_line.clone(),
            reports: s.reports.clone(),
            pairings: s
                .pairings
                .iter()
                .map(|p| {
                    let now = p.participants.iter().find(|x| x.id == *id);
                    let former = p.former.iter().find(|f| f.participant.id == *id);
                    let role = now
                        .or(former.map(|f| &f.participant))
                        .map(|x| x.role.to_string())
                        .unwrap_or_default();
                    TakingPart {
                        pairing: p.id.to_string(),
                        program: p.program_id.to_string(),
                        stage: p.stage.to_string(),
                        outcome: p.outcome.map(|o| o.to_string()),
                        role,
                        left: now.is_none(),
                    }
                })
                .collect(),
            edits: s.edits.iter().map(Into::into).collect(),
        }
    }
}
