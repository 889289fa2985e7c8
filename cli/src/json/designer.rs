//! The program designer's commands: `check --json`, `paths --json`, `simulate --json`.

use schemars::JsonSchema;
use serde::Serialize;

/// What the checker found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Check {
    /// Whether every file passed (no errors; no warnings with --deny-warnings).
    pub ok: bool,
    /// Errors in all files.
    pub errors: u64,
    /// Warnings in all files.
    pub warnings: u64,
    /// Each file given, in order.
    pub files: Vec<CheckedFile>,
}

/// One file checked.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckedFile {
    /// The file as given.
    pub file: String,
    /// Whether it passed.
    pub ok: bool,
    /// Why it was not checked (a scenario file), if it was not.
    pub skipped: Option<String>,
    /// Its problems, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// One problem, located.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Diagnostic {
    /// error or warning.
    pub severity: String,
    /// Its code, e.g. E012 (programs/README.md explains each).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The file it is in (a program may include others).
    pub file: Option<String>,
    /// Line, from 1.
    pub line: Option<usize>,
    /// Column, from 1.
    pub column: Option<usize>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Every diagnostic of `loaded`, located in its sources.
    pub fn all(loaded: &mentorflow_dsl::Loaded) -> Vec<Diagnostic> {
        loaded
            .diagnostics
            .iter()
            .map(|d| {
                let at = d.span.and_then(|span| {
                    let file = loaded.sources.file(span.file)?;
                    let lc = file.line_col(span.start);
                    Some((file.path.display().to_string(), lc.line, lc.col))
                });
                Diagnostic {
                    severity: if d.is_error() { "error" } else { "warning" }.into(),
                    code: d.code.to_string(),
                    message: d.message.clone(),
                    file: at.as_ref().map(|a| a.0.clone()),
                    line: at.as_ref().map(|a| a.1),
                    column: at.as_ref().map(|a| a.2),
                    help: d.help.clone(),
                }
            })
            .collect()
    }
}

/// Every route from the first stage to a terminal one.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Paths {
    /// Program id.
    pub program: String,
    /// The routes (loops taken at most once), shortest first.
    pub routes: Vec<Route>,
}

/// One route.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Route {
    /// The stages in order, the first stage first.
    pub stages: Vec<String>,
    /// The transitions taken, by number.
    pub transitions: Vec<usize>,
    /// The terminal stage's outcome.
    pub outcome: Option<String>,
    /// The stage actions each move runs, in order: `ramping on_enter: set_fact ramp_started,
    /// notify ramp_plan`.
    pub actions: Vec<String>,
}

/// Scenarios run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Simulate {
    /// Each scenario given, in order (those that could not be loaded are left out and named
    /// on standard error).
    pub scenarios: Vec<ScenarioRun>,
    /// With --coverage: how often each transition was taken, per program.
    pub coverage: Option<Vec<Coverage>>,
}

/// One scenario run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioRun {
    /// The scenario file.
    pub scenario: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// The expectations that did not hold, in words.
    pub failures: Vec<String>,
    /// Every event the scenario stored.
    pub events: Vec<super::event::Event>,
    /// The transcript, a line each, as the text output prints it.
    pub transcript: Vec<String>,
    /// The pairing written at the top (else the first enrolled) at the end (null when none
    /// was enrolled).
    #[serde(rename = "final")]
    pub last: Option<super::pairing::Pairing>,
    /// Every pairing at the end, in the store's order (a cohort's, and successors).
    pub pairings: Vec<super::pairing::Pairing>,
}

/// Transition coverage of one program.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Coverage {
    /// Program id.
    pub program: String,
    /// The program file.
    pub path: String,
    /// Every transition.
    pub transitions: Vec<Covered>,
}

/// How often one transition was taken.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Covered {
    /// Its number.
    pub transition: usize,
    /// `from -> to` with its label.
    pub name: String,
    /// Its label (empty when it has none).
    pub label: String,
    /// Times taken across the scenarios.
    pub taken: u64,
}
