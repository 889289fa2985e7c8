//! Explanations: for each candidate transition, the guard's source, the value of every fact it
//! read, and which part was false. This is what a refusal and `status` print.

use std::fmt::{self, Write as _};

use mentorflow_dsl::model::{Script, Transition};
use mentorflow_dsl::{Guard, Program, Value};

use crate::pairing::Pairing;
use crate::runtime::{Context, Runtime, ScriptError};

/// How one guard came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It held.
    Holds,
    /// It was false.
    False,
    /// It needs facts that are not recorded yet (and have no default).
    NeedsFacts(Vec<String>),
    /// It failed to run.
    Failed(ScriptError),
}

/// One guard's evaluation, with what it read.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardReport {
    /// "guard", "criterion success", "extra guard of type group".
    pub title: String,
    /// The script source, on one line.
    pub source: String,
    /// Every fact it read and its value (`None`: not recorded).
    pub reads: Vec<(String, Option<Value>)>,
    /// Each top-level `&&` part and whether it held (empty when not split).
    pub parts: Vec<(String, Verdict)>,
    /// The guard as a whole.
    pub verdict: Verdict,
}

/// One candidate transition and why it can or cannot be taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Transition index.
    pub transition: usize,
    /// `from -> to` and its label.
    pub name: String,
    /// The transition's own guard (none: always).
    pub guard: Option<GuardReport>,
    /// The type's extra guard for this stage, if any.
    pub extra: Option<GuardReport>,
}

impl Candidate {
    /// Whether the transition can be taken.
    pub fn holds(&self) -> bool {
        [&self.guard, &self.extra]
            .iter()
            .all(|g| g.as_ref().is_none_or(|g| g.verdict == Verdict::Holds))
    }

    /// The first script error among its guards.
    pub fn error(&self) -> Option<&ScriptError> {
        [&self.guard, &self.extra]
            .into_iter()
            .flatten()
            .find_map(|g| match &g.verdict {
                Verdict::Failed(e) => Some(e),
                _ => None,
            })
    }
}

/// Evaluates a transition's guards for a pairing and reports everything read.
pub fn candidate(
    program: &Program,
    runtime: &Runtime,
    pairing: &mut Pairing,
    t: &Transition,
    now: chrono::DateTime<chrono::Utc>,
) -> Candidate {
    let extra_script = match &t.from {
        mentorflow_dsl::From::Stage(s) if t.timeout.is_none() => program
            .stage_override(&pairing.type_id, s)
            .and_then(|o| o.guard.as_ref()),
        _ => None,
    };
    let guard = t.guard.as_ref().map(|g| match g {
        Guard::Script(s) => report(program, runtime, pairing, "guard", s, now),
        Guard::Criterion(name) => match program.criterion(name) {
            Some(c) => report(
                program,
                runtime,
                pairing,
                &format!("criterion {name}"),
                &c.script,
                now,
            ),
            None => missing_criterion(name),
        },
    });
    let extra = extra_script.map(|s| {
        report(
            program,
            runtime,
            pairing,
            &format!("extra guard of type {}", pairing.type_id),
            s,
            now,
        )
    });
    let label = if t.label.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", t.label)
    };
    Candidate {
        transition: t.index,
        name: format!("{}{label}", t.describe()),
        guard,
        extra,
    }
}

fn missing_criterion(name: &str) -> GuardReport {
    GuardReport {
        title: format!("criterion {name}"),
        source: String::new(),
        reads: Vec::new(),
        parts: Vec::new(),
        verdict: Verdict::NeedsFacts(Vec::new()),
    }
}

/// Evaluates one script with its parts.
pub fn report(
    program: &Program,
    runtime: &Runtime,
    pairing: &mut Pairing,
    title: &str,
    script: &Script,
    now: chrono::DateTime<chrono::Utc>,
) -> GuardReport {
    let reads: Vec<(String, Option<Value>)> = script
        .facts_read
        .iter()
        .map(|f| (f.clone(), pairing.fact(program, f).cloned()))
        .collect();
    let missing = |names: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        names
            .filter(|n| pairing.fact(program, n).is_none())
            .cloned()
            .collect()
    };
    let whole_missing = missing(&mut script.facts_read.iter());
    let part_missing: Vec<Vec<String>> = script
        .parts
        .iter()
        .map(|p| missing(&mut p.facts_read.iter()))
        .collect();
    let ctx = Context::of(program, pairing, now);
    let verdict_of = |result: Result<bool, ScriptError>, missing: Vec<String>| match result {
        Ok(true) => Verdict::Holds,
        Ok(false) => Verdict::False,
        // A script that reads an unrecorded fact usually fails on `()`; say what is missing.
        Err(_) if !missing.is_empty() => Verdict::NeedsFacts(missing),
        Err(e) => Verdict::Failed(e),
    };
    let verdict = verdict_of(runtime.eval(script, &ctx), whole_missing);
    let parts = if verdict == Verdict::Holds {
        Vec::new()
    } else {
        script
            .parts
            .iter()
            .zip(part_missing)
            .map(|(p, m)| {
                (
                    p.source.clone(),
                    verdict_of(
                        runtime.eval_ast(&p.ast, p.variables, &script.origin, &ctx),
                        m,
                    ),
                )
            })
            .collect()
    };
    GuardReport {
        title: title.to_string(),
        source: script.summary.clone(),
        reads,
        parts,
        verdict,
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Holds => f.write_str("holds"),
            Verdict::False => f.write_str("false"),
            Verdict::NeedsFacts(names) => write!(f, "not recorded yet: {}", names.join(", ")),
            Verdict::Failed(e) => write!(f, "error: {e}"),
        }
    }
}

impl GuardReport {
    /// Renders the report as indented lines: the script, the facts read, each part.
    pub(crate) fn render(&self, out: &mut String, indent: &str) {
        let _ = writeln!(
            out,
            "{indent}{}: {}  => {}",
            self.title, self.source, self.verdict
        );
        for (name, value) in &self.reads {
            let shown = value
                .as_ref()
                .map_or("(not recorded)".to_string(), ToString::to_string);
            let _ = writeln!(out, "{indent}    facts.{name} = {shown}");
        }
        for (source, verdict) in &self.parts {
            let mark = if *verdict == Verdict::Holds {
                "ok  "
            } else {
                "FAIL"
            };
            let _ = writeln!(
                out,
                "{indent}    {mark} {source}{}",
                if *verdict == Verdict::False || *verdict == Verdict::Holds {
                    String::new()
                } else {
                    format!("  ({verdict})")
                }
            );
        }
    }
}

impl Candidate {
    /// Renders the candidate as indented lines.
    pub fn render(&self, out: &mut String, indent: &str) {
        let state = if self.holds() {
            "can be taken"
        } else {
            "blocked"
        };
        let _ = writeln!(
            out,
            "{indent}{}. {}: {state}",
            self.transition + 1,
            self.name
        );
        let inner = format!("{indent}   ");
        match &self.guard {
            Some(g) => g.render(out, &inner),
            None => {
                let _ = writeln!(out, "{inner}no guard: always allowed");
            }
        }
        if let Some(extra) = &self.extra {
            extra.render(out, &inner);
        }
    }
}
