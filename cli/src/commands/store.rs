//! What every coordinator command shares: the store, the actor, the clock, and an engine per
//! stored program version (compiled once per process).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_engine::sqlite::{Durability, SqliteStore};
use mentorflow_engine::store::{Store, StoreError};
use mentorflow_engine::{Actor, Engine, EngineError, Event, Pairing};

use crate::Output;

/// One command on one pairing: gets the engine of the pairing's program version, the current
/// state and the actor, and returns the events to store.
pub type PairingCommand<'a> =
    dyn FnMut(&Engine, &mut Pairing, &Actor<'_>) -> Result<Vec<Event>, EngineError> + 'a;

/// Options shared by the coordinator commands.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The store file [default: mentorflow.db; for demo: mentorflow-demo.db].
    #[arg(long, global = true, env = "MENTORFLOW_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Who is acting, for the audit log (default: your user name).
    #[arg(long, global = true, env = "MENTORFLOW_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
    /// Act as if it were this time (RFC 3339, e.g. 2026-03-01T09:00:00Z): for back-dating and tests.
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| format!("`{s}` is not a time; write 2026-03-01T09:00:00Z or 2026-03-01"))
}

impl StoreArgs {
    /// The store file: --store, MENTORFLOW_STORE, or mentorflow.db in the current folder.
    pub fn path(&self) -> PathBuf {
        self.store
            .clone()
            .unwrap_or_else(|| PathBuf::from("mentorflow.db"))
    }

    /// The actor name.
    pub fn actor(&self) -> String {
        self.actor
            .clone()
            .or_else(|| {
                ["USER", "LOGNAME", "USERNAME"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok())
            })
            .unwrap_or_else(|| "coordinator".into())
    }

    /// The time to act at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// The time to act on `pairing` at, read once the command holds the store's write lock:
    /// --now as given (the engine refuses it if it is before the pairing's latest event), or
    /// the clock, never before the latest event (another coordinator may have written one a
    /// moment ago, or this machine's clock may be a little behind theirs).
    pub fn now_for(&self, pairing: &mentorflow_engine::Pairing) -> DateTime<Utc> {
        self.now
            .unwrap_or_else(|| Utc::now().max(pairing.latest_at.max(pairing.entered_at)))
    }
}

/// An open store with its engines.
pub struct Session {
    /// The store.
    pub store: SqliteStore,
    engines: BTreeMap<String, Arc<Engine>>,
}

impl Session {
    /// Opens the store named by the options.
    pub fn open(args: &StoreArgs) -> Result<Session, StoreError> {
        Ok(Session {
            store: SqliteStore::open(&args.path(), Durability::Full)?,
            engines: BTreeMap::new(),
        })
    }

    /// The engine for a stored program version.
    pub fn engine(&mut self, hash: &str) -> Result<Arc<Engine>, StoreError> {
        if let Some(e) = self.engines.get(hash) {
            return Ok(Arc::clone(e));
        }
        let sources = self
            .store
            .program_sources(hash)?
            .ok_or_else(|| StoreError::Corrupt(format!("program version {hash} is not stored")))?;
        let loaded = mentorflow_dsl::load_sources(&sources);
        let report = loaded.render();
        let program = loaded.program.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "stored program version {hash} no longer checks:\n{report}"
            ))
        })?;
        if program.hash != hash {
            return Err(StoreError::Corrupt(format!(
                "stored program version {hash} reloads as {}; its files were changed in the store",
                program.hash
            )));
        }
        let engine = Arc::new(Engine::new(program));
        self.engines.insert(hash.to_string(), Arc::clone(&engine));
        Ok(engine)
    }

    /// The engine for a program read from a file, to enrol new pairings with; the version is
    /// stored by the enrolment itself, so a refused enrolment stores nothing.
    pub fn pin(&mut self, program: &mentorflow_dsl::Program) -> Arc<Engine> {
        let engine = self
            .engines
            .entry(program.hash.clone())
            .or_insert_with(|| Arc::new(Engine::new(program.clone())));
        Arc::clone(engine)
    }

    /// An engine for every stored program version, for bulk commands and verify.
    pub fn all_engines(&mut self) -> Result<BTreeMap<String, Arc<Engine>>, StoreError> {
        let mut engines = BTreeMap::new();
        for v in self.store.programs()? {
            engines.insert(v.hash.clone(), self.engine(&v.hash)?);
        }
        Ok(engines)
    }

    /// Runs one command on one pairing as one transaction, with the engine of the program
    /// version the pairing runs on, and prints the events it stored.
    pub fn change(
        &mut self,
        id: &str,
        args: &StoreArgs,
        output: &mut Output<'_>,
        command: &mut PairingCommand<'_>,
    ) -> Result<u8, StoreError> {
        let hash = self.store.pairing(id)?.program_hash;
        let engine = self.engine(&hash)?;
        let name = args.actor();
        let events = self.store.update(id, &mut |p| {
            let actor = Actor {
                name: &name,
                now: args.now_for(p),
            };
            command(&engine, p, &actor)
        })?;
        for e in &events {
            writeln!(output.out, "{e}").ok();
        }
        Ok(crate::EXIT_OK)
    }
}
