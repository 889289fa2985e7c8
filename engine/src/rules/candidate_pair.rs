//! A candidate pair, as the matching scripts (a type's rule, `[matching] allow`, each
//! criterion's score) see it before any pairing exists, and the runtime's answers for it: a
//! native run where it is sure, else Rhai, decided here once for the three of them. A native
//! answer can be remembered for every pair that looks the same to the script ([`Alike`]).

use std::collections::HashMap;

use mentorflow_dsl::native::{Look, Native, Number};
use mentorflow_dsl::{PairScript, Program, Script};
use rhai::Dynamic;

use crate::model::event::Participant;
use crate::rules::runtime::{Runtime, ScriptError};

/// A mentor and a mentee proposed to each other: as natively run scripts read them, and as
/// Rhai reads them (their maps, made once per person).
pub struct CandidatePair<'a> {
    /// The native view, when each has the role Rhai's view will read them as.
    native: Option<Pair<'a>>,
    mentor: &'a Dynamic,
    mentee: &'a Dynamic,
}

impl<'a> CandidatePair<'a> {
    /// `mentor` and `mentee`, with their maps as Rhai reads them.
    pub fn new(
        (mentor, mentee): (&'a Participant, &'a Participant),
        (mentor_map, mentee_map): (&'a Dynamic, &'a Dynamic),
    ) -> CandidatePair<'a> {
        let native = (mentor.role.as_str() == "mentor" && mentee.role.as_str() == "mentee")
            .then_some(Pair {
                people: [mentor, mentee],
            });
        CandidatePair {
            native,
            mentor: mentor_map,
            mentee: mentee_map,
        }
    }
}

/// The pair as natively run scripts see it: `mentor` and `mentee`, and as a rule sees them,
/// the group of mentors and of mentees of one each. No pairing exists yet, so facts, time and
/// history are left to Rhai (which reads them as nothing).
struct Pair<'a> {
    people: [&'a Participant; 2],
}

impl<'a> mentorflow_dsl::native::Subject for Pair<'a> {
    type Person = &'a Participant;

    fn fact(&self, _: &str) -> Option<&mentorflow_dsl::Value> {
        None
    }

    fn facts_known(&self) -> bool {
        false
    }

    fn people(&self) -> &[&'a Participant] {
        &self.people
    }
}

/// Mentors and mentees grouped by how they look to one script: a script that reads nothing
/// but their properties gives every mentor of one look and mentee of another the same native
/// answer, so it runs once per pair of looks, not once per pair of people.
pub struct Alike {
    mentor: Vec<usize>,
    mentee: Vec<usize>,
    mentee_looks: usize,
}

impl Alike {
    /// At least this many pairs of people per pair of looks, or remembering is not worth it.
    const WORTH: usize = 4;
    /// Pairs of looks one table may remember.
    const MOST: usize = 1 << 22;

    /// The looks of `mentors` and `mentees` to a script compiled as `native`; `None` when it
    /// does not run natively, reads more than people's properties, or pairs hardly repeat a
    /// pair of looks.
    pub fn of(
        native: Option<&Native>,
        (mentors, mentees): (&[&Participant], &[&Participant]),
    ) -> Option<Alike> {
        let names = native?.reads_only_properties()?;
        let looks_of = |people: &[&Participant]| {
            let mut seen: HashMap<Look, usize> = HashMap::new();
            let of = people
                .iter()
                .map(|p| {
                    let n = seen.len();
                    *seen
                        .entry(mentorflow_dsl::native::look(p, &names))
                        .or_insert(n)
                })
                .collect::<Vec<_>>();
            (of, seen.len())
        };
        let (mentor, mentor_looks) = looks_of(mentors);
        let (mentee, mentee_looks) = looks_of(mentees);
        let cells = mentor_looks.saturating_mul(mentee_looks);
        let worth = cells.saturating_mul(Self::WORTH) <= mentors.len() * mentees.len();
        (worth && cells <= Self::MOST).then_some(Alike {
            mentor,
            mentee,
            mentee_looks,
        })
    }

