//! mentorflow's program language: a TOML program is read, checked whole (names, graph,
//! scripts) and turned into an immutable [`Program`], or into diagnostics that point at the
//! exact line and column and say how to fix each problem.

pub mod aggregates;
mod analyzer;
pub mod code;
pub mod dates;
pub mod diagnostic;
pub mod diagram;
pub mod diff;
pub mod duration;
pub mod effects;
pub mod files;
pub mod format;
mod functions;
pub mod graph;
pub mod libraries;
mod loops;
pub mod mapping;
pub mod model;
pub mod name;
pub mod native;
pub mod occurrences;
mod reader;
pub mod sandbox;
mod scripts;
pub mod source;
pub mod suggest;
pub mod templates;
pub mod value;

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use code::Code;
pub use diagnostic::{Diagnostic, Severity};
pub use duration::Due;
pub use model::{
    Criterion, From, Guard, Invariant, MatchCriterion, Matching, MentoringType, PairScript,
    Program, Script, Stage, Successor, Timeout, Timer, Transition, Trigger,
};
pub use name::Name;
pub use scripts::one_line;
pub use source::{SourceMap, Span};
pub use value::{Declaration, Value, ValueKind};

/// Programs larger than this are refused before parsing.
pub const MAX_PROGRAM_BYTES: u64 = 1024 * 1024;

/// The result of loading a program: the program when it has no errors, and every diagnostic.
#[derive(Debug)]
pub struct Loaded {
    /// Present exactly when no diagnostic is an error.
    pub program: Option<Program>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for rendering diagnostics.
    pub sources: SourceMap,
    /// The file is a scenario (it names a program and has participants or steps), not a
    /// program: its one diagnostic says so.
    pub scenario: bool,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Every diagnostic rendered, separated by blank lines.
    pub fn render(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.sources))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Reads and checks the program at `path`. Never panics on any file content.
pub fn load(path: &Path) -> Loaded {
    let mut sources = SourceMap::default();
    match read_program(path) {
        Ok(text) => {
            let file = sources.add(path, text);
            check(sources, file)
        }
        Err((message, help)) => {
            let diagnostic = Diagnostic {
                severity: Severity::Error,
                code: Code::E000,
                message,
                span: None,
                label: None,
                help: Some(help),
                tolerated_when_stored: false,
            };
            Loaded {
                program: None,
                diagnostics: vec![diagnostic],
                sources,
                scenario: false,
            }
        }
    }
}

/// Checks program text as if read from `path` (script files are looked up beside `path`).
pub fn load_str(path: &Path, text: &str) -> Loaded {
    let mut sources = SourceMap::default();
    let file = sources.add(path, text.to_string());
    check(sources, file)
}

fn read_program(path: &Path) -> Result<String, (String, String)> {
    use files::FileProblem as P;
    let shown = path.display();
    let text = files::read_text(path).map_err(|problem| match problem {
        P::Missing => (
            format!("cannot read program `{shown}`: no such file"),
            "check the path; programs are TOML files such as programs/mentoring.toml".to_string(),
        ),
        P::Directory => (
            format!("`{shown}` is a directory, not a program file"),
            format!(
                "name a .toml file inside it, e.g. {}",
                path.join("mentoring.toml").display()
            ),
        ),
        P::TooLarge(n) => (
            format!("program `{shown}` is {n} bytes; programs are limited to {MAX_PROGRAM_BYTES} bytes (1 MiB)"),
            "is this the right file? a program is a hand-written TOML file of a few kilobytes".into(),
        ),
        P::NotText(at) => (
            format!("`{shown}` is not a text file: invalid UTF-8 at byte {at}"),
            "a program is a UTF-8 TOML file; is this a binary file?".to_string(),
        ),
        other => (
            format!("cannot read program `{shown}`: {other}"),
            "name a program file (TOML) on disk".to_string(),
        ),
    })?;
    if text.trim().is_empty() {
        return Err((
            format!("program `{shown}` is empty"),
            "a program starts with [program] (id, title, initial); see programs/README.md".into(),
        ));
    }
    Ok(text)
}

/// Loads a stored program version: the program file first, then its script files, all from
/// memory. The content hash is the same as when the files were read from disk.
pub fn load_sources(sources: &[(std::path::PathBuf, String)]) -> Loaded {
    let mut map = SourceMap::default();
    let (path, text) = sources.first().cloned().unwrap_or_default();
    let file = map.add(&path, text);
    check_with(
        map,
        file,
        sources.get(1..).unwrap_or_default().to_vec(),
        true,
    )
}

/// A scenario names its program with a string and has participants or steps; a program has a
/// `[program]` table.
fn is_scenario(root: &toml::Spanned<toml::de::DeTable<'_>>) -> bool {
    let table = root.get_ref();
    matches!(
        table.get("program").map(toml::Spanned::get_ref),
        Some(toml::de::DeValue::String(_))
    ) && (table.contains_key("participants") || table.contains_key("steps"))
}

