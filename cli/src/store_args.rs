//! The options every coordinator command shares, and opening the store with them.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_engine::Location;
use mentorflow_engine::{Coordinator, Options, SystemClock};

use crate::failure::Failure;

/// Options shared by the coordinator commands.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The store: a SQLite file, or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE [default: mentorflow.db; for demo: mentorflow-demo.db].
    #[arg(long, global = true, env = "MENTORFLOW_STORE", value_name = "PATH|URL")]
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
    /// The store: --store, MENTORFLOW_STORE, or mentorflow.db in the current folder; a
    /// `postgres://` URL names a PostgreSQL database.
    pub fn location(&self) -> Location {
        match &self.store {
            Some(given) => Location::parse(&given.to_string_lossy()),
            None => Location::File(PathBuf::from("mentorflow.db")),
        }
    }

    /// The actor name: --actor, MENTORFLOW_ACTOR, the user's name, or `coordinator`.
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

    fn options(&self) -> Options {
        Options {
            actor: self.actor(),
            at: self.now,
            clock: Arc::new(SystemClock),
        }
    }

    /// Opens the existing store.
    pub fn open(&self) -> Result<Coordinator, Failure> {
        Ok(Coordinator::open(&self.location(), self.options())?)
    }

    /// Creates a new store at `location`.
    pub fn create(&self, location: &Location) -> Result<Coordinator, Failure> {
        Ok(Coordinator::create(location, self.options())?)
    }
}
