//! The shared store: a PostgreSQL database that many coordinators on many machines use at
//! once. SQL only, like the SQLite adapter; what the rows mean is the ledger's business.
//!
//! Locking: the hash chain is one sequence over every event of the store, so writes must be
//! appended one command at a time. Every write transaction therefore starts by locking the one
//! row of `chain_head` (`SELECT ... FOR UPDATE`), the same single-writer rule SQLite's
//! `BEGIN IMMEDIATE` gives. Under READ COMMITTED each later statement of the transaction sees
//! everything committed before the lock was granted, so a command always decides on the
//! newest state: two coordinators never both apply from the same one, and no write is ever
//! retried. Readers (status, list, log, verify) take no lock; verify reads one REPEATABLE
//! READ snapshot.

use postgres::types::{ToSql, Type};
use std::cell::{Cell, OnceCell};

use postgres::{Client, GenericClient, IsolationLevel, NoTls, Statement, Transaction};

use super::store_sql::{self as sql, pg, ATTEMPTED, CLAIM, OUTBOX};
use crate::store::codec::stamp;
use crate::store::postgres_reading::{database, outbox_fields, person_row, PgReading};
use crate::store::{
    Abort, EventRow, Filter, Location, Membership, OutboxRow, OutcomeFilter, PairingRow,
    ProgramRow, ProgramVersion, Reading, Store, StoreError, StoredPerson, StoredProgram, Tx, Work,
    LOCK_WAIT,
};

/// Each entry upgrades the schema by one version; `mentorflow_schema.version` records how far.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE mentorflow_schema (version INTEGER NOT NULL);
INSERT INTO mentorflow_schema VALUES (0);
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
    n BIGINT NOT NULL UNIQUE,
    program_hash TEXT NOT NULL REFERENCES programs(hash),
    program_id TEXT NOT NULL,
    type_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT,
    due TEXT,
    last_seq BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX pairings_stage ON pairings(stage);
CREATE INDEX pairings_due ON pairings(due) WHERE outcome IS NULL;
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    pairing TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (pairing, seq)
);
CREATE INDEX events_pairing ON events(pairing);
CREATE TABLE chain_head (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row));
INSERT INTO chain_head VALUES (TRUE);
"#,
    r#"
CREATE VIEW pairing_facts AS
SELECT p.id AS pairing, f.key AS fact, t.key AS type, t.value AS value
FROM pairings p, jsonb_each(p.state::jsonb -> 'facts') f, jsonb_each(f.value) t;
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
);
CREATE INDEX members_person ON members(person);
INSERT INTO members (pairing, person, role)
SELECT p.id, m.value ->> 'id', m.value ->> 'role'
FROM pairings p, jsonb_array_elements(p.state::jsonb -> 'participants') m
ON CONFLICT DO NOTHING;
"#,
    // The people registry; its edits are events in the one chain (pairing column `person:ID`).
    r#"
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    state TEXT NOT NULL
);
"#,
    // Notifications waiting to be delivered, queued with their `notified` events.
    r#"
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    pairing TEXT NOT NULL,
    seq BIGINT NOT NULL,
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

/// The statements commands run again and again. Each runs unprepared the first time on a
/// connection (one round trip) and is prepared when it runs a second time (a bulk command
/// then skips parsing it): preparing them all when connecting cost a round trip each, eight
/// for a command that runs two, and preparing one costs a round trip more than running it.
#[derive(Default)]
struct Statements {
    lock: Repeated,
    state: Repeated,
    next_number: Repeated,
    add_program: Repeated,
    last_hash: Repeated,
    append_many: Repeated,
    insert_pairing: Repeated,
    update_many: Repeated,
}

/// One of [`Statements`]: whether it ran on this connection, and once prepared, the statement.
#[derive(Default)]
struct Repeated {
    ran: Cell<bool>,
    prepared: OnceCell<Statement>,
}

/// Parameters with their types, as an unprepared statement needs them.
type Typed<'a> = [(&'a (dyn ToSql + Sync), Type)];

