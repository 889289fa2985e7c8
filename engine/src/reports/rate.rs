//! Success among ended pairings: the one rate every part of the report counts alike.

/// The outcome a report counts as success.
pub const SUCCESS: &str = "success";

/// Success among ended pairings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// Ended with the outcome [`SUCCESS`].
    pub succeeded: u64,
    /// Ended.
    pub ended: u64,
}

impl Rate {
    /// The share that succeeded; none before any ended.
    pub fn share(self) -> Option<f64> {
        (self.ended > 0).then(|| self.succeeded as f64 / self.ended as f64)
    }

    pub(crate) fn count(&mut self, outcome: Option<&str>) {
        if let Some(o) = outcome {
            self.ended += 1;
            self.succeeded += u64::from(o == SUCCESS);
        }
    }
}
