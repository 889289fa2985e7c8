//! Scripts run natively: each script is compiled once per program into a tree of nodes
//! (`tree.rs`, from Rhai's syntax tree by `compile.rs`) that a run walks over the pairing's
//! own data (`run.rs`), without building Rhai's maps of facts and people and without Rhai's
//! interpreter. It covers what guards, rules and matching scripts are written with: `let`,
//! assignment, `if`, `for` over people, lists and ranges, `while`, closures (`all`, `some`,
//! `filter`, `map`), the script's and the libraries' functions, texts, dates, per-person facts
//! and the aggregates.
//!
//! A run answers only when it is sure to agree with Rhai: any value, type pair or construct it
//! does not know, any error, or more steps than a tenth of Rhai's operation limit, and it says
//! "don't know": the script then runs in Rhai as before, which decides or reports the error.
//! The engine's tests compare the two on many generated inputs.

mod alike;
mod compile;
mod memo;
mod reads;
mod run;
mod tree;
mod val;

use chrono::NaiveDate;

use crate::value::{Value, EVERY_PARTICIPANT};
use crate::Name;

pub use crate::aggregates::Number;
pub use alike::{look, Look};
pub(crate) use compile::closure_parts;
pub(crate) use memo::Points;
pub use memo::{Keeper, MemoPlan};

/// What a script reads: the pairing's recorded facts, who takes part, and its place in time.
pub trait Subject {
    /// A participant.
    type Person: Person;
    /// A recorded fact (the declared default is the compiled script's to know).
    fn fact(&self, name: &str) -> Option<&Value>;
    /// Whether the script has `facts` at all (a candidate pair for matching has none).
    fn facts_known(&self) -> bool {
        true
    }
    /// Everyone who takes part, in the order scripts see them.
    fn people(&self) -> &[Self::Person];
    /// A script variable about time and place; `None` leaves the script to Rhai.
    fn clock(&self, _: Clock) -> Option<Known<'_>> {
        None
    }
    /// How many times the pairing entered `stage` (`entries.STAGE`); `None` for no such stage.
    fn entries(&self, _stage: &str) -> Option<i64> {
        None
    }
    /// `taken.LABEL`: how many times a transition of that label was taken; `None` for no
    /// such label.
    fn taken(&self, _label: &str) -> Option<i64> {
        None
    }
    /// The value of criterion `name`, which the script reads as a variable (worked out before
    /// the script runs, as for Rhai); `None` leaves the script to Rhai.
    fn criterion(&self, _name: &str) -> Option<bool> {
        None
    }
    /// `schedules.NAME.FIELD`: `Some(None)` for `()` (nothing done yet, nothing due); `None`
    /// for no such schedule, or to leave the script to Rhai.
    fn schedule(&self, _name: &str, _field: Standing) -> Option<Option<Known<'_>>> {
        None
    }
    /// What this subject keeps of its people, and its program's memo points (see
    /// [`Keeper`]); `None` keeps nothing.
    fn memo(&self) -> Option<(&Keeper, MemoPlan)> {
        None
    }
}

/// What a script reads of a schedule's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// `done`: occurrences done.
    Done,
    /// `missed`.
    Missed,
    /// `on_time`: done by their due time.
    OnTime,
    /// `due`: occurrences due so far.
    Due,
    /// `last_done`: a date, or `()`.
    LastDone,
    /// `next_due`: a date, or `()`.
    NextDue,
}

impl Standing {
    fn of(field: &str) -> Option<Standing> {
        Some(match field {
            "done" => Standing::Done,
            "missed" => Standing::Missed,
            "on_time" => Standing::OnTime,
            "due" => Standing::Due,
            "last_done" => Standing::LastDone,
            "next_due" => Standing::NextDue,
            _ => return None,
        })
    }
}

/// One participant as a script sees them: a map of `id`, `role`, the attributes, their facts.
pub trait Person {
    /// Person id.
    fn id(&self) -> &str;
    /// Role in the pairing.
    fn role(&self) -> &str;
    /// An attribute's value.
    fn attribute(&self, name: &str) -> Option<&Value>;
    /// A fact recorded for them (one kept per person).
    fn fact(&self, _name: &str) -> Option<&Value> {
        None
    }
    /// Their managers, nearest first.
    fn managers(&self) -> &[String] {
        &[]
    }
}

/// A person held by reference is the same person.
impl<P: Person> Person for &P {
    fn id(&self) -> &str {
        (*self).id()
    }
    fn role(&self) -> &str {
        (*self).role()
    }
    fn attribute(&self, name: &str) -> Option<&Value> {
        (*self).attribute(name)
    }
    fn fact(&self, name: &str) -> Option<&Value> {
        (*self).fact(name)
    }
    fn managers(&self) -> &[String] {
        (*self).managers()
    }
}

