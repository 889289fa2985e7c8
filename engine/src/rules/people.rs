//! The people registry: who the organisation's people are (name, manager, attributes), kept in
//! the store apart from any program. Each edit is an event in the one hash chain (its pairing
//! column is `person:ID`), so the registry's history is as tamper-evident as the pairings'.
//! Enrolments take a registered person's attributes from here and record their reporting line
//! (`managers`), which scripts ask about with `in_reporting_line` and `levels_apart`.

use std::collections::BTreeMap;

use mentorflow_dsl::Program;

use crate::model::event::Participant;
use crate::rules::engine_error::EngineError;

// The person's data lives in the model (events carry it); its path here is kept.
pub use crate::model::person::Person;

/// The pairing column of a person's edits.
pub fn subject(id: &str) -> String {
    format!("person:{id}")
}

/// The person id of a pairing column that names a person's edits.
pub fn person_of(subject: &str) -> Option<&str> {
    subject.strip_prefix("person:")
}

/// Every problem with recording `people` (in the registry as `registered` knows it): a manager
/// who is neither registered nor among them, a loop in a reporting line, an empty id, the same
/// id twice; each with the position of the person it is about.
pub fn check<E>(
    people: &[Person],
    registered: &mut dyn FnMut(&str) -> Result<Option<Person>, E>,
) -> Result<Vec<(usize, EngineError)>, E> {
    let given: BTreeMap<&str, &Person> = people.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut refuse = |i: usize, person: &str, problem: String| {
        problems.push((
            i,
            EngineError::BadPerson {
                person: person.into(),
                problem,
            },
        ));
    };
    for (i, p) in people.iter().enumerate() {
        if p.id.trim().is_empty() || p.id.chars().any(char::is_control) {
            refuse(i, &p.id, "the id is empty or has control characters".into());
            continue;
        }
        if !seen.insert(p.id.as_str()) {
            refuse(i, &p.id, "is listed twice; give each person once".into());
        }
        let Some(manager) = &p.manager else {
            continue;
        };
        if !given.contains_key(manager.as_str()) && registered(manager)?.is_none() {
            refuse(
                i,
                &p.id,
                format!(
                    "manager `{manager}` is neither in the registry nor in this file; add them"
                ),
            );
            continue;
        }
        // Follow the line up: the file's entries win over the registry's.
        let mut line = vec![p.id.clone()];
        let mut current = manager.clone();
        loop {
            if line.contains(&current) {
                line.push(current);
                refuse(
                    i,
                    &p.id,
                    format!("the reporting line loops: {}", line.join(" -> ")),
                );
                break;
            }
            line.push(current.clone());
            let next = match given.get(current.as_str()) {
                Some(person) => person.manager.clone(),
                None => registered(&current)?.and_then(|person| person.manager),
            };
            match next {
                // A line this long is a loop too large to see whole, or a mistake: refused,
                // as a loop is (it used to be cut here and accepted).
                Some(_) if line.len() > MAX_LEVELS => {
                    refuse(
                        i,
                        &p.id,
                        format!(
                            "the reporting line is longer than {MAX_LEVELS} managers (a loop, or a manager column shifted): {} -> ...",
                            line[..4].join(" -> ")
                        ),
                    );
                    break;
                }
                Some(m) => current = m,
                None => break,
            }
        }
    }
    Ok(problems)
}

/// The most managers a reporting line is followed up (a deeper one is cut there).
pub const MAX_LEVELS: usize = 64;

/// `id`'s managers, nearest first, as `manager_of` tells them; stops at a loop (which a people
/// file cannot bring in, but a store might hold) or after [`MAX_LEVELS`].
pub fn reporting_line<E>(
    id: &str,
    manager_of: &mut dyn FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Vec<String>, E> {
    let mut line: Vec<String> = Vec::new();
    let mut current = id.to_string();
    while let Some(manager) = manager_of(&current)? {
        if manager == id || line.contains(&manager) || line.len() >= MAX_LEVELS {
            break;
        }
        line.push(manager.clone());
        current = manager;
    }
    Ok(line)
}

/// `p` completed from the registry entry `person` (when they are registered): each attribute
/// the program declares and `p` does not carry, typed by its declaration, and their reporting
/// line. Attributes given with the enrolment win (a one-off). An inactive person is refused:
/// they are not enrolled until reactivated.
pub fn complete(
    program: &Program,
    mut p: Participant,
    person: Option<&Person>,
    managers: Vec<String>,
) -> Result<Participant, EngineError> {
    if let Some(person) = person {
        if let Some(reason) = &person.inactive {
            return Err(EngineError::BadPerson {
                person: person.id.clone(),
                problem: format!(
                    "is inactive in the people registry ({reason}); reactivate them first (`mentorflow people reactivate {}`), or choose someone else",
                    person.id
                ),
            });
        }
        for (name, text) in &person.attributes {
            if p.attributes.contains_key(name) {
                continue;
            }
            let Some(decl) = program.attributes.iter().find(|a| a.name == *name) else {
                continue;
            };
            let value = decl
                .parse(text)
                .map_err(|problem| EngineError::BadAttribute {
                    problem: format!("{}'s `{name}` in the people registry: {problem}", person.id),
                })?;
            p.attributes.insert(name.as_str().into(), value);
        }
    }
    p.managers = managers;
    Ok(p)
}