fn check(sources: SourceMap, file: usize) -> Loaded {
    check_with(sources, file, Vec::new(), false)
}

/// Checks a program; `stored`: it is a version already stored, which runs with the errors
/// newer checks find in what can never work (`Diagnostic::tolerated_when_stored`).
fn check_with(
    mut sources: SourceMap,
    file: usize,
    provided: Vec<(std::path::PathBuf, String)>,
    stored: bool,
) -> Loaded {
    let text = sources
        .file(file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let (root, syntax) = toml::de::DeTable::parse_recoverable(&text);
    let mut diagnostics: Vec<Diagnostic> = syntax
        .iter()
        .map(|e| syntax_error(e, &text, file))
        .collect();
    if diagnostics.iter().any(|d| d.code == Code::E001) {
        return Loaded {
            program: None,
            diagnostics,
            sources,
            scenario: false,
        };
    }
    if is_scenario(&root) {
        let name = sources
            .file(file)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        let diagnostic = Diagnostic {
            severity: Severity::Error,
            code: Code::E000,
            message: format!("{name} is a scenario file, not a program"),
            span: None,
            label: None,
            help: Some(
                "scenario files are run by simulate; a program starts with a [program] table"
                    .into(),
            ),
            tolerated_when_stored: false,
        };
        return Loaded {
            program: None,
            diagnostics: vec![diagnostic],
            sources,
            scenario: true,
        };
    }
    let mut analyzer = analyzer::Analyzer::new(&mut sources, file);
    analyzer.provided = provided;
    let program = analyzer.program(&root);
    let graph_incomplete = analyzer.graph_incomplete;
    let unused_criteria = analyzer.unused_criteria();
    diagnostics.append(&mut analyzer.diagnostics);
    // Graph checks need the whole graph: every stage name resolved (or they only repeat the
    // typo) and every stage and transition read (or a missing part looks like a trap).
    let graph_known = !graph_incomplete && !diagnostics.iter().any(|d| d.code.hides_graph_checks());
    let mut program = program.filter(|_| graph_known);
    if let Some(p) = &program {
        graph::check(p, &mut diagnostics);
    }
    // A script with an error is dropped, so its reads are unknown: W001 would be a false alarm.
    if let Some(p) = program
        .as_ref()
        .filter(|_| !diagnostics.iter().any(Diagnostic::is_error))
    {
        unread_facts(p, &mut diagnostics);
        loops::check(p, &mut diagnostics);
        diagnostics.extend(unused_criteria);
    }
    if diagnostics
        .iter()
        .any(|d| d.is_error() && !(stored && d.tolerated_when_stored))
    {
        program = None;
    }
    if let Some(p) = &mut program {
        p.sources = (0..)
            .map_while(|i| sources.file(i))
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        p.hash = content_hash(&p.sources);
    }
    diagnostics.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
    Loaded {
        program,
        diagnostics,
        sources,
        scenario: false,
    }
}

fn syntax_error(e: &toml::de::Error, text: &str, file: usize) -> Diagnostic {
    let range = e.span().unwrap_or(0..0);
    let span = Span::new(file, range.clone());
    let message = e.message().trim().to_string();
    if message.starts_with("duplicate key") {
        let key = text
            .get(range.clone())
            .unwrap_or("")
            .trim_matches(['"', '\'']);
        let line_start = text[..range.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        // A duplicate in a table header (`[stages.x]` twice) is a duplicate id; a key twice
        // inside one table is a repeated field.
        return if text[line_start..].trim_start().starts_with('[') {
            Diagnostic::error(Code::E006, format!("duplicate id `{key}`: it is already declared"), span)
                .with_help("ids of stages, facts, attributes, criteria and types must be unique; rename or remove one")
        } else {
            Diagnostic::error(
                Code::E006,
                format!("duplicate key `{key}`: it is already set in this table"),
                span,
            )
            .with_help("a key may appear once per table; keep one")
        };
    }
    Diagnostic::error(Code::E001, format!("invalid TOML: {message}"), span)
        .with_help("see https://toml.io for the syntax; strings need quotes, tables are [name]")
}

fn unread_facts(program: &Program, diagnostics: &mut Vec<Diagnostic>) {
    let mut read: BTreeSet<String> = BTreeSet::new();
    // A fact kept per person is read as a property of a person (`p.facts.attended`) or by
    // name (`facts_of(mentees, "attended")`).
    let per_person: BTreeSet<&str> = program
        .facts
        .iter()
        .filter(|f| f.per.is_some())
        .map(|f| f.name.as_str())
        .collect();
    let mut note = |s: &Script| {
        read.extend(s.facts_read.iter().cloned());
        read.extend(
            s.properties_read
                .iter()
                .filter(|p| per_person.contains(p.as_str()))
                .cloned(),
        );
        read.extend(
            per_person
                .iter()
                .filter(|f| s.source.contains(&format!("\"{f}\"")))
                .map(|f| f.to_string()),
        );
    };
    program.criteria.iter().for_each(|c| note(&c.script));
    for t in &program.transitions {
        if let Some(Guard::Script(s)) = &t.guard {
            note(s);
        }
    }
    for stage in &program.stages {
        if let Some(when) = stage.successor.as_ref().and_then(|s| s.when.as_ref()) {
            note(when);
        }
        let a = &stage.actions;
        [&a.on_enter, &a.on_exit, &a.on_timeout]
            .into_iter()
            .flatten()
            .for_each(&mut note);
    }

    for ty in &program.types {
        ty.rule.iter().for_each(&mut note);
        ty.stages
            .iter()
            .filter_map(|o| o.guard.as_ref())
            .for_each(&mut note);
    }
    // A notification's templates read facts too (`{{ facts.end_date }}`).
    for n in &program.notifications {
        for f in &program.facts {
            let name = format!("facts.{}", f.name);
            if n.subject.contains(&name) || n.body.contains(&name) {
                read.insert(f.name.clone());
            }
        }
    }
    // A fact a schedule's `done` records is the occurrence's answer (a survey score): it is
    // collected for `report` and `export`, read by a script or not.
    let answers: BTreeSet<&str> = program
        .schedules
        .iter()
        .flat_map(|s| s.facts.iter().map(String::as_str))
        .collect();
    for fact in &program.facts {
        if read.contains(&fact.name) && fact.kind == ValueKind::Bool && fact.default.is_none() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::W004,
                    format!(
                        "bool fact `{}` has no default: until it is recorded, a guard reading it counts as not holding",
                        fact.name
                    ),
                    fact.span,
                )
                .with_help("give it a default, so a guard reads false rather than nothing: default = false"),
            );
        }
        if !read.contains(&fact.name) && !answers.contains(fact.name.as_str()) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::W001,
                    format!("fact `{}` is declared but no script reads it", fact.name),
                    fact.span,
                )
                .with_help(format!(
                    "use it in a guard or criterion (facts.{}), or remove the declaration",
                    fact.name
                )),
            );
        }
    }
}

