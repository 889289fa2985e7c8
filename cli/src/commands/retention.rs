//! `mentorflow retention`: who is past their program's `retention`, and with `--apply` their
//! erasure.

use crate::failure::{CommandResult, Failure};
use crate::render;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL};

/// Erase the people past their program's `retention`: everyone whose every pairing has ended,
/// each longer ago than its program's `[program] retention`. A pairing that runs, or whose
/// program sets no retention, keeps its people.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow retention --dry-run    # who is due, and since when\n  mentorflow retention --apply      # erase them, each logged\n\nEach is erased as `people erase` does. Run it daily from cron with --apply; `people export ID` shows an erasure afterwards."
)]
#[group(required = true, multiple = false)]
pub struct Args {
    /// Only say who is past retention; erase nobody.
    #[arg(long)]
    dry_run: bool,
    /// Erase everyone past retention, each in a transaction of their own.
    #[arg(long)]
    apply: bool,
}

/// Lists, or erases, who is past retention.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let report = coordinator
        .retention(args.apply)
        .map_err(Failure::Coordinator)?;
    if report.expired.is_empty() {
        writeln!(output.out, "nobody is past retention")?;
        return Ok(EXIT_OK);
    }
    if !args.apply {
        let rows: Vec<[String; 4]> = report
            .expired
            .iter()
            .map(|e| {
                [
                    render::printable(&e.person),
                    e.pairings.join(", "),
                    render::date(e.last_ended),
                    render::date(e.due),
                ]
            })
            .collect();
        write!(
            output.out,
            "{}",
            render::table(["person", "pairings", "last ended", "due since"], &rows)
        )?;
        writeln!(
            output.out,
            "{} past retention; `mentorflow retention --apply` erases them",
            render::count(report.expired.len() as u64, "person")
        )?;
        return Ok(EXIT_OK);
    }
    for e in &report.erased {
        writeln!(
            output.out,
            "erased {} (receipt {})",
            render::printable(&e.person),
            e.receipt
        )?;
    }
    for (person, why) in &report.refused {
        writeln!(
            output.err,
            "error: {}: {}",
            render::printable(person),
            render::error(why)
        )?;
    }
    writeln!(
        output.out,
        "{} erased, {} refused",
        render::count(report.erased.len() as u64, "person"),
        report.refused.len()
    )?;
    super::people::warn_lingers(output, report.lingers.as_deref())?;
    Ok(
        match (report.refused.is_empty(), report.erased.is_empty()) {
            (true, _) => EXIT_OK,
            (false, true) => EXIT_FAILED,
            (false, false) => EXIT_PARTIAL,
        },
    )
}
