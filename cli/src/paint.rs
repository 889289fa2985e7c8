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

/// What a mark means, and so its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Needs attention now: `OVERDUE`, `MISSED`, a guard part's `FAIL`.
    Alarm,
    /// A move someone forced past the guards: `FORCED`.
    Forced,
    /// A guard part that holds: `ok`.
    Good,
}

// A mark travels through the text between these two bytes, the first followed by the mark's
// letter. User text never holds them raw (it is shown through `printable`, which escapes
// control characters), and serde writes them escaped: only a mark placed by the renderers
// is ever coloured, and JSON never is.
const BEGIN: char = '\u{1}';
const END: char = '\u{2}';

impl Mark {
    fn letter(self) -> char {
        match self {
            Mark::Alarm => 'A',
            Mark::Forced => 'F',
            Mark::Good => 'G',
        }
    }

    fn colour(letter: char) -> &'static str {
        match letter {
            'A' => RED,
            'F' => MAGENTA,
            _ => GREEN,
        }
    }
}

/// `text` as a mark of `kind`: coloured on a terminal that takes colour, plain elsewhere.
pub fn mark(kind: Mark, text: &str) -> String {
    format!("{BEGIN}{}{text}{END}", kind.letter())
}

/// `text` without its marks: for text that goes into JSON or CSV.
pub fn plain(text: &str) -> String {
    paint(text, false)
}

/// How wide `text` shows: its characters, less the marks' invisible ones.
pub fn width(text: &str) -> usize {
    // Columns on a terminal: a CJK character takes two, a combining mark none. Most cells
    // carry no mark: measured as they are, not copied (a report's table has millions).
    if !text.contains(BEGIN) && !text.contains(END) {
        return unicode_width::UnicodeWidthStr::width(text);
    }
    unicode_width::UnicodeWidthStr::width(plain(text).as_str())
}

/// `text` with its marks coloured (`on`) or made plain.
fn paint(text: &str, on: bool) -> String {
    if !text.contains(BEGIN) && !text.contains(END) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            BEGIN => {
                let letter = chars.next().unwrap_or('A');
                if on {
                    out.push_str(Mark::colour(letter));
                }
            }
            END if on => out.push_str(RESET),
            END => {}
            c => out.push(c),
        }
    }
    out
}

/// A line with its marks coloured, and on the error stream (`prefixes`) the `error:` or
/// `warning:` it starts with.
pub fn line(text: &str, prefixes: bool) -> String {
    let out = paint(text, true);
    if prefixes {
        for (prefix, colour) in [("error:", RED), ("warning:", YELLOW)] {
            if let Some(rest) = out.strip_prefix(prefix) {
                return format!("{colour}{prefix}{RESET}{rest}");
            }
        }
    }
    out
}

/// Paints the marks of whole lines written through it (when on), or makes them plain.
pub struct Painter<'a> {
    inner: &'a mut dyn Write,
    on: bool,
    prefixes: bool,
    pending: Vec<u8>,
}

impl<'a> Painter<'a> {
    /// A painter over `inner`: marks coloured when `on`, else plain; `prefixes` colours a
    /// line's leading `error:` and `warning:` too (the error stream, which holds no data).
    pub fn new(inner: &'a mut dyn Write, on: bool, prefixes: bool) -> Painter<'a> {
        Painter {
            inner,
            on,
            prefixes,
            pending: Vec::new(),
        }
    }

    fn write_line(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) if self.on => self.inner.write_all(line(text, self.prefixes).as_bytes()),
            Ok(text) => self.inner.write_all(paint(text, false).as_bytes()),
            Err(_) => self.inner.write_all(bytes),
        }
    }
}

impl Write for Painter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A progress line rewrites itself in place (`\r`): it must show at once.
        if buf.first() == Some(&b'\r') {
            if !self.pending.is_empty() {
                let full = std::mem::take(&mut self.pending);
                self.write_line(&full)?;
            }
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        // Every whole line written, then what follows the last kept in one move: a long text
        // written at once (a report) costs its length, not its length times its lines.
        let pending = std::mem::take(&mut self.pending);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            let line = &pending[start..start + end + 1];
            start += end + 1;
            if let Err(e) = self.write_line(line) {
                self.pending = pending[start..].to_vec();
                return Err(e);
            }
        }
        self.pending = pending[start..].to_vec();
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
            line("error: no pairing", true),
            format!("{RED}error:{RESET} no pairing")
        );
        assert_eq!(line("error: a reason", false), "error: a reason");
        let forced = format!("#5 p-1: a -> b {}", mark(Mark::Forced, "FORCED"));
        assert_eq!(
            line(&forced, false),
            format!("#5 p-1: a -> b {MAGENTA}FORCED{RESET}")
        );
        assert_eq!(plain(&forced), "#5 p-1: a -> b FORCED");
        assert_eq!(width(&forced), "#5 p-1: a -> b FORCED".len());
        // Words that are data, not marks, stay as they are.
        assert_eq!(line("reason: FAIL: OVERDUE", true), "reason: FAIL: OVERDUE");
    }

    #[test]
    fn a_painter_paints_whole_lines_across_writes_and_makes_marks_plain_when_off() {
        let mut out = Vec::new();
        {
            let mut p = Painter::new(&mut out, true, true);
            write!(p, "error: a").unwrap_or_default();
            write!(p, "b\nstill ").unwrap_or_default();
            write!(p, "going").unwrap_or_default();
        }
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(text, format!("{RED}error:{RESET} ab\nstill going"));
        let mut plain = Vec::new();
        writeln!(
            Painter::new(&mut plain, false, true),
            "error: x {}",
            mark(Mark::Alarm, "OVERDUE")
        )
        .unwrap_or_default();
        assert_eq!(plain, b"error: x OVERDUE\n");
    }
}
