//! Diagnostics: `error[CODE]: message`, a `--> file:line:col` pointer, the source line with a
//! caret under the span, and an optional `help:` line.

use std::fmt::Write as _;

use crate::code::Code;
use crate::source::{LineCol, SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The program is used anyway.
    Warning,
    /// The program is refused.
    Error,
}

/// One problem found in a program, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `E010`; documented in programs/README.md.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// Where; `None` for problems with the file as a whole (it cannot be read).
    pub span: Option<Span>,
    /// What the caret line says, if more than the message.
    pub label: Option<String>,
    /// How to fix it, where a fix can be named.
    pub help: Option<String>,
    /// A part of a script that can never work (a guard that never holds, a notice to nobody),
    /// found by a check newer than some stored program versions. `check` and new enrolments
    /// refuse it; a version already stored keeps running its pairings with it.
    pub tolerated_when_stored: bool,
}

impl Diagnostic {
    /// An error with a code, a message and a span.
    pub fn error(code: Code, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            help: None,
            tolerated_when_stored: false,
        }
    }

    /// A warning with a code, a message and a span.
    pub fn warning(code: Code, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a `help:` line when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help.or(self.help);
        self
    }

    /// Marks an error a stored version may have and still run (see the field).
    pub fn tolerated_when_stored(mut self) -> Diagnostic {
        self.tolerated_when_stored = true;
        self
    }

    /// Adds the text shown after the carets.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Whether this diagnostic refuses the program.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as text, rustc style.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}[{}]: {}", self.code, self.message);
        if let Some(span) = self.span {
            // An empty span at the very start marks a problem with the file as a whole
            // (a missing section): name the file, underline nothing.
            if let (Some(file), true) = (sources.file(span.file), span.start == 0 && span.end == 0)
            {
                let _ = writeln!(out, " --> {}", file.path.display());
            } else if let Some(file) = sources.file(span.file) {
                let at = file.line_col(span.start);
                let line = file.line_text(span.start);
                let gutter = " ".repeat(at.line.to_string().len());
                let _ = writeln!(
                    out,
                    "{gutter}--> {}:{}:{}",
                    file.path.display(),
                    at.line,
                    at.col
                );
                let _ = writeln!(out, "{gutter} |");
                let _ = writeln!(out, "{} | {}", at.line, line.replace('\t', "    "));
                let (pad, width) = caret_geometry(line, at, file.line_col(span.end));
                let label = self
                    .label
                    .as_deref()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{gutter} | {}{}{label}",
                    " ".repeat(pad),
                    "^".repeat(width)
                );
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// Where the carets start and how many there are, in display columns (a tab shows as four).
/// A span running past its first line is underlined to the end of that line.
fn caret_geometry(line: &str, start: LineCol, end: LineCol) -> (usize, usize) {
    let display = |chars: &mut dyn Iterator<Item = char>| -> usize {
        chars.map(|c| if c == '\t' { 4 } else { 1 }).sum()
    };
    let pad = display(&mut line.chars().take(start.col - 1));
    let rest = line.chars().count().saturating_sub(start.col - 1);
    let chars = if end.line == start.line && end.col > start.col {
        end.col - start.col
    } else {
        rest
    };
    let carets = display(&mut line.chars().skip(start.col - 1).take(chars.min(rest)));
    (pad, carets.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn render(text: &str, range: std::ops::Range<usize>) -> String {
        let mut sources = SourceMap::default();
        let file = sources.add(Path::new("p.toml"), text.to_string());
        Diagnostic::error(Code::E004, "bad", Span::new(file, range))
            .with_help("fix it")
            .render(&sources)
    }

    #[test]
    fn caret_sits_under_the_span() {
        let out = render("a = 1\nbad = 2\n", 6..9);
        assert_eq!(
            out,
            "error[E004]: bad\n --> p.toml:2:1\n  |\n2 | bad = 2\n  | ^^^\n  = help: fix it\n"
        );
    }

    #[test]
    fn caret_is_aligned_after_tabs_and_multi_byte_characters() {
        let out = render("\té = x", 6..7);
        assert!(out.contains("1 |     é = x\n  |         ^\n"), "{out}");
    }

    #[test]
    fn multi_line_span_is_underlined_to_the_end_of_its_first_line() {
        let out = render("k = \"\"\"ab\ncd\"\"\"", 4..15);
        assert!(out.contains("1 | k = \"\"\"ab\n  |     ^^^^^\n"), "{out}");
    }
}
