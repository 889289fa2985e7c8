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

/// Every number fact kept per pairing in a program (its newest version), counted over the
/// ended pairings one at a time.
#[derive(Debug, Clone)]
pub struct Measures {
    /// Each measure so far, with the sum of its values.
    measures: Vec<(Measure, f64)>,
}

impl Measures {
    /// No pairing counted yet, for the number facts of `program`.
    pub fn new(program: &Program) -> Measures {
        let measures = program
            .facts
            .iter()
            .filter(|f| f.per.is_none() && matches!(f.kind, ValueKind::Int | ValueKind::Float))
            .map(|f| {
                let scale = match (f.kind, f.min, f.max) {
                    (ValueKind::Int, Some(Bound::Number(lo)), Some(Bound::Number(hi)))
                        if hi >= lo && hi - lo < SCALE as f64 =>
                    {
                        Some((lo as i64, hi as i64))
                    }
                    _ => None,
                };
                let measure = Measure {
                    fact: f.name.clone(),
                    description: f.description.clone(),
                    recorded: 0,
                    unrecorded: 0,
                    mean: None,
                    distribution: scale.map(|(lo, hi)| (lo..=hi).map(|v| (v, 0)).collect()),
                };
                (measure, 0.0)
            })
            .collect();
        Measures { measures }
    }

    /// Counts `pairing` (of `program`, the same newest version) when it has ended.
    pub fn add(&mut self, program: &Program, pairing: &Pairing) {
        if pairing.outcome.is_none() {
            return;
        }
        for (m, sum) in &mut self.measures {
            let value = match pairing.fact(program, &m.fact) {
                Some(Value::Int(n)) => *n as f64,
                Some(Value::Float(x)) => *x,
                _ => {
                    m.unrecorded += 1;
                    continue;
                }
            };
            m.recorded += 1;
            *sum += value;
            let counts = m.distribution.iter_mut().flatten();
            if let Some((_, n)) = counts.into_iter().find(|(v, _)| *v as f64 == value) {
                *n += 1;
            }
        }
    }

    /// The measures of the pairings counted.
    pub fn finish(self) -> Vec<Measure> {
        self.measures
            .into_iter()
            .map(|(mut m, sum)| {
                m.mean = (m.recorded > 0).then(|| sum / m.recorded as f64);
                m
            })
            .collect()
    }
}
