//! The cohort report as text: one section per program, then who needs a call.

use std::fmt::Write as _;

use mentorflow_engine::{Call, Directory, ProgramReport, Rate, Report, Spread, STAY_BUCKETS};

use super::count;

/// The most pairings the text and HTML reports list as needing a call; `list --attention`
/// lists them all (a store of 100,000 pairings would otherwise print thousands of rows).
pub const CALLS_SHOWN: usize = 50;

/// The whole report.
pub fn text(report: &Report, calls: usize) -> String {
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
    let [at_risk, check_in, on_track] = report.health;
    let _ = writeln!(
        out,
        "Running: {at_risk} at risk, {check_in} need a check-in, {on_track} on track"
    );
    for program in &report.programs {
        program_text(report, program, &mut out);
    }
    calls_text(report, calls, &mut out);
    out
}

fn program_text(report: &Report, p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\n== {} ({}) ==", p.title, p.id);
    funnel_text(p, out);
    success_text(p, out);
    stays_text(p, out);
    measures_text(p, out);
    ended_text(p, out);
    schedules_text(p, out);
    breakdown_text(report, p, out);
    load_text(&report.names, p, out);
    trend_text(p, out);
}

/// How many reached each stage and stand in it now, per type.
fn funnel_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(
        out,
        "\nFunnel: reached (once per pairing) / in the stage now"
    );
    let mut header = vec!["stage"];
    header.extend(p.types.iter().map(|t| t.type_id.as_str()));
    let rows: Vec<Vec<String>> = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut row = vec![stage_name(&s.title, s.outcome.as_deref())];
            row.extend(p.types.iter().map(|t| {
                let (reached, now) = t.funnel[i];
                format!("{reached} / {now}")
            }));
            row
        })
        .collect();
    indented(out, &header, &rows);
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
            version_name(v),
            v.pairings.to_string(),
            rate(v.success),
            version_detail(v),
        ]
    }));
    indented(out, &["", "pairings", "success", "outcomes"], &rows);
}

/// `version 2 (2026-03-01)`.
pub fn version_name(v: &mentorflow_engine::VersionReport) -> String {
    let stored = super::stored_time(&v.stored_at);
    format!(
        "version {} ({})",
        v.number,
        stored.get(..10).unwrap_or(&stored)
    )
}

/// How a version's pairings came to it: `3 migrated in; 5 started on it; 6b1f0c2a9e11`.
pub fn version_detail(v: &mentorflow_engine::VersionReport) -> String {
    let mut parts = Vec::new();
    if v.migrated_in > 0 {
        parts.push(format!("{} migrated in", v.migrated_in));
    }
    if v.started != v.pairings - v.migrated_in {
        parts.push(format!("{} started on it", v.started));
    }
    parts.push(super::short_hash(&v.hash).to_string());
    parts.join("; ")
}

/// How long stays lasted, per stage.
fn stays_text(p: &ProgramReport, out: &mut String) {
    let _ = writeln!(out, "\nTime in stage (stays that ended, days)");
    let rows: Vec<[String; 6]> = p
        .stages
        .iter()
        .filter_map(|s| {
            let q = s.stays.days?;
            Some([
                s.title.clone(),
                s.stays.count.to_string(),
                days(q.min),
                days(q.median),
                days(q.p90),
                days(q.max),
            ])
        })
        .collect();
    if rows.is_empty() {
        out.push_str("  no stay has ended yet\n");
    } else {
        indented(
            out,
            &["stage", "stays", "min", "median", "p90", "max"],
            &rows,
        );
    }
}

/// What ended pairings achieved.
fn measures_text(p: &ProgramReport, out: &mut String) {
    if p.measures.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nAchieved (ended pairings)");
    let rows: Vec<[String; 4]> = p
        .measures
        .iter()
        .map(|m| {
            let spread = m.distribution.as_ref().map_or_else(String::new, |d| {
                let cells: Vec<String> = d.iter().map(|(v, n)| format!("{v}: {n}")).collect();
                cells.join("  ")
            });
            [
                m.fact.clone(),
                recorded(m),
                m.mean.map_or("-".into(), |x| format!("{x:.1}")),
                spread,
            ]
        })
        .collect();
    indented(out, &["fact", "recorded", "mean", "distribution"], &rows);
}

/// `9 of 10`.
pub fn recorded(m: &mentorflow_engine::Measure) -> String {
    format!("{} of {}", m.recorded, m.recorded + m.unrecorded)
}

/// Why pairings ended.
fn ended_text(p: &ProgramReport, out: &mut String) {
    if p.reasons.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nEnded because");
    let rows: Vec<[String; 3]> = p
        .reasons
        .iter()
        .map(|e| [e.key.clone(), e.count.to_string(), e.words.clone()])
        .collect();
    indented(out, &["reason", "pairings", "what it means"], &rows);
}

