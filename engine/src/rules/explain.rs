//! Explanations: for each candidate transition, the guard's source, the value of every fact it
//! read, and which part was false. Data only: a refusal and `status` render it.

use mentorflow_dsl::model::{Script, Transition};
use mentorflow_dsl::{Guard, Program, Value};

use crate::model::pairing::Pairing;
use crate::rules::runtime::{Context, Runtime, ScriptError};

/// How one guard came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It held.
    Holds,
    /// It was false.
    False,
    /// It needs facts that are not recorded yet (and have no default).
    NeedsFacts(Vec<String>),
    /// It failed because participants lack attributes it reads (and that have no default).
    MissingAttributes(Vec<MissingAttribute>),
    /// It failed to run.
    Failed(ScriptError),
}

/// A participant without an attribute a script reads.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingAttribute {
    /// Person id.
    pub person: String,
    /// Their role.
    pub role: String,
    /// The attribute.
    pub attribute: String,
}

/// Which script a report is about.
#[derive(Debug, Clone, PartialEq)]
pub enum GuardKind {
    /// The transition's inline guard.
    Guard,
    /// The named criterion the transition uses as its guard.
    Criterion(String),
    /// The extra guard a type adds to a stage's advance transitions.
    ExtraGuard {
        /// The type.
        type_id: String,
    },
    /// A type's rule over its participants, at enrolment.
    Rule,
}

/// One person's value of a fact kept per person, as a script read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFact {
    /// Person id.
    pub person: String,
    /// Their role.
    pub role: String,
    /// The fact.
    pub fact: String,
    /// Its value (`None`: not recorded and no default).
    pub value: Option<Value>,
}

/// The facts kept per person that `script` reads (`p.facts.NAME`, `facts_of(.., "NAME")`),
/// itself or through the criteria it reads, with each person's value.
fn people_read(program: &Program, script: &Script, pairing: &Pairing) -> Vec<PersonFact> {
    let mut scripts = vec![script];
    let mut i = 0;
    while let Some(s) = scripts.get(i) {
        for c in s.criteria_read.iter().filter_map(|c| program.criterion(c)) {
            if !scripts.iter().any(|seen| std::ptr::eq(*seen, &c.script)) {
                scripts.push(&c.script);
            }
        }
        i += 1;
    }
    let read = |f: &&mentorflow_dsl::Declaration| {
        f.per.is_some()
            && scripts.iter().any(|s| {
                s.properties_read.contains(&f.name) || s.source.contains(&format!("\"{}\"", f.name))
            })
    };
    let mut out = Vec::new();
    for fact in program.facts.iter().filter(read) {
        for p in pairing
            .participants
            .iter()
            .filter(|p| fact.is_kept_for(&p.role))
        {
            out.push(PersonFact {
                person: p.id.clone(),
                role: p.role.to_string(),
                fact: fact.name.clone(),
                value: pairing.person_fact(program, p, &fact.name).cloned(),
            });
        }
    }
    out
}

/// One guard's evaluation, with what it read.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardReport {
    /// Which script.
    pub kind: GuardKind,
    /// The script source, on one line.
    pub source: String,
    /// Every fact it read and its value (`None`: not recorded).
    pub reads: Vec<(String, Option<Value>)>,
    /// Every built-in variable it read (`days_in_stage`, `cycle`, `stage`, `type`, `now`) and
    /// its value at the evaluation.
    pub builtins: Vec<(String, Value)>,
    /// Every fact kept per person it read, for each person it is kept for: person, role,
    /// fact, value (`None`: not recorded).
    pub people: Vec<PersonFact>,
    /// Each top-level `&&` part and whether it held (empty when not split, or when it held).
    pub parts: Vec<(String, Verdict)>,
    /// The guard as a whole.
    pub verdict: Verdict,
}

