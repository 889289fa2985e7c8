//! From a spanned TOML tree to a [`Program`]: every section read, every name resolved, every
//! script compiled; problems are collected, never thrown, so one run reports them all. One
//! file per section of the program file; this one drives them and holds what they share.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::duration::Due;
use crate::model::{
    Criterion, From, Guard, MentoringType, Program, Role, Script, Stage, StageOverride, Timeout,
    Timer, Transition, Trigger,
};
use crate::reader::{self, Reader, Table};
use crate::sandbox::SCRIPT_VARIABLES;
use crate::scripts::{self, Placement};
use crate::source::SourceMap;
use crate::suggest::help_did_you_mean;
use crate::value::{Bound, Declaration, Value, ValueKind};

mod actions;
mod capacity;
mod criteria;
mod declarations;
mod header;
mod invariants;
pub(crate) mod keys;
mod libraries;
mod matching;
mod per_person;
mod reasons;
mod schedules;
mod stages;
mod successors;
mod transitions;
mod types;

/// id, title, description and the initial stage with its span.
type Header = (String, String, String, (String, Range<usize>));

/// Reads one program file already parsed as TOML. `sources` holds the file; .rhai files the
/// program names are added to it.
pub(crate) struct Analyzer<'a> {
    pub sources: &'a mut SourceMap,
    pub file: usize,
    pub diagnostics: Vec<Diagnostic>,
    engine: rhai::Engine,
    /// The functions scripts may call, the libraries' among them.
    functions: crate::functions::Functions,
    /// The libraries read, as the program names them.
    library_names: Vec<String>,
    fact_names: scripts::Facts,
    criterion_names: Vec<String>,
    history_names: scripts::HistoryNames,
    /// The declared participant attributes, those whose declaration has an error among them.
    attribute_names: Vec<String>,
    /// The attributes declared `sensitive`.
    sensitive_attributes: Vec<String>,
    /// The types of the attributes declared without an error.
    attribute_kinds: std::collections::BTreeMap<String, crate::value::ValueKind>,
    /// Every role of every type: who a notification may go to.
    role_names: Vec<String>,
    criteria: Vec<Criterion>,
    /// Script files given in memory (a stored program version) instead of read from disk.
    pub provided: Vec<(std::path::PathBuf, String)>,
    /// Criteria named by a transition guard, a stage override or a type rule.
    criteria_used: std::collections::BTreeSet<String>,
    /// Where each criterion is declared.
    criterion_spans: Vec<(String, Range<usize>)>,
    /// A stage or transition could not be read, so the graph checks would see a graph with
    /// parts missing and report false unreachable stages or traps.
    pub graph_incomplete: bool,
    /// Each transition read's `reasons`, with where each code is written: checked against
    /// `[reasons]` once that is read.
    transition_reasons: Vec<Vec<(String, Range<usize>)>>,
    /// The libraries read: name, source index, text and functions; their effects
    /// (`set_fact`, `notify`) are checked once the facts and notifications are known.
    library_asts: Vec<(String, usize, String, rhai::AST)>,
    /// `[program] coordinators`: who a notification to `coordinator` goes to.
    coordinators: Vec<String>,
    /// `[program] retention`.
    retention: Option<Due>,
}

impl<'a> Analyzer<'a> {
    pub fn new(sources: &'a mut SourceMap, file: usize) -> Analyzer<'a> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        Analyzer {
            sources,
            file,
            diagnostics: Vec::new(),
            functions: crate::functions::Functions::standard(),
            library_names: Vec::new(),
            engine,
            fact_names: scripts::Facts::new(),
            criterion_names: Vec::new(),
            history_names: scripts::HistoryNames::default(),
            attribute_names: Vec::new(),
            sensitive_attributes: Vec::new(),
            attribute_kinds: Default::default(),
            role_names: Vec::new(),
            criteria: Vec::new(),
            provided: Vec::new(),
            graph_incomplete: false,
            criteria_used: Default::default(),
            criterion_spans: Vec::new(),
            transition_reasons: Vec::new(),
            library_asts: Vec::new(),
            coordinators: Vec::new(),
            retention: None,
        }
    }