impl Repeated {
    /// The prepared statement, or `None` the first time (run it unprepared).
    fn ready(
        &self,
        sql: &str,
        params: &Typed<'_>,
        client: &mut impl GenericClient,
    ) -> Result<Option<Statement>, postgres::Error> {
        if let Some(statement) = self.prepared.get() {
            return Ok(Some(statement.clone()));
        }
        if !self.ran.replace(true) {
            return Ok(None);
        }
        let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
        let statement = client.prepare_typed(sql, &types)?;
        Ok(Some(self.prepared.get_or_init(|| statement).clone()))
    }

    fn query(
        &self,
        sql: &str,
        params: &Typed<'_>,
        client: &mut impl GenericClient,
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        match self.ready(sql, params, client)? {
            None => client.query_typed(sql, params),
            Some(statement) => client.query(&statement, &values(params)),
        }
    }

    fn execute(
        &self,
        sql: &str,
        params: &Typed<'_>,
        client: &mut impl GenericClient,
    ) -> Result<u64, postgres::Error> {
        match self.ready(sql, params, client)? {
            None => client.execute_typed(sql, params),
            Some(statement) => client.execute(&statement, &values(params)),
        }
    }
}

/// The values of typed parameters.
fn values<'a>(params: &Typed<'a>) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|(v, _)| *v).collect()
}

const LOCK: &str = "SELECT only_row FROM chain_head FOR UPDATE";
const ADD_PROGRAM: &str = "INSERT INTO programs (hash, id, title, path, sources, stored_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING";

/// The PostgreSQL store.
pub struct PostgresStore {
    // The synchronous client needs `&mut` for every query; reads of the store take `&self`.
    client: std::cell::RefCell<Client>,
    statements: Statements,
    location: Location,
    /// How long a write waits for the chain lock held by another command.
    lock_wait: std::time::Duration,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresStore({})", self.location)
    }
}

/// `lock_timeout` in milliseconds for waiting `wait`: PostgreSQL reads 0 as "wait for ever",
/// so 1 ms is "do not wait".
fn lock_timeout(wait: std::time::Duration) -> u128 {
    wait.as_millis().clamp(1, i32::MAX as u128)
}

/// The tables a store has, found in the connected database.
fn our_tables(client: &mut Client) -> Result<(i64, i64), StoreError> {
    // Queries run once per command go unprepared (`query_typed`): one round trip, not two.
    let row = client
        .query_typed_one(
            "SELECT COUNT(*) FILTER (WHERE table_name IN ('mentorflow_schema', 'programs', 'pairings', 'events', 'chain_head')), COUNT(*) \
             FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .map_err(database)?;
    Ok((row.get(0), row.get(1)))
}

impl PostgresStore {
    /// The one number a counting query gives.
    fn count(&self, query: &'static str) -> Result<u64, StoreError> {
        let row = self
            .client
            .borrow_mut()
            .query_one(pg(query), &[])
            .map_err(database)?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn connect(location: &Location) -> Result<Client, StoreError> {
        let Location::Postgres(url) = location else {
            return Err(StoreError::Database(format!(
                "{location} is not a PostgreSQL URL"
            )));
        };
        // The lock timeout goes with the connection's start, not as a round trip of its own.
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            StoreError::Unreachable(location.clone(), e.to_string())
        })?;
        let options = format!(
            "{} -c lock_timeout={}",
            config.get_options().unwrap_or_default(),
            lock_timeout(LOCK_WAIT)
        );
        config.options(options.trim());
        config.connect(NoTls).map_err(|e| {
            // The client's own message is terse ("error connecting to server"); the cause
            // (connection refused, unknown database, bad password) is in its source.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                why = format!("{why}: {cause}");
                source = cause.source();
            }
            StoreError::Unreachable(location.clone(), why)
        })
    }

    /// Creates the store's tables in the (existing) database at `location`; refuses a database
    /// that already has tables.
    pub fn create(location: &Location) -> Result<PostgresStore, StoreError> {
        let mut client = Self::connect(location)?;
        match our_tables(&mut client)? {
            (0, 0) => {}
            (5, _) => return Err(StoreError::Exists(location.clone())),
            _ => return Err(StoreError::NotAStore(location.clone())),
        }
        Self::migrate(&mut client, 0)?;
        Self::with(client, location)
    }

    /// Opens the store at `location`, running pending migrations.
    pub fn open(location: &Location) -> Result<PostgresStore, StoreError> {
        let mut client = Self::connect(location)?;
        match our_tables(&mut client)? {
            (5, _) => {}
            (0, 0) => return Err(StoreError::Missing(location.clone())),
            _ => return Err(StoreError::NotAStore(location.clone())),
        }
        let version: i32 = client
            .query_typed_one("SELECT version FROM mentorflow_schema", &[])
            .map_err(database)?
            .get(0);
        Self::migrate(&mut client, version)?;
        Self::with(client, location)
    }

    fn with(client: Client, location: &Location) -> Result<PostgresStore, StoreError> {
        Ok(PostgresStore {
            client: std::cell::RefCell::new(client),
            statements: Statements::default(),
            location: location.clone(),
            lock_wait: LOCK_WAIT,
        })
    }

    fn migrate(client: &mut Client, version: i32) -> Result<(), StoreError> {
        let supported = MIGRATIONS.len() as i32;
        if version > supported {
            return Err(StoreError::TooNew {
                found: i64::from(version),
                supported: i64::from(supported),
            });
        }
        if version == supported {
            return Ok(());
        }
        let mut tx = client.transaction().map_err(database)?;
        // Two coordinators opening an old store at once: the second waits, then finds it done.
        if version > 0 {
            tx.batch_execute("LOCK TABLE mentorflow_schema IN EXCLUSIVE MODE")
                .map_err(database)?;
            let now: i32 = tx
                .query_one("SELECT version FROM mentorflow_schema", &[])
                .map_err(database)?
                .get(0);
            if now == supported {
                return tx.commit().map_err(database);
            }
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql).map_err(database)?;
            tx.execute(
                "UPDATE mentorflow_schema SET version = $1",
                &[&(i as i32 + 1)],
            )
            .map_err(database)?;
        }
        tx.commit().map_err(database)
    }
}

