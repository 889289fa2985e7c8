//! Colour for a terminal (`--color auto|always|never`, `NO_COLOR`): a writer that paints the
//! words a reader looks for first as whole lines pass through it. The commands write plain
//! text; only this file knows about colour.

use std::io::Write;

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const MAGENTA: &str = "\x1b[35m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always (even into a pipe).
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (`terminal`) or is not a terminal.
    pub fn paints(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A line with its marks coloured: `error:` and `warning:` at its start, `OVERDUE`, `FORCED`,
/// `MISSED`, and a guard part's `FAIL` or `ok`.
pub fn line(text: &str) -> String {
    let mut out = text.to_string();
    for (prefix, colour) in [("error:", RED), ("warning:", YELLOW)] {
        if let Some(rest) = out.strip_prefix(prefix) {
            out = format!("{colour}{prefix}{RESET}{rest}");
        }
    }
    for (word, colour) in [
        ("OVERDUE", RED),
        ("FORCED", MAGENTA),
        ("MISSED", RED),
        ("FAIL ", RED),
        ("ok   ", GREEN),
    ] {
        out = out.replace(word, &format!("{colour}{word}{RESET}"));
    }
    out
}

/// Paints whole lines written through it (when on), passing everything else as it is.
pub struct Painter<'a> {
    inner: &'a mut dyn Write,
    on: bool,
    pending: Vec<u8>,
}

impl<'a> Painter<'a> {
    /// A painter over `inner`; a pass-through when `on` is false.
    pub fn new(inner: &'a mut dyn Write, on: bool) -> Painter<'a> {
        Painter {
            inner,
            on,
            pending: Vec::new(),
        }
    }

    fn write_line(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.inner.write_all(line(text).as_bytes()),
            Err(_) => self.inner.write_all(bytes),
        }
    }
}

impl Write for Painter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A progress line rewrites itself in place (`\r`): it must show at once.
        if !self.on || buf.first() == Some(&b'\r') {
            if !self.pending.is_empty() {
                let full = std::mem::take(&mut self.pending);
                self.write_line(&full)?;
            }
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let rest = self.pending.split_off(end + 1);
            let full = std::mem::replace(&mut self.pending, rest);
            self.write_line(&full)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let full = std::mem::take(&mut self.pending);
            self.write_line(&full)?;
        }
        self.inner.flush()
    }
}

impl Drop for Painter<'_> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_painted_and_the_rest_left_alone() {
        assert_eq!(
            line("error: no pairing"),
            format!("{RED}error:{RESET} no pairing")
        );
        assert_eq!(
            line("#5 p-1: a -> b FORCED"),
            format!("#5 p-1: a -> b {MAGENTA}FORCED{RESET}")
        );
        assert_eq!(line("plain text"), "plain text");
    }

    #[test]
    fn a_painter_paints_whole_lines_across_writes_and_passes_through_when_off() {
        let mut out = Vec::new();
        {
            let mut p = Painter::new(&mut out, true);
            write!(p, "error: a").unwrap_or_default();
            write!(p, "b\nstill ").unwrap_or_default();
            write!(p, "going").unwrap_or_default();
        }
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(text, format!("{RED}error:{RESET} ab\nstill going"));
        let mut plain = Vec::new();
        writeln!(Painter::new(&mut plain, false), "error: x").unwrap_or_default();
        assert_eq!(plain, b"error: x\n");
    }
}
