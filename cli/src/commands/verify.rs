//! `mentorflow verify`: the hash chain, every pairing against the fold of its events, and the
//! outbox against the notifications in the log.

use mentorflow_engine::OutboxProblem;
use mentorflow_engine::{Breach, EventRef};

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_FAILED, EXIT_OK};

/// Check the event hash chain and that every pairing equals the fold of its events.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow verify\n  mentorflow verify --expect \\\n    2959fc1de1318d3f7c9a0e4b6f2d8a1c5e7b9d0f3a6c8e2b4d1f7a9c0e5b3d8f\n      (a chain head printed by an earlier verify, all 64 hex digits)"
)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// A chain head printed by an earlier verify (kept outside the store): it must still be a
    /// link of the chain, else the history before it was rewritten.
    #[arg(long, value_name = "HASH", value_parser = chain_head)]
    expect: Option<String>,
}

/// A chain head as `verify` prints it: 64 hex digits (either case). A prefix is refused: it
/// would prove less than the head it stands for, and a mistyped head must not read as a
/// rewritten history.
fn chain_head(text: &str) -> Result<String, String> {
    let head = text.trim().to_ascii_lowercase();
    if let Some(bad) = head.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "`{bad}` is not a hex digit; pass the chain head as `verify` printed it (64 hex digits)"
        ));
    }
    if head.len() != 64 {
        return Err(format!(
            "a chain head has 64 hex digits, this has {}; pass the whole head as `verify` printed it (a prefix cannot prove the history up to it)",
            head.len()
        ));
    }
    Ok(head)
}

fn event(r: &EventRef) -> String {
    format!("event {} ({} #{})", r.row, r.pairing, r.seq)
}

/// Where the breach is, and what is wrong.
fn breach(b: &Breach) -> (String, String) {
    match b {
        Breach::ChainBroken(r) => (
            event(r),
            "hash chain broken: the event or one before it was altered".into(),
        ),
        Breach::BodyMismatch(r) => (event(r), "event body does not match its row".into()),
        Breach::ProgramMissing { pairing, hash, why } => (
            pairing.clone(),
            format!("its program version {} cannot be used: {why}", &hash[..12.min(hash.len())]),
        ),
        Breach::MembersDiffer { pairing } => (
            pairing.clone(),
            "the index of who takes part where differs from its participants (capacity would count wrong)".into(),
        ),
        Breach::PersonDiffers { person } => (
            format!("person {person}"),
            "the registry's entry differs from the last recorded edit, or the edits are not numbered 1, 2, ...".into(),
        ),
        Breach::ColumnsDiffer { pairing } => (
            pairing.clone(),
            "the stage, outcome, due or program column differs from the stored state".into(),
        ),
        Breach::StateDiffers { pairing, events } => (
            format!("{pairing} #{events}"),
            "stored state differs from the fold of its events".into(),
        ),
        Breach::DoesNotFold { pairing, error } => {
            (pairing.clone(), format!("events do not fold: {error}"))
        }
        Breach::StateUnreadable { pairing } => {
            (pairing.clone(), "the stored state cannot be read".into())
        }
        Breach::Orphan { pairing } => (
            pairing.clone(),
            "events of a pairing that has no stored state".into(),
        ),
        Breach::NoticeMissing { pairing, seq } => (
            format!("{pairing} #{seq}"),
            "a notification in the log is missing from the outbox: it would never be delivered".into(),
        ),
        Breach::OutboxDiffers { id, problem } => (format!("outbox #{id}"), outbox_problem(problem)),
        Breach::CheckpointMissing(head) => (
            format!("chain head {head}"),
            "is no longer in the chain: the history up to it was rewritten (hashes and all), or it is another store's".into(),
        ),
    }
}

fn outbox_problem(p: &OutboxProblem) -> String {
    match p {
        OutboxProblem::NoNotice { pairing, seq } => format!(
            "names {pairing} #{seq}, which is no notification in the log: there is nothing to deliver"
        ),
        OutboxProblem::QueuedAt { stored, event } => {
            format!("queued at {stored}, but its notification was sent at {event}")
        }
        OutboxProblem::DeliveredUnattempted => {
            "marked delivered, but no delivery was ever attempted".into()
        }
        OutboxProblem::ClaimTooLong(until) => format!(
            "held until {}, longer than any deliverer's lease (a day at most): it would never be delivered",
            crate::render::printable(until)
        ),
    }
}

/// Verifies the store.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let report = store.open()?.verify(args.expect.as_deref())?;
    let breaches: Vec<(String, String)> = report.breaches.iter().map(breach).collect();
    let code = if breaches.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    if args.json {
        use crate::json::store_reads::{Breach, Verify};
        let doc = Verify {
            ok: breaches.is_empty(),
            events: report.events,
            head: report.head.clone(),
            breaches: breaches
                .into_iter()
                .map(|(at, problem)| Breach { at, problem })
                .collect(),
        };
        super::versioned_json(output, doc)?;
        return Ok(code);
    }
    if breaches.is_empty() {
        writeln!(
            output.out,
            "ok: {} events, hash chain intact, every pairing equals the fold of its events",
            report.events
        )?;
        if !report.head.is_empty() {
            writeln!(
                output.out,
                "chain head: {} (keep it outside the store; `verify --expect` it later to prove the history up to here was not rewritten)",
                report.head
            )?;
        }
        return Ok(code);
    }
    for (event, problem) in &breaches {
        writeln!(output.err, "error: {event}: {problem}")?;
    }
    writeln!(
        output.err,
        "verify failed: {} in {}",
        crate::render::count(breaches.len() as u64, "problem"),
        crate::render::count(report.events, "event")
    )?;
    Ok(code)
}
