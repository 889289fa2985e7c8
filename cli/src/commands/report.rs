//! `mentorflow report [filters] [--html FILE]`: the cohort report, as text, one HTML file or
//! JSON.

use std::path::PathBuf;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The cohort report: funnel per type, success per type and version, time in each stage, what
/// ended pairings achieved, why they ended, how schedules were kept, a breakdown, mentor load,
/// the stages week by week, and who needs a call.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow report\n  mentorflow report --html cohort.html --by department\n  mentorflow report --by mentor\n  mentorflow report --program coaching --type peer --json"
)]
pub struct Args {
    #[command(flatten)]
    select: crate::select_args::SelectArgs,
    /// Break each program down by `type`, a role (`mentor`: by the person), a participant
    /// attribute (`department`: the participants' values, joined when they differ) or one
    /// role's attribute (`mentee.department`).
    #[arg(long, value_name = "WHAT", default_value = "type")]
    by: String,
    /// Write the report as one self-contained HTML page (charts drawn in SVG, nothing loaded
    /// from the network) to FILE (`-`: standard output), for a browser or a steering
    /// committee's mail.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    html: Option<PathBuf>,
    /// How many of the pairings that need a call the report lists (the rest are counted);
    /// text and HTML list 50 unless told, JSON every one unless told.
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Show attributes declared `sensitive`: allow `--by` one (refused otherwise: the groups
    /// would show who is in which), and keep them in the JSON's pairings needing a call.
    #[arg(long)]
    include_sensitive: bool,
}

/// Makes the report and writes it where asked.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    // JSON lists every pairing that needs a call unless limited; text and HTML the first
    // `--limit`, 50 when not told.
    let keep = match args.limit {
        None if args.json => None,
        limit => Some(limit.unwrap_or(render::report::CALLS_SHOWN)),
    };
    let mut coordinator = store.open()?;
    let sensitive = match args.include_sensitive {
        true => mentorflow_engine::Sensitive::default(),
        false => coordinator.sensitive()?,
    };
    let attribute = args.by.rsplit('.').next().unwrap_or_default();
    if sensitive.contains(attribute) {
        return Err(Failure::Usage(format!(
            "`--by {}`: `{attribute}` is declared sensitive, and a report by it shows who is in which group; add --include-sensitive to mean it",
            args.by
        )));
    }
    let mut report = coordinator.report(&args.select.selection(), Some(&args.by), keep)?;
    for call in &mut report.attention {
        sensitive.hide_in_pairing(&mut call.pairing);
    }
    if args.json {
        return super::versioned_json(output, crate::json::report::Report::from(&report));
    }
    let Some(path) = &args.html else {
        write!(
            output.out,
            "{}",
            render::report::text(&report, keep.unwrap_or_default())
        )?;
        return Ok(EXIT_OK);
    };
    let page = render::report_html::page(&report, keep.unwrap_or_default())
        .map_err(|e| Failure::Refused(format!("the HTML report could not be drawn: {e}")))?;
    if path.as_os_str() == mentorflow_dsl::files::STANDARD_INPUT {
        write!(output.out, "{page}")?;
        return Ok(EXIT_OK);
    }
    std::fs::write(path, page).map_err(|e| {
        Failure::Refused(format!(
            "cannot write the report to {}: {e}; choose a file in a folder you can write to",
            path.display()
        ))
    })?;
    writeln!(
        output.out,
        "wrote {} ({}; open it in a browser)",
        path.display(),
        render::count(report.pairings, "pairing")
    )?;
    Ok(EXIT_OK)
}
