//! A progress line for long bulk commands: shown on a terminal, silent when piped.

use std::io::{IsTerminal, Write};

/// Prints `label: N pairings` on stderr, rewriting one line, only when stderr is a terminal.
pub struct Progress {
    label: &'static str,
    shown: bool,
}

impl Progress {
    /// A progress line for `label`.
    pub fn new(label: &'static str) -> Progress {
        Progress {
            label,
            shown: std::io::stderr().is_terminal(),
        }
    }

    /// Reports `n` pairings done.
    pub fn tick(&self, n: u64) {
        if self.shown {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r{}: {n} pairings", self.label);
            let _ = err.flush();
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
