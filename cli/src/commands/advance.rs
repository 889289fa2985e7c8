//! `mentorflow advance PAIRING [--to STAGE [--force --reason R]]`, or `--all`.

use mentorflow_engine::Advance;

use super::BulkView;
use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::Output;

/// Advance a pairing (or every active pairing with --all) along the first transition whose guard holds.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow advance p-1\n  mentorflow advance p-1 --to orientation\n  mentorflow advance p-1 --to closure --reason goals-met\n  mentorflow advance p-1 --to mentoring --force --reason \"returning pair\"\n  mentorflow advance --all"
)]
pub struct Args {
    /// Pairing id, e.g. p-12.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pairing: Option<String>,
    /// Take the transition to this stage (its guard must still hold, unless --force).
    #[arg(long, value_name = "STAGE")]
    to: Option<String>,
    /// Move to --to without checking guards; needs --reason; logged as forced.
    #[arg(long, requires = "to", requires = "reason")]
    force: bool,
    /// Why, stored with the move: one of the program's reason codes when it declares them
    /// (`CODE` or `"CODE: details"`). Required with --force and by a transition with `reasons`.
    #[arg(long)]
    reason: Option<String>,
    /// Advance every active pairing whose guard now holds (transitions that ask for a reason
    /// are left to `advance PAIRING --reason CODE`).
    #[arg(long, conflicts_with_all = ["to", "force", "reason"])]
    all: bool,
    /// Print JSON: the stored events and the changed pairing (`mentorflow schema changes`),
    /// or for --all what it did (`mentorflow schema bulk`).
    #[arg(long)]
    json: bool,
}

/// Advances one pairing or all.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let Some(id) = &args.pairing else {
        let mut view = BulkView::new("advancing", store, &coordinator, args.json)?;
        let report = coordinator.advance_all(&mut |step| view.step(step, output))?;
        let code = view.finish(&report, output)?;
        if let Some(doc) = view.json(&report) {
            super::versioned_json(output, doc)?;
            return Ok(code);
        }
        let waiting = (report.seen - report.changed).saturating_sub(report.refused.len() as u64);
        let rest = match (report.unfinished, waiting) {
            (true, _) | (false, 0) => "",
            (false, 1) => "; the other waits on its guards (mentorflow status PAIRING says why)",
            (false, _) => "; the others wait on their guards (mentorflow status PAIRING says why)",
        };
        writeln!(
            output.out,
            "advanced {} of {}{rest}",
            report.changed,
            super::looked_at(&report)
        )?;
        return Ok(code);
    };
    let how = match (&args.to, args.force) {
        (Some(to), true) => Advance::Force {
            to: to.clone(),
            reason: args.reason.clone().unwrap_or_default(),
        },
        (to, false) => match &args.reason {
            Some(reason) => Advance::Because {
                to: to.clone(),
                reason: reason.clone(),
            },
            None => to.clone().map_or(Advance::Next, Advance::To),
        },
        (None, true) => Advance::Next,
    };
    let events = coordinator.advance(id, &how)?;
    super::stored(&coordinator, &events, args.json, output)
}
