//! `mentorflow status [PAIRING]`: the board, or one pairing and what it needs to move on.

use std::fmt::Write as _;

use crate::failure::CommandResult;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The board (pairings per stage and type, overdue counts), or one pairing in detail.
#[derive(Debug, Default, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow status\n  mentorflow status p-1\n  mentorflow status r07 --json"
)]
pub struct Args {
    /// One pairing: stage, due, facts, who, and what is needed to move on.
    pub pairing: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Prints the board or a pairing.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    show(args, &mut store.open()?, output)
}

/// Prints the board or a pairing of an open store.
pub fn show(
    args: &Args,
    coordinator: &mut mentorflow_engine::Coordinator,
    output: &mut Output<'_>,
) -> CommandResult {
    let Some(id) = &args.pairing else {
        return board(coordinator, args.json, output);
    };
    let status = coordinator.status(id)?;
    if args.json {
        return status_json(coordinator, &status, output);
    }
    let now = coordinator.now();
    let mut s = heading(&status);
    where_it_stands(&mut s, &status, now);
    if let Some(health) = &status.health {
        let _ = writeln!(s, "health: {}", render::health(health));
    }
    who(&mut s, &status.pairing, &coordinator.directory()?);
    facts(&mut s, &status);
    moves(&mut s, &status);
    schedules(&mut s, &coordinator.schedules(&status.pairing)?, now);
    timers(&mut s, &status.timers, now);
    write!(output.out, "{s}")?;
    Ok(EXIT_OK)
}

/// The pairing's id, label, program, type and version, and whether its file changed since.
fn heading(status: &mentorflow_engine::Status) -> String {
    let p = &status.pairing;
    format!(
        "{}{} — {} ({}), version {}{}\n",
        p.id,
        p.label.as_ref().map_or(String::new(), |l| format!(
            " (label {})",
            render::printable(l)
        )),
        p.program_id,
        p.type_id,
        render::short_hash(&p.program_hash),
        match &status.file {
            (file, mentorflow_engine::FileState::Changed(now)) => format!(
                " ({file} has changed since: it is version {} now; this pairing stays on its own)",
                render::short_hash(now)
            ),
            _ => String::new(),
        }
    )
}

/// Its stage and since when, then how it ended or when it is due.
fn where_it_stands(s: &mut String, status: &mentorflow_engine::Status, now: Now) {
    let p = &status.pairing;
    let _ = writeln!(
        s,
        "stage: {} since {} ({}), cycle {}",
        p.stage,
        render::date(p.entered_at),
        render::age(now - p.entered_at),
        p.cycle
    );
    match (&p.outcome, p.due) {
        (Some(o), _) => {
            let why = p
                .history
                .as_ref()
                .and_then(|h| h.reason.as_deref())
                .map_or(String::new(), |r| {
                    format!(" — reason: {}", render::printable(r))
                });
            let _ = writeln!(s, "outcome: {o}{why}");
        }
        (None, Some(due)) => {
            let late = if status.overdue {
                format!(
                    "  {} by {}",
                    crate::paint::mark(crate::paint::Mark::Alarm, "OVERDUE"),
                    render::age(now - due)
                )
            } else {
                format!("  (in {})", render::age(due - now))
            };
            let _ = writeln!(s, "due: {}{late}", render::minute(due));
        }
        (None, None) => {}
    }
}

/// Who takes part (by name and id, with their e-mail), the pairings it continues or continued
/// as, and who left.
fn who(s: &mut String, p: &mentorflow_engine::Pairing, names: &mentorflow_engine::Directory) {
    for person in p.participants.iter() {
        let mut line = format!(
            "  {} {}",
            person.role,
            render::printable(&names.label(&person.id))
        );
        if let Some(email) = names.email(&person.id) {
            let _ = write!(line, " <{}>", render::printable(email));
        }
        for (k, v) in &person.attributes {
            let _ = write!(line, " {k}={v}");
        }
        if p.erased.contains(&person.id) {
            line.push_str(" (values erased)");
        }
        let _ = writeln!(s, "{line}");
    }
    if let Some(from) = &p.predecessor {
        let _ = writeln!(s, "continues {from}");
    }
    if let Some(next) = &p.successor {
        let _ = writeln!(s, "continued as {next}");
    }
    for former in &p.former {
        let why = former.reason.as_ref().map_or(String::new(), |r| {
            format!(" — reason: {}", render::printable(r))
        });
        let _ = writeln!(
            s,
            "  left: {} {} on {}{why}",
            former.participant.role,
            render::printable(&names.label(&former.participant.id)),
            render::date(former.left)
        );
    }
}

