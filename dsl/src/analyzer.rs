//! From a spanned TOML tree to a [`Program`]: every section read, every name resolved, every
//! script compiled; problems are collected, never thrown, so one run reports them all.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::duration::Due;
use crate::model::{
    Criterion, From, Guard, MentoringType, Program, Role, Script, Stage, StageOverride, Timeout,
    Transition, Trigger,
};
use crate::reader::{self, Reader, Table};
use crate::sandbox::SCRIPT_VARIABLES;
use crate::scripts::{self, Placement};
use crate::source::SourceMap;
use crate::suggest::help_did_you_mean;
use crate::value::{Bound, Declaration, Value, ValueKind};

const TOP_KEYS: [&str; 7] = [
    "program",
    "stages",
    "transitions",
    "facts",
    "attributes",
    "criteria",
    "types",
];

/// id, title, description and the initial stage with its span.
type Header = (String, String, String, (String, Range<usize>));

/// Reads one program file already parsed as TOML. `sources` holds the file; .rhai files the
/// program names are added to it.
pub(crate) struct Analyzer<'a> {
    pub sources: &'a mut SourceMap,
    pub file: usize,
    pub diagnostics: Vec<Diagnostic>,
    engine: rhai::Engine,
    fact_names: scripts::Facts,
    criterion_names: Vec<String>,
    criteria: Vec<Criterion>,
    /// Script files given in memory (a stored program version) instead of read from disk.
    pub provided: Vec<(std::path::PathBuf, String)>,
}

