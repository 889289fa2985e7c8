//! The cohort report as text: one section per program, then who needs a coordinator.

use std::fmt::Write as _;

use mentorflow_engine::{ProgramReport, Rate, Report, Spread, STAY_BUCKETS};

use super::{age, count, date, grid, short_hash, table};

/// The whole report.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let ended = report.pairings - report.running;
    let _ = writeln!(
        out,
        "Cohort report, {}: {} ({} running, {} ended)",
        super::minute(report.now),
        count(report.pairings, "pairing"),
        report.running,
        ended
    );
    if report.pairings == 0 {
        out.push_str("\nNo pairings selected: enrol some, or loosen the filters.\n");
        return out;
    }
    for program in &report.programs {
        program_text(program, &mut out);
    }
    attention_text(report, &mut out);
    out
}

fn program_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\n== {} ({}) ==", p.id, p.title);
    funnel_text(p, out);
    success_text(p, out);
    stays_text(p, out);
    ended_text(p, out);
}

/// How many reached each stage and stand in it now, per type.
fn funnel_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\nFunnel: reached / in the stage now");
    let mut header = vec!["stage"];
    header.extend(p.types.iter().map(|t| t.type_id.as_str()));
    let rows: Vec<Vec<String>> = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut row = vec![stage_name(&s.id, s.outcome.as_deref())];
            row.extend(p.types.iter().map(|t| {
                let (reached, now) = t.funnel[i];
                format!("{reached} / {now}")
            }));
            row
        })
        .collect();
    out.push_str(&indent(&grid(&header, &rows)));
}

/// Success per type and per version.
fn success_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\nSuccess (outcome `success` among ended pairings)");
    let mut rows: Vec<[String; 4]> = p
        .types
        .iter()
        .map(|t| {
            let outcomes: Vec<String> =
                t.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
            [
                format!("type {}", t.type_id),
                t.pairings.to_string(),
                rate(t.success),
                outcomes.join(", "),
            ]
        })
        .collect();
    rows.extend(p.versions.iter().map(|v| {
        [
            format!("version {}", short_hash(&v.hash)),
            v.pairings.to_string(),
            rate(v.success),
            format!("stored {}", super::stored_time(&v.stored_at)),
        ]
    }));
    out.push_str(&indent(&table(
        ["", "pairings", "success", "outcomes"],
        &rows,
    )));
}

/// How long stays lasted, per stage.
fn stays_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\nTime in stage (stays that ended, days)");
    let rows: Vec<[String; 6]> = p
        .stages
        .iter()
        .filter(|s| s.stays.count > 0)
        .map(|s| {
            let q = s.stays.days.expect("stays were counted");
            [
                s.id.clone(),
                s.stays.count.to_string(),
                days(q.min),
                days(q.median),
                days(q.p90),
                days(q.max),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("  no stay has ended yet\n");
    } else {
        out.push_str(&indent(&table(
            ["stage", "stays", "min", "median", "p90", "max"],
            &rows,
        )));
    }
}

/// Why pairings ended, and how schedules were kept.
fn ended_text(p: &ProgramReport, out: &mut String) {
    if !p.reasons.is_empty() {
        let _ = writeln!(out, "\nEnded because");
        let rows: Vec<[String; 2]> = p
            .reasons
            .iter()
            .map(|(code, n)| [code.clone(), n.to_string()])
            .collect();
        out.push_str(&indent(&table(["reason", "pairings"], &rows)));
    }
    if !p.schedules.is_empty() {
        let _ = writeln!(out, "\nSchedules");
        let rows: Vec<[String; 6]> = p
            .schedules
            .iter()
            .map(|s| {
                [
                    s.name.clone(),
                    s.pairings.to_string(),
                    s.due.to_string(),
                    format!("{} ({} on time)", s.done, s.on_time),
                    s.missed.to_string(),
                    s.pairings_missing.to_string(),
                ]
            })
            .collect();
        out.push_str(&indent(&table(
            [
                "schedule",
                "pairings",
                "due",
                "done",
                "missed",
                "pairings missing one",
            ],
            &rows,
        )));
    }
}

fn attention_text(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "\nNeeds attention: {} overdue or blocked",
        count(report.attention.len() as u64, "pairing")
    );
    if report.attention.is_empty() {
        return;
    }
    let rows: Vec<[String; 6]> = report
        .attention
        .iter()
        .map(|n| {
            let p = &n.pairing;
            let when = match p.due {
                Some(due) if n.overdue => format!(
                    "{} by {}",
                    crate::paint::mark(crate::paint::Mark::Alarm, "OVERDUE"),
                    age(report.now - due)
                ),
                _ => format!("since {}", date(p.entered_at)),
            };
            [
                p.label.clone().unwrap_or_else(|| p.id.to_string()),
                p.program_id.to_string(),
                p.type_id.to_string(),
                p.stage.to_string(),
                when,
                super::attention(&n.attention),
            ]
        })
        .collect();
    out.push_str(&indent(&table(
        ["pairing", "program", "type", "stage", "due", "waiting on"],
        &rows,
    )));
}

/// `stage`, or `stage (outcome)` for a terminal one.
pub fn stage_name(id: &str, outcome: Option<&str>) -> String {
    match outcome {
        Some(o) => format!("{id} ({o})"),
        None => id.to_string(),
    }
}

/// `3 of 4 (75%)`, or `none ended`.
pub fn rate(r: Rate) -> String {
    match r.share() {
        Some(share) => format!("{} of {} ({:.0}%)", r.succeeded, r.ended, share * 100.0),
        None => "none ended".into(),
    }
}

/// Days to one decimal.
pub fn days(d: f64) -> String {
    format!("{d:.1}")
}

/// The bucket labels of a spread, with their counts.
pub fn buckets(s: &Spread) -> impl Iterator<Item = (&'static str, u64)> + '_ {
    STAY_BUCKETS
        .iter()
        .map(|(_, label)| *label)
        .chain(["over 6mo"])
        .zip(s.buckets.iter().copied())
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
