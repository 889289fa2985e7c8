//! The cohort report as one self-contained HTML page: inline CSS and SVG charts, no script and
//! nothing loaded from the network, so it opens the same in any browser and in a mail. The page
//! is the template `report.html`, which escapes every value; this file and
//! `report_html_steering.rs` make what it shows: numbers as words, and each chart's geometry.
//! Every chart is also a table for screen readers (or says its numbers in its label).

use mentorflow_engine::{ProgramReport, Rate, Report, StageReport, TypeReport};
use serde::Serialize;

use super::report::{buckets, days, rate, stage_name};
use super::{count, date, minute};

/// The page's template.
const TEMPLATE: &str = include_str!("report.html");

/// The colours of the funnel: reached, in the stage now.
const REACHED: &str = "#9fc5e8";
const NOW: &str = "#1c64b4";

/// What the template shows.
#[derive(Serialize)]
struct Page {
    date: String,
    now: String,
    by: String,
    reached: &'static str,
    now_colour: &'static str,
    summary: Summary,
    calls: Calls,
    programs: Vec<ProgramView>,
}

#[derive(Serialize)]
struct Summary {
    pairings_text: String,
    programs_text: String,
    pairings: u64,
    running: u64,
    ended: u64,
    success: String,
    at_risk: u64,
    check_in: u64,
    on_track: u64,
}

#[derive(Serialize)]
struct Calls {
    total_text: String,
    at_risk: u64,
    check_in: u64,
    rows: Vec<CallRow>,
    more: usize,
}

#[derive(Serialize)]
struct CallRow {
    pairing: String,
    who: String,
    program: String,
    stage: String,
    state: &'static str,
    at_risk: bool,
    reasons: String,
}

/// One program's section.
#[derive(Serialize)]
pub(super) struct ProgramView {
    title: String,
    id: String,
    funnels: Vec<Funnel>,
    pub(super) trend: Option<super::report_html_steering::Trend>,
    success: Vec<SuccessRow>,
    pub(super) breakdown: Vec<super::report_html_steering::Group>,
    pub(super) measures: Vec<super::report_html_steering::MeasureRow>,
    reasons: Vec<ReasonRow>,
    schedules: Vec<ScheduleRow>,
    pub(super) load: Vec<super::report_html_steering::LoadRow>,
    pub(super) load_more: usize,
    stays: Vec<Stay>,
}

#[derive(Serialize)]
struct Funnel {
    type_id: String,
    pairings_text: String,
    width: usize,
    height: usize,
    label_x: usize,
    bars_x: usize,
    bars: usize,
    count_x: usize,
    rows: Vec<FunnelRow>,
}

#[derive(Serialize)]
struct FunnelRow {
    label: String,
    y: usize,
    text_y: usize,
    w: f64,
    n: f64,
    reached: u64,
    now: u64,
}

#[derive(Serialize)]
struct SuccessRow {
    what: String,
    pairings: u64,
    pct: String,
    rate: String,
    detail: String,
}

#[derive(Serialize)]
struct ReasonRow {
    key: String,
    count: u64,
    pct: String,
    words: String,
}

#[derive(Serialize)]
struct ScheduleRow {
    title: String,
    pairings: u64,
    due: u64,
    pct: String,
    done: u64,
    on_time: u64,
    missed: u64,
    missing: u64,
    held_ever: u64,
    missed_ever: u64,
}

#[derive(Serialize)]
struct Stay {
    title: String,
    count: u64,
    words: String,
    bars: Vec<Column>,
    quantiles: Vec<String>,
}

/// A column of a small chart.
#[derive(Serialize)]
struct Column {
    x: usize,
    y: f64,
    h: f64,
}

/// The page, or why the template could not draw it.
/// `calls`: how many of the pairings that need a call it lists (the rest are counted).
pub fn page(report: &Report, calls: usize) -> Result<String, minijinja::Error> {
    let page = Page {
        date: date(report.now),
        now: minute(report.now),
        by: report.by.clone(),
        reached: REACHED,
        now_colour: NOW,
        summary: summary(report),
        calls: calls_shown(report, calls),
        programs: report.programs.iter().map(|p| program(report, p)).collect(),
    };
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.template_from_str(TEMPLATE)?
        .render(minijinja::Value::from(minijinja::value::Serde(&page)))
}