impl<'a> Analyzer<'a> {
    pub fn new(sources: &'a mut SourceMap, file: usize) -> Analyzer<'a> {
        Analyzer {
            sources,
            file,
            diagnostics: Vec::new(),
            engine: crate::sandbox::engine(crate::sandbox::Limits::default()),
            fact_names: scripts::Facts::new(),
            criterion_names: Vec::new(),
            criteria: Vec::new(),
            provided: Vec::new(),
        }
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
        self.reader().unknown_keys(&top, &TOP_KEYS);
        let header = self.header(&top);
        let facts = self.declarations(&top, "facts", "fact");
        self.fact_names = facts
            .iter()
            .map(|f| (f.name.clone(), f.default.clone()))
            .collect();
        // A fact whose declaration has an error is still declared: scripts reading it must not
        // get a second, misleading "undeclared fact" error.
        if let Some(DeValue::Table(declared)) = top.table.get("facts").map(Spanned::get_ref) {
            for name in declared.keys() {
                self.fact_names
                    .entry(name.get_ref().to_string())
                    .or_insert(None);
            }
        }
        let attributes = self.declarations(&top, "attributes", "attribute");
        let stages = self.stages(&top);
        let criteria = self.criteria(&top);
        self.criteria = criteria.clone();
        let transitions = self.transitions(&top, &stages);
        let types = self.types(&top, &stages, &attributes);
        let (id, title, description, initial) = header?;
        self.initial_stage(&initial, &stages);
        Some(Program {
            id,
            title,
            description,
            initial: initial.0,
            stages,
            transitions,
            facts,
            attributes,
            criteria,
            types,
            hash: String::new(),
            sources: Vec::new(),
        })
    }

    fn header(&mut self, top: &Table<'_, '_>) -> Option<Header> {
        let mut r = self.reader();
        let Some(program) = r.table(top, "program", "[program]".into()) else {
            r.error(
                "E003",
                "the program file has no [program] section".into(),
                0..0,
            )
            .help =
                Some("start the file with [program] and its id, title and initial stage".into());
            return None;
        };
        r.unknown_keys(&program, &["id", "title", "description", "initial"]);
        let id = r.string(&program, "id", true);
        let title = r.string(&program, "title", true);
        let description = r
            .string(&program, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let initial = r.string(&program, "initial", false);
        if initial.is_none() && program.table.get("initial").is_none() {
            let key = top
                .table
                .keys()
                .find(|k| k.get_ref() == "program")
                .map_or(0..0, Spanned::span);
            r.error("E011", "the program has no initial stage".into(), key)
                .help = Some(
                "add `initial = \"<stage id>\"` to [program]: the stage every pairing starts in"
                    .into(),
            );
        }
        if let Some((id, span)) = &id {
            check_id(&mut r, id, span.clone(), "program id");
        }
        Some((id?.0, title?.0, description, initial?))
    }

    fn initial_stage(&mut self, initial: &(String, Range<usize>), stages: &[Stage]) {
        if !stages.iter().any(|s| s.id == initial.0) {
            let help = help_did_you_mean(&initial.0, stages.iter().map(|s| s.id.as_str()));
            self.reader()
                .error(
                    "E010",
                    format!("initial stage `{}` is not a declared stage", initial.0),
                    initial.1.clone(),
                )
                .help = help.or(Some("declare it as [stages.NAME]".into()));
        }
    }

    fn stages(&mut self, top: &Table<'_, '_>) -> Vec<Stage> {
        let mut r = self.reader();
        let Some(table) = r.table(top, "stages", "[stages]".into()) else {
            r.error("E003", "the program declares no stages".into(), 0..0)
                .help = Some("add stages as [stages.preparation] title = \"Preparation\"".into());
            return Vec::new();
        };
        let mut stages = Vec::new();
        for (key, value) in table.table {
            let id = key.get_ref().to_string();
            check_id(&mut r, &id, key.span(), "stage id");
            let Some(stage) = r.as_table(value, &id, "[stages]", format!("stage `{id}`")) else {
                continue;
            };
            r.unknown_keys(&stage, &["title", "description", "due", "outcome"]);
            let title = r
                .string(&stage, "title", false)
                .map_or_else(|| id.clone(), |t| t.0);
            let description = r
                .string(&stage, "description", false)
                .map(|d| d.0)
                .unwrap_or_default();
            let due = r.string(&stage, "due", false).and_then(|d| due(&mut r, d));
            let outcome = r.string(&stage, "outcome", false);
            if let Some((text, span)) = &outcome {
                if text.trim().is_empty() {
                    r.error("E004", format!("outcome of stage `{id}` is empty"), span.clone())
                        .help = Some(
                        "name the outcome, e.g. outcome = \"success\", or remove the key for a stage that is not terminal".into(),
                    );
                } else if let Some(due_value) = stage.table.get("due") {
                    r.diagnostics.push(
                        crate::Diagnostic::warning(
                            "W003",
                            format!("terminal stage `{id}` has a due duration, which is never used"),
                            r.span(due_value.span()),
                        )
                        .with_help("pairings never leave a terminal stage, so it cannot be overdue; remove `due`"),
                    );
                }
            }
            let outcome = outcome.map(|o| o.0).filter(|o| !o.trim().is_empty());
            stages.push(Stage {
                id,
                title,
                description,
                due,
                outcome,
                span: r.span(key.span()),
            });
        }
        stages
    }

    fn declarations(&mut self, top: &Table<'_, '_>, section: &str, what: &str) -> Vec<Declaration> {
        let mut r = self.reader();
        let Some(table) = r.table(top, section, format!("[{section}]")) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            if !is_identifier(&name) {
                r.error(
                    "E007",
                    format!("{what} name `{name}` is not a script identifier"),
                    key.span(),
                )
                .help = Some(format!(
                    "use letters, digits and `_` so scripts can read it, e.g. `{}`",
                    name.replace(['-', ' '], "_")
                ));
            }
            let Some(decl) = r.as_table(
                value,
                &name,
                &format!("[{section}]"),
                format!("{what} `{name}`"),
            ) else {
                continue;
            };
            if let Some(d) = declaration(&mut r, &decl, name, key.span()) {
                out.push(d);
            }
        }
        out
    }

    fn criteria(&mut self, top: &Table<'_, '_>) -> Vec<Criterion> {
        let Some(table) = self.reader().table(top, "criteria", "[criteria]".into()) else {
            return Vec::new();
        };
        self.criterion_names = table
            .table
            .keys()
            .map(|k| k.get_ref().to_string())
            .collect();
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            if SCRIPT_VARIABLES.contains(&name.as_str()) {
                self.reader()
                    .error(
                        "E006",
                        format!("criterion `{name}` has the name of a script variable"),
                        key.span(),
                    )
                    .help = Some(format!("rename it, e.g. `{name}_ok`"));
            }
            let what = format!("criterion `{name}`");
            let (script, description) = match value.get_ref() {
                DeValue::String(s) => (self.inline_script(s, value.span(), &what), String::new()),
                DeValue::Table(t) => {
                    let spec = Table {
                        table: t,
                        span: value.span(),
                        what: what.clone(),
                    };
                    self.criterion_table(&spec, &what)
                }
                other => {
                    self.reader().error(
                        "E004",
                        format!("{what} must be a script string or a table with `script` or `file`, found {}", reader::type_name(other)),
                        value.span(),
                    );
                    (None, String::new())
                }
            };
            if let Some(script) = script {
                out.push(Criterion {
                    name,
                    description,
                    script,
                });
            }
        }
        out
    }

