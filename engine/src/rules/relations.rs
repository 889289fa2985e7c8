//! Relations between a pairing's facts (`at_most = "goals_total"` on `goals_met`): a record
//! that would leave one fact beyond another is refused, naming both values, so goals met can
//! never exceed goals agreed however the two are recorded.

use std::cmp::Ordering;

use mentorflow_dsl::{Name, Program, Value};

use crate::model::pairing::Pairing;
use crate::rules::engine_error::EngineError;

/// Refuses `changes` (facts about to be recorded on `pairing`) when, with them, a fact would
/// be above its `at_most` or below its `at_least` fact. Facts without a value yet are not
/// compared.
pub fn check(
    program: &Program,
    pairing: &Pairing,
    changes: &[(Name, Value)],
) -> Result<(), EngineError> {
    let value = |name: &str| {
        changes
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
            .or_else(|| pairing.fact(program, name))
    };
    let changed = |name: &str| changes.iter().any(|(n, _)| &**n == name);
    for d in program.facts.iter().filter(|d| d.per.is_none()) {
        let bounds = [
            (&d.at_most, Ordering::Greater, "more than"),
            (&d.at_least, Ordering::Less, "less than"),
        ];
        for (other, wrong, words) in bounds {
            let Some(other) = other else { continue };
            if !changed(&d.name) && !changed(other) {
                continue;
            }
            let (Some(a), Some(b)) = (value(&d.name), value(other)) else {
                continue;
            };
            if compare(a, b) == Some(wrong) {
                let keeps = if wrong == Ordering::Greater {
                    "at most"
                } else {
                    "at least"
                };
                return Err(EngineError::BadValue {
                    name: d.name.clone(),
                    problem: format!(
                        "{} = {a} would be {words} {other} ({b}): the program keeps {} {keeps} {other}; record {other} first, or another {}",
                        d.name, d.name, d.name
                    ),
                });
            }
        }
    }
    Ok(())
}

/// How two values of comparable kinds compare (numbers with numbers, dates with dates).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let number = |v: &Value| match v {
        Value::Int(n) => Some(*n as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    };
    match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}
