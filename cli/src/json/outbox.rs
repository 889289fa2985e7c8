//! `outbox --json`, the document `outbox deliver --exec` hands a command on its standard
//! input, and `outbox deliver --json`.

use schemars::JsonSchema;
use serde::Serialize;

/// The outbox.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Outbox {
    /// Notifications in queue order (pending only, unless --all).
    pub notifications: Vec<Notice>,
}

/// A notification, as a deliverer receives it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Notice {
    /// Its place in the outbox: the same notification keeps it across attempts (a deliverer
    /// can drop a repeat it already sent).
    pub id: u64,
    /// The pairing.
    pub pairing: String,
    /// The `notified` event's seq in the pairing's log.
    pub seq: u64,
    /// When it was queued.
    pub queued_at: String,
    /// The notification's name in the program.
    pub notification: String,
    /// Who it goes to.
    pub to: Vec<super::event::Recipient>,
    /// The rendered subject.
    pub subject: String,
    /// The rendered body.
    pub body: String,
    /// Why it was sent: the action that sent it.
    pub reason: Option<String>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When it was delivered; null while pending.
    pub delivered_at: Option<String>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// What `outbox deliver` did.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Delivery {
    /// Delivered now: outbox ids.
    pub delivered: Vec<u64>,
    /// Refused by the command (left pending): outbox id and why.
    pub failed: Vec<Failed>,
    /// Handed on after the lease ran out, when another deliverer had taken them over: their
    /// result was not recorded (they may have been sent twice). Outbox ids.
    pub late: Vec<u64>,
    /// Left for a later run: held by another deliverer, or behind an undelivered earlier
    /// notification of their pairing.
    pub waiting: u64,
}

/// A delivery the command refused.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Failed {
    /// Outbox id.
    pub id: u64,
    /// The pairing.
    pub pairing: String,
    /// Why, from the command.
    pub error: String,
}

impl Notice {
    /// The queued notification, its recipients named as `names` gives them (the registry as
    /// it is at delivery: an address changed since the notification was queued is the new one).
    pub fn of(q: &mentorflow_engine::Queued, names: &mentorflow_engine::Directory) -> Notice {
        let (notification, to, subject, body) = match &q.event.kind {
            mentorflow_engine::EventKind::Notified {
                notification,
                to,
                subject,
                body,
            } => (
                notification.clone(),
                to.clone(),
                subject.clone(),
                body.clone(),
            ),
            _ => Default::default(),
        };
        Notice {
            id: q.row.id,
            pairing: q.row.pairing.clone(),
            seq: q.row.seq,
            queued_at: q.row.queued_at.clone(),
            notification,
            to: to
                .into_iter()
                .map(|r| super::event::Recipient {
                    name: names.name(&r.id).map(str::to_string),
                    email: names.email(&r.id).map(str::to_string),
                    id: r.id,
                    role: r.role,
                })
                .collect(),
            subject,
            body,
            reason: q.event.reason.clone(),
            attempts: q.row.attempts,
            delivered_at: q.row.delivered_at.clone(),
            last_error: q.row.last_error.clone(),
        }
    }
}
