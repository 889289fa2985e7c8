//! `mentorflow export`: pairings or events as JSON or CSV.

use mentorflow_engine::{Coordinator, EventKind, Filter};

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Export events and pairings.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow export --format csv > pairings.csv\n  mentorflow export --format csv --what events > events.csv\n  mentorflow export --what events   # JSON"
)]
pub struct Args {
    /// Output format. CSV gives times in UTC as `2026-03-02 09:30:00`, which spreadsheets
    /// read as dates, and people by id and by name.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// What to export.
    #[arg(long, value_enum, default_value = "pairings")]
    what: What,
    /// Include the values of attributes declared `sensitive` (left out otherwise).
    #[arg(long)]
    include_sensitive: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum What {
    Pairings,
    Events,
}

/// A time as ISO 8601 in the form spreadsheets read as a date and time (`2026-03-02 09:30:00`,
/// UTC): the `T` and `Z` of the stored form make most of them read it as text.
fn spreadsheet_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A cell a spreadsheet would not run as a formula: one starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` (as spreadsheet tools expect).
fn cell(value: String) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value
    }
}

/// Exports.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    // Sensitive attributes stay out unless asked for.
    let hidden = match args.include_sensitive {
        true => mentorflow_engine::Sensitive::default(),
        false => coordinator.sensitive()?,
    };
    match (args.what, args.format) {
        (What::Pairings, Format::Json) => {
            let mut pairings = coordinator.list(&Filter::default())?;
            pairings.iter_mut().for_each(|p| hidden.hide_in_pairing(p));
            let names = coordinator.directory()?;
            let pairings = pairings
                .iter()
                .map(|p| crate::json::pairing::Pairing::from(p).named(&names))
                .collect();
            super::versioned_json(output, crate::json::status::Pairings { pairings })
        }
        (What::Events, format) => {
            let mut events = coordinator.log(None)?;
            events.iter_mut().for_each(|e| hidden.hide_in_event(e));
            match format {
                Format::Json => {
                    super::versioned_json(output, crate::json::event::Events::of(&events))
                }
                Format::Csv => events_csv(&events, output),
            }
        }
        (What::Pairings, Format::Csv) => pairings_csv(&mut coordinator, output),
    }
}

/// Pairings as flat rows a spreadsheet reads: the pairing's columns, when it started and
/// ended, two columns per role (the people in it by id, then by name from the registry), then
/// one column per fact of the stored programs (the value, the declared default, or empty; a
/// fact kept per person as `id=value` for each person).
fn pairings_csv(coordinator: &mut Coordinator, output: &mut Output<'_>) -> CommandResult {
    let pairings = coordinator.list(&Filter::default())?;
    let facts = coordinator.fact_names()?;
    let mut roles: Vec<String> = pairings
        .iter()
        .flat_map(|p| p.participants.iter().map(|m| m.role.to_string()))
        .collect();
    roles.sort();
    roles.dedup();
    let mut csv = csv::Writer::from_writer(&mut *output.out);
    let mut header: Vec<String> = [
        "id",
        "label",
        "program",
        "version",
        "type",
        "stage",
        "outcome",
        "reason",
        "enrolled",
        "ended",
        "due",
        "cycle",
        "predecessor",
        "successor",
    ]
    .map(String::from)
    .to_vec();
    header.extend(roles.iter().flat_map(|r| [r.clone(), format!("{r} name")]));
    header.extend(facts.iter().map(|f| format!("fact:{f}")));
    csv.write_record(&header)?;
    let names = coordinator.directory()?;
    for p in pairings {
        let program = coordinator.program(&p.program_hash)?;
        let mut row = pairing_cells(&p);
        for role in &roles {
            let people: Vec<&str> = p.with_role(role).map(|m| m.id.as_str()).collect();
            let named: Vec<&str> = p
                .with_role(role)
                .map(|m| names.name(&m.id).unwrap_or_default())
                .collect();
            row.push(people.join(" "));
            // Names line up with the ids (`; ` between them); no name at all leaves it empty.
            row.push(match named.iter().all(|n| n.is_empty()) {
                true => String::new(),
                false => named.join("; "),
            });
        }
        row.extend(facts.iter().map(|fact| fact_cell(&program, &p, fact)));
        csv.write_record(row.into_iter().map(cell))?;
    }
    csv.flush()?;
    Ok(EXIT_OK)
}

/// The pairing's own columns, before its people and facts.
fn pairing_cells(p: &mentorflow_engine::Pairing) -> Vec<String> {
    vec![
        p.id.to_string(),
        p.label.clone().unwrap_or_default(),
        p.program_id.to_string(),
        p.program_hash.to_string(),
        p.type_id.to_string(),
        p.stage.to_string(),
        p.outcome.map(|o| o.to_string()).unwrap_or_default(),
        p.history
            .as_ref()
            .and_then(|h| h.reason.clone())
            .filter(|_| p.outcome.is_some())
            .unwrap_or_default(),
        spreadsheet_time(p.enrolled_at),
        p.outcome
            .as_ref()
            .map(|_| spreadsheet_time(p.entered_at))
            .unwrap_or_default(),
        p.due.map(spreadsheet_time).unwrap_or_default(),
        p.cycle.to_string(),
        p.predecessor.clone().unwrap_or_default(),
        p.successor.clone().unwrap_or_default(),
    ]
}

/// A fact's cell: its value (or default); a fact kept per person, each person's `id=value`.
fn fact_cell(
    program: &mentorflow_dsl::Program,
    p: &mentorflow_engine::Pairing,
    fact: &str,
) -> String {
    match program.fact(fact).filter(|d| d.per.is_some()) {
        Some(decl) => p
            .participants
            .iter()
            .filter(|m| decl.is_kept_for(&m.role))
            .map(|m| {
                let v = p.person_fact(program, m, fact);
                format!("{}={}", m.id, v.map_or("-".into(), ToString::to_string))
            })
            .collect::<Vec<_>>()
            .join(" "),
        None => p
            .fact(program, fact)
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

/// Events as flat rows: who, when, what, and what each kind says in columns of its own
/// (stages moved between, facts recorded, the person), the whole event as JSON last.
fn events_csv(events: &[mentorflow_engine::Event], output: &mut Output<'_>) -> CommandResult {
    let mut csv = csv::Writer::from_writer(&mut *output.out);
    csv.write_record([
        "pairing",
        "seq",
        "at",
        "actor",
        "event",
        "reason",
        "program",
        "from",
        "to",
        "by",
        "transition",
        "facts",
        "person",
        "detail",
    ])?;
    for e in events {
        let [from, to, by, transition, facts, person] = kind_cells(&e.kind);
        // The event's own fields in their documented JSON shape (`mentorflow schema events`).
        let detail =
            serde_json::to_string(&crate::json::event::Event::from(e).what).unwrap_or_default();
        csv.write_record(
            [
                e.pairing.to_string(),
                e.seq.to_string(),
                spreadsheet_time(e.at),
                e.actor.to_string(),
                e.kind.name().to_string(),
                e.reason.clone().unwrap_or_default(),
                e.program.to_string(),
                from,
                to,
                by,
                transition,
                facts,
                person,
                detail,
            ]
            .map(cell),
        )?;
    }
    csv.flush()?;
    Ok(EXIT_OK)
}

/// What an event's kind says in columns of its own: from, to, by, transition, facts, person.
fn kind_cells(kind: &EventKind) -> [String; 6] {
    let (mut from, mut to, mut by, mut transition) =
        (String::new(), String::new(), String::new(), String::new());
    let (mut facts, mut person) = (String::new(), String::new());
    fn shown<N: std::fmt::Display>(f: &[(N, mentorflow_dsl::Value)]) -> String {
        f.iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
    {
        match kind {
            EventKind::Moved {
                from: f,
                to: t,
                by: b,
                transition: n,
            } => {
                from = f.to_string();
                to = t.to_string();
                by = crate::json::event::moved_by(*b).to_string();
                transition = n.map(|n| n.to_string()).unwrap_or_default();
            }
            EventKind::Enrolled { stage, .. } => to = stage.to_string(),
            EventKind::FactsRecorded {
                facts: f,
                person: p,
            } => {
                facts = shown(f);
                person = p.clone().unwrap_or_default();
            }
            EventKind::Done { facts: f, .. } => facts = shown(f),
            EventKind::Joined { participant } => person = participant.id.clone(),
            EventKind::Left { person: p, .. } => person = p.clone(),
            EventKind::Replaced {
                person: p,
                participant,
            } => person = format!("{p} -> {}", participant.id),
            // The other kinds say what they say in the detail column only.
            _ => {}
        }
    }
    [from, to, by, transition, facts, person]
}