/// The script variables a subject answers, besides facts and people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// `today`, a date.
    Today,
    /// `stage`.
    Stage,
    /// `type`.
    Type,
    /// `cycle`.
    Cycle,
    /// `days_in_stage`.
    DaysInStage,
    /// `weeks_in_stage`.
    WeeksInStage,
    /// `months_in_stage`.
    MonthsInStage,
    /// `days_in_program`.
    DaysInProgram,
    /// `weeks_in_program`.
    WeeksInProgram,
    /// `months_in_program`.
    MonthsInProgram,
    /// `reason`: the reason given with the latest move.
    Reason,
}

impl Clock {
    fn of(variable: &str) -> Option<Clock> {
        Some(match variable {
            "today" => Clock::Today,
            "stage" => Clock::Stage,
            "type" => Clock::Type,
            "cycle" => Clock::Cycle,
            "days_in_stage" => Clock::DaysInStage,
            "weeks_in_stage" => Clock::WeeksInStage,
            "months_in_stage" => Clock::MonthsInStage,
            "days_in_program" => Clock::DaysInProgram,
            "weeks_in_program" => Clock::WeeksInProgram,
            "months_in_program" => Clock::MonthsInProgram,
            "reason" => Clock::Reason,
            _ => return None,
        })
    }
}

/// A value a subject gives for a [`Clock`] variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known<'a> {
    /// A whole number.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// A calendar date.
    Date(NaiveDate),
}

/// A fact kept per person, as the compiled script reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PersonFact {
    name: Name,
    default: Option<Value>,
    per: String,
}

impl PersonFact {
    fn kept_for(&self, role: &str) -> bool {
        self.per == EVERY_PARTICIPANT || self.per == role
    }
}

/// A script compiled for native runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Native {
    script: tree::Function,
    functions: Vec<tree::Function>,
    per_person: Vec<PersonFact>,
    literals: Vec<String>,
    reads: Vec<tree::Read>,
    /// The stamp of the program its memo points belong to (0: it has none).
    stamp: u64,
}

/// What the compiler is told of the program.
pub struct Declared<'a> {
    /// The declared facts: name, default, and whose it is when kept per person.
    pub facts: Vec<(&'a str, Option<&'a Value>, Option<&'a str>)>,
    /// The program's libraries' functions, merged.
    pub library: Option<&'a rhai::AST>,
    /// The program's criteria, which scripts read as variables.
    pub criteria: &'a [String],
    /// Whether the script is a matching script, reading `mentor` and `mentee`.
    pub pair: bool,
    /// The program's memo points, to mark the script's among; `None` marks none.
    pub(crate) points: Option<&'a Points>,
}

impl Native {
    /// The native form of a compiled script, if it holds only what runs natively.
    pub fn compile(ast: &rhai::AST, declared: &Declared<'_>) -> Option<Native> {
        let facts = |name: &str| {
            declared
                .facts
                .iter()
                .find(|(n, ..)| *n == name)
                .map(|(_, default, per)| (default.cloned(), per.is_some()))
        };
        let program = compile::Program {
            facts: &facts,
            library: declared.library,
            criteria: declared.criteria,
            pair: declared.pair,
        };
        let mut compiler = compile::Compiler::new(ast, &program);
        let mut script = compiler.script()?;
        let mut functions = compiler.functions.into_iter().collect::<Option<Vec<_>>>()?;
        let stamp = declared
            .points
            .map_or(0, |points| memo::mark(&mut script, &mut functions, points));
        let (literals, reads) = (compiler.literals, compiler.reads);
        let per_person = declared
            .facts
            .iter()
            .filter_map(|(name, default, per)| {
                Some(PersonFact {
                    name: Name::new(name),
                    default: default.cloned(),
                    per: (*per)?.to_string(),
                })
            })
            .collect();
        Some(Native {
            script,
            functions,
            per_person,
            literals,
            reads,
            stamp,
        })
    }

    fn value<S: Subject>(&self, subject: &S, budget: u64) -> Option<val::Val> {
        let parts = run::Parts {
            functions: &self.functions,
            per_person: &self.per_person,
            literals: &self.literals,
            reads: &self.reads,
            stamp: self.stamp,
        };
        run::Run::new(subject, parts, budget).answer(&self.script)
    }

    /// The script's bool for `subject`, or `None` when Rhai must decide (it gave another
    /// type, or the run was unsure). `budget`: the steps a run may take.
    pub fn eval<S: Subject>(&self, subject: &S, budget: u64) -> Option<bool> {
        self.value(subject, budget)?.as_bool()
    }

    /// The script's number for `subject` (a matching score), or `None` when Rhai must decide.
    pub fn number<S: Subject>(&self, subject: &S, budget: u64) -> Option<Number> {
        let v = self.value(subject, budget)?;
        match (v.as_int(), v.as_float()) {
            (Some(i), _) => Some(Number::Int(i)),
            (_, Some(x)) => Some(Number::Float(x)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