fn filter_sql(f: &Filter, first: usize) -> (String, Vec<String>) {
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
            clauses.push(sql.replace('?', &format!("${}", first + args.len() - 1)));
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

/// A write transaction holding the chain lock. Appended events and changed projections wait
/// in `pending` and go to the server together (one statement for all the events, one for all
/// the projections, two for their members): a bulk command's batch costs a few round trips,
/// not two per pairing. Whatever else the transaction does sends them first, so it reads what
/// it wrote and rows keep their order; the commit sends the rest.
struct PgTx<'a> {
    tx: Transaction<'a>,
    st: &'a Statements,
    pending: Pending,
    /// The last seq of each pairing this transaction read or changed: a change from another
    /// seq is refused at once (`false`), as the store's contract says, with no round trip.
    seqs: std::collections::HashMap<String, i64>,
}

/// Writes not yet sent.
#[derive(Default)]
struct Pending {
    /// Events, in order (their ids follow it).
    events: Events,
    /// Projections to replace, each if its stored last seq is still the expected one.
    updates: Vec<Update>,
}

/// Events as columns, as the statement sends them.
#[derive(Default)]
struct Events {
    pairing: Vec<String>,
    seq: Vec<i64>,
    kind: Vec<String>,
    body: Vec<String>,
    hash: Vec<String>,
}

/// A projection to replace.
struct Update {
    id: String,
    stage: String,
    outcome: Option<String>,
    due: Option<String>,
    last_seq: i64,
    state: String,
    expected: i64,
    program_hash: String,
    /// Who takes part, when that changed.
    members: Option<Vec<(String, String)>>,
}

/// A pairing's state and last seq.
const STATE_AND_SEQ: &str = "SELECT state, last_seq FROM pairings WHERE id = $1";

/// Most writes kept before they are sent anyway (a batch's worth bounds the memory).
const MOST_PENDING: usize = 2000;

/// The events of a batch, in one statement: their order kept (the ids follow it).
const APPEND_MANY: &str = "INSERT INTO events (pairing, seq, kind, body, hash) \
     SELECT p, s, k, b, h FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[]) \
     WITH ORDINALITY AS t(p, s, k, b, h, o) ORDER BY o";

