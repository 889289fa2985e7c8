//! The report broken down by what a steering committee asks about: the mentoring type, the
//! person in a role (`mentor`), or an attribute of the participants (`department`, or
//! `mentee.department` for one role's). Each group gets the same measures as the whole.

use std::collections::{BTreeMap, HashMap};

use mentorflow_dsl::Program;

use crate::decide::health::State;
use crate::model::directory::Directory;
use crate::model::pairing::Pairing;
use crate::reports::rate::Rate;

/// What to break the report down by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// The mentoring type.
    Type,
    /// The person (or people) in this role.
    Role(String),
    /// An attribute of the participants, of one role's or of all (distinct values joined).
    Attribute {
        /// Only this role's participants.
        role: Option<String>,
        /// The attribute.
        name: String,
    },
}

/// The group of a pairing without the attribute.
pub const NOT_GIVEN: &str = "(not given)";

impl By {
    /// What `text` asks for in `program`: `type`, a role of one of its types, an attribute it
    /// declares (or the registry holds), or `ROLE.ATTRIBUTE`; none when the program has no such
    /// thing.
    pub fn resolve(text: &str, program: &Program, registry: &[&str]) -> Option<By> {
        let is_role = |r: &str| {
            program
                .types
                .iter()
                .any(|t| t.roles.iter().any(|x| &*x.name == r))
        };
        let is_attribute =
            |a: &str| program.attributes.iter().any(|d| d.name == a) || registry.contains(&a);
        match text.split_once('.') {
            _ if text == "type" => Some(By::Type),
            Some((role, name)) => (is_role(role) && is_attribute(name)).then(|| By::Attribute {
                role: Some(role.into()),
                name: name.into(),
            }),
            None if is_role(text) => Some(By::Role(text.into())),
            None => is_attribute(text).then(|| By::Attribute {
                role: None,
                name: text.into(),
            }),
        }
    }

    /// Every choice `program` offers, for a did-you-mean.
    pub fn choices(program: &Program, registry: &[&str]) -> Vec<String> {
        let mut out = vec!["type".to_string()];
        let roles: Vec<&str> = program
            .types
            .iter()
            .flat_map(|t| t.roles.iter().map(|r| &*r.name))
            .collect();
        let attributes = program
            .attributes
            .iter()
            .map(|d| d.name.as_str())
            .chain(registry.iter().copied());
        for a in attributes {
            out.push(a.to_string());
            out.extend(roles.iter().map(|r| format!("{r}.{a}")));
        }
        out.extend(roles.iter().map(|r| r.to_string()));
        out.sort();
        out.dedup();
        out
    }

    /// The group `pairing` falls in.
    fn group(&self, p: &Pairing, names: &Directory, registry: &Registry<'_>) -> String {
        match self {
            By::Type => p.type_id.to_string(),
            By::Role(role) => {
                let people: Vec<String> = p.with_role(role).map(|x| names.label(&x.id)).collect();
                if people.is_empty() {
                    NOT_GIVEN.into()
                } else {
                    people.join(", ")
                }
            }
            By::Attribute { role, name } => {
                let mut values: Vec<String> = p
                    .participants
                    .iter()
                    .filter(|x| role.as_deref().is_none_or(|r| x.role == r))
                    .filter_map(|x| match x.attributes.get(name) {
                        Some(mentorflow_dsl::Value::Text(t)) => Some(t.clone()),
                        Some(v) => Some(v.to_string()),
                        None => registry.get(x.id.as_str())?.get(name).cloned(),
                    })
                    .filter(|v| !v.is_empty())
                    .collect();
                values.sort();
                values.dedup();
                if values.is_empty() {
                    NOT_GIVEN.into()
                } else {
                    values.join(" + ")
                }
            }
        }
    }
}

/// The registry's attributes by person id.
pub type Registry<'a> = HashMap<&'a str, &'a BTreeMap<String, String>>;

/// One group's measures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// The type, the person, or the attribute's value(s).
    pub name: String,
    /// Pairings in it.
    pub pairings: u64,
    /// Of those, running.
    pub running: u64,
    /// Success among the ended.
    pub success: Rate,
    /// Running pairings at risk.
    pub at_risk: u64,
    /// Running pairings that need a check-in.
    pub check_in: u64,
    /// Schedule occurrences held, over their whole life.
    pub held: u64,
    /// Schedule occurrences missed.
    pub missed: u64,
}

/// One pairing as a breakdown counts it.
pub struct Counted<'a> {
    /// The pairing.
    pub pairing: &'a Pairing,
    /// Its health state, while running.
    pub state: Option<State>,
    /// Occurrences held and missed over its life.
    pub meetings: (u64, u64),
}

/// Pairings grouped `by`, counted one at a time (a report never holds them all).
#[derive(Debug, Clone, Default)]
pub struct Groups(BTreeMap<String, Group>);

impl Groups {
    /// Counts `c` in its group.
    pub fn add(&mut self, by: &By, c: &Counted<'_>, names: &Directory, registry: &Registry<'_>) {
        let name = by.group(c.pairing, names, registry);
        let g = self.0.entry(name.clone()).or_insert_with(|| Group {
            name,
            ..Group::default()
        });
        g.pairings += 1;
        g.running += u64::from(c.pairing.outcome.is_none());
        g.success.count(c.pairing.outcome.as_deref());
        g.at_risk += u64::from(c.state == Some(State::AtRisk));
        g.check_in += u64::from(c.state == Some(State::NeedsCheckIn));
        g.held += c.meetings.0;
        g.missed += c.meetings.1;
    }

    /// The groups, the largest first.
    pub fn largest_first(self) -> Vec<Group> {
        let mut out: Vec<Group> = self.0.into_values().collect();
        out.sort_by(|a, b| {
            b.pairings
                .cmp(&a.pairings)
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }
}
