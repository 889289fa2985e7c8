//! `mentorflow tick`: timers of every running pairing.

use super::BulkView;
use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output};

/// Run the timers: timeout transitions that are due fire, overdue stages are logged.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  mentorflow tick\n  mentorflow tick --now 2026-06-01")]
pub struct Args {
    /// Print what it did as JSON (`mentorflow schema tick`).
    #[arg(long)]
    json: bool,
}

/// Ticks every active pairing.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let now = coordinator.now();
    let mut view = BulkView::new("ticking", store, &coordinator, args.json)?;
    let report = coordinator.tick(&mut |step| view.step(step, output))?;
    let code = view.finish(&report.bulk, output)?;
    if let Some(bulk) = view.json(&report.bulk) {
        let doc = crate::json::event::Tick {
            now,
            bulk,
            timed_out: report.timed_out,
            automatic: report.automatic,
            warned: report.warned,
            missed: report.missed,
            overdue: report.overdue,
            next: report
                .next
                .as_ref()
                .map(|(pairing, u)| crate::json::event::NextTimer {
                    pairing: pairing.clone(),
                    transition: u.transition,
                    to: u.to.clone(),
                    timer: u.timeout.to_string(),
                    fires: u.fires,
                }),
        };
        super::versioned_json(output, doc)?;
        return Ok(code);
    }
    let mut parts = vec![
        format!("{} timed out", report.timed_out),
        format!("{} newly overdue", report.overdue),
    ];
    // Only what the programs have: a store of programs without warnings or schedules reads
    // as before.
    for (n, what) in [
        (
            report.automatic,
            format!("{} moved automatically", report.automatic),
        ),
        (report.warned, format!("{} warned", report.warned)),
        (
            report.missed,
            format!(
                "{} newly missed",
                render::count(report.missed, "scheduled occurrence")
            ),
        ),
    ] {
        if n > 0 {
            parts.push(what);
        }
    }
    writeln!(
        output.out,
        "ticked {} at {}: {}",
        super::looked_at(&report.bulk),
        render::minute(now),
        parts.join(", ")
    )?;
    if let Some((pairing, u)) = &report.next {
        writeln!(
            output.out,
            "next: {pairing} #{} {}",
            u.transition,
            render::upcoming(u)
        )?;
    }
    Ok(code)
}
