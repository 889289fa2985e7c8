//! What ended pairings achieved, read from their number facts (goals met, a rating): how many
//! recorded one, the mean, and for a whole number on a short declared scale (a 1-to-5 rating)
//! how the answers spread, the satisfaction distribution a steering committee asks for.

use mentorflow_dsl::value::Bound;
use mentorflow_dsl::{Program, Value, ValueKind};

use crate::model::pairing::Pairing;

/// The widest scale (max - min + 1) drawn as a distribution; wider ones get a mean only.
pub const SCALE: i64 = 11;

/// One number fact over the ended pairings.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// The fact.
    pub fact: String,
    /// Its description in the program.
    pub description: String,
    /// Ended pairings with a value (recorded, or the declared default).
    pub recorded: u64,
    /// Ended pairings without one.
    pub unrecorded: u64,
    /// The mean of the values; none without values.
    pub mean: Option<f64>,
    /// For a whole number on a scale of at most [`SCALE`] steps: each value of the scale, low
    /// to high, and how many pairings ended with it.
    pub distribution: Option<Vec<(i64, u64)>>,
}

/// Every number fact kept per pairing in `program` (the newest version), over the ended
/// pairings among `pairings`.
pub fn measures(program: &Program, pairings: &[&Pairing]) -> Vec<Measure> {
    let ended: Vec<&&Pairing> = pairings.iter().filter(|p| p.outcome.is_some()).collect();
    program
        .facts
        .iter()
        .filter(|f| f.per.is_none() && matches!(f.kind, ValueKind::Int | ValueKind::Float))
        .map(|f| {
            let values: Vec<f64> = ended
                .iter()
                .filter_map(|p| match p.fact(program, &f.name)? {
                    Value::Int(n) => Some(*n as f64),
                    Value::Float(x) => Some(*x),
                    _ => None,
                })
                .collect();
            let scale = match (f.kind, f.min, f.max) {
                (ValueKind::Int, Some(Bound::Number(lo)), Some(Bound::Number(hi)))
                    if hi >= lo && hi - lo < SCALE as f64 =>
                {
                    Some((lo as i64, hi as i64))
                }
                _ => None,
            };
            Measure {
                fact: f.name.clone(),
                description: f.description.clone(),
                recorded: values.len() as u64,
                unrecorded: (ended.len() - values.len()) as u64,
                mean: (!values.is_empty())
                    .then(|| values.iter().sum::<f64>() / values.len() as f64),
                distribution: scale.map(|(lo, hi)| {
                    (lo..=hi)
                        .map(|v| (v, values.iter().filter(|x| **x == v as f64).count() as u64))
                        .collect()
                }),
            }
        })
        .collect()
}
