//! The `[criteria]` section, and compiling scripts written inline or in `.rhai` files.

use super::*;

impl Analyzer<'_> {
    pub(super) fn criteria(&mut self, top: &Table<'_, '_>) -> Vec<Criterion> {
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
            self.criterion_spans.push((name.clone(), key.span()));
            if crate::sandbox::reserved(&name) {
                self.reader()
                    .error(
                        Code::E006,
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
                        Code::E004,
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
        self.criteria_loops(&out);
        out
    }

    pub(super) fn criterion_table(
        &mut self,
        spec: &Table<'_, '_>,
        what: &str,
    ) -> (Option<Script>, String) {
        self.reader().unknown_keys(spec, &super::keys::CRITERION);
        self.script_table(spec, what)
    }

    /// A table's script (`script`, or a .rhai `file`) and `description`: a criterion's or an
    /// invariant's.
    pub(super) fn script_table(
        &mut self,
        spec: &Table<'_, '_>,
        what: &str,
    ) -> (Option<Script>, String) {
        let mut r = self.reader();
        let description = r
            .string(spec, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let inline = r.string(spec, "script", false);
        let file = r.string(spec, "file", false);
        let script =
            match (inline, file) {
                (Some((src, span)), None) => self.inline_script(&src, span, what),
                (None, Some((path, span))) => self.file_script(&path, span, what),
                (Some(_), Some((_, span))) => {
                    self.reader()
                    .error(Code::E004, format!("{what} has both `script` and `file`"), span)
                    .help = Some(
                    "keep one: the script inline, or the name of a .rhai file beside the program"
                        .into(),
                );
                    None
                }
                (None, None) => {
                    self.reader()
                        .error(
                            Code::E003,
                            format!("{what} needs `script` or `file`"),
                            spec.span.clone(),
                        )
                        .help = Some(
                        "write script = '''facts.goals_met >= 3''' or file = \"success.rhai\""
                            .into(),
                    );
                    None
                }
            };
        (script, description)
    }

    /// A type rule or extra guard: the bare name of a criterion means that criterion's
    /// script; anything else is compiled as an expression.
    pub(super) fn script_or_criterion(
        &mut self,
        source: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<Script> {
        let name = source.trim();
        match self.criteria.iter().find(|c| c.name == name) {
            Some(c) if !crate::sandbox::reserved(name) => {
                self.criteria_used.insert(name.to_string());
                Some(c.script.clone())
            }
            _ => self.inline_script(source, span, what),
        }
    }

    /// Compiles a script written in a TOML string at `span`: a guard, rule or criterion,
    /// which gives true or false.
    pub(super) fn inline_script(
        &mut self,
        source: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<Script> {
        self.compile_inline(source, span, what, true)
    }

    /// Compiles a script written in a TOML string at `span`; `boolean`: it must give true or
    /// false (a stage's action gives effects instead).
    pub(super) fn compile_inline(
        &mut self,
        source: &str,
        span: Range<usize>,
        what: &str,
        boolean: bool,
    ) -> Option<Script> {
        let file = self.sources.file(self.file)?;
        let content_start =
            verbatim_start(&file.text[span.clone()], source).map(|o| span.start + o);
        let placement = Placement {
            file,
            file_index: self.file,
            content_start,
            whole: span,
        };
        let script = scripts::compile(
            &self.engine,
            source,
            what,
            &placement,
            &scripts::Known {
                facts: &self.fact_names,
                criteria: &self.criterion_names,
                history: &self.history_names,
                attributes: &self.attribute_names,
                attribute_kinds: &self.attribute_kinds,
                functions: &self.functions,
                boolean,
            },
            &mut self.diagnostics,
        );
        self.mark_used(script.as_ref());
        script
    }

    /// Criteria read inside a script count as used.
    fn mark_used(&mut self, script: Option<&Script>) {
        for name in script.iter().flat_map(|s| &s.criteria_read) {
            self.criteria_used.insert(name.clone());
        }
    }

    /// E028 for every criterion that reads itself, directly or through others: it could
    /// never be evaluated.
    fn criteria_loops(&mut self, criteria: &[Criterion]) {
        let reads = |name: &str| -> Vec<String> {
            criteria
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.script.criteria_read.clone())
                .unwrap_or_default()
        };
        for c in criteria {
            // Depth-first from `c`, keeping the path, until it comes back to `c`.
            let mut stack = vec![vec![c.name.clone()]];
            let mut seen = std::collections::BTreeSet::new();
            while let Some(path) = stack.pop() {
                let last = path[path.len() - 1].clone();
                for next in reads(&last) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    if next == c.name {
                        let span = self
                            .criterion_spans
                            .iter()
                            .find(|(n, _)| *n == c.name)
                            .map(|(_, s)| s.clone())
                            .unwrap_or(0..0);
                        self.reader()
                            .error(
                                Code::E028,
                                format!(
                                    "criterion `{}` reads itself: {}",
                                    c.name,
                                    longer.join(" -> ")
                                ),
                                span,
                            )
                            .help = Some(
                            "a criterion can read other criteria, but not in a loop: write the shared part once and read it from both".into(),
                        );
                        stack.clear();
                        break;
                    }
                    if seen.insert(next) {
                        stack.push(longer);
                    }
                }
            }
        }
    }

    /// Reads and compiles a .rhai file beside the program.
    pub(super) fn file_script(
        &mut self,
        name: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<Script> {
        let program_path = self.sources.file(self.file)?.path.clone();
        let dir = program_path.parent().unwrap_or(Path::new("."));
        let path = dir.join(name);
        // A stored program version brings its script files along: use those, never the disk,
        // so a pairing keeps running on the version it was enrolled with.
        let read = if !self.provided.is_empty() {
            self.provided
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.clone())
                .ok_or(crate::files::FileProblem::Missing)
        } else {
            crate::files::read_inside(dir, name).map(|(_, text)| text)
        };
        let text = match read {
            Ok(text) => text,
            Err(problem) => {
                // Never the file's content: a link to /etc/passwd must not print its first line.
                let help = match problem {
                    crate::files::FileProblem::Outside => "script files must be inside the program's folder: name them without `..` or a leading `/`, and not through a link that leaves it".to_string(),
                    crate::files::FileProblem::Missing => format!(
                        "create {} or fix the name; the path is relative to the program's folder",
                        path.display()
                    ),
                    _ => "a script file is a Rhai text file of at most 1 MiB".to_string(),
                };
                let message = match problem {
                    crate::files::FileProblem::Outside => {
                        format!("{what}: script file `{name}` is outside the program's folder")
                    }
                    other => format!("{what}: cannot read script file `{name}`: {other}"),
                };
                self.reader().error(Code::E034, message, span).help = Some(help);
                return None;
            }
        };
        let index = self.sources.add(&path, text.clone());
        let file = self.sources.file(index)?;
        let placement = Placement {
            file,
            file_index: index,
            content_start: Some(0),
            whole: 0..text.len(),
        };
        let script = scripts::compile(
            &self.engine,
            &text,
            what,
            &placement,
            &scripts::Known {
                facts: &self.fact_names,
                criteria: &self.criterion_names,
                history: &self.history_names,
                attributes: &self.attribute_names,
                attribute_kinds: &self.attribute_kinds,
                functions: &self.functions,
                boolean: true,
            },
            &mut self.diagnostics,
        );
        self.mark_used(script.as_ref());
        script
    }
}
