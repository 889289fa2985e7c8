//! The files a scenario names beside it, read by the same readers as the commands that take
//! them: a people file as `people import`, a roster as `import`, a fact sheet as `record
//! --file`. A scenario's file therefore means what the command's file means.

use std::path::Path;

use mentorflow_dsl::Program;
use mentorflow_engine::scenario::Files;
use mentorflow_engine::{Enrolment, FactRow, PersonEdit, Roster as _};

/// The command line's readers, for scenarios.
pub(crate) struct ScenarioFiles;

impl Files for ScenarioFiles {
    fn people(&self, path: &Path) -> Result<Vec<PersonEdit>, Vec<String>> {
        let edits = super::people::read(&path.display().to_string())?;
        Ok(edits.into_iter().map(|(_, edit)| edit).collect())
    }

    fn roster(&self, path: &Path, program: &Program) -> Result<Vec<Enrolment>, Vec<String>> {
        let shown = path.display().to_string();
        let input = super::file::open(&shown).map_err(|e| vec![e])?;
        let roster = super::roster::read(&shown, input, program, None).map_err(|e| e.problems)?;
        Ok((0..roster.pairings())
            .map(|i| roster.enrolment(i))
            .collect())
    }

    fn sheet(&self, path: &Path, known: &[String]) -> Result<Vec<FactRow>, Vec<String>> {
        let rows = super::facts::read_rows(&path.display().to_string(), known)?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, _, changes)| !changes.is_empty())
            .map(|(_, id, person, changes)| (id, person, changes))
            .collect())
    }
}
