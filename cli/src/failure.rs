//! The one path from a command's failure to its message and exit code.

use crate::{render, Output, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// Writing the output failed.
    Io(std::io::Error),
    /// The store or the engine refused or failed.
    Coordinator(mentorflow_engine::Error),
    /// Refused, with a message (exit 1).
    Refused(String),
    /// Bad arguments, with a message (exit 2).
    Usage(String),
    /// Already reported (diagnostics were printed); stop with this code.
    Reported(u8),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<csv::Error> for Failure {
    fn from(e: csv::Error) -> Failure {
        // Writing CSV fails as writing fails: keep the io error itself, so a reader that went
        // away (`export --format csv | head`) is seen as the broken pipe it is.
        if !e.is_io_error() {
            return Failure::Io(e.into());
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Failure::Io(io),
            other => Failure::Io(std::io::Error::other(format!("writing CSV: {other:?}"))),
        }
    }
}

impl From<mentorflow_engine::Error> for Failure {
    fn from(e: mentorflow_engine::Error) -> Failure {
        Failure::Coordinator(e)
    }
}

impl From<mentorflow_engine::StoreError> for Failure {
    fn from(e: mentorflow_engine::StoreError) -> Failure {
        Failure::Coordinator(e.into())
    }
}

/// What every command returns: its exit code, or why it stopped.
pub type CommandResult = Result<u8, Failure>;

/// Prints the failure (if any) and returns the exit code.
pub fn exit_code(result: CommandResult, output: &mut Output<'_>) -> u8 {
    let (code, message) = match result {
        Ok(code) => return code,
        Err(Failure::Reported(code)) => return code,
        // The reader went away (`mentorflow log | head`): stop quietly, like other tools.
        Err(Failure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return EXIT_OK,
        Err(Failure::Io(e)) => (EXIT_FAILED, e.to_string()),
        Err(Failure::Coordinator(e)) => (EXIT_FAILED, render::error(&e)),
        Err(Failure::Refused(m)) => (EXIT_FAILED, m),
        Err(Failure::Usage(m)) => (EXIT_USAGE, m),
    };
    let _ = writeln!(output.err, "error: {message}");
    code
}