/// One candidate transition and why it can or cannot be taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The transition's number ([`Transition::number`]).
    pub transition: usize,
    /// Stage it leaves from (`*` for any).
    pub from: String,
    /// Stage it leads to.
    pub to: String,
    /// Its label, possibly empty.
    pub label: String,
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
        self.reports().find_map(|g| match &g.verdict {
            Verdict::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// Its guard reports: the transition's own, then the type's extra guard.
    pub fn reports(&self) -> impl Iterator<Item = &GuardReport> {
        [&self.guard, &self.extra].into_iter().flatten()
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
    let guard = t.guard.as_ref().map(|g| match g {
        Guard::Script(s) => report(program, runtime, pairing, GuardKind::Guard, s, now),
        Guard::Criterion(name) => match program.criterion(name) {
            Some(c) => report(
                program,
                runtime,
                pairing,
                GuardKind::Criterion(name.clone()),
                &c.script,
                now,
            ),
            None => missing_criterion(name),
        },
    });
    let extra = extra_guard(program, &pairing.type_id, t).map(|s| {
        let kind = GuardKind::ExtraGuard {
            type_id: pairing.type_id.to_string(),
        };
        report(program, runtime, pairing, kind, s, now)
    });
    Candidate {
        transition: t.number(),
        from: match &t.from {
            mentorflow_dsl::From::Stage(s) => s.clone(),
            mentorflow_dsl::From::Any => "*".into(),
        },
        to: t.to.clone(),
        label: t.label.clone(),
        guard,
        extra,
    }
}

/// The extra guard type `type_id` adds to transition `t`, if any (advance transitions only).
pub(crate) fn extra_guard<'p>(
    program: &'p Program,
    type_id: &str,
    t: &Transition,
) -> Option<&'p Script> {
    match &t.from {
        mentorflow_dsl::From::Stage(s) if t.takes_extra_guard() => program
            .stage_override(type_id, s)
            .and_then(|o| o.guard.as_ref()),
        _ => None,
    }
}

fn missing_criterion(name: &str) -> GuardReport {
    GuardReport {
        kind: GuardKind::Criterion(name.into()),
        source: String::new(),
        reads: Vec::new(),
        builtins: Vec::new(),
        people: Vec::new(),
        parts: Vec::new(),
        verdict: Verdict::NeedsFacts(Vec::new()),
    }
}

/// Evaluates one script with its parts.
pub fn report(
    program: &Program,
    runtime: &Runtime,
    pairing: &mut Pairing,
    kind: GuardKind,
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
    let builtins = builtins_read(script.variables, pairing, now);
    let lacking = |names: &std::collections::BTreeSet<String>| -> Vec<MissingAttribute> {
        pairing
            .participants
            .iter()
            .flat_map(|p| {
                names
                    .iter()
                    .filter(|n| !matches!(n.as_str(), "id" | "role" | "facts"))
                    .filter(|n| program.fact(n).is_none_or(|f| f.per.is_none()))
                    .filter(|n| !p.attributes.contains_key(n))
                    .map(|n| MissingAttribute {
                        person: p.id.clone(),
                        role: p.role.to_string(),
                        attribute: n.clone(),
                    })
            })
            .collect()
    };
    let whole_lacking = lacking(&script.properties_read);
    let part_lacking: Vec<Vec<MissingAttribute>> = script
        .parts
        .iter()
        .map(|p| lacking(&p.properties_read))
        .collect();
    let ctx = Context::of(program, pairing, now);
    let verdict_of = |result: Result<bool, ScriptError>,
                      missing: Vec<String>,
                      lacking: Vec<MissingAttribute>| match result {
        Ok(true) => Verdict::Holds,
        Ok(false) => Verdict::False,
        // A script that reads an unrecorded fact usually fails on `()`; say what is missing.
        Err(_) if !missing.is_empty() => Verdict::NeedsFacts(missing),
        // Likewise an attribute a participant does not carry (a limit is not that).
        Err(e) if !lacking.is_empty() && e.limit().is_none() => Verdict::MissingAttributes(lacking),
        Err(e) => Verdict::Failed(e),
    };
    // The criteria it reads, evaluated once: for the whole, the parts and the values shown.
    let criteria = runtime.criteria(script, &ctx);
    let whole = match &criteria {
        Ok(values) => runtime.eval_given(script, values, &ctx),
        Err(e) => Err(e.clone()),
    };
    let verdict = verdict_of(whole, whole_missing, whole_lacking);
    let criteria = criteria.unwrap_or_default();
    let mut parts: Vec<(String, Verdict)> = if verdict == Verdict::Holds {
        Vec::new()
    } else {
        script
            .parts
            .iter()
            .zip(part_missing)
            .zip(part_lacking)
            .map(|((p, m), l)| {
                let result = runtime.eval_ast(&p.ast, p.variables, &criteria, &script.origin, &ctx);
                (p.source.clone(), verdict_of(result, m, l))
            })
            .collect()
    };
    // When the statements before the parts fail, every part fails the same way: say it once.
    if !matches!(verdict, Verdict::Holds | Verdict::False)
        && parts.iter().all(|(_, v)| *v == verdict)
    {
        parts.clear();
    }
    GuardReport {
        kind,
        source: script.summary.clone(),
        reads,
        builtins: builtins
            .into_iter()
            .chain(history_read(program, script, pairing, now))
            .chain(criteria.into_iter().map(|(n, v)| (n, Value::Bool(v))))
            .collect(),
        people: people_read(program, script, pairing),
        parts,
        verdict,
    }
}

