//! What the HTML report shows a steering committee: what ended pairings achieved (with rating
//! distributions), the breakdown, mentor load and the stages week by week, made for the
//! template `report.html` like the rest of the page.

use mentorflow_engine::{ProgramReport, Report};
use serde::Serialize;

use super::report::{load_share, rate, recorded};
use super::report_html::{pct, ProgramView};

/// Colours of the trend's running stages, in stage order (repeated past the last).
const STAGE_COLOURS: [&str; 6] = [
    "#c9daf8", "#9fc5e8", "#6fa8dc", "#3d85c6", "#1c64b4", "#7b61c4",
];

/// The busiest mentors the page lists; the rest are counted.
const LOAD_SHOWN: usize = 12;

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

/// Fills the steering sections of `view`.
pub(super) fn steering(report: &Report, p: &ProgramReport, view: &mut ProgramView) {
    view.trend = trend(p);
    view.breakdown = breakdown(p);
    view.measures = measures(p);
    view.load = load(report, p);
    view.load_more = p.load.len().saturating_sub(LOAD_SHOWN);
}

/// A row of the breakdown.
#[derive(Serialize)]
pub(super) struct Group {
    name: String,
    pairings: u64,
    running: u64,
    pct: String,
    rate: String,
    at_risk: u64,
    check_in: u64,
    held: u64,
    missed: u64,
}

fn breakdown(p: &ProgramReport) -> Vec<Group> {
    p.breakdown
        .iter()
        .map(|g| Group {
            name: g.name.clone(),
            pairings: g.pairings,
            running: g.running,
            pct: pct(g.success.share().unwrap_or(0.0)),
            rate: rate(g.success),
            at_risk: g.at_risk,
            check_in: g.check_in,
            held: g.held,
            missed: g.missed,
        })
        .collect()
}

/// A fact ended pairings recorded: its mean, and a scale's distribution.
#[derive(Serialize)]
pub(super) struct MeasureRow {
    fact: String,
    description: String,
    recorded: String,
    mean: String,
    distribution: Option<Distribution>,
}

/// A column per value of a scale, its count above it; its label says every count.
#[derive(Serialize)]
struct Distribution {
    width: usize,
    words: String,
    bars: Vec<ValueBar>,
}

#[derive(Serialize)]
struct ValueBar {
    x: usize,
    y: f64,
    h: f64,
    text_x: usize,
    count_y: f64,
    value: i64,
    n: u64,
}

fn measures(p: &ProgramReport) -> Vec<MeasureRow> {
    p.measures
        .iter()
        .map(|m| MeasureRow {
            fact: m.fact.clone(),
            description: m.description.clone(),
            recorded: recorded(m),
            mean: m.mean.map_or("-".into(), |x| format!("{x:.1}")),
            distribution: m.distribution.as_deref().map(distribution),
        })
        .collect()
}

fn distribution(values: &[(i64, u64)]) -> Distribution {
    const W: usize = 26;
    let most = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, (value, n))| {
            let h = (*n as f64 / most * 34.0).round();
            ValueBar {
                x: i * W + 2,
                y: 46.0 - h,
                h,
                text_x: i * W + 12,
                count_y: 44.0 - h - 2.0,
                value: *value,
                n: *n,
            }
        })
        .collect();
    let words: Vec<String> = values.iter().map(|(v, n)| format!("{v}: {n}")).collect();
    Distribution {
        width: W * values.len(),
        words: words.join(", "),
        bars,
    }
}

/// A mentor's load against what they may take.
#[derive(Serialize)]
pub(super) struct LoadRow {
    person: String,
    role: String,
    pct: String,
    colour: &'static str,
    share: String,
    ended: u64,
    calls: u64,
}

fn load(report: &Report, p: &ProgramReport) -> Vec<LoadRow> {
    p.load
        .iter()
        .take(LOAD_SHOWN)
        .map(|l| {
            let full = l
                .capacity
                .map_or(0.0, |c| l.running as f64 / f64::from(c.max(1)));
            LoadRow {
                person: report.names.label(&l.person),
                role: l.role.to_string(),
                pct: pct(full),
                colour: if full >= 1.0 { "#a3410b" } else { "#1c64b4" },
                share: load_share(l),
                ended: l.ended,
                calls: l.needing_a_call,
            }
        })
        .collect()
}

/// Pairings per stage at the end of each week, as stacked columns (and as a table).
#[derive(Serialize)]
pub(super) struct Trend {
    width: usize,
    height: f64,
    column: usize,
    label_y: f64,
    axis_y: String,
    most: u64,
    legend: Vec<Legend>,
    columns: Vec<Week>,
}

#[derive(Serialize)]
struct Legend {
    colour: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Week {
    x: usize,
    week: String,
    label: Option<String>,
    counts: Vec<u64>,
    rects: Vec<Stack>,
}

#[derive(Serialize)]
struct Stack {
    y: String,
    h: String,
    colour: &'static str,
}

fn trend(p: &ProgramReport) -> Option<Trend> {
    const COLUMN: usize = 18;
    const HEIGHT: f64 = 160.0;
    if p.trend.is_empty() {
        return None;
    }
    let most = p
        .trend
        .iter()
        .map(|w| w.stages.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let columns = p
        .trend
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut y = HEIGHT;
            let rects = w
                .stages
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| {
                    let h = *n as f64 / most as f64 * (HEIGHT - 10.0);
                    y -= h;
                    Stack {
                        y: format!("{y:.1}"),
                        h: format!("{h:.1}"),
                        colour: stage_colour(p, s),
                    }
                })
                .collect();
            Week {
                x: 30 + i * COLUMN,
                week: w.starts.to_string(),
                // A date under every fourth week keeps the labels apart.
                label: (i % 4 == 0).then(|| w.starts.format("%d %b").to_string()),
                counts: w.stages.clone(),
                rects,
            }
        })
        .collect();
    Some(Trend {
        width: (COLUMN * p.trend.len()).max(200) + 40,
        height: HEIGHT + 40.0,
        column: COLUMN - 3,
        label_y: HEIGHT + 14.0,
        axis_y: format!("{HEIGHT}.5"),
        most,
        legend: p
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| Legend {
                colour: stage_colour(p, i),
                title: s.title.clone(),
            })
            .collect(),
        columns,
    })
}
