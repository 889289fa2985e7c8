//! The embedded store: one SQLite file (bundled, nothing to install), WAL mode, a busy timeout,
//! schema migrations on open. Every command is one IMMEDIATE transaction, so its read, decision
//! and write happen under the write lock: two processes can never both apply from one state.
//! SQL only: what the rows mean is the ledger's business.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{Type, ValueRef};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use super::store_sql::{self as sql, ATTEMPTED, CLAIM, OUTBOX};
use crate::store::codec::stamp;
use crate::store::sqlite_reading::{lossy, outbox_fields, person_row, SqliteReading};
use crate::store::{
    Abort, EventRow, Filter, Location, Membership, OutboxRow, OutcomeFilter, PairingRow,
    ProgramRow, ProgramVersion, Reading, Store, StoreError, StoredPerson, StoredProgram, Tx, Work,
    LOCK_WAIT,
};

// The writes PostgreSQL sends a batch at a time (postgres.rs), one row at a time here.
/// Appends an event to the chain.
const APPEND: &str =
    "INSERT INTO events (pairing, seq, kind, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Forgets who takes part in pairing `?1`, before they are written again.
const FORGET_MEMBERS: &str = "DELETE FROM members WHERE pairing = ?1";

/// A pairing's new state, only if no other command changed it since it was read (`?7`).
const UPDATE_PAIRING: &str = "UPDATE pairings SET stage = ?2, outcome = ?3, due = ?4, last_seq = ?5, state = ?6, program_hash = ?8 WHERE id = ?1 AND last_seq = ?7";

/// Each entry upgrades the schema by one version; `PRAGMA user_version` records how far.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
CREATE VIEW pairing_facts AS
SELECT p.id AS pairing, f.key AS fact, t.key AS type, t.value AS value
FROM pairings p, json_each(p.state, '$.facts') f, json_each(f.value) t;
"#,
    // Who takes part where, for the rules across pairings; and the label a pairing was
    // imported under.
    r#"
ALTER TABLE pairings ADD COLUMN label TEXT;
CREATE INDEX pairings_label ON pairings(label) WHERE label IS NOT NULL;
CREATE TABLE members (
    pairing TEXT NOT NULL,
    person TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (pairing, person)
) WITHOUT ROWID;
CREATE INDEX members_person ON members(person);
INSERT OR IGNORE INTO members (pairing, person, role)
SELECT p.id, json_extract(m.value, '$.id'), json_extract(m.value, '$.role')
FROM pairings p, json_each(p.state, '$.participants') m;
"#,
    // The people registry; its edits are events in the one chain (pairing column `person:ID`).
    r#"
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    state TEXT NOT NULL
);
"#,
    // Notifications waiting to be delivered, queued with their `notified` events; delivery
    // state is not history, so it is kept beside the chain, not in it.
    r#"
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    pairing TEXT NOT NULL,
    seq INTEGER NOT NULL,
    queued_at TEXT NOT NULL,
    delivered_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_until TEXT,
    UNIQUE (pairing, seq)
);
CREATE INDEX outbox_pending ON outbox(id) WHERE delivered_at IS NULL;
"#,
    // A claim carries a token: a deliverer whose claim expired and was taken over cannot
    // record its late result (fencing).
    r#"
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
"#,
    // Each person's key for their sealed personal values, beside the chain, not in it:
    // destroying a key erases what was sealed with it, and the chain still verifies.
    r#"
CREATE TABLE person_keys (
    person TEXT PRIMARY KEY,
    key TEXT NOT NULL
);
"#,
];

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
    /// How long a write waits for another command holding the store.
    lock_wait: Duration,
}

fn at(path: &Path) -> Location {
    Location::File(path.to_path_buf())
}

fn db_error(path: &Path, wait: Duration) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase(at(path)),
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(at(path)),
        Some(ErrorCode::CannotOpen) if path.exists() => StoreError::ReadOnly(at(path)),
        Some(ErrorCode::CannotOpen) => StoreError::CannotCreate(at(path)),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy(at(path), wait)
        }
        _ => damaged(&e).unwrap_or_else(|| StoreError::Database(e.to_string())),
    }
}