/// How schedules were kept.
fn schedules_text(p: &ProgramReport, out: &mut String) {
    if p.schedules.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nSchedules (running pairings now; over the pairings' whole lives)"
    );
    let rows: Vec<[String; 7]> = p
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
                format!("{} held, {} missed", s.held_ever, s.missed_ever),
            ]
        })
        .collect();
    indented(
        out,
        &[
            "schedule",
            "pairings",
            "due",
            "done",
            "missed",
            "pairings missing one",
            "over their lives",
        ],
        &rows,
    );
}

/// The pairings broken down by the report's `by`.
fn breakdown_text(report: &Report, p: &ProgramReport, out: &mut String) {
    if p.breakdown.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nBy {}", report.by);
    let rows: Vec<[String; 7]> = p
        .breakdown
        .iter()
        .map(|g| {
            [
                super::printable(&g.name),
                g.pairings.to_string(),
                g.running.to_string(),
                rate(g.success),
                g.at_risk.to_string(),
                g.check_in.to_string(),
                format!("{} held, {} missed", g.held, g.missed),
            ]
        })
        .collect();
    indented(
        out,
        &[
            report.by.as_str(),
            "pairings",
            "running",
            "success",
            "at risk",
            "check-in",
            "meetings",
        ],
        &rows,
    );
}

/// Each mentor's load.
fn load_text(names: &Directory, p: &ProgramReport, out: &mut String) {
    if p.load.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nMentor load (running pairings of this program)");
    // A row per mentor: made as the table is written, not held (a cohort of a million
    // pairings can have as many mentors).
    let row = |l: &mentorflow_engine::Load| {
        [
            super::printable(&names.label(&l.person)),
            l.role.to_string(),
            load_share(l),
            l.ended.to_string(),
            l.needing_a_call.to_string(),
        ]
    };
    let header = ["person", "role", "running", "ended", "need a call"];
    super::grid_into(out, "  ", &header, || p.load.iter().map(row));
}

/// `2 of 2`, or `1` when nothing limits them.
pub fn load_share(l: &mentorflow_engine::Load) -> String {
    match l.capacity {
        Some(c) => format!("{} of {c}", l.running),
        None => l.running.to_string(),
    }
}

/// Pairings per stage at the end of each week.
fn trend_text(p: &ProgramReport, out: &mut String) {
    if p.trend.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nWeek by week (pairings in each stage at the week's end; weeks alike share a row)"
    );
    let mut header = vec!["week of"];
    header.extend(p.stages.iter().map(|s| s.title.as_str()));
    // A run of weeks alike is one row: a cohort that stands still for months reads short.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < p.trend.len() {
        let w = &p.trend[i];
        let same = p.trend[i..]
            .iter()
            .take_while(|x| x.stages == w.stages)
            .count();
        let mut row = vec![match same {
            1 => w.starts.to_string(),
            n => format!("{} to {}", w.starts, p.trend[i + n - 1].starts),
        }];
        row.extend(
            w.stages
                .iter()
                .map(|n| if *n == 0 { "-".into() } else { n.to_string() }),
        );
        rows.push(row);
        i += same;
    }
    indented(out, &header, &rows);
}

/// The running pairings that need a call, the first `shown`.
fn calls_text(report: &Report, shown: usize, out: &mut String) {
    let [at_risk, check_in, _] = report.health;
    let _ = writeln!(
        out,
        "\nNeeds a call: {} ({at_risk} at risk, {check_in} need a check-in)",
        count(report.needing_a_call, "pairing"),
    );
    if report.needing_a_call == 0 {
        return;
    }
    let rows: Vec<[String; 4]> = report
        .attention
        .iter()
        .take(shown)
        .map(|c| {
            [
                c.pairing
                    .label
                    .clone()
                    .unwrap_or_else(|| c.pairing.id.to_string()),
                super::printable(&who(&report.names, c)),
                c.pairing.stage.to_string(),
                super::health(&c.health),
            ]
        })
        .collect();
    if !rows.is_empty() {
        indented(out, &["pairing", "who", "stage", "health"], &rows);
    }
    let listed = report.attention.len().min(shown) as u64;
    if let Some(more) = report.needing_a_call.checked_sub(listed).filter(|n| *n > 0) {
        let _ = writeln!(
            out,
            "  and {more} more: `mentorflow list --attention` lists them all"
        );
    }
}

/// Who takes part in a pairing, by name: `Ana Lima (e015), cy, bo (erased)`.
pub fn who(names: &Directory, c: &Call) -> String {
    let who: Vec<String> = c
        .pairing
        .participants
        .iter()
        .map(|x| match c.pairing.erased.contains(&x.id) {
            true => format!("{} (erased)", x.id),
            false => names.label(&x.id),
        })
        .collect();
    who.join(", ")
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

/// A table of `rows` under `header`, set in by two spaces.
fn indented<R: AsRef<[String]>>(out: &mut String, header: &[&str], rows: &[R]) {
    super::grid_into(out, "  ", header, || rows.iter());
}