/// SHA-256 over every file of a program, in hex; the version a pairing is pinned to.
pub fn content_hash(sources: &[(std::path::PathBuf, String)]) -> String {
    let mut hasher = Sha256::new();
    for (i, (path, text)) in sources.iter().enumerate() {
        if i > 0 {
            // Script files are named relative to the program, so moving a folder keeps the hash.
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            hasher.update(name.as_bytes());
        }
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Lower-case hex of `bytes` (hashes are printed and stored this way).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for pair in bytes.iter().map(|b| hex_pair(*b)) {
        out.extend(pair.map(char::from));
    }
    out
}

/// The two lower-case hex digits of `b`, as [`hex`] writes them.
pub fn hex_pair(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]]
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// A program whose guard can never hold in three ways newer checks find.
    const DEAD_PARTS: &str = r#"
[program]
id = "p"
title = "p"
initial = "a"

[facts.track]
type = "text"
allowed = ["backend", "frontend"]

[attributes.team]
type = "text"

[stages.a]
on_enter = 'notify("hello", ["mentr"])'
[stages.b]
outcome = "success"

[[transitions]]
from = "a"
to = "b"
guard = 'facts.track == "backnd" || stage == "lerning"'

[notifications.hello]
subject = "Hello"
body = "Hello"
to = ["mentor"]

[types.one]
roles = { mentor = 1, mentee = 1 }
rule = "mentors[0].team == 3"
"#;

    #[test]
    fn what_newer_checks_find_refuses_a_file_but_not_a_stored_version() {
        let from_file = super::load_str(Path::new("p.toml"), DEAD_PARTS);
        assert!(from_file.program.is_none(), "check refuses it");
        assert!(from_file.diagnostics.len() >= 4, "{}", from_file.render());
        assert!(from_file
            .diagnostics
            .iter()
            .all(|d| d.tolerated_when_stored));
        let stored = super::load_sources(&[(PathBuf::from("p.toml"), DEAD_PARTS.to_string())]);
        let program = stored.program.expect("a stored version keeps running");
        assert!(
            program.transitions[0].guard.is_some(),
            "its guard is kept, as it ran"
        );
    }

    #[test]
    fn a_stored_version_with_an_older_kind_of_error_is_still_refused() {
        let broken = DEAD_PARTS.replace("to = \"b\"", "to = \"nowhere\"");
        let stored = super::load_sources(&[(PathBuf::from("p.toml"), broken)]);
        assert!(stored.program.is_none());
    }
}