/// The projections of a batch, in one statement, each only if its last seq is still the
/// expected one; the ids changed come back.
const UPDATE_MANY: &str = "UPDATE pairings AS p SET stage = v.stage, outcome = v.outcome, \
     due = v.due, last_seq = v.last_seq, state = v.state, program_hash = v.program_hash \
     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], \
     $7::int8[], $8::text[]) AS v(id, stage, outcome, due, last_seq, state, expected, program_hash) \
     WHERE p.id = v.id AND p.last_seq = v.expected RETURNING p.id";

/// Who takes part in the pairings of a batch whose members changed.
const FORGET_MEMBERS_MANY: &str = "DELETE FROM members WHERE pairing = ANY($1::text[])";
const ADD_MEMBERS_MANY: &str = "INSERT INTO members (pairing, person, role) \
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])";

impl Tx for PgTx<'_> {
    fn state(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        self.flush()?;
        let rows = (self.st.state)
            .query(STATE_AND_SEQ, &[(&id, Type::TEXT)], &mut self.tx)
            .map_err(database)?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        self.seqs.insert(id.to_string(), row.get(1));
        Ok(Some(row.get(0)))
    }

    fn events(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        self.flush()?;
        let rows = self
            .tx
            .query(
                "SELECT body FROM events WHERE pairing = $1 ORDER BY id",
                &[&id],
            )
            .map_err(database)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn active_page(
        &mut self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        self.flush()?;
        let (where_sql, args) = filter_sql(filter, 2);
        let sql = format!(
            "SELECT n, state, id, last_seq FROM pairings WHERE outcome IS NULL AND n > $1{where_sql} ORDER BY n LIMIT {limit}"
        );
        let after = after as i64;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&after];
        params.extend(args.iter().map(|a| a as &(dyn ToSql + Sync)));
        let rows = self.tx.query(&sql, &params).map_err(database)?;
        for r in &rows {
            self.seqs.insert(r.get(2), r.get(3));
        }
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u64, r.get(1)))
            .collect())
    }

    fn next_number(&mut self) -> Result<u64, StoreError> {
        self.flush()?;
        let rows = (self.st.next_number)
            .query(pg(sql::NEXT_NUMBER), &[], &mut self.tx)
            .map_err(database)?;
        let n: i64 = rows.first().map_or(1, |r| r.get(0));
        Ok(n as u64)
    }

    fn add_program(&mut self, p: &ProgramRow<'_>) -> Result<(), StoreError> {
        self.flush()?;
        let params: [&(dyn ToSql + Sync); 6] =
            [&p.hash, &p.id, &p.title, &p.path, &p.sources, &p.stored_at];
        let typed: Vec<_> = params.into_iter().map(|v| (v, Type::TEXT)).collect();
        (self.st.add_program)
            .execute(ADD_PROGRAM, &typed, &mut self.tx)
            .map_err(database)?;
        Ok(())
    }

    fn last_hash(&mut self) -> Result<String, StoreError> {
        self.flush()?;
        let rows = (self.st.last_hash)
            .query(pg(sql::LAST_HASH), &[], &mut self.tx)
            .map_err(database)?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or_default())
    }

    fn append(&mut self, e: &EventRow<'_>) -> Result<(), StoreError> {
        let events = &mut self.pending.events;
        events.pairing.push(e.pairing.to_string());
        events.seq.push(e.seq as i64);
        events.kind.push(e.kind.to_string());
        events.body.push(e.body.to_string());
        events.hash.push(e.hash.to_string());
        if events.pairing.len() >= MOST_PENDING {
            self.flush()?;
        }
        Ok(())
    }

    fn insert_pairing(&mut self, number: u64, p: &PairingRow<'_>) -> Result<(), StoreError> {
        self.flush()?;
        let (n, last_seq) = (number as i64, p.last_seq as i64);
        let params: &Typed<'_> = &[
            (&p.id, Type::TEXT),
            (&n, Type::INT8),
            (&p.program_hash, Type::TEXT),
            (&p.program_id, Type::TEXT),
            (&p.type_id, Type::TEXT),
            (&p.stage, Type::TEXT),
            (&p.outcome, Type::TEXT),
            (&p.due, Type::TEXT),
            (&last_seq, Type::INT8),
            (&p.state, Type::TEXT),
            (&p.label, Type::TEXT),
        ];
        (self.st.insert_pairing)
            .execute(pg(sql::INSERT_PAIRING), params, &mut self.tx)
            .map_err(database)?;
        self.set_members(p)
    }

    /// Waits with the others. Whether the last seq is still the expected one is known from
    /// this transaction's reads (under the chain lock no other command changes it); checked
    /// again when they are sent, where a projection changed after all fails the transaction
    /// ([`StoreError::Conflict`]).
    fn update_pairing(
        &mut self,
        p: &PairingRow<'_>,
        expected_seq: u64,
    ) -> Result<bool, StoreError> {
        match self.seqs.get(p.id) {
            Some(seq) if *seq != expected_seq as i64 => return Ok(false),
            Some(_) => {}
            // Not read in this transaction: its seq is asked now.
            None => {
                self.flush()?;
                let row = self
                    .tx
                    .query_opt("SELECT last_seq FROM pairings WHERE id = $1", &[&p.id])
                    .map_err(database)?;
                if row.map(|r| r.get::<_, i64>(0)) != Some(expected_seq as i64) {
                    return Ok(false);
                }
            }
        }
        // One statement changes a row once: a second change of the same pairing waits for the
        // first to be sent.
        if self.pending.updates.iter().any(|u| u.id == p.id) {
            self.flush()?;
        }
        self.seqs.insert(p.id.to_string(), p.last_seq as i64);
        self.pending.updates.push(Update {
            id: p.id.to_string(),
            stage: p.stage.to_string(),
            outcome: p.outcome.map(str::to_string),
            due: p.due.map(str::to_string),
            last_seq: p.last_seq as i64,
            state: p.state.to_string(),
            expected: expected_seq as i64,
            program_hash: p.program_hash.to_string(),
            members: p.members.map(|m| {
                m.iter()
                    .map(|(person, role)| (person.to_string(), role.to_string()))
                    .collect()
            }),
        });
        if self.pending.updates.len() >= MOST_PENDING {
            self.flush()?;
        }
        Ok(true)
    }

    fn person(&mut self, id: &str) -> Result<Option<(u64, String)>, StoreError> {
        self.flush()?;
        Ok(self
            .tx
            .query_opt(pg(sql::PERSON), &[&id])
            .map_err(database)?
            .map(|r| (r.get::<_, i64>(0) as u64, r.get(1))))
    }

    fn queue(&mut self, row: &OutboxRow) -> Result<(), StoreError> {
        self.flush()?;
        let (seq, attempts) = (row.seq as i64, row.attempts as i32);
        self.tx
            .execute(
                pg(sql::QUEUE),
                &[
                    &row.pairing,
                    &seq,
                    &row.queued_at,
                    &row.delivered_at,
                    &attempts,
                    &row.last_error,
                ],
            )
            .map_err(database)?;
        Ok(())
    }

    fn has_people(&mut self) -> Result<bool, StoreError> {
        self.flush()?;
        Ok(self
            .tx
            .query_typed_one(pg(sql::ANY_PEOPLE), &[])
            .map_err(database)?
            .get(0))
    }

    fn put_person(
        &mut self,
        id: &str,
        last_seq: u64,
        state: &str,
        expected_seq: u64,
    ) -> Result<bool, StoreError> {
        self.flush()?;
        let (seq, expected) = (last_seq as i64, expected_seq as i64);
        let changed = if expected_seq == 0 {
            self.tx.execute(
                "INSERT INTO people (id, last_seq, state) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                &[&id, &seq, &state],
            )
        } else {
            self.tx
                .execute(pg(sql::UPDATE_PERSON), &[&id, &seq, &state, &expected])
        };
        Ok(changed.map_err(database)? == 1)
    }

    fn memberships(&mut self, person: &str) -> Result<Vec<Membership>, StoreError> {
        self.flush()?;
        let rows = self
            .tx
            .query(pg(sql::MEMBERSHIPS), &[&person])
            .map_err(database)?;
        Ok(rows
            .iter()
            .map(|r| Membership {
                pairing: r.get(0),
                program_id: r.get(1),
                role: r.get(2),
                members: u32::try_from(r.get::<_, i64>(3)).unwrap_or(u32::MAX),
            })
            .collect())
    }

    fn person_key(&mut self, person: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .tx
            .query(pg(sql::PERSON_KEY), &[&person])
            .map_err(database)?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn add_person_key(&mut self, person: &str, key: &str) -> Result<(), StoreError> {
        self.tx
            .execute(pg(sql::ADD_PERSON_KEY), &[&person, &key])
            .map_err(database)?;
        Ok(())
    }

    fn erase_person_key(&mut self, person: &str) -> Result<bool, StoreError> {
        let n = self
            .tx
            .execute(pg(sql::ERASE_PERSON_KEY), &[&person])
            .map_err(database)?;
        Ok(n == 1)
    }

    fn forget_person(&mut self, id: &str) -> Result<bool, StoreError> {
        self.flush()?;
        let n = self
            .tx
            .execute(pg(sql::FORGET_PERSON), &[&id])
            .map_err(database)?;
        Ok(n == 1)
    }

    fn forget_notice(&mut self, pairing: &str, seq: u64) -> Result<(), StoreError> {
        self.flush()?;
        self.tx
            .execute(pg(sql::FORGET_NOTICE), &[&pairing, &(seq as i64)])
            .map_err(database)?;
        Ok(())
    }
}

