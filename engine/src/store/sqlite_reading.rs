//! A whole SQLite store read a page at a time ([`Reading`]), inside one read transaction.
//!
//! Each stream pages by its key (keyset paging: `WHERE key > last ORDER BY key LIMIT n`), so
//! every page is an index range and nothing is sorted. The last key is kept as SQLite holds it
//! (its type and raw bytes), not as the text read back: a damaged value (a blob, bytes that
//! are not UTF-8) still pages on exactly, where its lossy text could page back onto itself.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use crate::store::store_sql as sql;
use crate::store::{
    OutboxRow, Reading, StoreError, StoredEvent, StoredPairing, StoredPerson, PAGE,
};

/// A key column's value as stored.
#[derive(Debug, Clone)]
enum Key {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl Key {
    fn of(value: ValueRef<'_>) -> Key {
        match value {
            ValueRef::Null => Key::Null,
            ValueRef::Integer(n) => Key::Integer(n),
            ValueRef::Real(x) => Key::Real(x),
            ValueRef::Text(b) => Key::Text(b.to_vec()),
            ValueRef::Blob(b) => Key::Blob(b.to_vec()),
        }
    }
}

impl ToSql for Key {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Key::Null => ValueRef::Null,
            Key::Integer(n) => ValueRef::Integer(*n),
            Key::Real(x) => ValueRef::Real(*x),
            Key::Text(b) => ValueRef::Text(b),
            Key::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// Where a stream stands: before its first row, after the key of its last, or done.
#[derive(Debug, Clone)]
enum Place {
    Start,
    After(Vec<Key>),
    Done,
}

/// The streams of one read transaction on `conn`.
pub(crate) struct SqliteReading<'c> {
    conn: &'c Connection,
    err: &'c dyn Fn(rusqlite::Error) -> StoreError,
    places: [Place; 7],
}

/// One stream: its columns and table (`SELECT ... FROM ...`), its key columns in order, and
/// where each key column is among the selected ones.
struct Stream {
    select: &'static str,
    key: &'static [&'static str],
    at: &'static [usize],
}

const EVENTS_IN_ORDER: Stream = Stream {
    select: sql::EVENT_ROWS,
    key: &["e.id"],
    at: &[0],
};
const EVENTS_BY_SUBJECT: Stream = Stream {
    select: sql::EVENT_ROWS,
    key: &["e.pairing", "e.seq"],
    at: &[1, 2],
};
const PAIRINGS: Stream = Stream {
    select: sql::PAIRING_ROWS,
    key: &["id"],
    at: &[0],
};
const PEOPLE: Stream = Stream {
    select: sql::PERSON_ROWS,
    key: &["id"],
    at: &[0],
};
const MEMBERS: Stream = Stream {
    select: sql::MEMBER_ROWS,
    key: &["pairing", "person"],
    at: &[0, 1],
};
const OUTBOX_BY_SUBJECT: Stream = Stream {
    select: OUTBOX_IN_ORDER.select,
    key: &["o.pairing", "o.seq"],
    at: &[1, 2],
};
const OUTBOX_IN_ORDER: Stream = Stream {
    select: sql::OUTBOX_ROWS,
    key: &["o.id"],
    at: &[0],
};

impl<'c> SqliteReading<'c> {
    pub(crate) fn new(
        conn: &'c Connection,
        err: &'c dyn Fn(rusqlite::Error) -> StoreError,
    ) -> Self {
        SqliteReading {
            conn,
            err,
            places: std::array::from_fn(|_| Place::Start),
        }
    }

    /// The next page of `stream` (kept at `places[slot]`), each row read by `read`.
    fn page<T>(
        &mut self,
        slot: usize,
        stream: &Stream,
        read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let keys = stream.key.join(", ");
        let (sql, after) = match &self.places[slot] {
            Place::Done => return Ok(Vec::new()),
            Place::Start => (
                format!("{} ORDER BY {keys} LIMIT {PAGE}", stream.select),
                Vec::new(),
            ),
            Place::After(after) => {
                let marks: Vec<String> = (1..=after.len()).map(|i| format!("?{i}")).collect();
                (
                    format!(
                        "{} WHERE ({keys}) > ({}) ORDER BY {keys} LIMIT {PAGE}",
                        stream.select,
                        marks.join(", ")
                    ),
                    after.clone(),
                )
            }
        };
        let mut st = self.conn.prepare_cached(&sql).map_err(self.err)?;
        let mut rows = st
            .query(rusqlite::params_from_iter(after.iter()))
            .map_err(self.err)?;
        let mut out = Vec::with_capacity(PAGE);
        while let Some(row) = rows.next().map_err(self.err)? {
            out.push(read(row).map_err(self.err)?);
            if out.len() == PAGE {
                let key = (stream.at.iter())
                    .map(|i| row.get_ref(*i).map(Key::of))
                    .collect::<rusqlite::Result<Vec<Key>>>()
                    .map_err(self.err)?;
                self.places[slot] = Place::After(key);
            }
        }
        if out.len() < PAGE {
            self.places[slot] = Place::Done;
        }
        Ok(out)
    }
}