    fn criterion_table(&mut self, spec: &Table<'_, '_>, what: &str) -> (Option<Script>, String) {
        let mut r = self.reader();
        r.unknown_keys(spec, &["script", "file", "description"]);
        let description = r
            .string(spec, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let inline = r.string(spec, "script", false);
        let file = r.string(spec, "file", false);
        let script = match (inline, file) {
            (Some((src, span)), None) => self.inline_script(&src, span, what),
            (None, Some((path, span))) => self.file_script(&path, span, what),
            (Some(_), Some((_, span))) => {
                self.reader()
                    .error("E004", format!("{what} has both `script` and `file`"), span)
                    .help = Some(
                    "keep one: the script inline, or the name of a .rhai file beside the program"
                        .into(),
                );
                None
            }
            (None, None) => {
                self.reader()
                    .error(
                        "E003",
                        format!("{what} needs `script` or `file`"),
                        spec.span.clone(),
                    )
                    .help = Some(
                    "write script = '''facts.goals_met >= 3''' or file = \"success.rhai\"".into(),
                );
                None
            }
        };
        (script, description)
    }

    /// A type rule or extra guard: the bare name of a criterion means that criterion's
    /// script; anything else is compiled as an expression.
    fn script_or_criterion(
        &mut self,
        source: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<Script> {
        let name = source.trim();
        match self.criteria.iter().find(|c| c.name == name) {
            Some(c) if !SCRIPT_VARIABLES.contains(&name) => Some(c.script.clone()),
            _ => self.inline_script(source, span, what),
        }
    }

    /// Compiles a script written in a TOML string at `span`.
    fn inline_script(&mut self, source: &str, span: Range<usize>, what: &str) -> Option<Script> {
        let file = self.sources.file(self.file)?;
        let content_start =
            verbatim_start(&file.text[span.clone()], source).map(|o| span.start + o);
        let placement = Placement {
            file,
            file_index: self.file,
            content_start,
            whole: span,
        };
        scripts::compile(
            &self.engine,
            source,
            what,
            &placement,
            &self.fact_names,
            &self.criterion_names,
            &mut self.diagnostics,
        )
    }

    /// Reads and compiles a .rhai file beside the program.
    fn file_script(&mut self, name: &str, span: Range<usize>, what: &str) -> Option<Script> {
        let program_path = self.sources.file(self.file)?.path.clone();
        let dir = program_path.parent().unwrap_or(Path::new("."));
        let path = dir.join(name);
        let inside = Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        // A stored program version brings its script files along: use those, never the disk,
        // so a pairing keeps running on the version it was enrolled with.
        let text = if !inside {
            None
        } else if !self.provided.is_empty() {
            self.provided
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.clone())
        } else {
            std::fs::read_to_string(&path).ok()
        };
        let Some(text) = text else {
            let help = if inside {
                format!(
                    "create {} or fix the name; the path is relative to the program's folder",
                    path.display()
                )
            } else {
                "script files must be inside the program's folder: name them without `..` or a leading `/`".into()
            };
            self.reader()
                .error(
                    "E034",
                    if inside {
                        format!("{what}: cannot read script file `{name}`")
                    } else {
                        format!("{what}: script file `{name}` is outside the program's folder")
                    },
                    span,
                )
                .help = Some(help);
            return None;
        };
        let index = self.sources.add(&path, text.clone());
        let file = self.sources.file(index)?;
        let placement = Placement {
            file,
            file_index: index,
            content_start: Some(0),
            whole: 0..text.len(),
        };
        scripts::compile(
            &self.engine,
            &text,
            what,
            &placement,
            &self.fact_names,
            &self.criterion_names,
            &mut self.diagnostics,
        )
    }

    fn transitions(&mut self, top: &Table<'_, '_>, stages: &[Stage]) -> Vec<Transition> {
        let Some(value) = self.reader().get(top, "transitions", false) else {
            self.reader()
                .error("E003", "the program declares no transitions".into(), 0..0)
                .help = Some("add [[transitions]] with from, to and an optional guard".into());
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.reader().error(
                "E004",
                "`transitions` must be an array of tables: [[transitions]]".into(),
                value.span(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let what = format!("transition #{}", index + 1);
            let Some(table) = self
                .reader()
                .as_table(item, "transitions", "the program", what)
            else {
                continue;
            };
            if let Some(t) = self.transition(&table, index, stages) {
                out.push(t);
            }
        }
        out
    }

    fn transition(
        &mut self,
        table: &Table<'_, '_>,
        index: usize,
        stages: &[Stage],
    ) -> Option<Transition> {
        let mut r = self.reader();
        r.unknown_keys(table, &["from", "to", "guard", "label", "after", "idle"]);
        let from = r.string(table, "from", true);
        let to = r.string(table, "to", true);
        let label = r
            .string(table, "label", false)
            .map(|l| l.0)
            .unwrap_or_default();
        let after = r.string(table, "after", false).and_then(|d| due(&mut r, d));
        let idle = r.string(table, "idle", false).and_then(|d| due(&mut r, d));
        let timeout = match (after, idle) {
            (Some(a), None) => Some(Timeout::After(a)),
            (None, Some(i)) => Some(Timeout::Idle(i)),
            (Some(_), Some(_)) => {
                r.error(
                    "E004",
                    format!("{} has both `after` and `idle`", table.what),
                    table.span.clone(),
                )
                .help = Some(
                    "`after` counts from entering the stage, `idle` from the last event; keep one"
                        .into(),
                );
                None
            }
            (None, None) => None,
        };
        let guard_src = r.string(table, "guard", false);
        let (from, from_span) = from?;
        let from = if from == "*" {
            From::Any
        } else {
            From::Stage(from)
        };
        let to = to?;
        for (id, span) in [
            (
                match &from {
                    From::Stage(s) => Some(s.clone()),
                    From::Any => None,
                },
                from_span.clone(),
            ),
            (Some(to.0.clone()), to.1.clone()),
        ] {
            // With no stages at all, E003 already said so; naming each stage again is noise.
            if let Some(id) = id.filter(|_| !stages.is_empty()) {
                if !stages.iter().any(|s| s.id == id) {
                    let help = help_did_you_mean(&id, stages.iter().map(|s| s.id.as_str()));
                    self.reader()
                        .error(
                            "E010",
                            format!("{} names unknown stage `{id}`", table.what),
                            span,
                        )
                        .help = help.or(Some(format!("declared stages: {}", stage_list(stages))));
                }
            }
        }
        if let From::Stage(id) = &from {
            if let Some(stage) = stages.iter().find(|s| &s.id == id && s.is_terminal()) {
                self.reader().error("E012", format!("terminal stage `{id}` has an outgoing transition"), from_span).help = Some(format!(
                    "a pairing never leaves `{id}` (outcome = \"{}\"): remove this transition or the stage's outcome",
                    stage.outcome.as_deref().unwrap_or("")
                ));
            }
        }
        let trigger = match (timeout, &from) {
            (Some(timeout), _) => Trigger::Timer(timeout),
            (None, From::Any) => Trigger::Withdraw,
            (None, From::Stage(_)) => Trigger::Advance,
        };
        let mut t = Transition {
            index,
            from,
            to: to.0,
            guard: None,
            label,
            trigger,
            span: self.reader().span(table.span.clone()),
        };
        let what = format!("guard of transition {}", t.describe());
        // A guard that fails to compile is reported and dropped; the edge stays for the graph checks.
        t.guard = guard_src.and_then(|(src, span)| self.guard(&src, span, &what));
        Some(t)
    }

    fn guard(&mut self, source: &str, span: Range<usize>, what: &str) -> Option<Guard> {
        let name = source.trim();
        let is_reference = is_identifier(name)
            && !SCRIPT_VARIABLES.contains(&name)
            && !["true", "false"].contains(&name);
        if !is_reference {
            return self
                .inline_script(source, span, what)
                .map(|s| Guard::Script(Box::new(s)));
        }
        if self.criterion_names.iter().any(|c| c == name) {
            return Some(Guard::Criterion(name.to_string()));
        }
        let help = help_did_you_mean(name, self.criterion_names.iter().map(String::as_str))
            .or_else(|| {
                Some(format!(
                    "declare it under [criteria] ({})",
                    if self.criterion_names.is_empty() {
                        "there are none yet".into()
                    } else {
                        self.criterion_names.join(", ")
                    }
                ))
            });
        self.reader()
            .error(
                "E022",
                format!("{what} names unknown criterion `{name}`"),
                span,
            )
            .help = help;
        None
    }

    fn types(
        &mut self,
        top: &Table<'_, '_>,
        stages: &[Stage],
        attributes: &[Declaration],
    ) -> Vec<MentoringType> {
        let Some(table) = self.reader().table(top, "types", "[types]".into()) else {
            self.reader()
                .error(
                    "E003",
                    "the program declares no mentoring types".into(),
                    0..0,
                )
                .help = Some(
                "add at least one, e.g. [types.one-on-one] roles = { mentor = 1, mentee = 1 }"
                    .into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let id = key.get_ref().to_string();
            check_id(&mut self.reader(), &id, key.span(), "type id");
            let Some(t) = self
                .reader()
                .as_table(value, &id, "[types]", format!("type `{id}`"))
            else {
                continue;
            };
            if let Some(ty) = self.mentoring_type(&t, id, key.span(), stages, attributes) {
                out.push(ty);
            }
        }
        out
    }

    fn mentoring_type(
        &mut self,
        t: &Table<'_, '_>,
        id: String,
        key: Range<usize>,
        stages: &[Stage],
        attributes: &[Declaration],
    ) -> Option<MentoringType> {
        let mut r = self.reader();
        r.unknown_keys(
            t,
            &[
                "title",
                "description",
                "roles",
                "requires",
                "rule",
                "stages",
            ],
        );
        let title = r
            .string(t, "title", false)
            .map_or_else(|| id.clone(), |x| x.0);
        let description = r
            .string(t, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let roles = match r.table(t, "roles", format!("roles of type `{id}`")) {
            Some(roles) => {
                let out = self.roles(&roles);
                if roles.table.is_empty() {
                    self.reader()
                        .error(
                            "E003",
                            format!("type `{id}` declares no roles"),
                            roles.span.clone(),
                        )
                        .help = Some(
                        "name each role with its count, e.g. roles = { mentor = 1, mentee = 1 }"
                            .into(),
                    );
                }
                out
            }
            None => {
                self.reader().get(t, "roles", true);
                Vec::new()
            }
        };
        let mut r = self.reader();
        let requires = r.strings(t, "requires").unwrap_or_default();
        for (name, span) in &requires {
            if !attributes.iter().any(|a| &a.name == name) {
                let help = help_did_you_mean(name, attributes.iter().map(|a| a.name.as_str()))
                    .unwrap_or_else(|| format!("declare it as [attributes.{name}] with type = \"int\", \"float\", \"bool\", \"text\", \"date\" or \"list\""));
                r.error(
                    "E032",
                    format!("type `{id}` requires undeclared attribute `{name}`"),
                    span.clone(),
                )
                .help = Some(help);
            }
        }
        let rule = r.string(t, "rule", false);
        let rule = rule.and_then(|(src, span)| {
            self.script_or_criterion(&src, span, &format!("rule of type `{id}`"))
        });
        let overrides = self.overrides(t, &id, stages);
        Some(MentoringType {
            span: self.reader().span(key),
            id,
            title,
            description,
            roles,
            requires: requires.into_iter().map(|r| r.0).collect(),
            rule,
            stages: overrides,
        })
    }

    fn roles(&mut self, roles: &Table<'_, '_>) -> Vec<Role> {
        let mut r = self.reader();
        let mut out = Vec::new();
        for (key, value) in roles.table {
            let name = key.get_ref().to_string();
            let (min, max) = if let Some(n) = reader::integer(value.get_ref()) {
                let Ok(n) = u32::try_from(n) else {
                    r.error(
                        "E004",
                        format!(
                            "role `{name}` has count {n}; a count is a whole number of at least 0"
                        ),
                        value.span(),
                    )
                    .help = Some(format!(
                        "write {name} = 1, or {name} = {{ min = 1, max = 3 }}"
                    ));
                    continue;
                };
                (Some((n, value.span())), Some((n, value.span())))
            } else if let Some(range) =
                r.as_table(value, &name, &roles.what, format!("role `{name}`"))
            {
                r.unknown_keys(&range, &["min", "max"]);
                (r.count(&range, "min", true), r.count(&range, "max", true))
            } else {
                continue;
            };
            let (Some((min, _)), Some((max, max_span))) = (min, max) else {
                continue;
            };
            if min > max {
                r.error(
                    "E030",
                    format!(
                        "role `{name}` of {} has min {min} greater than max {max}",
                        roles.what.trim_start_matches("roles of ")
                    ),
                    max_span,
                )
                .help = Some(format!("swap them, or set max to at least {min}"));
            }
            out.push(Role { name, min, max });
        }
        out
    }

    fn overrides(&mut self, t: &Table<'_, '_>, id: &str, stages: &[Stage]) -> Vec<StageOverride> {
        let Some(table) =
            self.reader()
                .table(t, "stages", format!("stage overrides of type `{id}`"))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let stage = key.get_ref().to_string();
            if !stages.iter().any(|s| s.id == stage) {
                let help = help_did_you_mean(&stage, stages.iter().map(|s| s.id.as_str()))
                    .unwrap_or_else(|| format!("declared stages: {}", stage_list(stages)));
                self.reader()
                    .error(
                        "E031",
                        format!("type `{id}` overrides unknown stage `{stage}`"),
                        key.span(),
                    )
                    .help = Some(help);
            }
            let what = format!("override of stage `{stage}` in type `{id}`");
            let Some(o) = self
                .reader()
                .as_table(value, &stage, &table.what, what.clone())
            else {
                continue;
            };
            let mut r = self.reader();
            r.unknown_keys(&o, &["due", "guard"]);
            let due = r.string(&o, "due", false).and_then(|d| due(&mut r, d));
            let guard = r.string(&o, "guard", false);
            let guard = guard.and_then(|(src, span)| {
                self.script_or_criterion(&src, span, &format!("extra guard of {what}"))
            });
            out.push(StageOverride { stage, due, guard });
        }
        out
    }
}

fn declaration(
    r: &mut Reader<'_>,
    t: &Table<'_, '_>,
    name: String,
    key: Range<usize>,
) -> Option<Declaration> {
    r.unknown_keys(
        t,
        &["type", "description", "min", "max", "allowed", "default"],
    );
    let (kind_name, kind_span) = r.string(t, "type", true)?;
    let Some(kind) = ValueKind::from_name(&kind_name) else {
        let names = ValueKind::ALL.map(|(n, _)| n);
        let alias = match kind_name.to_ascii_lowercase().as_str() {
            "integer" | "i64" | "number" => Some("int"),
            "double" | "f64" | "decimal" | "real" => Some("float"),
            "boolean" => Some("bool"),
            "string" | "str" => Some("text"),
            "array" | "vec" => Some("list"),
            "datetime" => Some("date"),
            _ => None,
        };
        let help = alias
            .map(|a| format!("did you mean `{a}`?"))
            .or_else(|| help_did_you_mean(&kind_name, names))
            .unwrap_or_else(|| format!("the types are: {}", names.join(", ")));
        r.error("E004", format!("`{kind_name}` is not a type"), kind_span)
            .help = Some(help);
        return None;
    };
    let description = r
        .string(t, "description", false)
        .map(|d| d.0)
        .unwrap_or_default();
    let min = bound(r, t, "min", kind);
    let max = bound(r, t, "max", kind);
    if let (Some(lo), Some(hi)) = (min, max) {
        if matches!((lo, hi), (Bound::Number(a), Bound::Number(b)) if a > b)
            || matches!((lo, hi), (Bound::Date(a), Bound::Date(b)) if a > b)
        {
            let span = t.table.get("max").map_or(key.clone(), Spanned::span);
            r.error(
                "E033",
                format!("{} has min {lo} greater than max {hi}", t.what),
                span,
            )
            .help = Some("swap min and max".into());
        }
    }
    let allowed = r
        .strings(t, "allowed")
        .map(|v| v.into_iter().map(|x| x.0).collect::<Vec<_>>());
    if allowed.as_ref().is_some_and(Vec::is_empty) {
        let span = t.table.get("allowed").map_or(key.clone(), Spanned::span);
        r.error(
            "E033",
            format!(
                "`allowed` of {} is empty, so no value could ever be recorded",
                t.what
            ),
            span,
        )
        .help = Some("list the allowed values, or remove `allowed` to allow any".into());
    }
    if allowed.is_some() && !matches!(kind, ValueKind::Text | ValueKind::List) {
        let span = t.table.get("allowed").map_or(key.clone(), Spanned::span);
        r.error(
            "E033",
            format!(
                "`allowed` applies to text and list, but {} is {}",
                t.what,
                kind.name()
            ),
            span,
        )
        .help = Some("use min and max for numbers and dates".into());
    }
    let mut decl = Declaration {
        name,
        kind,
        description,
        min,
        max,
        allowed,
        default: None,
        span: r.span(key),
    };
    if let Some(value) = r.get(t, "default", false) {
        match toml_value(value.get_ref(), kind).map(|v| decl.check(&v).map(|_| v)) {
            Some(Ok(v)) => decl.default = Some(v),
            Some(Err(message)) => {
                r.error(
                    "E033",
                    format!("default of {}: {message}", t.what),
                    value.span(),
                );
            }
            None => {
                r.error(
                    "E004",
                    format!(
                        "default of {} must be a {}, found {}",
                        t.what,
                        kind.name(),
                        reader::type_name(value.get_ref())
                    ),
                    value.span(),
                );
            }
        }
    }
    Some(decl)
}

fn bound(r: &mut Reader<'_>, t: &Table<'_, '_>, key: &str, kind: ValueKind) -> Option<Bound> {
    let value = r.get(t, key, false)?;
    let parsed = match kind {
        ValueKind::Int => match reader::number(value.get_ref()) {
            Some(x) if x.fract() != 0.0 => {
                r.error(
                    "E033",
                    format!("`{key}` of {} is {x}, but the fact is an int", t.what),
                    value.span(),
                )
                .help = Some(format!("use a whole number, e.g. {}", x.ceil()));
                return None;
            }
            other => other.map(Bound::Number),
        },
        ValueKind::Float => reader::number(value.get_ref()).map(Bound::Number),
        ValueKind::Date => match value.get_ref() {
            DeValue::Datetime(d) => chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d")
                .ok()
                .map(Bound::Date),
            DeValue::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(Bound::Date),
            _ => None,
        },
        _ => {
            r.error(
                "E033",
                format!(
                    "`{key}` applies to int, float and date, but {} is {}",
                    t.what,
                    kind.name()
                ),
                value.span(),
            )
            .help = Some("use `allowed` to limit text values".into());
            return None;
        }
    };
    if parsed.is_none() {
        let expected = if kind == ValueKind::Date {
            "a date (YYYY-MM-DD)"
        } else {
            "a number"
        };
        r.error(
            "E004",
            format!(
                "`{key}` of {} must be {expected}, found {}",
                t.what,
                reader::type_name(value.get_ref())
            ),
            value.span(),
        );
    }
    parsed
}

fn toml_value(value: &DeValue<'_>, kind: ValueKind) -> Option<Value> {
    Some(match (kind, value) {
        (ValueKind::Bool, DeValue::Boolean(b)) => Value::Bool(*b),
        (ValueKind::Int, v) => Value::Int(reader::integer(v)?),
        (ValueKind::Float, v) => Value::Float(reader::number(v)?),
        (ValueKind::Text, DeValue::String(s)) => Value::Text(s.to_string()),
        (ValueKind::Date, DeValue::String(d)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?)
        }
        (ValueKind::Date, DeValue::Datetime(d)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d").ok()?)
        }
        (ValueKind::List, DeValue::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| match i.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

fn due(r: &mut Reader<'_>, (text, span): (String, Range<usize>)) -> Option<Due> {
    match Due::parse(&text) {
        Ok(d) => Some(d),
        Err(message) => {
            r.error("E005", format!("bad duration: {message}"), span)
                .help = Some(
                "write a whole number and a unit: 48h, 14d, 6w or 3mo (calendar months)".into(),
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
            "E007",
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
