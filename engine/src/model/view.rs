//! What scripts see of a pairing, built once and updated in place when a fact changes, so a
//! guard evaluation never rebuilds the facts map (that would double its cost).

use mentorflow_dsl::dates::ScriptDate;
use mentorflow_dsl::{Program, Value};

use super::history::History;
use rhai::{Array, Dynamic, ImmutableString, Map};

use crate::model::event::Participant;

/// Shared Rhai values for one pairing's scripts. The participants are built the first time a
/// script reads them and shared after that (a guard reading mentees ran a copy of every map
/// per evaluation); the view is dropped whenever who takes part, or a fact kept per person,
/// changes.
#[derive(Debug, Clone)]
pub(crate) struct ScriptView {
    pub facts: Dynamic,
    pub type_id: ImmutableString,
    /// `participants`, `mentors`, `mentees`, each read-only and shared once built.
    people: [std::sync::OnceLock<Dynamic>; 3],
}

/// The participants (all, or those with `role`) as a Rhai array of maps: id, role, the
/// attributes, and `facts` with the facts kept for them when the program keeps any per person.
pub(crate) fn participants(program: &Program, all: &[Participant], role: Option<&str>) -> Dynamic {
    joined_participants(program, all, role, &|_| None)
}

/// The participants with `role`, each with when they joined (`joined`, a date) when known.
fn joined_participants(
    program: &Program,
    all: &[Participant],
    role: Option<&str>,
    joined: &dyn Fn(&str) -> Option<chrono::DateTime<chrono::Utc>>,
) -> Dynamic {
    let per_person = program.facts.iter().any(|f| f.per.is_some());
    let array: Array = all
        .iter()
        .filter(|p| role.is_none_or(|r| p.role == r))
        .map(|p| {
            let mut person = participant(program, p, per_person);
            if let (Some(at), Some(mut map)) = (joined(&p.id), person.write_lock::<Map>()) {
                map.insert("joined".into(), Dynamic::from(ScriptDate(at.date_naive())));
            }
            person
        })
        .collect();
    Dynamic::from_array(array)
}

/// `entries`: every stage of the program with how many times the pairing entered it.
pub(crate) fn entries(program: &Program, history: &History) -> Dynamic {
    let map: Map = program
        .stages
        .iter()
        .map(|s| {
            (
                s.id.as_str().into(),
                Dynamic::from_int(history.entries(&s.id).into()),
            )
        })
        .collect();
    Dynamic::from_map(map)
}

/// `first_entered`: the date each stage the pairing entered was first entered.
pub(crate) fn first_entered(history: &History) -> Dynamic {
    let map: Map = history
        .stages
        .iter()
        .map(|v| {
            (
                v.stage.as_ref().into(),
                Dynamic::from(ScriptDate(v.first.date_naive())),
            )
        })
        .collect();
    Dynamic::from_map(map)
}

/// `taken`: every transition label with how many times a transition of that label was taken.
pub(crate) fn taken(program: &Program, history: &History) -> Dynamic {
    let mut map = Map::new();
    for t in program.transitions.iter().filter(|t| !t.label.is_empty()) {
        let times = i64::from(history.taken(t.number()));
        let entry = map
            .entry(t.label.as_str().into())
            .or_insert_with(|| Dynamic::from_int(0));
        *entry = Dynamic::from_int(entry.as_int().unwrap_or(0) + times);
    }
    Dynamic::from_map(map)
}

/// A typed value as Rhai sees it: dates as `date` values, lists as arrays of strings.
pub fn to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Float(x) => Dynamic::from_float(*x),
        Value::Text(s) => Dynamic::from(s.clone()),
        Value::Date(d) => Dynamic::from(ScriptDate(*d)),
        Value::List(items) => {
            Dynamic::from_array(items.iter().map(|s| Dynamic::from(s.clone())).collect())
        }
    }
}

fn participant(program: &Program, p: &Participant, per_person: bool) -> Dynamic {
    let mut map = Map::new();
    map.insert("id".into(), Dynamic::from(p.id.clone()));
    map.insert("role".into(), Dynamic::from(p.role.to_string()));
    for (name, value) in &p.attributes {
        map.insert(name.as_str().into(), to_dynamic(value));
    }
    if !p.managers.is_empty() {
        let line: Array = p
            .managers
            .iter()
            .map(|m| Dynamic::from(m.clone()))
            .collect();
        map.insert("managers".into(), Dynamic::from_array(line));
    }
    if per_person {
        // Every fact kept for their role: recorded, else its default, else `()` (not yet).
        let facts: Map = program
            .facts
            .iter()
            .filter(|f| f.is_kept_for(&p.role))
            .map(|f| {
                let value = p.facts.get(&f.name).or(f.default.as_ref());
                (
                    f.name.as_str().into(),
                    value.map_or(Dynamic::UNIT, to_dynamic),
                )
            })
            .collect();
        map.insert("facts".into(), Dynamic::from_map(facts));
    }
    Dynamic::from_map(map)
}

impl ScriptView {
    /// Builds the view of facts: declared defaults overlaid with recorded values.
    pub fn build(
        program: &Program,
        type_id: &str,
        facts: &crate::base::short_map::Facts,
    ) -> ScriptView {
        let mut map = Map::new();
        // Facts kept per person are read from each person, not from `facts`.
        for decl in program.facts.iter().filter(|d| d.per.is_none()) {
            if let Some(v) = facts.get(decl.name.as_str()).or(decl.default.as_ref()) {
                map.insert(decl.name.as_str().into(), to_dynamic(v));
            }
        }
        ScriptView {
            // Read-only inside the shared cell: a constant wrapper alone does not stop scripts from
            // assigning through a shared value.
            facts: Dynamic::from_map(map).into_read_only().into_shared(),
            type_id: type_id.into(),
            people: Default::default(),
        }
    }

    /// The participants with `role` (all for `None`; `mentor` and `mentee` are kept), each
    /// with when they joined, built once and shared.
    pub fn people(
        &self,
        program: &Program,
        all: &[Participant],
        role: Option<&str>,
        joined: &dyn Fn(&str) -> Option<chrono::DateTime<chrono::Utc>>,
    ) -> Dynamic {
        let slot = match role {
            None => 0,
            Some("mentor") => 1,
            Some("mentee") => 2,
            Some(_) => return joined_participants(program, all, role, joined),
        };
        self.people[slot]
            .get_or_init(|| {
                joined_participants(program, all, role, joined)
                    .into_read_only()
                    .into_shared()
            })
            .clone()
    }

    /// Updates one fact in place.
    pub fn set_fact(&mut self, name: &str, value: &Value) {
        if let Some(mut map) = self.facts.write_lock::<Map>() {
            map.insert(name.into(), to_dynamic(value));
        }
    }
}