    /// W005 for every criterion nothing uses. Only meaningful when the program has no errors:
    /// a guard with an error is dropped, and the criterion it named looks unused.
    pub fn unused_criteria(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (name, span) in &self.criterion_spans {
            if self.criteria_used.contains(name) {
                continue;
            }
            let span = crate::source::Span::new(self.file, span.clone());
            out.push(
                Diagnostic::warning(
                    Code::W005,
                    format!(
                        "criterion `{name}` is used by no transition, stage override or type rule"
                    ),
                    span,
                )
                .with_help(format!(
                    "use it as a guard (guard = \"{name}\"), or remove it"
                )),
            );
        }
        out
    }

    fn reader(&mut self) -> Reader<'_> {
        Reader {
            file: self.file,
            diagnostics: &mut self.diagnostics,
        }
    }

    /// Builds the program; `None` when a required part is missing.
    pub fn program(&mut self, root: &Spanned<DeTable<'_>>) -> Option<Program> {
        let top = Table {
            table: root.get_ref(),
            span: root.span(),
            what: "the program file".into(),
        };
        self.reader().unknown_keys(&top, &keys::TOP);
        let header = self.header(&top);
        self.libraries(&top);
        let facts = self.declarations(&top, "facts", "fact");
        self.fact_names = facts
            .iter()
            .map(|f| {
                let fact = scripts::Fact {
                    kind: Some(f.kind),
                    default: f.default.clone(),
                    per: f.per.clone(),
                    allowed: f.allowed.clone(),
                    range: (number(f.min), number(f.max)),
                };
                (f.name.clone(), fact)
            })
            .collect();
        // A fact whose declaration has an error is still declared: scripts reading it must not
        // get a second, misleading "undeclared fact" error.
        if let Some(DeValue::Table(declared)) = top.table.get("facts").map(Spanned::get_ref) {
            for name in declared.keys() {
                self.fact_names
                    .entry(name.get_ref().to_string())
                    .or_default();
            }
        }
        let attributes = self.declarations(&top, "attributes", "attribute");
        self.attribute_kinds = attributes
            .iter()
            .map(|a| (a.name.clone(), a.kind))
            .collect();
        self.sensitive_attributes = attributes
            .iter()
            .filter(|a| a.sensitive)
            .map(|a| a.name.clone())
            .collect();
        self.attribute_names = match top.table.get("attributes").map(Spanned::get_ref) {
            Some(DeValue::Table(declared)) => {
                declared.keys().map(|k| k.get_ref().to_string()).collect()
            }
            _ => Vec::new(),
        };
        let mut stages = self.stages(&top);
        self.history_names = scripts::HistoryNames {
            stages: stages.iter().map(|s| s.id.to_string()).collect(),
            labels: labels(&top),
            schedules: schedule_names(&top),
            types: match top.table.get("types").map(Spanned::get_ref) {
                Some(DeValue::Table(types)) => {
                    types.keys().map(|k| k.get_ref().to_string()).collect()
                }
                _ => Vec::new(),
            },
        };
        let criteria = self.criteria(&top);
        self.criteria = criteria.clone();
        let transitions = self.transitions(&top, &stages);
        let mut types = self.types(&top, &stages, &attributes);
        let mut roles: Vec<String> = types
            .iter()
            .flat_map(|t| t.roles.iter().map(|r| r.name.to_string()))
            .collect();
        roles.sort();
        roles.dedup();
        self.role_names = roles;
        let reasons = self.reasons(&top);
        self.transition_reasons(&transitions, &reasons);
        let schedules = self.schedules(&top, &stages, &types);
        let capacity = self.capacity(&top, &types, &stages);
        self.per_person(&facts, &types);
        self.successors(&top, &mut stages, &types, &facts);
        let matching = self.matching(&top);
        let notifications = self.notifications(&top, (&stages, &transitions, &types, &schedules));
        self.actions(&top, &mut stages, &mut types, &notifications, &schedules);
        let invariants = self.invariants(&top);
        let (id, title, description, initial) = header?;
        self.initial_stage(&initial, &stages);
        Some(Program {
            id,
            title,
            description,
            initial: initial.0,
            libraries: self.library_names.clone(),
            coordinators: self.coordinators.clone(),
            retention: self.retention,
            stages,
            transitions,
            facts,
            attributes,
            criteria,
            types,
            reasons,
            schedules,
            capacity,
            matching,
            notifications,
            invariants,
            hash: String::new(),
            sources: Vec::new(),
            memo: self.functions.points().plan(),
        })
    }
}