/// Every fact its type declares (`-` when it has no value), then the facts kept per person.
fn facts(s: &mut String, status: &mentorflow_engine::Status) {
    let p = &status.pairing;
    let facts: Vec<String> = status
        .program
        .facts_for_type(&p.type_id)
        .into_iter()
        .map(|f| {
            let value = p.fact(&status.program, &f.name);
            format!(
                "{}={}",
                f.name,
                value.map_or("-".into(), ToString::to_string)
            )
        })
        .collect();
    let _ = writeln!(s, "facts: {}", facts.join(" "));
    let people = render::person_facts(&status.program, p, "\n  ");
    if !people.is_empty() {
        let _ = writeln!(s, "facts per person:{people}");
    }
}

/// What it needs to move on, by advance and by itself.
fn moves(s: &mut String, status: &mentorflow_engine::Status) {
    if !status.candidates.is_empty() {
        s.push_str("to move on:\n");
        for c in &status.candidates {
            render::candidate(s, c, "  ");
        }
    }
    if !status.automatic.is_empty() {
        s.push_str("automatically, as soon as a guard holds:\n");
        for c in &status.automatic {
            render::candidate(s, c, "  ");
        }
    }
}

type Now = chrono::DateTime<chrono::Utc>;

/// How each schedule that applies stands: done, on time, missed, and the next occurrence;
/// a schedule kept per person, for each of its people too.
fn schedules(
    s: &mut String,
    schedules: &[(mentorflow_dsl::model::Schedule, mentorflow_engine::Standing)],
    now: Now,
) {
    if schedules.is_empty() {
        return;
    }
    s.push_str("schedules:\n");
    for (schedule, st) in schedules {
        let per = schedule
            .per
            .as_ref()
            .map_or(String::new(), |role| format!(", per {role}"));
        let _ = writeln!(
            s,
            "  {} ({} from {}{per}): {}",
            schedule.name,
            schedule.cadence,
            schedule.anchor,
            standing_text(st, now)
        );
        for (person, own) in &st.people {
            let _ = writeln!(s, "    {person}: {}", standing_text(own, now));
        }
    }
}

/// `2 of 3 due done (1 on time), 1 MISSED; next #4 due ... (in 6d, dewi's turn)`.
fn standing_text(st: &mentorflow_engine::Standing, now: Now) -> String {
    let turn = st
        .turn
        .as_ref()
        .map_or(String::new(), |t| format!(", {t}'s turn"));
    let next = match st.next {
        Some((k, at)) if at >= now => format!(
            "; next #{k} due {} (in {}{turn})",
            render::minute(at),
            render::age(at - now)
        ),
        Some((k, at)) => format!("; #{k} was due {}, still open", render::minute(at)),
        None => "; no more occurrences".into(),
    };
    let missed = if st.missed > 0 {
        format!(
            ", {} {}",
            st.missed,
            crate::paint::mark(crate::paint::Mark::Alarm, "MISSED")
        )
    } else {
        String::new()
    };
    format!(
        "{} of {} due done ({} on time){missed}{next}",
        st.done, st.due, st.on_time
    )
}

/// The timers that leave its stage, and when each fires.
fn timers(s: &mut String, timers: &[mentorflow_engine::Upcoming], now: Now) {
    if timers.is_empty() {
        return;
    }
    s.push_str("timers:\n");
    for u in timers {
        let when = match u.fires {
            Some(at) if at > now => format!(", in {}", render::age(at - now)),
            Some(_) => ", due now: the next tick takes it if its guard holds".into(),
            None => String::new(),
        };
        let _ = writeln!(s, "  #{} {}{when}", u.transition, render::upcoming(u));
    }
}