/// A share (0 to 1) as a bar's width in percent.
pub(super) fn pct(share: f64) -> String {
    format!("{:.0}", share.clamp(0.0, 1.0) * 100.0)
}

fn summary(report: &Report) -> Summary {
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
    Summary {
        pairings_text: count(report.pairings, "pairing"),
        programs_text: count(report.programs.len() as u64, "program"),
        pairings: report.pairings,
        running: report.running,
        ended: report.pairings - report.running,
        success: success
            .share()
            .map_or("-".into(), |s| format!("{:.0}%", s * 100.0)),
        at_risk: report.health[0],
        check_in: report.health[1],
        on_track: report.health[2],
    }
}

fn calls_shown(report: &Report, shown: usize) -> Calls {
    let [at_risk, check_in, _] = report.health;
    let rows = report
        .attention
        .iter()
        .take(shown)
        .map(|c| {
            let p = &c.pairing;
            let reasons: Vec<String> = c.health.reasons.iter().map(super::health_reason).collect();
            CallRow {
                pairing: p.label.clone().unwrap_or_else(|| p.id.to_string()),
                who: super::report::who(&report.names, c),
                program: p.program_id.to_string(),
                stage: p.stage.to_string(),
                state: c.health.state.name(),
                at_risk: c.health.state == mentorflow_engine::HealthState::AtRisk,
                reasons: reasons.join("; "),
            }
        })
        .collect();
    Calls {
        total_text: count(report.needing_a_call, "pairing"),
        at_risk,
        check_in,
        rows,
        more: (report.needing_a_call as usize).saturating_sub(report.attention.len().min(shown)),
    }
}

fn program(report: &Report, p: &ProgramReport) -> ProgramView {
    let mut view = ProgramView {
        title: p.title.clone(),
        id: p.id.clone(),
        funnels: p.types.iter().map(|t| funnel(&p.stages, t)).collect(),
        trend: None,
        success: success(p),
        breakdown: Vec::new(),
        measures: Vec::new(),
        reasons: reasons(p),
        schedules: schedules(p),
        load: Vec::new(),
        load_more: 0,
        stays: p
            .stages
            .iter()
            .filter(|s| s.outcome.is_none())
            .map(stay)
            .collect(),
    };
    super::report_html_steering::steering(report, p, &mut view);
    view
}

/// Success per type and per version.
fn success(p: &ProgramReport) -> Vec<SuccessRow> {
    let row = |what: String, pairings: u64, r: Rate, detail: String| SuccessRow {
        what,
        pairings,
        pct: pct(r.share().unwrap_or(0.0)),
        rate: rate(r),
        detail,
    };
    let types = p.types.iter().map(|t| {
        let outcomes: Vec<String> = t.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
        row(
            format!("type {}", t.type_id),
            t.pairings,
            t.success,
            outcomes.join(", "),
        )
    });
    let versions = p.versions.iter().map(|v| {
        row(
            super::report::version_name(v),
            v.pairings,
            v.success,
            super::report::version_detail(v),
        )
    });
    types.chain(versions).collect()
}

/// Why pairings ended.
fn reasons(p: &ProgramReport) -> Vec<ReasonRow> {
    let most = p.reasons.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    p.reasons
        .iter()
        .map(|e| ReasonRow {
            key: e.key.clone(),
            count: e.count,
            pct: pct(e.count as f64 / most as f64),
            words: e.words.clone(),
        })
        .collect()
}

/// How schedules were kept.
fn schedules(p: &ProgramReport) -> Vec<ScheduleRow> {
    p.schedules
        .iter()
        .map(|s| ScheduleRow {
            title: if s.title.is_empty() {
                &s.name
            } else {
                &s.title
            }
            .clone(),
            pairings: s.pairings,
            due: s.due,
            pct: pct(match s.due {
                0 => 0.0,
                due => s.done as f64 / due as f64,
            }),
            done: s.done,
            on_time: s.on_time,
            missed: s.missed,
            missing: s.pairings_missing,
            held_ever: s.held_ever,
            missed_ever: s.missed_ever,
        })
        .collect()
}

