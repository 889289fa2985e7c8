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
    /// What the long command goes through, and when it started: the line's total and the
    /// time left.
    total: Option<(u64, std::time::Instant)>,
    /// What is counted: `pairings`, `pairs`, `rows`.
    unit: &'static str,
    /// When the progress line was last drawn: it is redrawn at most ten times a second.
    drawn: Option<std::time::Instant>,
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
            total: None,
            unit: "pairings",
            drawn: None,
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

    /// Says how many `unit`s (`pairings`, `pairs`) the long command goes through, from now.
    pub fn progress_total(&mut self, total: u64, unit: &'static str) {
        self.total = Some((total, std::time::Instant::now()));
        self.unit = unit;
        self.drawn = None;
    }

    /// Rewrites the progress line: `label: N of TOTAL pairings (P%), about S s left`, or
    /// `label: N pairings` when the total is not known.
    pub fn progress(&mut self, label: &str, n: u64) {
        let last = self.total.is_some_and(|(total, _)| n >= total);
        let recent = self
            .drawn
            .is_some_and(|at| at.elapsed() < std::time::Duration::from_millis(100));
        if !self.progress || (recent && !last) {
            return;
        }
        self.drawn = Some(std::time::Instant::now());
        let line = match self.total {
            Some((total, started)) if total > 0 => {
                let done = n.min(total);
                let left = time_left(started.elapsed(), done, total);
                let unit = self.unit;
                format!(
                    "{label}: {done} of {total} {unit} ({}%){left}",
                    done * 100 / total
                )
            }
            _ => format!("{label}: {n} {}", self.unit),
        };
        // Cleared first: a shorter line must not leave the end of a longer one.
        let _ = write!(self.err, "\r\x1b[2K{line}");
        let _ = self.err.flush();
        self.shown = true;
    }

    /// Clears the progress line, if one is shown.
    pub fn progress_done(&mut self) {
        if self.shown {
            let _ = write!(self.err, "\r\x1b[2K");
            self.shown = false;
        }
    }
}

/// `, about S s left` (or `M min`) when `done` of `total` took `elapsed` at an even pace;
/// nothing before the first or after the last.
fn time_left(elapsed: std::time::Duration, done: u64, total: u64) -> String {
    if done == 0 || done >= total {
        return String::new();
    }
    let per = elapsed.as_secs_f64() / done as f64;
    let secs = (per * (total - done) as f64).ceil() as u64;
    match secs {
        0..=119 => format!(", about {secs} s left"),
        _ => format!(", about {} min left", secs.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_progress_line_says_how_far_of_how_many() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut output = super::Output::new(&mut out, &mut err).with_progress(true);
        output.progress("advancing", 7);
        output.progress_total(200, "pairings");
        output.progress("advancing", 50);
        output.progress("advancing", 200);
        output.progress_done();
        let err = String::from_utf8_lossy(&err);
        assert!(err.contains("advancing: 7 pairings"), "{err:?}");
        assert!(
            err.contains("advancing: 50 of 200 pairings (25%)"),
            "{err:?}"
        );
        assert!(
            err.contains("advancing: 200 of 200 pairings (100%)\r"),
            "{err:?}"
        );
    }

    #[test]
    fn the_time_left_is_the_pace_so_far_times_what_remains() {
        let secs = std::time::Duration::from_secs;
        assert_eq!(super::time_left(secs(10), 50, 200), ", about 30 s left");
        assert_eq!(super::time_left(secs(60), 10, 200), ", about 19 min left");
        assert_eq!(super::time_left(secs(10), 0, 200), "");
        assert_eq!(super::time_left(secs(10), 200, 200), "");
    }
}
