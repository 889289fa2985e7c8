//! Scripts that read nothing but people's properties, and how a person looks to them.
//!
//! A matching script is judged on every mentor x mentee pair, but most read a handful of
//! attributes that take a few values each (a grade, a time zone, a group): pairs whose people
//! show the same values for what the script reads get the same answer, so the answer can be
//! worked out once per look instead of once per pair. That holds only for scripts whose answer
//! depends on nothing else: no facts, no time, no history, no managers, no property whose name
//! is chosen at run time. [`Native::reads_only_properties`] says which scripts those are.

use chrono::NaiveDate;

use super::reads::Reader;
use super::{Native, Person};
use crate::value::Value;
use crate::Name;

impl Native {
    /// The names of the properties the script (with the functions it calls) reads of people,
    /// when they are all it reads of anything outside itself; `None` when its answer may also
    /// depend on facts, time, history, managers, or a property named at run time.
    pub fn reads_only_properties(&self) -> Option<Vec<Name>> {
        let functions = Reader::functions(&self.functions);
        let pure = Reader {
            functions: &functions,
        }
        .block(&self.script.body)
        .only_properties()
            && functions.iter().all(|f| f.only_properties());
        // Without facts read, every name among the reads is a property's.
        pure.then(|| self.reads.iter().map(|r| r.name).collect())
    }
}

/// What a person shows a script that reads `names` of people, as a run reads a property (an
/// attribute, else their id or role): two people who look the same get the same answers.
pub fn look<P: Person>(person: &P, names: &[Name]) -> Look {
    Look(
        names
            .iter()
            .map(|name| match person.attribute(name.as_str()) {
                Some(value) => Shown::of(value),
                None => match name.as_str() {
                    "id" => Shown::Id(person.id().to_string()),
                    "role" => Shown::Role(person.role().to_string()),
                    _ => Shown::Nothing,
                },
            })
            .collect(),
    )
}

/// A person as a script that reads only properties sees them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Look(Vec<Shown>);

/// One property as a script reads it: a float by its bits, so that equal looks are the same
/// value (NaN is itself, 0.0 is not -0.0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Shown {
    Bool(bool),
    Int(i64),
    Float(u64),
    Text(String),
    Date(NaiveDate),
    List(Vec<String>),
    Id(String),
    Role(String),
    Nothing,
}

impl Shown {
    fn of(value: &Value) -> Shown {
        match value {
            Value::Bool(b) => Shown::Bool(*b),
            Value::Int(i) => Shown::Int(*i),
            Value::Float(x) => Shown::Float(x.to_bits()),
            Value::Text(t) => Shown::Text(t.clone()),
            Value::Date(d) => Shown::Date(*d),
            Value::List(items) => Shown::List(items.clone()),
        }
    }
}
