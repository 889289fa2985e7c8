//! A pairing as `list`, `status`, `export` and the write commands show it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::value::Values;

/// A pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Pairing {
    /// Pairing id, e.g. `p-12`.
    pub id: String,
    /// The label it was imported under, if any.
    pub label: Option<String>,
    /// Program id.
    pub program: String,
    /// The program version (content hash) it runs on.
    pub program_version: String,
    /// Mentoring type.
    pub r#type: String,
    /// Current stage.
    pub stage: String,
    /// When it entered the stage.
    pub entered_at: DateTime<Utc>,
    /// When the stage is due, if it has a due time.
    pub due: Option<DateTime<Utc>>,
    /// The outcome once ended; null while running.
    pub outcome: Option<String>,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When its latest event happened.
    pub last_event_at: DateTime<Utc>,
    /// Its facts by name.
    pub facts: Values,
    /// Who takes part now.
    pub participants: Vec<Participant>,
    /// Who took part and left.
    pub former: Vec<Former>,
    /// The people whose values were erased (`people erase`): they keep their id and role.
    /// Absent when nobody's were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<String>,
    /// The pairing it continues, if any.
    pub predecessor: Option<String>,
    /// The pairing that continues it, if any.
    pub successor: Option<String>,
}

/// Someone in a pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Participant {
    /// Person id.
    pub id: String,
    /// Role, e.g. mentor or mentee.
    pub role: String,
    /// Their display name in the people registry; absent when it has none (or in a
    /// simulation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their e-mail address (the registry's `email` attribute); absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Attributes by name.
    pub attributes: Values,
    /// Facts kept for this person (declared with `per`), by name.
    pub facts: Values,
    /// Their managers, nearest first, from the people registry.
    pub managers: Vec<String>,
}

/// Someone who left a pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Former {
    /// Who, as they were.
    pub participant: Participant,
    /// When they left.
    pub left: DateTime<Utc>,
    /// Why, as given.
    pub reason: Option<String>,
}

impl Pairing {
    /// The pairing with its people's names and e-mail addresses as `names` gives them.
    pub fn named(mut self, names: &mentorflow_engine::Directory) -> Pairing {
        let former = self.former.iter_mut().map(|f| &mut f.participant);
        for p in self.participants.iter_mut().chain(former) {
            p.name = names.name(&p.id).map(str::to_string);
            p.email = names.email(&p.id).map(str::to_string);
        }
        self
    }
}

impl From<&mentorflow_engine::Pairing> for Pairing {
    fn from(p: &mentorflow_engine::Pairing) -> Pairing {
        Pairing {
            id: p.id.to_string(),
            label: p.label.clone(),
            program: p.program_id.to_string(),
            program_version: p.program_hash.to_string(),
            r#type: p.type_id.to_string(),
            stage: p.stage.to_string(),
            entered_at: p.entered_at,
            due: p.due,
            outcome: p.outcome.map(|o| o.to_string()),
            enrolled_at: p.enrolled_at,
            last_event_at: p.last_event_at,
            facts: Values::of(&p.facts),
            participants: p.participants.iter().map(Participant::from).collect(),
            former: p
                .former
                .iter()
                .map(|f| Former {
                    participant: Participant::from(&f.participant),
                    left: f.left,
                    reason: f.reason.clone(),
                })
                .collect(),
            erased: p.erased.clone(),
            predecessor: p.predecessor.clone(),
            successor: p.successor.clone(),
        }
    }
}

impl From<&mentorflow_engine::Participant> for Participant {
    fn from(p: &mentorflow_engine::Participant) -> Participant {
        Participant {
            id: p.id.clone(),
            role: p.role.to_string(),
            name: None,
            email: None,
            attributes: Values::of(&p.attributes),
            facts: Values::of(&p.facts),
            managers: p.managers.clone(),
        }
    }
}
