//! `people list --json`, `people show --json` and `people export`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
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

/// Everything the store holds about one person (`people export`): what they may ask a copy
/// of. Other people's values are left out: an enrolment shows their own entry only.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonExport {
    /// Their id.
    pub id: String,
    /// Their entry in the people registry; `null` when they took part without one.
    pub registered: Option<Person>,
    /// The edits of their entry, oldest first.
    pub edits: Vec<Event>,
    /// Each pairing they take or took part in, in number order.
    pub pairings: Vec<PartTaken>,
    /// The notifications addressed to them, in queue order, each naming them alone.
    pub notifications: Vec<super::outbox::Notice>,
    /// When their values were erased (`people erase`), and why; `null` when they were not.
    /// After an erasure only their id, roles and times are left.
    pub erased: Option<Erased>,
}

/// A person's erasure.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Erased {
    /// When.
    pub at: DateTime<Utc>,
    /// Who erased them.
    pub by: String,
    /// Why, as given.
    pub reason: Option<String>,
    /// The destroyed key's fingerprint (empty when they had none).
    pub key: String,
}

/// One person's part in one pairing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PartTaken {
    /// Pairing id.
    pub pairing: String,
    /// Program id.
    pub program: String,
    /// Mentoring type.
    pub r#type: String,
    /// Current stage.
    pub stage: String,
    /// Outcome once ended.
    pub outcome: Option<String>,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Them, as the pairing holds them: role, attributes, facts kept for them, managers.
    pub participant: super::pairing::Participant,
    /// When they left it; `null` while they take part.
    pub left: Option<DateTime<Utc>>,
    /// Why they left, as given.
    pub left_because: Option<String>,
    /// The pairing's events as they concern them: what happened to the pairing, and what
    /// happened to them; nothing of anyone else's values.
    pub events: Vec<Event>,
}

impl PersonExport {
    /// The export, recipients named as `names` gives them.
    pub fn of(e: &mentorflow_engine::PersonExport, names: &mentorflow_engine::Directory) -> Self {
        PersonExport {
            id: e.id.clone(),
            registered: e.registered.as_ref().map(Into::into),
            edits: e.edits.iter().map(Into::into).collect(),
            pairings: e.pairings.iter().map(Into::into).collect(),
            notifications: e
                .notices
                .iter()
                .map(|q| super::outbox::Notice::of(q, names))
                .collect(),
            erased: e.erased.as_ref().map(|event| Erased {
                at: event.at,
                by: event.actor.to_string(),
                reason: event.reason.clone(),
                key: match &event.kind {
                    mentorflow_engine::EventKind::Erased { key, .. } => key.clone(),
                    _ => String::new(),
                },
            }),
        }
    }
}

impl From<&mentorflow_engine::PartTaken> for PartTaken {
    fn from(p: &mentorflow_engine::PartTaken) -> PartTaken {
        PartTaken {
            pairing: p.pairing.clone(),
            program: p.program_id.clone(),
            r#type: p.type_id.clone(),
            stage: p.stage.clone(),
            outcome: p.outcome.clone(),
            enrolled_at: p.enrolled_at,
            participant: (&p.participant).into(),
            left: p.left.as_ref().map(|(at, _)| *at),
            left_because: p.left.as_ref().and_then(|(_, why)| why.clone()),
            events: p.events.iter().map(Into::into).collect(),
        }
    }
}
