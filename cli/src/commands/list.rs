//! `mentorflow list [filters]`: pairings in a table.

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// List pairings, with filters.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow list --overdue\n  mentorflow list --blocked --type group\n  mentorflow list --person e015"
)]
pub struct Args {
    #[command(flatten)]
    select: crate::select_args::SelectArgs,
    /// Only running pairings that need a call, at risk first (overdue, missing meetings again,
    /// a failing script, a warned timer), then those needing a check-in (a missed meeting,
    /// quiet for three weeks), each with why; waiting for the calendar is on track.
    #[arg(long)]
    attention: bool,
    /// Only the first N pairings (the count says how many there are).
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Lists pairings.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    if args.attention && !args.json {
        return needing_a_call(&mut coordinator, output);
    }
    let now = coordinator.now();
    let mut pairings = coordinator.select(&args.select.selection())?;
    let total = pairings.len();
    pairings.truncate(args.limit.unwrap_or(total));
    let names = coordinator.directory()?;
    if args.json {
        return list_json(args, &mut coordinator, &pairings, output);
    }
    let versions = versions_shown(&mut coordinator, &pairings)?;
    let selection = args.select.selection();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(pairings.len());
    for (p, a) in &pairings {
        rows.push({
            let due = match (&p.outcome, p.due) {
                (Some(o), _) => o.to_string(),
                (None, Some(d)) if p.is_overdue(now) => {
                    format!(
                        "{} {} by {}",
                        render::date(d),
                        crate::paint::mark(crate::paint::Mark::Alarm, "OVERDUE"),
                        render::age(now - d)
                    )
                }
                (None, Some(d)) => render::date(d),
                (None, None) => "-".into(),
            };
            let who: Vec<String> = p.participants.iter().map(|x| names.label(&x.id)).collect();
            [
                p.id.to_string(),
                p.program_id.to_string(),
                versions.get(&*p.program_hash).cloned().unwrap_or_default(),
                p.type_id.to_string(),
                p.stage.to_string(),
                due,
                render::attention(a),
                who.join(", "),
            ]
            .into_iter()
            .chain(chased(&mut coordinator, &selection, p)?)
            .collect()
        });
    }
    let mut header = vec![
        "id",
        "program",
        "version",
        "type",
        "stage",
        "due/outcome",
        "waiting on",
        "who",
    ];
    if selection.missed {
        header.push("missed");
    }
    if selection.due_within.is_some() {
        header.push("due within");
    }
    write!(output.out, "{}", render::grid(&header, &rows))?;
    let shown = match pairings.len() < total {
        true => format!(
            "{} of {}",
            pairings.len(),
            render::count(total as u64, "pairing")
        ),
        false => render::count(total as u64, "pairing"),
    };
    writeln!(output.out, "{shown}")?;
    Ok(EXIT_OK)
}

/// Each version the pairings run on, as the list shows it: one look at each version's file,
/// however many pairings run on it.
fn versions_shown(
    coordinator: &mut mentorflow_engine::Coordinator,
    pairings: &[(mentorflow_engine::Pairing, mentorflow_engine::Attention)],
) -> Result<std::collections::BTreeMap<String, String>, crate::failure::Failure> {
    let mut versions: std::collections::BTreeMap<String, String> = Default::default();
    for (p, _) in pairings {
        if !versions.contains_key(&*p.program_hash) {
            let shown = match coordinator.file_of(&p.program_hash)?.1 {
                mentorflow_engine::FileState::Changed(_) => {
                    format!("{} (file changed)", render::short_hash(&p.program_hash))
                }
                _ => render::short_hash(&p.program_hash).to_string(),
            };
            versions.insert(p.program_hash.to_string(), shown);
        }
    }
    Ok(versions)
}

/// What `--missed` and `--due-within` chase, one cell each: which occurrences were missed
/// (`meeting #4 (due 2026-05-19)`), and what falls due when (`stage 2026-07-09; meeting #6
/// 2026-07-09`).
fn chased(
    coordinator: &mut mentorflow_engine::Coordinator,
    selection: &mentorflow_engine::Selection,
    p: &mentorflow_engine::Pairing,
) -> Result<Vec<String>, crate::failure::Failure> {
    let now = coordinator.now();
    let standings = coordinator.schedules(p)?;
    let mut cells = Vec::new();
    if selection.missed {
        let missed: Vec<String> = standings
            .iter()
            .filter(|(_, st)| st.missed > 0)
            .map(|(s, st)| format!("{} {}", s.name, render::occurrences_missed(&st.missed_due)))
            .collect();
        cells.push(missed.join("; "));
    }
    if let Some(within) = selection.due_within {
        let until = within.after(now);
        let mut due: Vec<String> = Vec::new();
        if let Some(d) = p
            .due
            .filter(|d| p.outcome.is_none() && *d > now && *d <= until)
        {
            due.push(format!("stage {}", render::minute(d)));
        }
        due.extend(
            standings
                .iter()
                .filter_map(|(s, st)| Some((s, st.next.filter(|(_, at)| *at <= until)?)))
                .map(|(s, (k, at))| format!("{} #{k} {}", s.name, render::minute(at))),
        );
        cells.push(due.join("; "));
    }
    Ok(cells)
}

/// The selected pairings as JSON, each with its health (`--attention`: only those needing a
/// call).
fn list_json(
    args: &Args,
    coordinator: &mut mentorflow_engine::Coordinator,
    pairings: &[(mentorflow_engine::Pairing, mentorflow_engine::Attention)],
    output: &mut Output<'_>,
) -> CommandResult {
    let now = coordinator.now();
    let names = coordinator.directory()?;
    let healths = coordinator.healths(pairings)?;
    let mut listed: Vec<_> = pairings
        .iter()
        .zip(healths)
        .filter(|(_, h)| !args.attention || h.as_ref().is_some_and(|h| h.needs_a_call()))
        .collect();
    if args.attention {
        // Who needs a call reads worst first, as the text list does.
        listed.sort_by_key(|((p, _), h)| {
            h.as_ref().map(|h| mentorflow_engine::call_order(p, h, now))
        });
    }
    let pairings = listed
        .into_iter()
        .map(|((p, a), h)| crate::json::status::Listed {
            pairing: crate::json::pairing::Pairing::from(p).named(&names),
            overdue: p.is_overdue(now),
            waiting_on: render::attention(a),
            health: h.as_ref().map(crate::json::health::Health::from),
        })
        .collect();
    super::versioned_json(output, crate::json::status::List { pairings })
}

/// The running pairings that need a call, worst first, each with why.
fn needing_a_call(
    coordinator: &mut mentorflow_engine::Coordinator,
    output: &mut Output<'_>,
) -> CommandResult {
    let calls = coordinator.needing_a_call()?;
    let names = coordinator.directory()?;
    for (p, health) in &calls {
        let who: Vec<String> = p.participants.iter().map(|m| names.label(&m.id)).collect();
        writeln!(
            output.out,
            "{:<8} {} — {}",
            p.id,
            render::printable(&who.join(", ")),
            render::health(health)
        )?;
    }
    let verb = if calls.len() == 1 { "needs" } else { "need" };
    writeln!(
        output.out,
        "{} {verb} a call",
        render::count(calls.len() as u64, "pairing")
    )?;
    Ok(EXIT_OK)
}
