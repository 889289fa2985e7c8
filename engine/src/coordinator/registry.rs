//! Program versions: a pairing runs on the version it was enrolled with, loaded from the
//! store's copy of its files (never from disk), compiled once per process.

use std::collections::BTreeMap;
use std::sync::Arc;

use mentorflow_dsl::Program;

use crate::decide::engine::Engine;
use crate::store::{Store, StoreError};

/// An engine per program version, loaded on first use.
#[derive(Debug, Default)]
pub struct Registry {
    engines: BTreeMap<String, Arc<Engine>>,
}

impl Registry {
    /// The engine of stored version `hash`.
    pub fn engine(&mut self, store: &dyn Store, hash: &str) -> Result<Arc<Engine>, StoreError> {
        if let Some(e) = self.engines.get(hash) {
            return Ok(Arc::clone(e));
        }
        let program = crate::store::codec::stored_program(store, hash)?;
        Ok(self.insert(program))
    }

    /// The engine of a program read from a file, to enrol with; its version is stored by the
    /// enrolment itself, so a refused enrolment stores nothing.
    pub fn pin(&mut self, program: &Program) -> Arc<Engine> {
        match self.engines.get(&program.hash) {
            Some(e) => Arc::clone(e),
            None => self.insert(program.clone()),
        }
    }

    /// What scripts printed since last asked, engine by engine.
    pub fn take_prints(&self) -> Vec<String> {
        self.engines
            .values()
            .flat_map(|e| e.runtime.take_prints())
            .collect()
    }

    fn insert(&mut self, program: Program) -> Arc<Engine> {
        let engine = Arc::new(Engine::new(program));
        self.engines
            .insert(engine.program.hash.clone(), Arc::clone(&engine));
        engine
    }

    /// An engine for every stored version, by hash. Versions that no longer load are left
    /// out when `skip_broken` (verify reports them); otherwise the first failure is returned.
    pub fn all(
        &mut self,
        store: &dyn Store,
        skip_broken: bool,
    ) -> Result<BTreeMap<String, Arc<Engine>>, StoreError> {
        let mut all = BTreeMap::new();
        // The stored versions without their pairing counts: counting reads every pairing.
        for v in store.program_rows()? {
            match self.engine(store, &v.hash) {
                Ok(engine) => {
                    all.insert(v.hash, engine);
                }
                Err(_) if skip_broken => {}
                Err(e) => return Err(e),
            }
        }
        Ok(all)
    }
}

/// How the program file a version was read from stands today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// It still holds this version.
    Same,
    /// It now holds another version (its hash).
    Changed(String),
    /// It no longer checks.
    Broken,
    /// It cannot be read from here (moved, deleted, or stored from another folder).
    Missing,
}

/// The state of the file at `path` against version `hash`, whose files were `stored`.
pub fn file_state(path: &str, hash: &str, stored: &[(std::path::PathBuf, String)]) -> FileState {
    let path = std::path::Path::new(path);
    if !path.is_file() {
        return FileState::Missing;
    }
    // The usual case, a program file unchanged since it was stored (with standard libraries
    // unchanged in this mentorflow), needs no checking: reading and comparing the text is a
    // fraction of loading it. A program with files of its own beside it is loaded.
    if let [(_, text), libraries @ ..] = stored {
        let same_libraries = libraries.iter().all(|(name, text)| {
            mentorflow_dsl::libraries::standard(&name.to_string_lossy()) == Some(text.as_str())
        });
        if same_libraries && std::fs::read_to_string(path).is_ok_and(|now| now == *text) {
            return FileState::Same;
        }
    }
    match mentorflow_dsl::load(path).program {
        Some(p) if p.hash == hash => FileState::Same,
        Some(p) => FileState::Changed(p.hash),
        None => FileState::Broken,
    }
}
