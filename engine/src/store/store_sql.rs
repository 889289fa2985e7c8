//! SQL that both store adapters run, written once with SQLite's `?N` parameters; the
//! PostgreSQL adapter runs it through [`pg`]. What differs between the two databases
//! (types, locking, upserts) stays in each adapter.

/// Outbox rows with their `notified` event's body (column 8): what a deliverer hands on.
pub const OUTBOX: &str = "SELECT o.id, o.pairing, o.seq, o.queued_at, o.delivered_at, o.attempts, \
     o.last_error, o.claimed_until, e.body FROM outbox o \
     JOIN events e ON e.pairing = o.pairing AND e.seq = o.seq";

/// Every outbox row as stored, whatever event it names (verify finds the ones that name
/// none); a [`crate::store::Reading`] orders and pages it.
pub const OUTBOX_ROWS: &str = "SELECT o.id, o.pairing, o.seq, o.queued_at, o.delivered_at, \
     o.attempts, o.last_error, o.claimed_until FROM outbox o";

/// Every event as stored, for a [`crate::store::Reading`] to order and page.
pub const EVENT_ROWS: &str = "SELECT e.id, e.pairing, e.seq, e.kind, e.body, e.hash FROM events e";

/// Claims a pending notification unless another deliverer's claim is still live:
/// `?1` id, `?2` now, `?3` until, `?4` the claim's token. Times are stamped to the
/// millisecond, so text order is time order.
pub const CLAIM: &str = "UPDATE outbox SET claimed_until = ?3, claim_token = ?4 \
     WHERE id = ?1 AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?2)";

/// Records a delivery attempt only while the claim `?4` still holds the notification (a
/// deliverer whose claim was taken over changes nothing): `?1` id, `?2` delivered at (null
/// when it failed), `?3` the error. Releases the claim.
pub const ATTEMPTED: &str = "UPDATE outbox SET attempts = attempts + 1, delivered_at = ?2, \
     last_error = COALESCE(?3, last_error), claimed_until = NULL, claim_token = NULL \
     WHERE id = ?1 AND claim_token = ?4 AND delivered_at IS NULL";

/// Someone takes part in a pairing, in a role.
pub const ADD_MEMBER: &str = "INSERT INTO members (pairing, person, role) VALUES (?1, ?2, ?3)";

/// Whether the people registry holds anyone.
pub const ANY_PEOPLE: &str = "SELECT EXISTS (SELECT 1 FROM people)";

/// A new pairing with its state.
pub const INSERT_PAIRING: &str = "INSERT INTO pairings (id, n, program_hash, program_id, type_id, stage, outcome, due, last_seq, state, label) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// The pairings imported under label `?1`.
pub const LABELLED: &str = "SELECT id FROM pairings WHERE label = ?1 ORDER BY n";

/// The hash at the head of the chain.
pub const LAST_HASH: &str = "SELECT hash FROM events ORDER BY id DESC LIMIT 1";

/// The running pairings person `?1` takes part in, with their program, role and size.
pub const MEMBERSHIPS: &str = "SELECT m.pairing, p.program_id, m.role, (SELECT COUNT(*) FROM members o WHERE o.pairing = m.pairing) FROM members m JOIN pairings p ON p.id = m.pairing WHERE m.person = ?1 AND p.outcome IS NULL ORDER BY p.n";

/// Every member row as stored.
pub const MEMBER_ROWS: &str = "SELECT pairing, person, role FROM members";

/// The number the next pairing gets.
pub const NEXT_NUMBER: &str = "SELECT COALESCE(MAX(n), 0) + 1 FROM pairings";

/// Every pairing id, in number order.
pub const PAIRING_IDS: &str = "SELECT id FROM pairings ORDER BY n";

/// Every pairing row as stored (what verify and copy read).
pub const PAIRING_ROWS: &str =
    "SELECT id, n, program_hash, stage, outcome, due, state FROM pairings";

/// How many notifications wait to be delivered.
pub const PENDING_COUNT: &str = "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL";
/// How many pairings run (a bulk command's total).
pub const RUNNING_COUNT: &str = "SELECT COUNT(*) FROM pairings WHERE outcome IS NULL";

/// Every person of the registry.
pub const PEOPLE: &str = "SELECT id, last_seq, state FROM people ORDER BY id";
/// Every person row as stored, for a [`crate::store::Reading`] to order and page.
pub const PERSON_ROWS: &str = "SELECT id, last_seq, state FROM people";

/// One person of the registry.
pub const PERSON: &str = "SELECT last_seq, state FROM people WHERE id = ?1";

/// Every stored program version with how many pairings run on it.
pub const PROGRAMS: &str = "SELECT p.hash, p.id, p.title, p.path, p.stored_at, (SELECT COUNT(*) FROM pairings WHERE program_hash = p.hash) FROM programs p ORDER BY p.id, p.stored_at, p.hash";

/// Every stored program version, whole, in the order stored.
pub const PROGRAM_ROWS: &str =
    "SELECT hash, id, title, path, sources, stored_at FROM programs ORDER BY stored_at, hash";

/// Queues the notification a `notified` event holds.
pub const QUEUE: &str = "INSERT INTO outbox (pairing, seq, queued_at, delivered_at, attempts, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// The files of program version `?1`.
pub const SOURCES: &str = "SELECT sources FROM programs WHERE hash = ?1";

/// The state of pairing `?1`.
pub const STATE: &str = "SELECT state FROM pairings WHERE id = ?1";

/// A person's new record, only if no other command changed it since it was read (`?4`).
pub const UPDATE_PERSON: &str =
    "UPDATE people SET last_seq = ?2, state = ?3 WHERE id = ?1 AND last_seq = ?4";

/// The key person `?1`'s personal values are sealed with.
pub const PERSON_KEY: &str = "SELECT key FROM person_keys WHERE person = ?1";

/// Keeps person `?1`'s new key `?2`.
pub const ADD_PERSON_KEY: &str = "INSERT INTO person_keys (person, key) VALUES (?1, ?2)";

/// Destroys person `?1`'s key: what was sealed with it is unreadable from then on.
pub const ERASE_PERSON_KEY: &str = "DELETE FROM person_keys WHERE person = ?1";

/// Removes person `?1` from the registry.
pub const FORGET_PERSON: &str = "DELETE FROM people WHERE id = ?1";

/// Takes a notice out of the outbox: its text can no longer be opened (`people erase`).
pub const FORGET_NOTICE: &str = "DELETE FROM outbox WHERE pairing = ?1 AND seq = ?2";

/// The keys of the people in a JSON array (SQLite; PostgreSQL takes an array parameter).
#[cfg(feature = "sqlite")]
pub const KEYS_OF: &str =
    "SELECT person, key FROM person_keys WHERE person IN (SELECT value FROM json_each(?1))";

/// Every person's key, by person.
pub const PERSON_KEYS: &str = "SELECT person, key FROM person_keys ORDER BY person";

/// `sql` with PostgreSQL's `$N` parameters in place of `?N`, made once per statement and kept:
/// the statements are the constants above, a few dozen short texts for the process's life.
#[cfg(feature = "postgres")]
pub fn pg(sql: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static MADE: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    made.entry(sql)
        .or_insert_with(|| Box::leak(sql.replace('?', "$").into_boxed_str()))
}
