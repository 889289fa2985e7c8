//! The embedded store: one SQLite file (bundled, nothing to install), WAL mode, a busy timeout,
//! schema migrations on open. Every command is one IMMEDIATE transaction, so its read, decision
//! and write happen under the write lock: two processes can never both apply from one state.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::error::EngineError;
use crate::event::Event;
use crate::pairing::Pairing;
use crate::store::{Breach, BulkReport, Filter, MakePairings, ProgramVersion, Store, StoreError};

/// Each entry upgrades the schema by one version; `PRAGMA user_version` records how far.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE programs (
    hash TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    path TEXT NOT NULL,
    sources TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE pairings (
    id TEXT PRIMARY KEY,
    n INTEGER NOT NULL UNIQUE,
    program_hash TEXT NOT NULL REFERENCES programs(hash),
    program_id TEXT NOT NULL,
    type_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT,
    due TEXT,
    last_seq INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX pairings_stage ON pairings(stage);
CREATE INDEX pairings_due ON pairings(due) WHERE outcome IS NULL;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    pairing TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (pairing, seq)
);
"#];

/// Durability of each commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`: a committed command survives power loss (the default).
    Full,
    /// `synchronous = NORMAL`: survives a process crash; for bulk loads and benchmarks.
    Normal,
}

/// The SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

fn db_error(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase(path.to_path_buf()),
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(path.to_path_buf()),
        Some(ErrorCode::CannotOpen) if path.exists() => StoreError::ReadOnly(path.to_path_buf()),
        _ => StoreError::Database(e.to_string()),
    }
}

/// A SQLite error met inside a command, classified like errors on open (read-only, not a
/// database) using the connection's own path.
fn sql_error(conn: &Connection, e: rusqlite::Error) -> StoreError {
    let path = PathBuf::from(conn.path().unwrap_or("the store"));
    let classify = db_error(&path);
    classify(e)
}

/// Time as stored: fixed-width UTC, so text order is time order.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl SqliteStore {
    /// Creates a new store; refuses to overwrite one.
    pub fn create(path: &Path) -> Result<SqliteStore, StoreError> {
        if path.is_dir() {
            return Err(StoreError::Directory(path.to_path_buf()));
        }
        if path.exists() {
            return Err(match SqliteStore::open(path, Durability::Full) {
                Ok(_) => StoreError::Exists(path.to_path_buf()),
                Err(_) => StoreError::NotAStore(path.to_path_buf()),
            });
        }
        Self::open_with(path, true, Durability::Full)
    }

    /// Opens an existing store, running pending migrations.
    pub fn open(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if path.is_dir() {
            return Err(StoreError::Directory(path.to_path_buf()));
        }
        Self::open_with(path, false, durability)
    }

    fn open_with(
        path: &Path,
        create: bool,
        durability: Durability,
    ) -> Result<SqliteStore, StoreError> {
        use rusqlite::OpenFlags as F;
        let flags = if create {
            F::SQLITE_OPEN_READ_WRITE | F::SQLITE_OPEN_CREATE
        } else {
            F::SQLITE_OPEN_READ_WRITE
        };
        let err = db_error(path);
        let conn =
            Connection::open_with_flags(path, flags | F::SQLITE_OPEN_NO_MUTEX).map_err(&err)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(&err)?;
        // Look before writing anything: switching to WAL would write a header into an empty
        // file or someone else's database.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('programs', 'pairings', 'events')",
                [],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let is_store = version >= 1 && tables == 3;
        if !create && !is_store {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let sync = if durability == Durability::Full {
            "FULL"
        } else {
            "NORMAL"
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"
        ))
        .map_err(&err)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let err = db_error(&self.path);
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::TooNew {
                found: version,
                supported,
            });
        }
        if version == supported {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(sql).map_err(&err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn unknown(&self, id: &str) -> StoreError {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM pairings")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_default();
        let hint = match mentorflow_dsl::suggest::did_you_mean(id, ids.iter().map(String::as_str)) {
            Some(c) => format!(" (did you mean `{c}`?)"),
            None if ids.is_empty() => {
                "; the store has no pairings yet (mentorflow enrol ...)".into()
            }
            None => "; `mentorflow list` shows the pairings".into(),
        };
        StoreError::UnknownPairing {
            id: id.into(),
            hint,
        }
    }
}

fn load_state(tx: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    tx.prepare_cached("SELECT state FROM pairings WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

fn parse_state(json: &str) -> Result<Pairing, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("pairing state: {e}")))
}

