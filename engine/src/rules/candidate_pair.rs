//! A candidate pair, as the matching scripts (a type's rule, `[matching] allow`, each
//! criterion's score) see it before any pairing exists, and the runtime's answers for it: a
//! native run where it is sure, else Rhai, decided here once for the three of them.

use mentorflow_dsl::native::Number;
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

impl Runtime {
    /// Whether the type's `rule` holds for `pair`; a rule that cannot be evaluated on it (an
    /// attribute it reads is missing) refuses it, as at enrolment.
    pub fn rule_holds(&self, program: &Program, rule: &Script, pair: &CandidatePair<'_>) -> bool {
        let native = pair.native.as_ref();
        native
            .and_then(|p| rule.native.as_ref()?.eval(p, self.native_budget()))
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
    ) -> Result<bool, ScriptError> {
        let native = pair.native.as_ref();
        match native.and_then(|p| allow.native.as_ref()?.eval(p, self.native_budget())) {
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
    ) -> Result<f64, ScriptError> {
        let native = pair.native.as_ref();
        // A native score that is not a finite number is Rhai's to report.
        let number = native
            .and_then(|p| score.native.as_ref()?.number(p, self.native_budget()))
            .map(|n| match n {
                Number::Int(i) => i as f64,
                Number::Float(x) => x,
            })
            .filter(|x| x.is_finite());
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