impl PgTx<'_> {
    /// Sends the writes waiting: the events, then the projections (failing with a conflict if
    /// one changed since it was read), then their members.
    fn flush(&mut self) -> Result<(), StoreError> {
        let Events {
            pairing,
            seq,
            kind,
            body,
            hash,
        } = std::mem::take(&mut self.pending.events);
        if !pairing.is_empty() {
            let params: &Typed<'_> = &[
                (&pairing, Type::TEXT_ARRAY),
                (&seq, Type::INT8_ARRAY),
                (&kind, Type::TEXT_ARRAY),
                (&body, Type::TEXT_ARRAY),
                (&hash, Type::TEXT_ARRAY),
            ];
            (self.st.append_many)
                .execute(APPEND_MANY, params, &mut self.tx)
                .map_err(database)?;
        }
        let updates = std::mem::take(&mut self.pending.updates);
        if updates.is_empty() {
            return Ok(());
        }
        let column = |f: fn(&Update) -> String| updates.iter().map(f).collect::<Vec<_>>();
        let (ids, stages, states, hashes) = (
            column(|u| u.id.clone()),
            column(|u| u.stage.clone()),
            column(|u| u.state.clone()),
            column(|u| u.program_hash.clone()),
        );
        let outcomes: Vec<Option<String>> = updates.iter().map(|u| u.outcome.clone()).collect();
        let dues: Vec<Option<String>> = updates.iter().map(|u| u.due.clone()).collect();
        let seqs: Vec<i64> = updates.iter().map(|u| u.last_seq).collect();
        let expected: Vec<i64> = updates.iter().map(|u| u.expected).collect();
        let params: &Typed<'_> = &[
            (&ids, Type::TEXT_ARRAY),
            (&stages, Type::TEXT_ARRAY),
            (&outcomes, Type::TEXT_ARRAY),
            (&dues, Type::TEXT_ARRAY),
            (&seqs, Type::INT8_ARRAY),
            (&states, Type::TEXT_ARRAY),
            (&expected, Type::INT8_ARRAY),
            (&hashes, Type::TEXT_ARRAY),
        ];
        let changed = (self.st.update_many)
            .query(UPDATE_MANY, params, &mut self.tx)
            .map_err(database)?;
        if changed.len() != updates.len() {
            let done: std::collections::HashSet<String> =
                changed.iter().map(|r| r.get(0)).collect();
            let first = ids.into_iter().find(|id| !done.contains(id));
            return Err(StoreError::Conflict(first.unwrap_or_default()));
        }
        self.members(&updates)
    }

    /// Who takes part in each updated pairing whose members changed, written again.
    fn members(&mut self, updates: &[Update]) -> Result<(), StoreError> {
        let changed: Vec<&Update> = updates.iter().filter(|u| u.members.is_some()).collect();
        if changed.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = changed.iter().map(|u| u.id.as_str()).collect();
        self.tx
            .execute(FORGET_MEMBERS_MANY, &[&ids])
            .map_err(database)?;
        let (mut pairings, mut people, mut roles) = (Vec::new(), Vec::new(), Vec::new());
        for u in &changed {
            for (person, role) in u.members.iter().flatten() {
                pairings.push(u.id.as_str());
                people.push(person.as_str());
                roles.push(role.as_str());
            }
        }
        if !pairings.is_empty() {
            self.tx
                .execute(ADD_MEMBERS_MANY, &[&pairings, &people, &roles])
                .map_err(database)?;
        }
        Ok(())
    }

    /// Writes who takes part in new pairing `p`, when it says.
    fn set_members(&mut self, p: &PairingRow<'_>) -> Result<(), StoreError> {
        let Some(members) = p.members else {
            return Ok(());
        };
        for (person, role) in members {
            self.tx
                .execute(pg(sql::ADD_MEMBER), &[&p.id, person, role])
                .map_err(database)?;
        }
        Ok(())
    }
}