    /// A table of answers, none known yet, one per pair of looks.
    pub fn table<T: Copy>(&self) -> Vec<Recalled<T>> {
        let mentor_looks = self.mentor.iter().max().map_or(0, |m| m + 1);
        vec![Recalled::NotYet; mentor_looks * self.mentee_looks]
    }

    /// The place in a [`Self::table`] of mentor `i` and mentee `j` (by their places in the
    /// lists the looks were made of).
    pub fn at(&self, i: usize, j: usize) -> usize {
        self.mentor[i] * self.mentee_looks + self.mentee[j]
    }
}

/// A script's native answer for a pair of looks: not worked out yet, worked out, or Rhai's to
/// give (the native run was unsure, and would be again).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recalled<T> {
    /// Not run yet for this pair of looks.
    NotYet,
    /// The native run's answer.
    Native(T),
    /// The native run was unsure: Rhai decides, for every pair.
    Rhai,
}

/// The native answer: `remembered`, else `run` (remembered for next time) when the pair is
/// one natively run scripts read.
fn recall<T: Copy>(
    remembered: Option<&mut Recalled<T>>,
    pair: &CandidatePair<'_>,
    run: impl FnOnce(&Pair<'_>) -> Option<T>,
) -> Option<T> {
    let native = pair.native.as_ref()?;
    match remembered {
        Some(Recalled::Native(answer)) => Some(*answer),
        Some(Recalled::Rhai) => None,
        Some(cell) => {
            let answer = run(native);
            *cell = answer.map_or(Recalled::Rhai, Recalled::Native);
            answer
        }
        None => run(native),
    }
}

impl Runtime {
    /// Whether the type's `rule` holds for `pair`; a rule that cannot be evaluated on it (an
    /// attribute it reads is missing) refuses it, as at enrolment. `remembered`: the answer
    /// for pairs that look like this one to the rule.
    pub fn rule_holds(
        &self,
        program: &Program,
        rule: &Script,
        pair: &CandidatePair<'_>,
        remembered: Option<&mut Recalled<bool>>,
    ) -> bool {
        recall(remembered, pair, |p| {
            rule.native.as_ref()?.eval(p, self.native_budget())
        })
        .unwrap_or_else(|| {
            let people = [pair.mentor.clone(), pair.mentee.clone()];
            self.eval_rule(program, rule, &people).unwrap_or(false)
        })
    }

    /// Whether `[matching] allow` lets `pair` be proposed.
    pub fn pair_allowed(
        &self,
        allow: &PairScript,
        pair: &CandidatePair<'_>,
        remembered: Option<&mut Recalled<bool>>,
    ) -> Result<bool, ScriptError> {
        match recall(remembered, pair, |p| {
            allow.native.as_ref()?.eval(p, self.native_budget())
        }) {
            Some(allowed) => Ok(allowed),
            None => Ok(self
                .eval_pair(allow, pair.mentor, pair.mentee)?
                .as_bool()
                .unwrap_or(false)),
        }
    }

    /// A criterion's `score` of `pair`: a finite number, or the error saying what it was.
    pub fn pair_score(
        &self,
        score: &PairScript,
        pair: &CandidatePair<'_>,
        remembered: Option<&mut Recalled<f64>>,
    ) -> Result<f64, ScriptError> {
        // A native score that is not a finite number is Rhai's to report.
        let number = recall(remembered, pair, |p| {
            let number = score.native.as_ref()?.number(p, self.native_budget())?;
            Some(match number {
                Number::Int(i) => i as f64,
                Number::Float(x) => x,
            })
            .filter(|x| x.is_finite())
        });
        if let Some(x) = number {
            return Ok(x);
        }
        let value = self.eval_pair(score, pair.mentor, pair.mentee)?;
        finite(&value).ok_or_else(|| self.not_a_number(score, &value))
    }
}

/// A script's value as a finite number (an int or a float).
fn finite(value: &Dynamic) -> Option<f64> {
    value
        .as_float()
        .ok()
        .or_else(|| value.as_int().ok().map(|i| i as f64))
        .filter(|x| x.is_finite())
}
