//! Where a command writes: its output, its diagnostics, and progress lines for long commands.

use std::io::Write;

/// The writers of one run.
pub struct Output<'a> {
    /// Normal output.
    pub out: &'a mut dyn Write,
    /// Errors, warnings and progress.
    pub err: &'a mut dyn Write,
    /// Whether `err` is a terminal, where a progress line can rewrite itself.
    progress: bool,
    /// Whether `out` and `err` are terminals (for `--color auto`).
    terminals: (bool, bool),
    /// A progress line is on screen.
    shown: bool,
}

impl<'a> Output<'a> {
    /// Output to two writers, without progress lines.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Output<'a> {
        Output {
            out,
            err,
            progress: false,
            terminals: (false, false),
            shown: false,
        }
    }

    /// Says whether `out` and `err` are terminals: `--color auto` colours them then.
    pub fn with_terminals(mut self, out: bool, err: bool) -> Output<'a> {
        self.terminals = (out, err);
        self
    }

    /// Whether `out` and `err` are terminals.
    pub fn terminals(&self) -> (bool, bool) {
        self.terminals
    }

    /// Whether progress lines are shown.
    pub fn shows_progress(&self) -> bool {
        self.progress
    }

    /// Shows progress lines on `err` (when it is a terminal).
    pub fn with_progress(mut self, on: bool) -> Output<'a> {
        self.progress = on;
        self
    }

    /// Rewrites the progress line: `label: N pairings`.
    pub fn progress(&mut self, label: &str, n: u64) {
        if self.progress {
            let _ = write!(self.err, "\r{label}: {n} pairings");
            let _ = self.err.flush();
            self.shown = true;
        }
    }

    /// Clears the progress line, if one is shown.
    pub fn progress_done(&mut self) {
        if self.shown {
            let _ = write!(self.err, "\r\x1b[2K");
            self.shown = false;
        }
    }
}