impl Reading for SqliteReading<'_> {
    fn events_in_order(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        self.page(0, &EVENTS_IN_ORDER, event_row)
    }

    fn events_by_subject(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        self.page(1, &EVENTS_BY_SUBJECT, event_row)
    }

    fn head(&mut self) -> Result<String, StoreError> {
        self.conn
            .prepare_cached("SELECT hash FROM events ORDER BY id DESC LIMIT 1")
            .and_then(|mut st| {
                let mut rows = st.query([])?;
                rows.next()?.map_or(Ok(String::new()), |r| lossy(r, 0))
            })
            .map_err(self.err)
    }

    fn pairings(&mut self) -> Result<Vec<StoredPairing>, StoreError> {
        self.page(2, &PAIRINGS, |r| {
            Ok(StoredPairing {
                id: lossy(r, 0)?,
                number: r.get::<_, i64>(1)? as u64,
                program_hash: lossy(r, 2)?,
                stage: lossy(r, 3)?,
                outcome: nullable(r, 4)?,
                due: nullable(r, 5)?,
                state: lossy(r, 6)?,
            })
        })
    }

    fn people(&mut self) -> Result<Vec<StoredPerson>, StoreError> {
        self.page(3, &PEOPLE, person_row)
    }

    fn members(&mut self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.page(4, &MEMBERS, |r| {
            Ok((lossy(r, 0)?, lossy(r, 1)?, lossy(r, 2)?))
        })
    }

    fn outbox_by_subject(&mut self) -> Result<Vec<OutboxRow>, StoreError> {
        self.page(5, &OUTBOX_BY_SUBJECT, outbox_fields)
    }

    fn outbox_in_order(&mut self) -> Result<Vec<OutboxRow>, StoreError> {
        self.page(6, &OUTBOX_IN_ORDER, outbox_fields)
    }

    fn person_keys(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        self.conn
            .prepare(sql::PERSON_KEYS)
            .and_then(|mut st| {
                st.query_map([], |r| Ok((lossy(r, 0)?, lossy(r, 1)?)))?
                    .collect()
            })
            .map_err(self.err)
    }

    fn keys_of(&mut self, people: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let list =
            serde_json::to_string(people).map_err(|e| StoreError::Database(e.to_string()))?;
        self.conn
            .prepare_cached(sql::KEYS_OF)
            .and_then(|mut st| {
                st.query_map([list], |r| Ok((lossy(r, 0)?, lossy(r, 1)?)))?
                    .collect()
            })
            .map_err(self.err)
    }
}

/// A column that may be empty, read as verify reads (damage shows).
fn nullable(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        _ => lossy(r, i).map(Some),
    }
}

/// Column `i` as text, even when damaged (not UTF-8, or a blob or number): verify reads this
/// way, so a damaged value fails its hash or fold check and is reported as a breach with the
/// others instead of stopping the check.
pub(crate) fn lossy(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(match row.get_ref(i)? {
        // Checked the fast way first: nearly every value is intact.
        ValueRef::Text(b) | ValueRef::Blob(b) => match std::str::from_utf8(b) {
            Ok(text) => text.to_string(),
            Err(_) => String::from_utf8_lossy(b).into_owned(),
        },
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Null => String::new(),
    })
}

/// An outbox row ([`sql::OUTBOX_ROWS`] columns 0 to 7).
pub(crate) fn outbox_fields(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get::<_, i64>(0)? as u64,
        pairing: lossy(r, 1)?,
        seq: r.get::<_, i64>(2)? as u64,
        queued_at: lossy(r, 3)?,
        delivered_at: r.get(4)?,
        attempts: r.get(5)?,
        last_error: r.get(6)?,
        claimed_until: r.get(7)?,
    })
}

/// A row of [`sql::EVENT_ROWS`], read as verify reads (damage shows).
fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        row: r.get(0)?,
        pairing: lossy(r, 1)?,
        seq: r.get(2)?,
        kind: lossy(r, 3)?,
        body: lossy(r, 4)?,
        hash: lossy(r, 5)?,
    })
}

/// A row of `SELECT id, last_seq, state FROM people`, read as verify reads (damage shows).
pub(crate) fn person_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredPerson> {
    Ok(StoredPerson {
        id: lossy(r, 0)?,
        last_seq: r.get::<_, i64>(1)? as u64,
        state: lossy(r, 2)?,
    })
}
