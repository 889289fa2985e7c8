//! One log line per event: `#seq time pairing by actor: what — reason`.

use mentorflow_engine::{Directory, Event, EventKind, Move};

use super::minute;

/// `s` with control characters escaped, so a value cannot forge extra lines in a log.
pub fn printable(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The event as one line, people named as `names` knows them.
pub fn event(e: &Event, names: &Directory) -> String {
    let mut line = format!(
        "#{} {} {} by {}: {}",
        e.seq,
        minute(e.at),
        e.pairing,
        printable(&e.actor),
        what(&e.kind, names)
    );
    if let Some(reason) = &e.reason {
        line.push_str(&format!(" — reason: {}", printable(reason)));
    }
    line
}

/// `Ana Lima (e015)`, or the id alone when the registry has no name.
fn named(id: &str, names: &Directory) -> String {
    printable(&names.label(id))
}

/// `Ana Lima (e015, mentor)`, or `e015 (mentor)` when the registry has no name.
fn in_role(id: &str, role: &str, names: &Directory) -> String {
    match names.name(id) {
        Some(name) => format!(
            "{} ({}, {})",
            printable(name),
            printable(id),
            printable(role)
        ),
        None => format!("{} ({})", printable(id), printable(role)),
    }
}

fn what(kind: &EventKind, names: &Directory) -> String {
    let person = |p: &mentorflow_engine::Participant| in_role(&p.id, &p.role, names);
    match kind {
        EventKind::Enrolled {
            program_id,
            type_id,
            participants,
            stage,
            label,
            predecessor,
        } => {
            let who: Vec<String> = participants.iter().map(person).collect();
            let label = label
                .as_ref()
                .map_or(String::new(), |l| format!(" (label {})", printable(l)));
            let from = predecessor
                .as_ref()
                .map_or(String::new(), |p| format!(", continuing {p}"));
            let who = who.join(", ");
            format!(
                "enrolled in {program_id} as {type_id}{label}{from}, starting in {stage}: {who}"
            )
        }
        EventKind::Continued { successor } => format!("continues as {successor}"),
        EventKind::PersonRecorded { person } => registry_entry(person),
        EventKind::Joined { participant } => format!("{} joined", person(participant)),
        EventKind::Left { person, role } => {
            format!("{} left", in_role(person, role, names))
        }
        EventKind::Replaced {
            person: left,
            participant,
        } => format!("{} replaced {}", person(participant), named(left, names)),
        EventKind::FactsRecorded { facts, person } => {
            let shown: Vec<String> = facts.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let whose = person
                .as_ref()
                .map_or(String::new(), |p| format!(" for {}", named(p, names)));
            // A person's facts are sealed with their key: none come back once it is gone.
            let shown = match (shown.is_empty(), person) {
                (true, Some(_)) => "values since erased".to_string(),
                _ => shown.join(", "),
            };
            format!("recorded {shown}{whose}")
        }
        EventKind::Moved { .. }
        | EventKind::BecameOverdue { .. }
        | EventKind::Done { .. }
        | EventKind::ScheduleStarted { .. }
        | EventKind::ScheduleStopped { .. }
        | EventKind::Notified { .. }
        | EventKind::Missed { .. }
        | EventKind::ComesDue { .. }
        | EventKind::Warned { .. }
        | EventKind::Migrated { .. } => what_happened_on_time(kind, names),
        EventKind::Erased { person, key } => {
            let key = match key.is_empty() {
                true => "they had no key".to_string(),
                false => format!("key {key} destroyed"),
            };
            format!("erased the values of {} ({key})", printable(person))
        }
    }
}

/// `MISSED one_on_one #3, #4`.
fn missed(schedule: &str, occurrences: &[u32]) -> String {
    let which: Vec<String> = occurrences.iter().map(|k| format!("#{k}")).collect();
    format!(
        "{} {schedule} {}",
        crate::paint::mark(crate::paint::Mark::Alarm, "MISSED"),
        which.join(", ")
    )
}

/// `group_session #3 comes due ...: Dewi Sari (dewi)'s turn`.
fn comes_due(
    schedule: &str,
    occurrence: u32,
    due: chrono::DateTime<chrono::Utc>,
    turn: Option<&str>,
    names: &Directory,
) -> String {
    let turn = turn.map_or(String::new(), |t| format!(": {}'s turn", names.label(t)));
    format!("{schedule} #{occurrence} comes due {}{turn}", minute(due))
}

/// `done one_on_one #3 on ..., recorded hours = 2 — below its require: counts as missed`.
fn done(
    schedule: &str,
    occurrence: u32,
    whose: Option<String>,
    on: chrono::DateTime<chrono::Utc>,
    facts: &[(String, mentorflow_dsl::Value)],
    short: bool,
) -> String {
    let with: Vec<String> = facts.iter().map(|(n, v)| format!("{n} = {v}")).collect();
    let with = match with.is_empty() {
        true => String::new(),
        false => format!(", recorded {}", with.join(", ")),
    };
    let short = match short {
        true => " — below its require: counts as missed",
        false => "",
    };
    let whose = whose.map_or(String::new(), |w| format!(" for {w}"));
    format!(
        "done {schedule} #{occurrence}{whose} on {}{with}{short}",
        minute(on)
    )
}

/// A notice as the log shows it: who it went to, and its subject.
fn notified(
    notification: &str,
    to: &[mentorflow_engine::Recipient],
    (subject, body): (&str, &str),
    names: &Directory,
) -> String {
    let who: Vec<String> = to.iter().map(|r| in_role(&r.id, &r.role, names)).collect();
    let who = match who.is_empty() {
        true => "nobody".to_string(),
        false => who.join(", "),
    };
    // A notice's text is sealed for its pairing's people: gone once one is erased.
    let subject = match subject.is_empty() && body.is_empty() {
        true => "(text erased)".to_string(),
        false => printable(subject),
    };
    format!("notified {who} of {notification}: {subject}")
}

/// What moves, timers, schedules, notifications and migrations did.
/// Its match and [`what`]'s each name every kind: a new one must be placed in one of them.
fn what_happened_on_time(kind: &EventKind, names: &Directory) -> String {
    match kind {
        EventKind::Moved {
            from,
            to,
            by,
            transition,
        } => moved(from, to, *by, transition.unwrap_or_default()),
        EventKind::BecameOverdue { stage, due } => {
            format!("overdue in {stage} (was due {})", minute(*due))
        }
        EventKind::Done {
            schedule,
            occurrence,
            on,
            facts,
            short,
            person,
            ..
        } => {
            let whose = person.as_ref().map(|p| names.label(p));
            done(schedule, *occurrence, whose, *on, facts, *short)
        }
        EventKind::ScheduleStarted { schedule } => format!("started schedule {schedule}"),
        EventKind::ScheduleStopped { schedule } => format!("stopped schedule {schedule}"),
        EventKind::Notified {
            notification,
            to,
            subject,
            body,
        } => notified(notification, to, (subject, body), names),
        EventKind::Missed {
            schedule,
            occurrences,
            person,
            ..
        } => {
            let whose = person
                .as_ref()
                .map_or(String::new(), |p| format!(" ({})", names.label(p)));
            format!("{}{whose}", missed(schedule, occurrences))
        }
        EventKind::ComesDue {
            schedule,
            occurrence,
            due,
            turn,
            ..
        } => comes_due(schedule, *occurrence, *due, turn.as_deref(), names),
        EventKind::Warned {
            transition,
            to,
            fires,
        } => warned(*transition, to, *fires),
        EventKind::Migrated {
            from_program,
            to_program,
            stage,
            mapping,
            ..
        } => migrated(from_program, to_program, stage, mapping),
        EventKind::Enrolled { .. }
        | EventKind::Continued { .. }
        | EventKind::PersonRecorded { .. }
        | EventKind::Joined { .. }
        | EventKind::Left { .. }
        | EventKind::Replaced { .. }
        | EventKind::FactsRecorded { .. }
        | EventKind::Erased { .. } => what(kind, names),
    }
}

/// A timer's warning.
fn warned(transition: usize, to: &str, fires: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "warning: transition {transition} to {to} is due {} (its timer's lead time has come)",
        minute(fires)
    )
}

