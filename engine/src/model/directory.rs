//! How views name people: the registry's display names and e-mail addresses by person id.
//! Views show names; ids stay beside them (and alone in JSON fields scripts key on), so a
//! script never depends on a name that can change.

use std::collections::HashMap;

use crate::model::person::Person;

/// The registry attribute that holds a person's e-mail address, where a registry declares one.
pub const EMAIL: &str = "email";

/// Display names and e-mail addresses by person id; an id the registry lacks has neither.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    entries: HashMap<String, (String, Option<String>)>,
}

impl Directory {
    /// The directory of `people`.
    pub fn of(people: impl IntoIterator<Item = Person>) -> Directory {
        let entries = people
            .into_iter()
            .map(|mut p| {
                let email = p.attributes.remove(EMAIL).filter(|e| !e.is_empty());
                (p.id, (p.name, email))
            })
            .collect();
        Directory { entries }
    }

    /// `id`'s display name, if the registry gives one.
    pub fn name(&self, id: &str) -> Option<&str> {
        let name = &self.entries.get(id)?.0;
        (!name.is_empty()).then_some(name.as_str())
    }

    /// `id`'s e-mail address, if the registry gives one.
    pub fn email(&self, id: &str) -> Option<&str> {
        self.entries.get(id)?.1.as_deref()
    }

    /// `Ana Lima (e015)`, or the id alone when the registry has no name for it.
    pub fn label(&self, id: &str) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, name: &str, email: Option<&str>) -> Person {
        Person {
            id: id.into(),
            name: name.into(),
            manager: None,
            attributes: email
                .map(|e| (EMAIL.to_string(), e.to_string()))
                .into_iter()
                .collect(),
            inactive: None,
        }
    }

    #[test]
    fn a_label_shows_the_name_with_the_id_or_the_id_alone() {
        let d = Directory::of([
            person("e1", "Ana Lima", Some("ana@example.org")),
            person("e2", "", None),
        ]);
        assert_eq!(d.label("e1"), "Ana Lima (e1)");
        assert_eq!(d.email("e1"), Some("ana@example.org"));
        assert_eq!(d.label("e2"), "e2");
        assert_eq!(d.label("nobody"), "nobody");
        assert_eq!(d.name("e2"), None);
    }
}