fn board(
    coordinator: &mut mentorflow_engine::Coordinator,
    as_json: bool,
    output: &mut Output<'_>,
) -> CommandResult {
    let (total, rows) = coordinator.board()?;
    if as_json {
        let board = crate::json::status::Board {
            now: coordinator.now(),
            pairings: total as u64,
            rows: rows.iter().map(board_row_json).collect(),
        };
        return super::versioned_json(output, board);
    }
    let overdue: u64 = rows.iter().map(|r| r.overdue).sum();
    writeln!(
        output.out,
        "{}, {overdue} overdue, at {}",
        render::count(total as u64, "pairing"),
        render::minute(coordinator.now())
    )?;
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                format!("{}/{}", r.program, r.stage),
                r.type_id.clone(),
                r.pairings.to_string(),
                r.overdue.to_string(),
                r.blocked.to_string(),
                r.waiting_on
                    .as_ref()
                    .map_or(String::new(), |(part, n)| format!("{part} ({n})")),
                r.reasons
                    .iter()
                    .map(|(code, n)| format!("{code} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let header = [
        "program/stage",
        "type",
        "pairings",
        "overdue",
        "blocked",
        "mostly waiting on",
        "ended because",
    ];
    // The reasons column only where a program declares reason codes.
    let table = if rows.iter().any(|r| !r.reasons.is_empty()) {
        render::table(header, &cells)
    } else {
        let [a, b, c, d, e, f, _] = header;
        let cells: Vec<[String; 6]> = cells
            .into_iter()
            .map(|[a, b, c, d, e, f, _]| [a, b, c, d, e, f])
            .collect();
        render::table([a, b, c, d, e, f], &cells)
    };
    write!(output.out, "{table}")?;
    Ok(EXIT_OK)
}

/// A row of the board in its documented shape.
fn board_row_json(r: &mentorflow_engine::BoardRow) -> crate::json::status::BoardRow {
    crate::json::status::BoardRow {
        program: r.program.clone(),
        stage: r.stage.clone(),
        r#type: r.type_id.clone(),
        pairings: r.pairings,
        overdue: r.overdue,
        blocked: r.blocked,
        waiting_on: r
            .waiting_on
            .as_ref()
            .map(|(part, n)| crate::json::status::Waiting {
                part: part.clone(),
                pairings: *n,
            }),
        reasons: r.reasons.clone(),
    }
}

/// One pairing's status in its documented shape.
fn status_json(
    coordinator: &mut mentorflow_engine::Coordinator,
    status: &mentorflow_engine::Status,
    output: &mut Output<'_>,
) -> CommandResult {
    use crate::json::status::{Next, Schedule, Status, Timer};
    let p = &status.pairing;
    let next = status
        .candidates
        .iter()
        .map(|c| Next {
            transition: c.transition,
            name: render::candidate_name(c),
            to: c.to.clone(),
            can_be_taken: c.holds(),
        })
        .collect();
    let timers = status
        .timers
        .iter()
        .map(|u| Timer {
            transition: u.transition,
            to: u.to.clone(),
            timer: u.timeout.to_string(),
            fires: u.fires,
            warned: u.warned,
        })
        .collect();
    let schedules = coordinator
        .schedules(p)?
        .iter()
        .map(|(s, st)| Schedule {
            schedule: s.name.clone(),
            cadence: s.cadence.to_string(),
            done: st.done,
            on_time: st.on_time,
            missed: st.missed,
            due: st.due,
            last_done: st.last_done,
            next_due: st.next.map(|n| n.1),
            turn: st.turn.clone(),
        })
        .collect();
    let program_file_version = match &status.file.1 {
        mentorflow_engine::FileState::Changed(now) => Some(now.clone()),
        mentorflow_engine::FileState::Same => Some(p.program_hash.to_string()),
        _ => None,
    };
    let placed = coordinator.attention(vec![p.clone()])?;
    let waiting_on = placed
        .first()
        .map(|(_, a)| render::attention(a))
        .unwrap_or_default();
    let health = coordinator.healths(&placed)?.pop().flatten();
    let doc = Status {
        pairing: crate::json::pairing::Pairing::from(p).named(&coordinator.directory()?),
        overdue: status.overdue,
        ended_because: coordinator.ended_because(p)?,
        waiting_on,
        health: health.as_ref().map(crate::json::health::Health::from),
        next,
        timers,
        schedules,
        program_file: status.file.0.clone(),
        program_file_version,
    };
    super::versioned_json(output, doc)
}