/// An edit of the people registry.
fn registry_entry(person: &mentorflow_engine::Person) -> String {
    let mut s = format!("registry entry of {}", printable(&person.id));
    if !person.name.is_empty() {
        s.push_str(&format!(": {}", printable(&person.name)));
    }
    if let Some(m) = &person.manager {
        s.push_str(&format!(", manager {}", printable(m)));
    }
    for (k, v) in &person.attributes {
        s.push_str(&format!(", {k} = {}", printable(v)));
    }
    s
}

/// A change of stage, by how it was made.
fn moved(from: &str, to: &str, by: Move, n: usize) -> String {
    match by {
        Move::Advance => format!("{from} -> {to} (transition {n})"),
        Move::Forced => format!(
            "{from} -> {to} {}",
            crate::paint::mark(crate::paint::Mark::Forced, "FORCED")
        ),
        Move::Withdraw => format!("{from} -> {to} (withdraw)"),
        Move::Timer => format!("{from} -> {to} timed out (transition {n})"),
        Move::Auto => format!("{from} -> {to} automatically (transition {n})"),
    }
}

/// A migration to another version, with the mapping it applied.
fn migrated(
    from_program: &str,
    to_program: &str,
    stage: &str,
    mapping: &mentorflow_engine::Mapping,
) -> String {
    let mut s = format!(
        "migrated from version {} to {}, in {stage}",
        super::short_hash(from_program),
        super::short_hash(to_program)
    );
    let pairs = |m: &std::collections::BTreeMap<String, String>, sep: &str| {
        m.iter()
            .map(|(a, b)| format!("{a}{sep}{b}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !mapping.stages.is_empty() {
        s.push_str(&format!("; stages {}", pairs(&mapping.stages, " -> ")));
    }
    if !mapping.facts.is_empty() {
        s.push_str(&format!("; facts {}", pairs(&mapping.facts, " -> ")));
    }
    if !mapping.set.is_empty() {
        s.push_str(&format!("; set {}", pairs(&mapping.set, " = ")));
    }
    s
}