/// Column `i` as the text mentorflow wrote there; damage is an error naming `place` (the
/// pairing or event the row holds).
fn text(row: &rusqlite::Row<'_>, i: usize, place: impl Fn() -> String) -> rusqlite::Result<String> {
    let problem = match row.get_ref(i)? {
        // A blob holding valid text still holds what mentorflow wrote (verify agrees).
        ValueRef::Text(b) | ValueRef::Blob(b) => match std::str::from_utf8(b) {
            Ok(t) => return Ok(t.to_string()),
            Err(e) => format!("is not valid UTF-8 text (bad byte at {})", e.valid_up_to()),
        },
        other => format!(
            "holds a {} value where mentorflow stores text",
            other.data_type().to_string().to_lowercase()
        ),
    };
    Err(rusqlite::Error::FromSqlConversionFailure(
        i,
        Type::Text,
        format!("{} {problem}", place()).into(),
    ))
}

/// A stored value that cannot be read as what mentorflow wrote (text that is not UTF-8, a
/// blob or number where text belongs) was changed outside mentorflow: the store is damaged.
fn state_of(id: &str) -> String {
    format!("the stored state of pairing {id}")
}

fn damaged(e: &rusqlite::Error) -> Option<StoreError> {
    let what = match e {
        rusqlite::Error::Utf8Error(_, utf8) => format!(
            "a stored text value is not valid UTF-8 (bad byte at {})",
            utf8.valid_up_to()
        ),
        rusqlite::Error::InvalidColumnType(_, column, found) => {
            format!("column `{column}` holds a {found} value where mentorflow stores text")
        }
        rusqlite::Error::FromSqlConversionFailure(_, Type::Text, why) => why.to_string(),
        rusqlite::Error::FromSqlConversionFailure(_, found, why) => {
            format!("a stored {found} value cannot be read: {why}")
        }
        _ => return None,
    };
    Some(StoreError::Corrupt(what))
}

/// A SQLite error met inside a command, classified like errors on open (read-only, not a
/// database) using the connection's own path.
fn sql_error(conn: &Connection) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| {
        let path = PathBuf::from(conn.path().unwrap_or("the store"));
        // Inside a transaction the write lock is held already: no command waits here.
        let classify = db_error(&path, LOCK_WAIT);
        classify(e)
    }
}

impl SqliteStore {
    /// The one number a counting query gives.
    fn count(&self, query: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(query, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(db_error(&self.path, self.lock_wait))
    }

    /// Creates a new store; refuses to overwrite one (or anything else).
    pub fn create(path: &Path) -> Result<SqliteStore, StoreError> {
        if path.is_dir() {
            return Err(StoreError::Directory(at(path)));
        }
        if path.exists() {
            return Err(match SqliteStore::open(path, Durability::Full) {
                Ok(_) => StoreError::Exists(at(path)),
                Err(_) => StoreError::NotAStore(at(path)),
            });
        }
        Self::open_with(path, true, Durability::Full)
    }

    /// Opens an existing store, running pending migrations.
    pub fn open(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(at(path)));
        }
        if path.is_dir() {
            return Err(StoreError::Directory(at(path)));
        }
        // A store on a read-only file, folder or file system still opens for reading.
        match Self::open_with(path, false, durability) {
            Err(StoreError::ReadOnly(_)) => Self::open_read_only(path),
            other => other,
        }
    }
    /// A new, empty store that lives in memory and goes with it: the scenario runner's, so a
    /// scenario step runs exactly the store's command.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(db_error(&path, LOCK_WAIT))?;
        let setup = conn.execute_batch("PRAGMA foreign_keys = ON;");
        setup.map_err(db_error(&path, LOCK_WAIT))?;
        let mut store = SqliteStore {
            conn,
            path,
            lock_wait: LOCK_WAIT,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens a store that cannot be written (a read-only file, folder or file system) for
    /// reading: read commands work, and a write is refused as read-only. `immutable` lets
    /// SQLite read a WAL store without creating its side files.
    fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        use rusqlite::OpenFlags as F;
        let err = db_error(path, LOCK_WAIT);
        let uri = format!("file:{}?immutable=1", path.display());
        let conn = Connection::open_with_flags(
            uri,
            F::SQLITE_OPEN_READ_ONLY | F::SQLITE_OPEN_URI | F::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(&err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        if version < MIGRATIONS.len() as i64 {
            // An older store needs an upgrade, which it cannot take: read it as it is only if
            // the schema it has is one this version reads (the upgrades so far add views).
            if version < 1 {
                return Err(StoreError::NotAStore(at(path)));
            }
        }
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            lock_wait: LOCK_WAIT,
        })
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
        let err = db_error(path, LOCK_WAIT);
        let conn =
            Connection::open_with_flags(path, flags | F::SQLITE_OPEN_NO_MUTEX).map_err(&err)?;
        conn.busy_timeout(LOCK_WAIT).map_err(&err)?;
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
            return Err(StoreError::NotAStore(at(path)));
        }
        // How many WAL pages before they are copied back into the database. A durable commit
        // syncs the WAL: SQLite's 1000 keeps it small, so it soon wraps and a sync writes pages
        // only, not also the file's new size. Commits that do not sync gain from copying back
        // less often: a run of them rewrites the same last pages of each table and index, and
        // a copy-back writes each page once and syncs.
        let (sync, checkpoint) = match durability {
            Durability::Full => ("FULL", 1000),
            Durability::Normal => ("NORMAL", 8192),
        };
        let setup = conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = {checkpoint};"
        ));
        setup.map_err(&err)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            lock_wait: LOCK_WAIT,
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let err = db_error(&self.path, self.lock_wait);
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
}

