//! `mentorflow list [filters]`: pairings in a table.

use mentorflow_engine::{Filter, OutcomeFilter};

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// List pairings, with filters.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow list --overdue\n  mentorflow list --blocked --type group\n  mentorflow list --person e015"
)]
pub struct Args {
    /// Only pairings in this stage.
    #[arg(long)]
    stage: Option<String>,
    /// Only this mentoring type.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Only this program id.
    #[arg(long)]
    program: Option<String>,
    /// Only this outcome (success, withdrawn ...), or `active`.
    #[arg(long)]
    outcome: Option<String>,
    /// Only overdue pairings.
    #[arg(long)]
    overdue: bool,
    /// Only running pairings that cannot advance now (with what they wait on).
    #[arg(long)]
    blocked: bool,
    /// Only ended pairings whose reason starts with this code (`other`: none of the codes).
    #[arg(long, value_name = "CODE")]
    reason: Option<String>,
    /// Only pairings with a missed occurrence of a schedule.
    #[arg(long)]
    missed: bool,
    /// Only pairings with a schedule occurrence due within this long (7d, 2w): what to chase.
    #[arg(long, value_name = "DURATION", value_parser = mentorflow_dsl::Due::parse)]
    due_within: Option<mentorflow_dsl::Due>,
    /// Only pairings a tick warned that a timer will move them (and it has not yet).
    #[arg(long)]
    warned: bool,
    /// Only the pairings this person takes or took part in (any role), running and ended.
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Lists pairings.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let now = coordinator.now();
    let filter = Filter {
        stage: args.stage.clone(),
        type_id: args.type_id.clone(),
        program: args.program.clone(),
        outcome: args.outcome.as_deref().map(|o| match o {
            "active" => OutcomeFilter::Active,
            other => OutcomeFilter::Is(other.into()),
        }),
        due_before: args.overdue.then_some(now),
    };
    let mut listed = coordinator.list(&filter)?;
    if let Some(person) = &args.person {
        listed.retain(|p| p.has_taken_part(person));
    }
    // The filters that read the store or the program come before `attention`, which
    // explains every pairing it is given.
    if let Some(code) = &args.reason {
        listed = keep(listed, |p| {
            Ok(coordinator.ended_because(p)?.as_deref() == Some(code.as_str()))
        })?;
    }
    if args.missed || args.due_within.is_some() {
        let until = args.due_within.map(|d| d.after(now));
        listed = keep(listed, |p| {
            let standings = coordinator.schedules(p)?;
            let missed = !args.missed || standings.iter().any(|(_, st)| st.missed > 0);
            let due = until.is_none_or(|until| {
                standings
                    .iter()
                    .any(|(_, st)| st.next.is_some_and(|(_, at)| at <= until))
            });
            Ok(missed && due)
        })?;
    }
    if args.warned {
        listed = keep(listed, |p| {
            Ok(coordinator.timers(p)?.iter().any(|u| u.warned))
        })?;
    }
    let mut pairings = coordinator.attention(listed)?;
    if args.blocked {
        pairings.retain(|(_, a)| a.is_blocked());
    }
    if args.json {
        let list: Vec<_> = pairings
            .iter()
            .map(|(p, a)| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                v["waiting_on"] = serde_json::Value::String(render::attention(a));
                v
            })
            .collect();
        return super::json(output, &list);
    }
    // One look at each version's file, however many pairings run on it.
    let mut versions: std::collections::BTreeMap<String, String> = Default::default();
    for (p, _) in &pairings {
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
    let rows: Vec<[String; 8]> = pairings
        .iter()
        .map(|(p, a)| {
            let due = match (&p.outcome, p.due) {
                (Some(o), _) => o.clone(),
                (None, Some(d)) if p.is_overdue(now) => {
                    format!("{} OVERDUE by {}", render::date(d), render::age(now - d))
                }
                (None, Some(d)) => render::date(d),
                (None, None) => "-".into(),
            };
            let who: Vec<&str> = p.participants.iter().map(|x| x.id.as_str()).collect();
            [
                p.id.to_string(),
                p.program_id.clone(),
                versions.get(&*p.program_hash).cloned().unwrap_or_default(),
                p.type_id.clone(),
                p.stage.to_string(),
                due,
                render::attention(a),
                who.join(", "),
            ]
        })
        .collect();
    let header = [
        "id",
        "program",
        "version",
        "type",
        "stage",
        "due/outcome",
        "waiting on",
        "who",
    ];
    write!(output.out, "{}", render::table(header, &rows))?;
    writeln!(
        output.out,
        "{}",
        render::count(pairings.len() as u64, "pairing")
    )?;
    Ok(EXIT_OK)
}

/// The pairings `wanted` says yes to; it may read the store, and its first error stops.
fn keep(
    pairings: Vec<mentorflow_engine::Pairing>,
    mut wanted: impl FnMut(&mentorflow_engine::Pairing) -> Result<bool, mentorflow_engine::Error>,
) -> Result<Vec<mentorflow_engine::Pairing>, mentorflow_engine::Error> {
    let mut kept = Vec::with_capacity(pairings.len());
    for p in pairings {
        if wanted(&p)? {
            kept.push(p);
        }
    }
    Ok(kept)
}
