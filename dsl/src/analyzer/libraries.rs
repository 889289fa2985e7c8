//! `[program] libraries`: reading each library, checking it holds functions only and calls
//! only functions that exist, and making its functions callable from every script.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{Analyzer, Table};
use crate::code::Code;
use crate::suggest::help_did_you_mean;

impl Analyzer<'_> {
    /// Reads the libraries `[program]` names; their functions are then known to every script.
    pub(super) fn libraries(&mut self, top: &Table<'_, '_>) {
        let mut r = self.reader();
        let Some(program) = r.table(top, "program", "[program]".into()) else {
            return;
        };
        let Some(names) = r.strings(&program, "libraries") else {
            return;
        };
        let mut read = Vec::new();
        for (name, span) in names {
            let Some((index, text)) = self.library_text(&name, span.clone()) else {
                continue;
            };
            let Some(ast) = self.library_ast(&name, index, &text) else {
                continue;
            };
            for (function, other) in self.functions.add_library(&name, &ast) {
                self.reader()
                    .error(
                        Code::E042,
                        format!("library `{name}` defines `{function}`, which library `{other}` already defines with as many parameters"),
                        span.clone(),
                    )
                    .help = Some("rename one of them; every script sees every library's functions".into());
            }
            self.library_names.push(name.clone());
            read.push((name, index, text, ast));
        }
        // A library may call another's functions: checked once all are known.
        for (name, index, text, ast) in &read {
            for (problem, position, help) in self.functions.bad_calls(ast) {
                let span = self.at(*index, text, position);
                self.diagnostics.push(
                    crate::diagnostic::Diagnostic::error(
                        Code::E043,
                        format!("library `{name}` {problem}"),
                        span,
                    )
                    .with_help(help),
                );
            }
        }
        self.library_asts = read;
    }

    /// E044 for each effect a library's functions name that the program does not declare
    /// (`set_fact("strated", ...)`), once, at the library's line.
    pub(super) fn library_effects(
        &mut self,
        notifications: &[crate::model::Notification],
        schedules: &[crate::model::Schedule],
    ) {
        for (name, index, text, ast) in std::mem::take(&mut self.library_asts) {
            let what = format!("library `{name}`");
            for (kind, effect, position) in crate::effects::named(&ast) {
                let Some((message, help, tolerated)) =
                    self.effect_problem(kind, &effect, &what, notifications, schedules)
                else {
                    continue;
                };
                let span = self.at(index, &text, position);
                let d =
                    crate::diagnostic::Diagnostic::error(Code::E044, message, span).with_help(help);
                self.diagnostics.push(match tolerated {
                    true => d.tolerated_when_stored(),
                    false => d,
                });
            }
        }
    }

    /// The library's text, added to the program's sources; `None` after reporting why not.
    fn library_text(&mut self, name: &str, span: Range<usize>) -> Option<(usize, String)> {
        let program = self.sources.file(self.file)?.path.clone();
        let dir = program.parent().unwrap_or(Path::new(".")).to_path_buf();
        let path = match name.strip_prefix("std:") {
            Some(_) => PathBuf::from(name),
            None => dir.join(name),
        };
        // A stored program version brings its libraries along, standard ones included.
        let provided = self.provided.iter().find(|(p, _)| *p == path);
        let text = match (provided, name.strip_prefix("std:")) {
            (Some((_, text)), _) => Ok(text.clone()),
            (None, Some(_)) => crate::libraries::standard(name).map(str::to_string).ok_or_else(|| {
                let names = crate::libraries::STANDARD.map(|(n, _)| n);
                (
                    format!("there is no standard library `{name}`"),
                    help_did_you_mean(name, names.iter().copied())
                        .unwrap_or_else(|| format!("the standard libraries are: {}", names.join(", "))),
                )
            }),
            (None, None) if !name.ends_with(".rhai") => Err((
                format!("library `{name}` is not a .rhai file"),
                "name a Rhai file of functions, e.g. helpers.rhai, or a standard library such as std:time".into(),
            )),
            // Through the one gate for files a program names: inside the program's folder
            // after links, a regular file, bounded; its text is never shown unless it is one.
            (None, None) => crate::files::read_inside(&dir, name).map(|(_, text)| text).map_err(|problem| {
                let help = match problem {
                    crate::files::FileProblem::Outside => "a library must be inside the program's folder: name it without `..` or a leading `/`, and not through a link that leaves it".to_string(),
                    _ => format!("the path is relative to the program's folder: {}", path.display()),
                };
                (format!("cannot read library `{name}`: {problem}"), help)
            }),
        };
        match text {
            Ok(text) => Some((self.sources.add(&path, text.clone()), text)),
            Err((message, help)) => {
                self.reader().error(Code::E042, message, span).help = Some(help);
                None
            }
        }
    }

    /// The library compiled, if it compiles and holds functions only.
    fn library_ast(&mut self, name: &str, index: usize, text: &str) -> Option<rhai::AST> {
        let ast = match self.engine.compile(text) {
            Ok(ast) => ast,
            Err(e) => {
                let span = self.at(index, text, e.1);
                self.diagnostics.push(
                    crate::diagnostic::Diagnostic::error(
                        Code::E020,
                        format!("Rhai syntax error in library `{name}`: {}", e.0),
                        span,
                    )
                    .with_help("a library holds functions: fn name(a, b) { ... }".to_string()),
                );
                return None;
            }
        };
        if let Some(first) = ast.statements().first() {
            let span = self.at(index, text, first.position());
            self.diagnostics.push(
                crate::diagnostic::Diagnostic::error(
                    Code::E042,
                    format!("library `{name}` holds statements outside functions"),
                    span,
                )
                .with_help("a library holds only fn definitions; put this inside a function or into a guard".to_string()),
            );
            return None;
        }
        Some(ast)
    }

    /// The span of `position` in library file `index`.
    fn at(&self, index: usize, text: &str, position: rhai::Position) -> crate::source::Span {
        let Some(file) = self.sources.file(index) else {
            return crate::source::Span::new(index, 0..0);
        };
        crate::scripts::Placement {
            file,
            file_index: index,
            content_start: Some(0),
            whole: 0..text.len(),
        }
        .span_at(position)
    }
}
