//! A whole PostgreSQL store read a page at a time ([`Reading`]), inside one REPEATABLE READ
//! transaction.
//!
//! Each stream is one query bound to a portal (a server-side cursor) and fetched a page at a
//! time: the server sorts once, the client holds one page. Text is ordered `COLLATE "C"`
//! (byte order, what Rust's `str` order is) whatever the database's own collation, so streams
//! merge the same way on every backend.

use postgres::{Portal, Transaction};

use crate::store::store_sql as sql;
use crate::store::{
    OutboxRow, Reading, StoreError, StoredEvent, StoredPairing, StoredPerson, PAGE,
};

/// The streams of one read transaction.
pub(crate) struct PgReading<'a, 't> {
    tx: &'a mut Transaction<'t>,
    portals: [Option<Portal>; 7],
}

impl<'a, 't> PgReading<'a, 't> {
    pub(crate) fn new(tx: &'a mut Transaction<'t>) -> Self {
        PgReading {
            tx,
            portals: Default::default(),
        }
    }

    /// The next page of the stream at `slot`, the query `sql` bound on first use.
    fn page<T>(
        &mut self,
        slot: usize,
        sql: &str,
        read: impl Fn(&postgres::Row) -> T,
    ) -> Result<Vec<T>, StoreError> {
        let portal = match &self.portals[slot] {
            Some(portal) => portal.clone(),
            None => {
                let portal = self.tx.bind(sql, &[]).map_err(database)?;
                self.portals[slot] = Some(portal.clone());
                portal
            }
        };
        let rows = self
            .tx
            .query_portal(&portal, PAGE as i32)
            .map_err(database)?;
        Ok(rows.iter().map(read).collect())
    }
}

fn event(r: &postgres::Row) -> StoredEvent {
    StoredEvent {
        row: r.get(0),
        pairing: r.get(1),
        seq: r.get(2),
        kind: r.get(3),
        body: r.get(4),
        hash: r.get(5),
    }
}

impl Reading for PgReading<'_, '_> {
    fn events_in_order(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        self.page(0, &format!("{} ORDER BY e.id", sql::EVENT_ROWS), event)
    }

    fn events_by_subject(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        let query = format!(
            "{} ORDER BY e.pairing COLLATE \"C\", e.seq",
            sql::EVENT_ROWS
        );
        self.page(1, &query, event)
    }

    fn head(&mut self) -> Result<String, StoreError> {
        let rows = self
            .tx
            .query("SELECT hash FROM events ORDER BY id DESC LIMIT 1", &[])
            .map_err(database)?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or_default())
    }

    fn pairings(&mut self) -> Result<Vec<StoredPairing>, StoreError> {
        let query = format!("{} ORDER BY id COLLATE \"C\"", sql::PAIRING_ROWS);
        self.page(2, &query, |r| StoredPairing {
            id: r.get(0),
            number: r.get::<_, i64>(1) as u64,
            program_hash: r.get(2),
            stage: r.get(3),
            outcome: r.get(4),
            due: r.get(5),
            state: r.get(6),
        })
    }

    fn people(&mut self) -> Result<Vec<StoredPerson>, StoreError> {
        let query = format!("{} ORDER BY id COLLATE \"C\"", sql::PERSON_ROWS);
        self.page(3, &query, person_row)
    }

    fn members(&mut self) -> Result<Vec<(String, String, String)>, StoreError> {
        let query = format!(
            "{} ORDER BY pairing COLLATE \"C\", person COLLATE \"C\"",
            sql::MEMBER_ROWS
        );
        self.page(4, &query, |r| (r.get(0), r.get(1), r.get(2)))
    }

    fn outbox_by_subject(&mut self) -> Result<Vec<OutboxRow>, StoreError> {
        let query = format!(
            "{} ORDER BY o.pairing COLLATE \"C\", o.seq",
            sql::OUTBOX_ROWS
        );
        self.page(5, &query, outbox_fields)
    }

    fn outbox_in_order(&mut self) -> Result<Vec<OutboxRow>, StoreError> {
        self.page(
            6,
            &format!("{} ORDER BY o.id", sql::OUTBOX_ROWS),
            outbox_fields,
        )
    }

    fn person_keys(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        let query = sql::PERSON_KEYS.replace("ORDER BY person", "ORDER BY person COLLATE \"C\"");
        let rows = self.tx.query(&query, &[]).map_err(database)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn keys_of(&mut self, people: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let query = "SELECT person, key FROM person_keys WHERE person = ANY($1)";
        let rows = self.tx.query(query, &[&people]).map_err(database)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

/// A PostgreSQL error, as the store reports it.
pub(crate) fn database(e: postgres::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// An outbox row ([`sql::OUTBOX_ROWS`] columns 0 to 7).
pub(crate) fn outbox_fields(r: &postgres::Row) -> OutboxRow {
    OutboxRow {
        id: r.get::<_, i64>(0) as u64,
        pairing: r.get(1),
        seq: r.get::<_, i64>(2) as u64,
        queued_at: r.get(3),
        delivered_at: r.get(4),
        attempts: r.get::<_, i32>(5) as u32,
        last_error: r.get(6),
        claimed_until: r.get(7),
    }
}

pub(crate) fn person_row(r: &postgres::Row) -> StoredPerson {
    StoredPerson {
        id: r.get(0),
        last_seq: r.get::<_, i64>(1) as u64,
        state: r.get(2),
    }
}
