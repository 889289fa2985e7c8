//! The files a scenario names beside it (a people file, a roster, a fact sheet), read by the
//! caller's readers: the command line reads them with the same code as `people import`,
//! `import` and `record --file`, so a scenario's file means what the command's file means.

use std::path::Path;

use mentorflow_dsl::Program;

use crate::coordinator::{Enrolment, FactRow};
use crate::model::person::PersonEdit;

/// Reads the files a scenario names; each problem is located at its file and line.
pub trait Files {
    /// A people file: the registry edits, in order.
    fn people(&self, path: &Path) -> Result<Vec<PersonEdit>, Vec<String>>;
    /// A roster: its pairings, in order.
    fn roster(&self, path: &Path, program: &Program) -> Result<Vec<Enrolment>, Vec<String>>;
    /// A fact sheet, its columns among `known` facts: a row per pairing (or person).
    fn sheet(&self, path: &Path, known: &[String]) -> Result<Vec<FactRow>, Vec<String>>;
}

/// No reader: a scenario that names a file is refused (for callers that run scenarios
/// without files, such as the fuzzer).
pub struct NoFiles;

impl NoFiles {
    fn refused<T>(path: &Path) -> Result<T, Vec<String>> {
        Err(vec![format!(
            "{}: this runner reads no files beside a scenario",
            path.display()
        )])
    }
}

impl Files for NoFiles {
    fn people(&self, path: &Path) -> Result<Vec<PersonEdit>, Vec<String>> {
        NoFiles::refused(path)
    }

    fn roster(&self, path: &Path, _: &Program) -> Result<Vec<Enrolment>, Vec<String>> {
        NoFiles::refused(path)
    }

    fn sheet(&self, path: &Path, _: &[String]) -> Result<Vec<FactRow>, Vec<String>> {
        NoFiles::refused(path)
    }
}
