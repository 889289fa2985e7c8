//! SQL that both store adapters run, written once with SQLite's `?N` parameters; the
//! PostgreSQL adapter runs it through [`numbered`]. What differs between the two databases
//! (types, locking, upserts) stays in each adapter.

/// Outbox rows with their `notified` event's body (column 8): what a deliverer hands on.
pub const OUTBOX: &str = "SELECT o.id, o.pairing, o.seq, o.queued_at, o.delivered_at, o.attempts, \
     o.last_error, o.claimed_until, e.body FROM outbox o \
     JOIN events e ON e.pairing = o.pairing AND e.seq = o.seq";

/// Every outbox row as stored, whatever event it names (verify finds the ones that name
/// none), in queue order.
pub const OUTBOX_ROWS: &str = "SELECT o.id, o.pairing, o.seq, o.queued_at, o.delivered_at, \
     o.attempts, o.last_error, o.claimed_until FROM outbox o ORDER BY o.id";

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

/// `sql` with PostgreSQL's `$N` parameters in place of `?N`.
#[cfg(feature = "postgres")]
pub fn numbered(sql: &str) -> String {
    sql.replace('?', "$")
}