fn filter_sql(f: &Filter) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let outcome = match &f.outcome {
        Some(OutcomeFilter::Is(o)) => Some(o.clone()),
        _ => None,
    };
    for (sql, v) in [
        ("stage = ?", f.stage.clone()),
        ("type_id = ?", f.type_id.clone()),
        ("program_id = ?", f.program.clone()),
        ("outcome = ?", outcome),
        ("outcome IS NULL AND due < ?", f.due_before.map(stamp)),
    ] {
        if let Some(v) = v {
            args.push(v);
            clauses.push(sql.replace('?', &format!("?{}", args.len())));
        }
    }
    if f.outcome == Some(OutcomeFilter::Active) {
        clauses.push("outcome IS NULL".into());
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" AND {}", clauses.join(" AND "))
    };
    (sql, args)
}

impl Tx for rusqlite::Transaction<'_> {
    fn state(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        self.prepare_cached(sql::STATE)
            .and_then(|mut st| {
                st.query_row([id], |r| text(r, 0, || state_of(id)))
                    .optional()
            })
            .map_err(sql_error(self))
    }

    fn events(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        self.prepare_cached("SELECT body, seq FROM events WHERE pairing = ?1 ORDER BY id")
            .and_then(|mut st| {
                st.query_map([id], |r| {
                    text(r, 0, || {
                        format!("event {id}#{}", lossy(r, 1).unwrap_or_default())
                    })
                })?
                .collect()
            })
            .map_err(sql_error(self))
    }

    fn active_page(
        &mut self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let (where_sql, args) = filter_sql(filter);
        let n_arg = args.len() + 1;
        let sql = format!(
            "SELECT n, state, id FROM pairings WHERE outcome IS NULL AND n > ?{n_arg}{where_sql} ORDER BY n LIMIT {limit}"
        );
        let after = after as i64;
        let mut values: Vec<&dyn rusqlite::ToSql> =
            args.iter().map(|a| a as &dyn rusqlite::ToSql).collect();
        values.push(&after);
        self.prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map(values.as_slice(), |r| {
                    let state = text(r, 1, || state_of(&lossy(r, 2).unwrap_or_default()))?;
                    Ok((r.get::<_, i64>(0)? as u64, state))
                })?
                .collect()
            })
            .map_err(sql_error(self))
    }

    fn person(&mut self, id: &str) -> Result<Option<(u64, String)>, StoreError> {
        self.prepare_cached(sql::PERSON)
            .and_then(|mut st| {
                st.query_row([id], |r| {
                    let state = text(r, 1, || format!("the stored person {id}"))?;
                    Ok((r.get::<_, i64>(0)? as u64, state))
                })
                .optional()
            })
            .map_err(sql_error(self))
    }

    fn queue(&mut self, row: &OutboxRow) -> Result<(), StoreError> {
        self.prepare_cached(sql::QUEUE)
            .and_then(|mut st| {
                st.execute(params![
                    row.pairing,
                    row.seq as i64,
                    row.queued_at,
                    row.delivered_at,
                    row.attempts,
                    row.last_error
                ])
            })
            .map(|_| ())
            .map_err(sql_error(self))
    }

    fn has_people(&mut self) -> Result<bool, StoreError> {
        self.prepare_cached(sql::ANY_PEOPLE)
            .and_then(|mut st| st.query_row([], |r| r.get::<_, bool>(0)))
            .map_err(sql_error(self))
    }

    fn put_person(
        &mut self,
        id: &str,
        last_seq: u64,
        state: &str,
        expected_seq: u64,
    ) -> Result<bool, StoreError> {
        let (seq, expected) = (last_seq as i64, expected_seq as i64);
        let changed = if expected_seq == 0 {
            self.prepare_cached(
                "INSERT OR IGNORE INTO people (id, last_seq, state) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut st| st.execute(params![id, seq, state]))
        } else {
            self.prepare_cached(sql::UPDATE_PERSON)
                .and_then(|mut st| st.execute(params![id, seq, state, expected]))
        };
        changed.map(|n| n == 1).map_err(sql_error(self))
    }

    fn memberships(&mut self, person: &str) -> Result<Vec<Membership>, StoreError> {
        self.prepare_cached(sql::MEMBERSHIPS)
            .and_then(|mut st| {
                st.query_map([person], |r| {
                    Ok(Membership {
                        pairing: r.get(0)?,
                        program_id: r.get(1)?,
                        role: r.get(2)?,
                        members: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(sql_error(self))
    }

    fn next_number(&mut self) -> Result<u64, StoreError> {
        self.prepare_cached(sql::NEXT_NUMBER)
            .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
            .map(|n| n as u64)
            .map_err(sql_error(self))
    }

    fn add_program(&mut self, p: &ProgramRow<'_>) -> Result<(), StoreError> {
        self.prepare_cached(
            "INSERT OR IGNORE INTO programs (hash, id, title, path, sources, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| st.execute(params![p.hash, p.id, p.title, p.path, p.sources, p.stored_at]))
        .map(|_| ())
        .map_err(sql_error(self))
    }

    fn last_hash(&mut self) -> Result<String, StoreError> {
        self.prepare_cached(sql::LAST_HASH)
            .and_then(|mut st| st.query_row([], |r| r.get(0)).optional())
            .map(Option::unwrap_or_default)
            .map_err(sql_error(self))
    }

    fn append(&mut self, e: &EventRow<'_>) -> Result<(), StoreError> {
        self.prepare_cached(APPEND)
            .and_then(|mut st| st.execute(params![e.pairing, e.seq as i64, e.kind, e.body, e.hash]))
            .map(|_| ())
            .map_err(sql_error(self))
    }

    fn insert_pairing(&mut self, number: u64, p: &PairingRow<'_>) -> Result<(), StoreError> {
        self.prepare_cached(sql::INSERT_PAIRING)
            .and_then(|mut st| {
                st.execute(params![
                    p.id,
                    number as i64,
                    p.program_hash,
                    p.program_id,
                    p.type_id,
                    p.stage,
                    p.outcome,
                    p.due,
                    p.last_seq as i64,
                    p.state,
                    p.label
                ])
            })
            .map_err(sql_error(self))?;
        self.set_members(p, true)
    }

    fn update_pairing(
        &mut self,
        p: &PairingRow<'_>,
        expected_seq: u64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .prepare_cached(UPDATE_PAIRING)
            .and_then(|mut st| {
                st.execute(params![
                    p.id,
                    p.stage,
                    p.outcome,
                    p.due,
                    p.last_seq as i64,
                    p.state,
                    expected_seq as i64,
                    p.program_hash
                ])
            })
            .map_err(sql_error(self))?;
        if changed != 1 {
            return Ok(false);
        }
        self.set_members(p, false)?;
        Ok(true)
    }

    fn person_key(&mut self, person: &str) -> Result<Option<String>, StoreError> {
        self.prepare_cached(sql::PERSON_KEY)
            .and_then(|mut st| st.query_row([person], |r| r.get(0)).optional())
            .map_err(sql_error(self))
    }

    fn add_person_key(&mut self, person: &str, key: &str) -> Result<(), StoreError> {
        self.prepare_cached(sql::ADD_PERSON_KEY)
            .and_then(|mut st| st.execute([person, key]))
            .map(|_| ())
            .map_err(sql_error(self))
    }

    fn erase_person_key(&mut self, person: &str) -> Result<bool, StoreError> {
        // Deleted pages are overwritten, not left in the file's free list.
        self.execute_batch("PRAGMA secure_delete = ON")
            .and_then(|()| self.prepare_cached(sql::ERASE_PERSON_KEY))
            .and_then(|mut st| st.execute([person]))
            .map(|n| n == 1)
            .map_err(sql_error(self))
    }

    fn forget_person(&mut self, id: &str) -> Result<bool, StoreError> {
        self.prepare_cached(sql::FORGET_PERSON)
            .and_then(|mut st| st.execute([id]))
            .map(|n| n == 1)
            .map_err(sql_error(self))
    }

    fn forget_notice(&mut self, pairing: &str, seq: u64) -> Result<(), StoreError> {
        self.prepare_cached(sql::FORGET_NOTICE)
            .and_then(|mut st| st.execute(rusqlite::params![pairing, seq as i64]))
            .map(drop)
            .map_err(sql_error(self))
    }
}

/// Keeps the members index: who takes part in `p`, when that is new or changed.
trait Members {
    /// Writes the index rows of `p` (replacing its old ones unless it is `new`).
    fn set_members(&self, p: &PairingRow<'_>, new: bool) -> Result<(), StoreError>;
}

impl Members for Connection {
    fn set_members(&self, p: &PairingRow<'_>, new: bool) -> Result<(), StoreError> {
        let Some(members) = p.members else {
            return Ok(());
        };
        let run = || -> rusqlite::Result<()> {
            // A new pairing has no rows to replace.
            if !new {
                self.prepare_cached(FORGET_MEMBERS)?.execute([p.id])?;
            }
            let mut insert = self.prepare_cached(sql::ADD_MEMBER)?;
            for (person, role) in members {
                insert.execute([p.id, person, role])?;
            }
            Ok(())
        };
        run().map_err(sql_error(self))
    }
}

/// An outbox row with its `notified` event's body ([`OUTBOX`]).
fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxRow, String)> {
    Ok((outbox_fields(r)?, lossy(r, 8)?))
}

impl Store for SqliteStore {
    fn outbox(&self, all: bool) -> Result<Vec<(OutboxRow, String)>, StoreError> {
        let sql = if all {
            format!("{OUTBOX} ORDER BY o.id")
        } else {
            format!("{OUTBOX} WHERE o.delivered_at IS NULL ORDER BY o.id")
        };
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_map([], outbox_row)?.collect())
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn pending(&self, after: u64, limit: usize) -> Result<Vec<(OutboxRow, String)>, StoreError> {
        let sql =
            format!("{OUTBOX} WHERE o.delivered_at IS NULL AND o.id > ?1 ORDER BY o.id LIMIT ?2");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map(params![after as i64, limit as i64], outbox_row)?
                    .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn pending_count(&self) -> Result<u64, StoreError> {
        self.count(sql::PENDING_COUNT)
    }

    fn running_count(&self) -> Result<u64, StoreError> {
        self.count(sql::RUNNING_COUNT)
    }

    fn claim(&mut self, id: u64, now: &str, until: &str, token: &str) -> Result<bool, StoreError> {
        // One statement: of two deliverers claiming at once, one changes the row.
        self.conn
            .execute(CLAIM, params![id as i64, now, until, token])
            .map(|n| n == 1)
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn attempted(
        &mut self,
        id: u64,
        token: &str,
        now: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let delivered = error.is_none().then_some(now);
        self.conn
            .execute(ATTEMPTED, params![id as i64, delivered, error, token])
            .map(|n| n == 1)
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn write(&mut self, work: &mut Work<'_>) -> Result<(), Abort> {
        let path = self.path.clone();
        let err = db_error(&path, self.lock_wait);
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        // On an error the transaction is dropped: rolled back, nothing stored.
        work(&mut tx)?;
        tx.commit().map_err(&err)?;
        Ok(())
    }

    fn set_lock_wait(&mut self, wait: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(wait)
            .map_err(db_error(&self.path, wait))?;
        self.lock_wait = wait;
        Ok(())
    }

    fn shred(&mut self) -> Result<(), StoreError> {
        // (busy, frames in the log, frames copied): busy when a reader held the log.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(|e| StoreError::Database(e.to_string()))?;
        match busy {
            0 => Ok(()),
            _ => Err(StoreError::Database(
                "another process was reading the store, so its write-ahead log was not emptied"
                    .into(),
            )),
        }
    }

    fn state(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(sql::STATE)
            .and_then(|mut st| {
                st.query_row([id], |r| text(r, 0, || state_of(id)))
                    .optional()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn person_key(&self, person: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(sql::PERSON_KEY)
            .and_then(|mut st| st.query_row([person], |r| r.get(0)).optional())
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn people(&self) -> Result<Vec<StoredPerson>, StoreError> {
        self.conn
            .prepare(sql::PEOPLE)
            .and_then(|mut st| st.query_map([], person_row)?.collect())
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn labelled(&self, label: &str) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached(sql::LABELLED)
            .and_then(|mut s| s.query_map([label], |r| r.get(0))?.collect())
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn pairing_ids(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare(sql::PAIRING_IDS)
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn states(
        &self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let (where_sql, mut args) = filter_sql(filter);
        args.push(after.to_string());
        let sql = format!(
            "SELECT state, id, n FROM pairings WHERE n > CAST(?{} AS INTEGER){where_sql} ORDER BY n LIMIT {limit}",
            args.len()
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                    let state = text(r, 0, || state_of(&lossy(r, 1).unwrap_or_default()))?;
                    Ok((r.get::<_, i64>(2)? as u64, state))
                })?
                .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn events_of(
        &self,
        pairings: &[&str],
        kinds: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError> {
        // Through the (pairing, seq) index, one pairing after another.
        let marks = |from: usize, n: usize| {
            let marks: Vec<String> = (from..from + n).map(|i| format!("?{i}")).collect();
            marks.join(", ")
        };
        let sql = format!(
            "SELECT pairing, body, seq FROM events WHERE pairing IN ({}) AND kind IN ({}) ORDER BY pairing, seq",
            marks(1, pairings.len()),
            marks(pairings.len() + 1, kinds.len())
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                let params = pairings.iter().chain(kinds);
                st.query_map(rusqlite::params_from_iter(params), |r| {
                    let pairing = lossy(r, 0)?;
                    let body = text(r, 1, || {
                        let seq = lossy(r, 2).unwrap_or_default();
                        format!("event {pairing}#{seq}")
                    })?;
                    Ok((pairing, body))
                })?
                .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn events(&self, pairing: Option<&str>) -> Result<Vec<String>, StoreError> {
        // Two statements, so one pairing's events are found through the (pairing, seq) index
        // (`?1 IS NULL OR pairing = ?1` would scan every event of the store).
        let (sql, params) = match pairing {
            Some(id) => (
                "SELECT body, pairing, seq FROM events WHERE pairing = ?1 ORDER BY id",
                vec![id],
            ),
            None => ("SELECT body, pairing, seq FROM events ORDER BY id", vec![]),
        };
        self.conn
            .prepare_cached(sql)
            .and_then(|mut st| {
                st.query_map(rusqlite::params_from_iter(params), |r| {
                    text(r, 0, || {
                        let (p, seq) = (
                            lossy(r, 1).unwrap_or_default(),
                            lossy(r, 2).unwrap_or_default(),
                        );
                        format!("event {p}#{seq}")
                    })
                })?
                .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn program_sources(&self, hash: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(sql::SOURCES, [hash], |r| r.get(0))
            .optional()
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn programs(&self) -> Result<Vec<ProgramVersion>, StoreError> {
        self.conn
            .prepare(sql::PROGRAMS)
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(ProgramVersion {
                        hash: r.get(0)?,
                        id: r.get(1)?,
                        title: r.get(2)?,
                        path: r.get(3)?,
                        stored_at: r.get(4)?,
                        pairings: r.get::<_, i64>(5)? as u64,
                    })
                })?
                .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn program_rows(&self) -> Result<Vec<StoredProgram>, StoreError> {
        self.conn
            .prepare(sql::PROGRAM_ROWS)
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(StoredProgram {
                        hash: r.get(0)?,
                        id: r.get(1)?,
                        title: r.get(2)?,
                        path: r.get(3)?,
                        sources: r.get(4)?,
                        stored_at: r.get(5)?,
                    })
                })?
                .collect()
            })
            .map_err(db_error(&self.path, self.lock_wait))
    }

    fn read(
        &self,
        read: &mut dyn FnMut(&mut dyn Reading) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let err = db_error(&self.path, self.lock_wait);
        // One read transaction: every stream from the same snapshot, even while other
        // coordinators write.
        let snapshot = self.conn.unchecked_transaction().map_err(&err)?;
        read(&mut SqliteReading::new(&snapshot, &err))
    }
}