/// The `entries.X`, `first_entered.X`, `taken.X` and `schedules.X` a script reads, with
/// their values (a stage never entered has no `first_entered`; a schedule shows its counts).
fn history_read(
    program: &Program,
    script: &Script,
    pairing: &Pairing,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, Value)> {
    let Some(history) = pairing.history.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (variable, key) in &script.history_read {
        let name = format!("{variable}.{key}");
        match variable.as_str() {
            "entries" => out.push((name, Value::Int(history.entries(key).into()))),
            "first_entered" => {
                if let Some(first) = history.first_entered(key) {
                    out.push((name, Value::Date(first.date_naive())));
                }
            }
            "schedules" => {
                let standing = program.schedule(key, &pairing.type_id).and_then(|s| {
                    crate::rules::schedules::as_scripts_read(program, s, pairing, now)
                });
                let (done, missed, due) = standing.map_or((0, 0, 0), |s| (s.done, s.missed, s.due));
                for (part, n) in [("done", done), ("missed", missed), ("due", due)] {
                    out.push((format!("{name}.{part}"), Value::Int(n.into())));
                }
            }
            _ => out.push((
                name,
                Value::Int(
                    program
                        .transitions
                        .iter()
                        .filter(|t| t.label == *key)
                        .map(|t| i64::from(history.taken(t.number())))
                        .sum(),
                ),
            )),
        }
    }
    out
}

/// The built-in variables a script uses (bits of [`mentorflow_dsl::Script::variables`]) with
/// their values for `pairing` at `now`. A script with functions may use any; none are listed.
fn builtins_read(
    variables: u32,
    pairing: &Pairing,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, Value)> {
    if variables == u32::MAX {
        return Vec::new();
    }
    mentorflow_dsl::sandbox::SCRIPT_VARIABLES
        .iter()
        .enumerate()
        .filter(|(i, _)| variables & (1 << i) != 0)
        .filter_map(|(_, name)| {
            let value = match *name {
                "type" => Value::Text(pairing.type_id.to_string()),
                "stage" => Value::Text(pairing.stage.to_string()),
                "days_in_stage" => Value::Int((now - pairing.entered_at).num_days()),
                "cycle" => Value::Int(i64::from(pairing.cycle)),
                "now" => Value::Text(now.to_rfc3339()),
                "today" => Value::Date(now.date_naive()),
                "days_in_program" => Value::Int((now - pairing.enrolled_at).num_days()),
                "weeks_in_program" => Value::Int((now - pairing.enrolled_at).num_days() / 7),
                "months_in_program" => Value::Int(mentorflow_dsl::dates::whole_months(
                    pairing.enrolled_at,
                    now,
                )),
                "weeks_in_stage" => Value::Int((now - pairing.entered_at).num_days() / 7),
                "months_in_stage" => {
                    Value::Int(mentorflow_dsl::dates::whole_months(pairing.entered_at, now))
                }
                _ => return None,
            };
            Some(((*name).to_string(), value))
        })
        .collect()
}