/// The schedules' names, the program's and the types' own, read ahead of the schedules
/// themselves: scripts compiled before them read `schedules.NAME`.
fn schedule_names(top: &Table<'_, '_>) -> Vec<String> {
    let keys = |v: Option<&Spanned<DeValue<'_>>>| -> Vec<String> {
        match v.map(Spanned::get_ref) {
            Some(DeValue::Table(t)) => t.keys().map(|k| k.get_ref().to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let mut names = keys(top.table.get("schedules"));
    if let Some(DeValue::Table(types)) = top.table.get("types").map(Spanned::get_ref) {
        for t in types.values() {
            if let DeValue::Table(t) = t.get_ref() {
                names.extend(keys(t.get("schedules")));
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The transitions' labels, read ahead of the transitions themselves: scripts compiled before
/// them (criteria) count transitions by label.
fn labels(top: &Table<'_, '_>) -> Vec<String> {
    let Some(DeValue::Array(transitions)) = top.table.get("transitions").map(Spanned::get_ref)
    else {
        return Vec::new();
    };
    let mut labels: Vec<String> = transitions
        .iter()
        .filter_map(|t| match t.get_ref() {
            DeValue::Table(t) => match t.get("label").map(Spanned::get_ref) {
                Some(DeValue::String(label)) if !label.is_empty() => Some(label.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

fn due(r: &mut Reader<'_>, (text, span): (String, Range<usize>)) -> Option<Due> {
    match Due::parse(&text) {
        Ok(d) => Some(d),
        Err(message) => {
            r.error(Code::E005, format!("bad duration: {message}"), span)
                .help = Some(
                "write a whole number and a unit: 48h, 14d, 6w, 3mo (calendar months) or 2y".into(),
            );
            None
        }
    }
}

fn check_id(r: &mut Reader<'_>, id: &str, span: Range<usize>, what: &str) {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        let fixed: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        r.error(
            Code::E007,
            format!(
                "{what} `{id}` must start with a letter and hold only letters, digits, `-` and `_`"
            ),
            span,
        )
        .help = Some(format!("e.g. `{}`", suggested_id(&fixed)));
    }
}

/// A valid id close to `fixed`: starts with a letter, no leading or trailing `-`.
fn suggested_id(fixed: &str) -> String {
    let trimmed = fixed.trim_matches('-');
    match trimmed.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => trimmed.to_string(),
        Some(_) => format!("stage-{trimmed}"),
        None => "stage".into(),
    }
}

/// A number bound as a number; a date bound is none.
fn number(bound: Option<crate::value::Bound>) -> Option<f64> {
    match bound {
        Some(crate::value::Bound::Number(x)) => Some(x),
        _ => None,
    }
}

fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn stage_list(stages: &[Stage]) -> String {
    stages
        .iter()
        .map(|s| s.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Offset of the string content inside its raw TOML text, when the content appears verbatim
/// (so script positions map exactly onto the file).
fn verbatim_start(raw: &str, content: &str) -> Option<usize> {
    for delimiter in ["'''", "\"\"\"", "'", "\""] {
        if let Some(inner) = raw
            .strip_prefix(delimiter)
            .and_then(|r| r.strip_suffix(delimiter))
        {
            let mut offset = delimiter.len();
            let mut inner = inner;
            if delimiter.len() == 3 {
                if let Some(rest) = inner
                    .strip_prefix("\r\n")
                    .or_else(|| inner.strip_prefix('\n'))
                {
                    offset += inner.len() - rest.len();
                    inner = rest;
                }
            }
            return (inner == content).then_some(offset);
        }
    }
    None
}
