//! `mentorflow tick`: timers of every running pairing.

use super::BulkView;
use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output};

/// Run the timers: timeout transitions that are due fire, overdue stages are logged.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Ticks every active pairing.
pub fn run(_: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let now = coordinator.now();
    let mut view = BulkView::new("ticking", store);
    let report = coordinator.tick(&mut |step| view.step(step, output))?;
    let code = view.finish(&report.bulk, output)?;
    writeln!(
        output.out,
        "ticked {} at {}: {} timed out, {} newly overdue",
        super::looked_at(&report.bulk),
        render::minute(now),
        report.timed_out,
        report.overdue
    )?;
    Ok(code)
}