/// Runs `read` in one REPEATABLE READ, read-only transaction: one consistent snapshot.
fn snapshot_of<T>(
    client: &mut Client,
    read: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(database)?;
    let out = read(&mut tx)?;
    tx.commit().map_err(database)?;
    Ok(out)
}

/// An outbox row with its `notified` event's body ([`OUTBOX`]).
fn outbox_row(r: &postgres::Row) -> (OutboxRow, String) {
    (outbox_fields(r), r.get(8))
}

impl Store for PostgresStore {
    fn outbox(&self, all: bool) -> Result<Vec<(OutboxRow, String)>, StoreError> {
        let sql = if all {
            format!("{OUTBOX} ORDER BY o.id")
        } else {
            format!("{OUTBOX} WHERE o.delivered_at IS NULL ORDER BY o.id")
        };
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &[])
            .map_err(database)?;
        Ok(rows.iter().map(outbox_row).collect())
    }

    fn pending(&self, after: u64, limit: usize) -> Result<Vec<(OutboxRow, String)>, StoreError> {
        let sql =
            format!("{OUTBOX} WHERE o.delivered_at IS NULL AND o.id > $1 ORDER BY o.id LIMIT $2");
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &[&(after as i64), &(limit as i64)])
            .map_err(database)?;
        Ok(rows.iter().map(outbox_row).collect())
    }

    fn pending_count(&self) -> Result<u64, StoreError> {
        self.count(sql::PENDING_COUNT)
    }

    fn running_count(&self) -> Result<u64, StoreError> {
        self.count(sql::RUNNING_COUNT)
    }

    fn claim(&mut self, id: u64, now: &str, until: &str, token: &str) -> Result<bool, StoreError> {
        // One statement: of two deliverers claiming at once, one changes the row.
        let n = self
            .client
            .borrow_mut()
            .execute(pg(CLAIM), &[&(id as i64), &now, &until, &token])
            .map_err(database)?;
        Ok(n == 1)
    }

    fn attempted(
        &mut self,
        id: u64,
        token: &str,
        now: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let delivered = error.is_none().then_some(now);
        let n = self
            .client
            .borrow_mut()
            .execute(pg(ATTEMPTED), &[&(id as i64), &delivered, &error, &token])
            .map_err(database)?;
        Ok(n == 1)
    }

    fn set_lock_wait(&mut self, wait: std::time::Duration) -> Result<(), StoreError> {
        if wait == self.lock_wait {
            return Ok(());
        }
        self.client
            .borrow_mut()
            .batch_execute(&format!("SET lock_timeout = {}", lock_timeout(wait)))
            .map_err(database)?;
        self.lock_wait = wait;
        Ok(())
    }

    fn shred(&mut self) -> Result<(), StoreError> {
        // Outside a transaction, as VACUUM must be: the dead rows' pages are rewritten.
        self.client
            .borrow_mut()
            .batch_execute("VACUUM FULL person_keys")
            .map_err(database)
    }

    fn write(&mut self, work: &mut Work<'_>) -> Result<(), Abort> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(database)?;
        self.statements
            .lock
            .query(LOCK, &[], &mut tx)
            .map_err(|e| {
                if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
                    StoreError::Busy(self.location.clone(), self.lock_wait)
                } else {
                    database(e)
                }
            })?;
        let mut pg = PgTx {
            tx,
            st: &self.statements,
            pending: Pending::default(),
            seqs: std::collections::HashMap::new(),
        };
        // On an error the transaction is dropped: rolled back, nothing stored.
        work(&mut pg)?;
        pg.flush()?;
        pg.tx.commit().map_err(database)?;
        Ok(())
    }

    fn state(&self, id: &str) -> Result<Option<String>, StoreError> {
        // One pairing per command: unprepared, one round trip.
        Ok(self
            .client
            .borrow_mut()
            .query_typed_opt(pg(sql::STATE), &[(&id, Type::TEXT)])
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    fn person_key(&self, person: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .client
            .borrow_mut()
            .query_typed_opt(pg(sql::PERSON_KEY), &[(&person, Type::TEXT)])
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    fn people(&self) -> Result<Vec<StoredPerson>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(pg(sql::PEOPLE), &[])
            .map_err(database)?;
        Ok(rows.iter().map(person_row).collect())
    }

    fn labelled(&self, label: &str) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(pg(sql::LABELLED), &[&label])
            .map_err(database)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn pairing_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(pg(sql::PAIRING_IDS), &[])
            .map_err(database)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn states(
        &self,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let (where_sql, args) = filter_sql(filter, 2);
        let sql = format!(
            "SELECT n, state FROM pairings WHERE n > $1{where_sql} ORDER BY n LIMIT {limit}"
        );
        let after = after as i64;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&after];
        params.extend(args.iter().map(|a| a as &(dyn ToSql + Sync)));
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &params)
            .map_err(database)?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u64, r.get(1)))
            .collect())
    }

    fn events_of(
        &self,
        pairings: &[&str],
        kinds: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query_typed(
                "SELECT pairing, body FROM events WHERE pairing = ANY($1) AND kind = ANY($2) ORDER BY pairing, seq",
                &[(&pairings, Type::TEXT_ARRAY), (&kinds, Type::TEXT_ARRAY)],
            )
            .map_err(database)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn events(&self, pairing: Option<&str>) -> Result<Vec<String>, StoreError> {
        // Two statements, so one pairing's events are found through the (pairing, seq) index.
        let mut client = self.client.borrow_mut();
        let rows = match pairing {
            Some(id) => client.query_typed(
                "SELECT body FROM events WHERE pairing = $1 ORDER BY id",
                &[(&id, Type::TEXT)],
            ),
            None => client.query_typed("SELECT body FROM events ORDER BY id", &[]),
        }
        .map_err(database)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn program_sources(&self, hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .client
            .borrow_mut()
            .query_typed_opt(pg(sql::SOURCES), &[(&hash, Type::TEXT)])
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    fn programs(&self) -> Result<Vec<ProgramVersion>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(pg(sql::PROGRAMS), &[])
            .map_err(database)?;
        Ok(rows
            .iter()
            .map(|r| ProgramVersion {
                hash: r.get(0),
                id: r.get(1),
                title: r.get(2),
                path: r.get(3),
                stored_at: r.get(4),
                pairings: r.get::<_, i64>(5) as u64,
            })
            .collect())
    }

    fn program_rows(&self) -> Result<Vec<StoredProgram>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query_typed(pg(sql::PROGRAM_ROWS), &[])
            .map_err(database)?;
        Ok(rows
            .iter()
            .map(|r| StoredProgram {
                hash: r.get(0),
                id: r.get(1),
                title: r.get(2),
                path: r.get(3),
                sources: r.get(4),
                stored_at: r.get(5),
            })
            .collect())
    }

    fn read(
        &self,
        read: &mut dyn FnMut(&mut dyn Reading) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // A connection of its own: the reader may read other things of the store (program
        // versions) on the store's connection while the snapshot is open.
        let mut client = Self::connect(&self.location)?;
        snapshot_of(&mut client, |tx| read(&mut PgReading::new(tx)))
    }
}
