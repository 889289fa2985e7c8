//! The cohort report as one self-contained HTML page: inline CSS and SVG charts, no script and
//! nothing loaded from the network, so it opens the same in any browser and in a mail.

use std::fmt::Write as _;

use mentorflow_engine::{ProgramReport, Rate, Report, StageReport, TypeReport};

use super::report::{buckets, days, rate, stage_name, CALLS_SHOWN};
use super::{count, date, minute};

/// The page.
pub fn page(report: &Report) -> String {
    let mut body = String::new();
    summary(report, &mut body);
    // Who needs a call comes first: it is what a coordinator acts on today.
    attention(report, &mut body);
    for program in &report.programs {
        program_section(report, program, &mut body);
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Cohort report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\
         <footer>Made by mentorflow for {}. Every number is read from the store's log.</footer>\n\
         </body>\n</html>\n",
        date(report.now),
        minute(report.now)
    )
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #e4e7eb;padding-bottom:.3rem}
h3{font-size:1.05rem;margin:1.6rem 0 .5rem}.muted{color:#616e7c}
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.card{border:1px solid #e4e7eb;border-radius:8px;padding:.7rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}.warn b{color:#b44d12}
.funnels{display:flex;gap:1.5rem;flex-wrap:wrap}.funnel{flex:0 0 480px}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:middle}
th{color:#52606d;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e4e7eb;border-radius:3px;height:.7rem;width:10rem;display:inline-block;vertical-align:middle;margin-right:.5rem}
.bar i{display:block;height:100%;background:#2f9e44;border-radius:3px}
.overdue{color:#b44d12;font-weight:600}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
footer{margin-top:3rem;font-size:.8rem;color:#9aa5b1}svg text{font-family:inherit}
";

const REACHED: &str = "#9fc5e8";
const NOW: &str = "#1c64b4";

fn summary(report: &Report, out: &mut String) {
    let ended = report.pairings - report.running;
    let success =
        report
            .programs
            .iter()
            .flat_map(|p| &p.types)
            .fold(Rate::default(), |mut all, t| {
                all.succeeded += t.success.succeeded;
                all.ended += t.success.ended;
                all
            });
    let _ = write!(
        out,
        "<h1>Cohort report</h1>\n<p class=\"muted\">{} across {}, as of {}.</p>\n<div class=\"cards\">\
         <div class=\"card\"><b>{}</b>pairings</div><div class=\"card\"><b>{}</b>running</div>\
         <div class=\"card\"><b>{ended}</b>ended</div><div class=\"card\"><b>{}</b>success</div>\
         <div class=\"card{}\"><b>{}</b>at risk</div><div class=\"card\"><b>{}</b>need a check-in</div>\
         <div class=\"card\"><b>{}</b>on track</div></div>\n",
        count(report.pairings, "pairing"),
        count(report.programs.len() as u64, "program"),
        minute(report.now),
        report.pairings,
        report.running,
        success
            .share()
            .map_or("-".into(), |s| format!("{:.0}%", s * 100.0)),
        if report.health[0] == 0 { "" } else { " warn" },
        report.health[0],
        report.health[1],
        report.health[2]
    );
    if report.pairings == 0 {
        out.push_str("<p>No pairings selected: enrol some, or loosen the filters.</p>\n");
    }
}

fn program_section(report: &Report, p: &ProgramReport, out: &mut String) {
    let _ = write!(
        out,
        "<section>\n<h2>{} <span class=\"muted\">{}</span></h2>\n<h3>Funnel per type</h3>\n\
         <p class=\"legend muted\">Pairings that reached each stage<span style=\"background:{REACHED}\"></span>reached\
         <span style=\"background:{NOW}\"></span>in it now</p>\n<div class=\"funnels\">\n",
        escape(&p.title),
        escape(&p.id)
    );
    for t in &p.types {
        funnel(&p.stages, t, out);
    }
    super::report_html_steering::trend(p, out);
    success_table(p, out);
    out.push_str("</table>\n");
    super::report_html_steering::breakdown(report, p, out);
    super::report_html_steering::measures(p, out);
    ended_tables(p, out);
    super::report_html_steering::load(report, p, out);
    out.push_str("<h3>Time in stage</h3>\n<table><tr><th>stage</th><th>stays ended</th><th>how long <span class=\"muted\">(bars: under 1d, 1d-1w, 1-2w, 2-4w, 1-2mo, 2-3mo, 3-6mo, over 6mo)</span></th><th class=\"n\">min</th><th class=\"n\">median</th><th class=\"n\">p90</th><th class=\"n\">max</th></tr>\n");
    for s in p.stages.iter().filter(|s| s.outcome.is_none()) {
        stay_row(s, out);
    }
    out.push_str("</table>\n</section>\n");
}

/// Success per type and per version (closes the funnels before it).
fn success_table(p: &ProgramReport, out: &mut String) {
    out.push_str("</div>\n<h3>Success</h3>\n<table><tr><th></th><th>pairings</th><th>success among ended</th><th>outcomes</th></tr>\n");
    for t in &p.types {
        let outcomes: Vec<String> = t
            .outcomes
            .iter()
            .map(|(o, n)| format!("{} {n}", escape(o)))
            .collect();
        success_row(
            &format!("type {}", t.type_id),
            t.pairings,
            t.success,
            &outcomes.join(", "),
            out,
        );
    }
    for v in &p.versions {
        success_row(
            &super::report::version_name(v),
            v.pairings,
            v.success,
            &escape(&super::report::version_detail(v)),
            out,
        );
    }
}

/// Why pairings ended, and how schedules were kept.
fn ended_tables(p: &ProgramReport, out: &mut String) {
    if !p.reasons.is_empty() {
        out.push_str(
            "<h3>Why pairings ended</h3>\n<table><tr><th>reason</th><th>pairings</th><th>what it means</th></tr>\n",
        );
        let most = p.reasons.iter().map(|r| r.count).max().unwrap_or(1);
        for e in &p.reasons {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}{}</td><td class=\"muted\">{}</td></tr>",
                escape(&e.key),
                bar(e.count as f64 / most as f64, "#b44d12"),
                e.count,
                escape(&e.words)
            );
        }
        out.push_str("</table>\n");
    }
    if !p.schedules.is_empty() {
        out.push_str("<h3>Schedules</h3>\n<table><tr><th>schedule</th><th class=\"n\">pairings</th><th class=\"n\">due</th><th>done (on time)</th><th class=\"n\">missed</th><th class=\"n\">pairings missing one</th><th>over the pairings' lives</th></tr>\n");
        for s in &p.schedules {
            let kept = if s.due > 0 {
                s.done as f64 / s.due as f64
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{} ({})</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td>{} held, {} missed</td></tr>",
                escape(if s.title.is_empty() { &s.name } else { &s.title }),
                s.pairings,
                s.due,
                bar(kept.min(1.0), "#2f9e44"),
                s.done,
                s.on_time,
                if s.missed > 0 { " overdue" } else { "" },
                s.missed,
                s.pairings_missing,
                s.held_ever,
                s.missed_ever
            );
        }
        out.push_str("</table>\n");
    }
}

/// One type's funnel: a bar per stage, the reached count light, those in it now dark.
fn funnel(stages: &[StageReport], t: &TypeReport, out: &mut String) {
    const ROW: usize = 26;
    const LABEL: usize = 170;
    const WIDTH: usize = 480;
    let bars = WIDTH - LABEL - 70;
    let most = t.funnel.iter().map(|f| f.0).max().unwrap_or(0).max(1) as f64;
    let height = ROW * stages.len() + 8;
    let _ = write!(
        out,
        "<div class=\"funnel\"><b>{}</b> <span class=\"muted\">{}</span>\n\
         <svg role=\"img\" aria-label=\"funnel of type {}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\n",
        escape(&t.type_id),
        count(t.pairings, "pairing"),
        escape(&t.type_id)
    );
    for (i, (s, (reached, now))) in stages.iter().zip(&t.funnel).enumerate() {
        let y = i * ROW + 4;
        let w = (*reached as f64 / most * bars as f64).round();
        let n = (*now as f64 / most * bars as f64).round();
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#3e4c59\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{bars}\" height=\"18\" fill=\"#f5f7fa\"/>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"{REACHED}\"><title>{reached} reached {}</title></rect>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{n}\" height=\"18\" fill=\"{NOW}\"><title>{now} in {} now</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1f2933\">{reached} / {now}</text>",
            LABEL - 8,
            y + 13,
            escape(&shorten(&stage_name(&s.title, s.outcome.as_deref()), 26)),
            escape(&s.id),
            escape(&s.id),
            LABEL + bars + 6,
            y + 13
        );
    }
    out.push_str("</svg></div>\n");
}

fn success_row(what: &str, pairings: u64, r: Rate, detail: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td class=\"n\">{pairings}</td><td>{}{}</td><td class=\"muted\">{detail}</td></tr>",
        escape(what),
        bar(r.share().unwrap_or(0.0), "#2f9e44"),
        escape(&rate(r))
    );
}

/// A stage's stays: a small histogram over the buckets, then the quantiles.
fn stay_row(s: &StageReport, out: &mut String) {
    let _ = write!(
        out,
        "<tr><td>{}</td><td class=\"n\">{}</td><td>",
        escape(&s.title),
        s.stays.count
    );
    let most = s.stays.buckets.iter().copied().max().unwrap_or(0).max(1) as f64;
    let _ = write!(
        out,
        "<svg role=\"img\" aria-label=\"stays in {}\" viewBox=\"0 0 200 36\" width=\"200\" height=\"36\">",
        escape(&s.id)
    );
    for (i, (label, n)) in buckets(&s.stays).enumerate() {
        let h = (n as f64 / most * 28.0).round();
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"{h}\" fill=\"#7b61c4\"><title>{label}: {n}</title></rect>",
            i * 25,
            30.0 - h
        );
    }
    out.push_str(
        "<line x1=\"0\" y1=\"30.5\" x2=\"200\" y2=\"30.5\" stroke=\"#9aa5b1\"/></svg></td>",
    );
    match s.stays.days {
        Some(q) => {
            for d in [q.min, q.median, q.p90, q.max] {
                let _ = write!(out, "<td class=\"n\">{}</td>", days(d));
            }
        }
        None => out.push_str("<td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td>"),
    }
    out.push_str("</tr>\n");
}

fn attention(report: &Report, out: &mut String) {
    let [at_risk, check_in, _] = report.health;
    let _ = writeln!(
        out,
        "<section>\n<h2>Needs a call <span class=\"muted\">{}: {at_risk} at risk, {check_in} need a check-in</span></h2>",
        count(report.attention.len() as u64, "pairing")
    );
    if report.attention.is_empty() {
        out.push_str("<p>Every running pairing is on track.</p>\n</section>\n");
        return;
    }
    out.push_str("<table><tr><th>pairing</th><th>who</th><th>program</th><th>stage</th><th>health</th></tr>\n");
    for c in report.attention.iter().take(CALLS_SHOWN) {
        let p = &c.pairing;
        let class = match c.health.state {
            mentorflow_engine::HealthState::AtRisk => " class=\"overdue\"",
            _ => "",
        };
        let reasons: Vec<String> = c.health.reasons.iter().map(super::health_reason).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><span{class}>{}</span> <span class=\"muted\">{}</span></td></tr>",
            escape(p.label.as_deref().unwrap_or(&p.id)),
            escape(&super::report::who(&report.names, c)),
            escape(&p.program_id),
            escape(&p.stage),
            state_words(c.health.state),
            escape(&reasons.join("; "))
        );
    }
    out.push_str("</table>\n");
    if let Some(more) = report
        .attention
        .len()
        .checked_sub(CALLS_SHOWN)
        .filter(|n| *n > 0)
    {
        let _ = writeln!(
            out,
            "<p class=\"muted\">and {more} more: <code>mentorflow list --attention</code> lists them all.</p>"
        );
    }
    out.push_str("</section>\n");
}

/// A health state in words.
pub fn state_words(state: mentorflow_engine::HealthState) -> &'static str {
    match state {
        mentorflow_engine::HealthState::AtRisk => "at risk",
        mentorflow_engine::HealthState::NeedsCheckIn => "needs a check-in",
        mentorflow_engine::HealthState::OnTrack => "on track",
    }
}

/// A bar `share` (0 to 1) full.
pub fn bar(share: f64, colour: &str) -> String {
    format!(
        "<span class=\"bar\"><i style=\"width:{:.0}%;background:{colour}\"></i></span>",
        share.clamp(0.0, 1.0) * 100.0
    )
}

/// At most `n` characters, with an ellipsis when cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let cut: String = text.chars().take(n - 1).collect();
    format!("{cut}…")
}

/// Text made safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_program_file_cannot_open_an_element() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn long_stage_names_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
