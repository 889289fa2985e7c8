//! A person of the people registry, as events carry them and the registry stores them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A person of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Person id, as rosters and enrolments name them.
    pub id: String,
    /// Full name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Their manager's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Attributes as written (typed by each program's declarations when they enrol).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Why they are inactive (left the organisation, on leave): an inactive person is never
    /// proposed by `match` nor enrolled. `None`: active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive: Option<String>,
}

/// How an edit changes one field of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set it to this.
    Set(String),
    /// Clear it.
    Unset,
}

/// A change of one person's entry, as a people file or `people edit` gives it: what it does
/// not name is left as it is (a people file never erases by leaving a column out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonEdit {
    /// Whose entry (a new person when the registry has no such id).
    pub id: String,
    /// Their name, if it changes.
    pub name: Option<Change>,
    /// Their manager, if it changes.
    pub manager: Option<Change>,
    /// The attributes it sets or clears; the others stay.
    pub attributes: BTreeMap<String, Change>,
    /// Deactivates them for a reason (`Set`), or reactivates them (`Unset`).
    pub inactive: Option<Change>,
}

impl PersonEdit {
    /// The entry `stored` (none: someone new) with this edit applied.
    pub fn applied_to(&self, stored: Option<&Person>) -> Person {
        let mut person = stored.cloned().unwrap_or_else(|| Person {
            id: self.id.clone(),
            name: String::new(),
            manager: None,
            attributes: BTreeMap::new(),
            inactive: None,
        });
        match &self.name {
            Some(Change::Set(name)) => person.name.clone_from(name),
            Some(Change::Unset) => person.name.clear(),
            None => {}
        }
        match &self.manager {
            Some(Change::Set(manager)) => person.manager = Some(manager.clone()),
            Some(Change::Unset) => person.manager = None,
            None => {}
        }
        match &self.inactive {
            Some(Change::Set(reason)) => person.inactive = Some(reason.clone()),
            Some(Change::Unset) => person.inactive = None,
            None => {}
        }
        for (name, change) in &self.attributes {
            match change {
                Change::Set(value) => person.attributes.insert(name.clone(), value.clone()),
                Change::Unset => person.attributes.remove(name),
            };
        }
        person
    }
}

/// One field of an entry that differs between two versions of it: its name (`name`,
/// `manager`, or an attribute), the value before and after (`None`: not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The field.
    pub field: String,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// The registry attribute that holds a person's own capacity: how many running pairings, of
/// any program, they take part in at most.
pub const CAPACITY: &str = "capacity";

impl Person {
    /// Their own capacity (the [`CAPACITY`] attribute, a whole number), if the registry gives one.
    pub fn capacity(&self) -> Option<u32> {
        self.attributes.get(CAPACITY)?.trim().parse().ok()
    }

    /// What differs from `before` (none: this person is new) to this entry, field by field:
    /// the name, the manager, then the attributes in order.
    pub fn differences(&self, before: Option<&Person>) -> Vec<Difference> {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut out = Vec::new();
        let mut field = |field: &str, before: Option<String>, after: Option<String>| {
            if before != after {
                out.push(Difference {
                    field: field.into(),
                    before,
                    after,
                });
            }
        };
        field("name", before.and_then(|b| text(&b.name)), text(&self.name));
        field(
            "manager",
            before.and_then(|b| b.manager.clone()),
            self.manager.clone(),
        );
        field(
            "inactive",
            before.and_then(|b| b.inactive.clone()),
            self.inactive.clone(),
        );
        let empty = BTreeMap::new();
        let old = before.map_or(&empty, |b| &b.attributes);
        let names: std::collections::BTreeSet<&String> =
            old.keys().chain(self.attributes.keys()).collect();
        for name in names {
            field(
                name,
                old.get(name).cloned(),
                self.attributes.get(name).cloned(),
            );
        }
        out
    }
}