/// One type's funnel: a bar per stage, the reached count light, those in it now dark.
fn funnel(stages: &[StageReport], t: &TypeReport) -> Funnel {
    const ROW: usize = 26;
    const LABEL: usize = 170;
    const WIDTH: usize = 480;
    let bars = WIDTH - LABEL - 70;
    let most = t.funnel.iter().map(|f| f.0).max().unwrap_or(0).max(1) as f64;
    let rows = stages
        .iter()
        .zip(&t.funnel)
        .enumerate()
        .map(|(i, (s, (reached, now)))| FunnelRow {
            label: shorten(&stage_name(&s.title, s.outcome.as_deref()), 26),
            y: i * ROW + 4,
            text_y: i * ROW + 17,
            w: (*reached as f64 / most * bars as f64).round(),
            n: (*now as f64 / most * bars as f64).round(),
            reached: *reached,
            now: *now,
        })
        .collect();
    Funnel {
        type_id: t.type_id.clone(),
        pairings_text: count(t.pairings, "pairing"),
        width: WIDTH,
        height: ROW * stages.len() + 8,
        label_x: LABEL - 8,
        bars_x: LABEL,
        bars,
        count_x: LABEL + bars + 6,
        rows,
    }
}

/// A stage's stays: a small histogram over the buckets (its label says the counts), then the
/// quantiles.
fn stay(s: &StageReport) -> Stay {
    let most = s.stays.buckets.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bars = buckets(&s.stays)
        .enumerate()
        .map(|(i, (_, n))| {
            let h = (n as f64 / most * 28.0).round();
            Column {
                x: i * 25,
                y: 30.0 - h,
                h,
            }
        })
        .collect();
    let words: Vec<String> = buckets(&s.stays)
        .map(|(label, n)| format!("{label} {n}"))
        .collect();
    let quantiles = match s.stays.days {
        Some(q) => [q.min, q.median, q.p90, q.max].map(days).to_vec(),
        None => vec!["-".to_string(); 4],
    };
    Stay {
        title: s.title.clone(),
        count: s.stays.count,
        words: words.join(", "),
        bars,
        quantiles,
    }
}

/// At most `n` characters, with an ellipsis when cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let cut: String = text.chars().take(n - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_program_file_cannot_open_an_element() {
        let mut env = minijinja::Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        let shown = env
            .render_str(
                "{{ title }}",
                minijinja::Value::from(minijinja::value::Serde(
                    &serde_json::json!({"title": "<script>alert('x') & \"y\"</script>"}),
                )),
            )
            .expect("render");
        assert!(!shown.contains("<script>"), "{shown}");
        assert!(shown.contains("&lt;script&gt;"), "{shown}");
    }

    /// Relative luminance of `#rrggbb` (WCAG 2).
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            match c <= 0.03928 {
                true => c / 12.92,
                false => ((c + 0.055) / 1.055).powf(2.4),
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    /// Every colour the template gives text (CSS `color:` and an SVG text's `fill`) reads on
    /// the white page at 4.5:1 or more (WCAG AA).
    #[test]
    fn text_colours_contrast_with_the_page() {
        let mut colours = Vec::new();
        for (i, _) in TEMPLATE.match_indices("color:#") {
            colours.push(&TEMPLATE[i + 6..i + 13]);
        }
        for text in TEMPLATE.split("<text ").skip(1) {
            if let Some(i) = text.split('>').next().and_then(|t| t.find("fill=\"#")) {
                colours.push(&text[i + 6..i + 13]);
            }
        }
        assert!(colours.len() >= 5, "{colours:?}");
        for colour in colours {
            let ratio = (1.0 + 0.05) / (luminance(colour) + 0.05);
            assert!(ratio >= 4.5, "{colour} on white: {ratio:.2}:1");
        }
    }

    #[test]
    fn long_stage_names_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
