//! The HTML report's sections for a steering committee: what ended pairings achieved (with
//! rating distributions), the breakdown, mentor load and the stages week by week, as tables
//! and inline SVG like the rest of the page.

use std::fmt::Write as _;

use mentorflow_engine::{ProgramReport, Report};

use super::report::{load_share, rate, recorded};
use super::report_html::{bar, escape};

/// Colours of the trend's running stages, in stage order (repeated past the last).
const STAGE_COLOURS: [&str; 6] = [
    "#c9daf8", "#9fc5e8", "#6fa8dc", "#3d85c6", "#1c64b4", "#7b61c4",
];

/// A stage's colour in the trend: its place among running stages, or its outcome's (success
/// green, a withdrawal grey, any other ending amber).
fn stage_colour(p: &ProgramReport, i: usize) -> &'static str {
    match p.stages[i].outcome.as_deref() {
        Some("success") => "#2f9e44",
        Some("withdrawn") => "#9aa5b1",
        Some(_) => "#e0a030",
        None => STAGE_COLOURS[i % STAGE_COLOURS.len()],
    }
}

/// The busiest mentors the page lists; the rest are counted.
const LOAD_SHOWN: usize = 12;

/// What ended pairings achieved: each number fact's mean, and a scale's distribution.
pub fn measures(p: &ProgramReport, out: &mut String) {
    if p.measures.is_empty() {
        return;
    }
    out.push_str("<h3>What ended pairings achieved</h3>\n<table><tr><th>fact</th><th class=\"n\">recorded</th><th class=\"n\">mean</th><th>distribution</th></tr>\n");
    for m in &p.measures {
        let _ = write!(
            out,
            "<tr><td>{} <span class=\"muted\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>",
            escape(&m.fact),
            escape(&m.description),
            recorded(m),
            m.mean.map_or("-".into(), |x| format!("{x:.1}"))
        );
        if let Some(d) = &m.distribution {
            distribution(&m.fact, d, out);
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

/// A column per value of a scale, its count above it.
fn distribution(fact: &str, values: &[(i64, u64)], out: &mut String) {
    const W: usize = 26;
    let most = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let width = W * values.len();
    let _ = write!(
        out,
        "<svg role=\"img\" aria-label=\"distribution of {}\" viewBox=\"0 0 {width} 62\" width=\"{width}\" height=\"62\">",
        escape(fact)
    );
    for (i, (value, n)) in values.iter().enumerate() {
        let h = (*n as f64 / most * 34.0).round();
        let x = i * W;
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"{h}\" fill=\"#2f9e44\"><title>{value}: {n}</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{}\" y=\"58\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616e7c\">{value}</text>",
            x + 2,
            46.0 - h,
            x + 12,
            44.0 - h - 2.0,
            x + 12
        );
    }
    out.push_str("<line x1=\"0\" y1=\"46.5\" x2=\"100%\" y2=\"46.5\" stroke=\"#9aa5b1\"/></svg>");
}

/// The pairings broken down by the report's `by`.
pub fn breakdown(report: &Report, p: &ProgramReport, out: &mut String) {
    if p.breakdown.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h3>By {}</h3>\n<table><tr><th>{}</th><th class=\"n\">pairings</th><th class=\"n\">running</th><th>success among ended</th><th class=\"n\">at risk</th><th class=\"n\">need a check-in</th><th>meetings held / missed</th></tr>",
        escape(&report.by),
        escape(&report.by)
    );
    for g in &p.breakdown {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td>{} / {}</td></tr>",
            escape(&g.name),
            g.pairings,
            g.running,
            bar(g.success.share().unwrap_or(0.0), "#2f9e44"),
            escape(&rate(g.success)),
            if g.at_risk > 0 { " overdue" } else { "" },
            g.at_risk,
            g.check_in,
            g.held,
            g.missed
        );
    }
    out.push_str("</table>\n");
}

/// Each mentor's load against what they may take.
pub fn load(report: &Report, p: &ProgramReport, out: &mut String) {
    if p.load.is_empty() {
        return;
    }
    out.push_str("<h3>Mentor load</h3>\n<table><tr><th>person</th><th>role</th><th>running (of capacity)</th><th class=\"n\">ended</th><th class=\"n\">need a call</th></tr>\n");
    for l in p.load.iter().take(LOAD_SHOWN) {
        let full = l
            .capacity
            .map_or(0.0, |c| l.running as f64 / f64::from(c.max(1)));
        let colour = if full >= 1.0 { "#b44d12" } else { "#1c64b4" };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&report.names.label(&l.person)),
            escape(&l.role),
            bar(full, colour),
            escape(&load_share(l)),
            l.ended,
            l.needing_a_call
        );
    }
    out.push_str("</table>\n");
    if let Some(more) = p.load.len().checked_sub(LOAD_SHOWN).filter(|n| *n > 0) {
        let _ = writeln!(
            out,
            "<p class=\"muted\">and {more} more with less load (the text and JSON reports list everyone).</p>"
        );
    }
}

/// Pairings per stage at the end of each week, as stacked columns.
pub fn trend(p: &ProgramReport, out: &mut String) {
    if p.trend.is_empty() {
        return;
    }
    const COLUMN: usize = 18;
    const HEIGHT: f64 = 160.0;
    let most = p
        .trend
        .iter()
        .map(|w| w.stages.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = (COLUMN * p.trend.len()).max(200) + 40;
    out.push_str("<div class=\"funnel\"><b>Week by week</b>\n<p class=\"legend muted\">Pairings in each stage at the end of each week<br>");
    for (i, s) in p.stages.iter().enumerate() {
        let _ = write!(
            out,
            "<span style=\"background:{}\"></span>{}",
            stage_colour(p, i),
            escape(&s.title)
        );
    }
    let _ = write!(
        out,
        "</p>\n<svg role=\"img\" aria-label=\"pairings per stage per week\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\">\n",
        HEIGHT + 40.0,
        HEIGHT + 40.0
    );
    for (i, w) in p.trend.iter().enumerate() {
        let x = 30 + i * COLUMN;
        let mut y = HEIGHT;
        for (s, n) in w.stages.iter().enumerate().filter(|(_, n)| **n > 0) {
            let h = *n as f64 / most * (HEIGHT - 10.0);
            y -= h;
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"{}\"><title>week of {}: {n} in {}</title></rect>",
                COLUMN - 3,
                stage_colour(p, s),
                w.starts,
                escape(&p.stages[s].title)
            );
        }
        // A date under every fourth week keeps the labels apart.
        if i % 4 == 0 {
            let _ = write!(
                out,
                "<text x=\"{x}\" y=\"{}\" font-size=\"10\" fill=\"#616e7c\">{}</text>",
                HEIGHT + 14.0,
                w.starts.format("%d %b")
            );
        }
    }
    let _ = writeln!(
        out,
        "<line x1=\"28\" y1=\"{HEIGHT}.5\" x2=\"{width}\" y2=\"{HEIGHT}.5\" stroke=\"#9aa5b1\"/><text x=\"0\" y=\"14\" font-size=\"10\" fill=\"#616e7c\">{most}</text></svg></div>"
    );
}