fn last_hash(tx: &Connection) -> rusqlite::Result<String> {
    Ok(tx
        .prepare_cached("SELECT hash FROM events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// The chained hash of an event body after `previous`.
pub fn chain(previous: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(body.as_bytes());
    mentorflow_dsl::hex(&h.finalize())
}

fn append(tx: &Connection, previous: &mut String, events: &[Event]) -> Result<(), StoreError> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO events (pairing, seq, kind, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(|e| sql_error(tx, e))?;
    for event in events {
        let body = serde_json::to_string(event).map_err(|e| StoreError::Database(e.to_string()))?;
        let hash = chain(previous, &body);
        insert
            .execute(params![
                event.pairing,
                event.seq as i64,
                event.kind.name(),
                body,
                hash
            ])
            .map_err(|e| sql_error(tx, e))?;
        *previous = hash;
    }
    Ok(())
}

fn write_state(tx: &Connection, p: &Pairing, expected_seq: Option<u64>) -> Result<(), StoreError> {
    let state = serde_json::to_string(p).map_err(|e| StoreError::Database(e.to_string()))?;
    let due = p.due.map(stamp);
    let changed = match expected_seq {
        None => tx.prepare_cached(
            "INSERT INTO pairings (id, n, program_hash, program_id, type_id, stage, outcome, due, last_seq, state) \
             VALUES (?1, (SELECT COALESCE(MAX(n), 0) + 1 FROM pairings), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        ).and_then(|mut st| st.execute(params![p.id, p.program_hash, p.program_id, p.type_id, p.stage, p.outcome, due, p.last_seq as i64, state])),
        Some(seq) => tx.prepare_cached(
            "UPDATE pairings SET stage = ?2, outcome = ?3, due = ?4, last_seq = ?5, state = ?6 WHERE id = ?1 AND last_seq = ?7",
        ).and_then(|mut st| st.execute(params![p.id, p.stage, p.outcome, due, p.last_seq as i64, state, seq as i64])),
    }
    .map_err(|e| sql_error(tx, e))?;
    if changed != 1 {
        return Err(StoreError::Conflict(p.id.to_string()));
    }
    Ok(())
}

fn filter_sql(f: &Filter) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let mut add = |sql: &str, v: &Option<String>| {
        if let Some(v) = v {
            args.push(v.clone());
            clauses.push(sql.replace('?', &format!("?{}", args.len())));
        }
    };
    add("stage = ?", &f.stage);
    add("type_id = ?", &f.type_id);
    add("program_id = ?", &f.program);
    let active = f.outcome.as_deref() == Some("active");
    add("outcome = ?", &f.outcome.clone().filter(|_| !active));
    add("outcome IS NULL AND due < ?", &f.due_before.map(stamp));
    if active {
        clauses.push("outcome IS NULL".into());
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" AND {}", clauses.join(" AND "))
    };
    (sql, args)
}

impl Store for SqliteStore {
    fn program_sources(&self, hash: &str) -> Result<Option<Vec<(PathBuf, String)>>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT sources FROM programs WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error(&self.path))?;
        json.map(|j| {
            serde_json::from_str(&j)
                .map_err(|e| StoreError::Corrupt(format!("program {hash}: {e}")))
        })
        .transpose()
    }

    fn programs(&self) -> Result<Vec<ProgramVersion>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.hash, p.id, p.title, p.path, p.stored_at, (SELECT COUNT(*) FROM pairings WHERE program_hash = p.hash) \
                 FROM programs p ORDER BY p.id, p.stored_at, p.hash",
            )
            .map_err(db_error(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ProgramVersion {
                    hash: r.get(0)?,
                    id: r.get(1)?,
                    title: r.get(2)?,
                    path: r.get(3)?,
                    stored_at: r.get(4)?,
                    pairings: r.get::<_, i64>(5)? as u64,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(db_error(&self.path))?;
        Ok(rows)
    }

    fn enrol(
        &mut self,
        program: &mentorflow_dsl::Program,
        path: &str,
        count: usize,
        make: &mut MakePairings<'_>,
    ) -> Result<Vec<Pairing>, StoreError> {
        let store_path = self.path.clone();
        let err = db_error(&store_path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let sources = serde_json::to_string(&program.sources)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO programs (hash, id, title, path, sources, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| {
            st.execute(params![program.hash, program.id, program.title, path, sources, stamp(Utc::now())])
        })
        .map_err(&err)?;
        let next: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(n), 0) + 1 FROM pairings")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .map_err(&err)?;
        let ids = (0..count as i64)
            .map(|i| format!("p-{}", next + i))
            .collect();
        let created = make(ids)?;
        let mut previous = last_hash(&tx).map_err(&err)?;
        for (pairing, events) in &created {
            append(&tx, &mut previous, events)?;
            write_state(&tx, pairing, None)?;
        }
        tx.commit().map_err(&err)?;
        Ok(created.into_iter().map(|(p, _)| p).collect())
    }

    fn pairing(&self, id: &str) -> Result<Pairing, StoreError> {
        match load_state(&self.conn, id).map_err(db_error(&self.path))? {
            Some(json) => parse_state(&json),
            None => Err(self.unknown(id)),
        }
    }

    fn update(
        &mut self,
        id: &str,
        command: &mut dyn FnMut(&mut Pairing) -> Result<Vec<Event>, EngineError>,
    ) -> Result<Vec<Event>, StoreError> {
        let path = self.path.clone();
        let err = db_error(&path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let Some(json) = load_state(&tx, id).map_err(&err)? else {
            drop(tx);
            return Err(self.unknown(id));
        };
        let mut pairing = parse_state(&json)?;
        let before = pairing.last_seq;
        // On a refusal the transaction is dropped: rolled back, nothing stored.
        let events = command(&mut pairing)?;
        if !events.is_empty() {
            let mut previous = last_hash(&tx).map_err(&err)?;
            append(&tx, &mut previous, &events)?;
            write_state(&tx, &pairing, Some(before))?;
        }
        tx.commit().map_err(&err)?;
        Ok(events)
    }

    fn update_all(
        &mut self,
        filter: &Filter,
        batch: usize,
        command: &mut dyn FnMut(&mut Pairing) -> Result<Vec<Event>, EngineError>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BulkReport, StoreError> {
        let path = self.path.clone();
        let err = db_error(&path);
        let (where_sql, args) = filter_sql(filter);
        let n_arg = args.len() + 1;
        let sql = format!("SELECT n, state FROM pairings WHERE outcome IS NULL AND n > ?{n_arg}{where_sql} ORDER BY n LIMIT {}", batch.max(1));
        let (mut after, mut seen, mut stored, mut refused) = (0i64, 0u64, 0u64, Vec::new());
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&err)?;
            let rows: Vec<(i64, String)> = {
                let mut stmt = tx.prepare_cached(&sql).map_err(&err)?;
                let mut values: Vec<&dyn rusqlite::ToSql> =
                    args.iter().map(|a| a as &dyn rusqlite::ToSql).collect();
                values.push(&after);
                stmt.query_map(values.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(|rows| rows.collect())
                    .map_err(&err)?
            };
            if rows.is_empty() {
                break;
            }
            let mut previous = last_hash(&tx).map_err(&err)?;
            for (n, json) in &rows {
                after = *n;
                seen += 1;
                let mut pairing = parse_state(json)?;
                let before = pairing.last_seq;
                match command(&mut pairing) {
                    Ok(events) if events.is_empty() => {}
                    Ok(events) => {
                        append(&tx, &mut previous, &events)?;
                        write_state(&tx, &pairing, Some(before))?;
                        stored += events.len() as u64;
                    }
                    Err(e) => refused.push((pairing.id.to_string(), e.to_string())),
                }
            }
            tx.commit().map_err(&err)?;
            progress(seen);
        }
        Ok(BulkReport {
            seen,
            stored,
            refused,
        })
    }

    fn list(&self, filter: &Filter) -> Result<Vec<Pairing>, StoreError> {
        let (where_sql, args) = filter_sql(filter);
        let sql = format!("SELECT state FROM pairings WHERE 1 = 1{where_sql} ORDER BY n");
        let mut stmt = self.conn.prepare(&sql).map_err(db_error(&self.path))?;
        let rows: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(db_error(&self.path))?;
        rows.iter().map(|j| parse_state(j)).collect()
    }

    fn events(&self, pairing: Option<&str>) -> Result<Vec<Event>, StoreError> {
        if let Some(id) = pairing {
            self.pairing(id)?;
        }
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM events WHERE ?1 IS NULL OR pairing = ?1 ORDER BY id")
            .map_err(db_error(&self.path))?;
        let bodies: Vec<String> = stmt
            .query_map([pairing], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(db_error(&self.path))?;
        bodies
            .iter()
            .map(|b| {
                serde_json::from_str(b).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
            })
            .collect()
    }

    fn verify(
        &self,
        program: &mut dyn FnMut(&str) -> Option<Arc<mentorflow_dsl::Program>>,
    ) -> Result<(u64, Vec<Breach>), StoreError> {
        let err = db_error(&self.path);
        // One read transaction: events and pairings from the same snapshot, even while other
        // coordinators write.
        let snapshot = self.conn.unchecked_transaction().map_err(&err)?;
        let columns: std::collections::BTreeMap<String, (String, Option<String>, Option<String>)> =
            snapshot
                .prepare("SELECT id, stage, outcome, due FROM pairings")
                .and_then(|mut st| {
                    st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
                        .collect()
                })
                .map_err(&err)?;
        let mut stmt = snapshot
            .prepare("SELECT id, pairing, seq, body, hash FROM events ORDER BY id")
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        let (mut previous, mut count, mut breaches) = (String::new(), 0u64, Vec::new());
        let mut histories: std::collections::BTreeMap<String, Vec<Event>> = Default::default();
        while let Some(row) = rows.next().map_err(&err)? {
            let (rowid, pairing, seq, body, hash): (i64, String, i64, String, String) = (
                row.get(0).map_err(&err)?,
                row.get(1).map_err(&err)?,
                row.get(2).map_err(&err)?,
                row.get(3).map_err(&err)?,
                row.get(4).map_err(&err)?,
            );
            count += 1;
            let name = format!("event {rowid} ({pairing} #{seq})");
            if chain(&previous, &body) != hash && breaches.is_empty() {
                breaches.push(Breach {
                    event: name.clone(),
                    problem: "hash chain broken: the event or one before it was altered".into(),
                });
            }
            previous = hash;
            match serde_json::from_str::<Event>(&body) {
                Ok(e) if *e.pairing == *pairing && e.seq as i64 == seq => {
                    histories.entry(pairing).or_default().push(e)
                }
                _ => breaches.push(Breach {
                    event: name,
                    problem: "event body does not match its row".into(),
                }),
            }
        }
        for p in self.list(&Filter::default())? {
            let events = histories.remove(&*p.id).unwrap_or_default();
            let Some(program) = program(&p.program_hash) else {
                breaches.push(Breach {
                    event: p.id.to_string(),
                    problem: format!("program version {} is not stored", p.program_hash),
                });
                continue;
            };
            // The columns queries filter on must agree with the state they were derived from.
            let derived = (p.stage.to_string(), p.outcome.clone(), p.due.map(stamp));
            if columns.get(&*p.id) != Some(&derived) {
                breaches.push(Breach {
                    event: p.id.to_string(),
                    problem: "the stage, outcome or due column differs from the stored state"
                        .into(),
                });
            }
            match Pairing::fold(&program, &events) {
                Ok(folded) if folded == p => {}
                Ok(_) => breaches.push(Breach {
                    event: format!("{} #{}", p.id, events.len()),
                    problem: "stored state differs from the fold of its events".into(),
                }),
                Err(e) => breaches.push(Breach {
                    event: p.id.to_string(),
                    problem: format!("events do not fold: {e}"),
                }),
            }
        }
        for id in histories.keys() {
            breaches.push(Breach {
                event: id.clone(),
                problem: "events of a pairing that has no stored state".into(),
            });
        }
        Ok((count, breaches))
    }
}
