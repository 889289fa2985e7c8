//! All the wording a person reads: the engine returns data, and this module turns it into
//! text. Small shared helpers live here (counts, short hashes, times, did-you-mean, tables);
//! each kind of engine data has a file of its own.

mod error;
mod event;
mod explain;
pub mod report;
pub mod report_html;
pub mod report_html_steering;
mod scenario;

pub use error::{engine_error, enrolment_problem, error, script_error};
pub use event::{event, printable};
pub use explain::{candidate, candidate_name};
pub use scenario::{failure_summary, transcript};

/// Each participant's facts kept per person, a line each after `sep`: `mentee a: attended=3`
/// (a fact neither recorded nor defaulted shows as `-`). Empty when the program keeps none.
pub fn person_facts(
    program: &mentorflow_dsl::Program,
    p: &mentorflow_engine::Pairing,
    sep: &str,
) -> String {
    let mut out = String::new();
    for person in p.participants.iter() {
        let facts: Vec<String> = program
            .facts
            .iter()
            .filter(|f| f.is_kept_for(&person.role))
            .map(|f| {
                let value = p.person_fact(program, person, &f.name);
                format!(
                    "{}={}",
                    f.name,
                    value.map_or("-".into(), ToString::to_string)
                )
            })
            .collect();
        if !facts.is_empty() {
            out.push_str(&format!(
                "{sep}{} {}: {}",
                person.role,
                printable(&person.id),
                facts.join(" ")
            ));
        }
    }
    out
}

/// What a pairing waits on, in a few words: `facts.video_ready (video_ready = false)`.
pub fn waiting(w: &mentorflow_engine::Waiting) -> String {
    use mentorflow_engine::Verdict;
    let values: Vec<String> = w
        .reads
        .iter()
        .map(|(name, value)| match value {
            Some(v) => format!("{name} = {v}"),
            None => format!("{name} not recorded"),
        })
        .collect();
    let detail = match &w.verdict {
        Verdict::Failed(_) => "a script error".to_string(),
        Verdict::MissingAttributes(_) => "an attribute is missing".to_string(),
        _ => values.join(", "),
    };
    if detail.is_empty() {
        w.part.clone()
    } else {
        format!("{} ({detail})", w.part)
    }
}

/// A pairing's standing as one cell: what it waits on, or that it can move, or nothing.
pub fn attention(a: &mentorflow_engine::Attention) -> String {
    use mentorflow_engine::Attention;
    match a {
        Attention::Ended => String::new(),
        Attention::CanMove => "- (can advance)".into(),
        Attention::NoAdvance => "withdraw only".into(),
        Attention::Timer(u) => upcoming(u),
        Attention::Waiting(w) => waiting(w),
    }
}

use chrono::{DateTime, Utc};

/// A timer a pairing waits for: `timer to fit_check 2026-01-12 09:00 UTC (after 7d)`.
pub fn upcoming(u: &mentorflow_engine::Upcoming) -> String {
    let when = match u.fires {
        Some(at) => minute(at),
        None => "not yet set".into(),
    };
    let warned = if u.warned { ", warned" } else { "" };
    format!("timer to {} {when} ({}{warned})", u.to, u.timeout)
}

/// `1 pairing`, `2 pairings`.
pub fn count(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The first 12 hex digits of a program version: enough to tell versions apart.
pub fn short_hash(hash: &str) -> &str {
    &hash[..12.min(hash.len())]
}

/// A time to the minute with its zone, as every log line and status shows it (times are kept
/// and shown in UTC, so every coordinator reads the same).
pub fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time as the store keeps it (RFC 3339), shown as [`minute`] shows times; text that is no
/// such time is shown as it is.
pub fn stored_time(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map_or_else(|_| text.to_string(), |t| minute(t.with_timezone(&Utc)))
}

/// How long, in the largest unit that reads well: `5h`, `3d`, `6w 2d`.
pub fn age(d: chrono::Duration) -> String {
    let hours = d.num_hours().max(0);
    match (hours / 24, hours % 24) {
        (0, h) => format!("{h}h"),
        (days @ 1..=13, _) => format!("{days}d"),
        (days, _) if days % 7 == 0 => format!("{}w", days / 7),
        (days, _) => format!("{}w {}d", days / 7, days % 7),
    }
}

/// A date.
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// ` (did you mean `x`?)` when `word` is close to one of `known`, else "".
pub fn did_you_mean(word: &str, known: &[String]) -> String {
    mentorflow_dsl::suggest::did_you_mean(word, known.iter().map(String::as_str))
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Did-you-mean when there is a likely candidate, else `; known: a, b`.
pub fn did_you_mean_or_known(word: &str, known: &[String]) -> String {
    match mentorflow_dsl::suggest::did_you_mean(word, known.iter().map(String::as_str)) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => format!("; known: {}", shortlist(known)),
    }
}

/// The most names an error lists; a registry of thousands is not printed whole.
const LISTED: usize = 10;

/// `known` joined with commas, the first [`LISTED`] and how many more.
fn shortlist(known: &[String]) -> String {
    if known.len() <= LISTED {
        return known.join(", ");
    }
    format!(
        "{} and {} more",
        known[..LISTED].join(", "),
        known.len() - LISTED
    )
}

/// Rows in columns as wide as their widest cell, the header first; no trailing spaces.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    grid(&header, rows)
}

/// [`table`] for a number of columns known only at run time.
pub fn grid<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut out = String::new();
    grid_into(&mut out, "", header, || rows.iter());
    out
}

/// [`grid`] written into `out`, each line after `margin`. `rows` gives the rows twice (once
/// to measure the columns, once to write them), so a table of a million rows is written
/// without being held whole.
pub fn grid_into<R, I>(out: &mut String, margin: &str, header: &[&str], rows: impl Fn() -> I)
where
    R: AsRef<[String]>,
    I: Iterator<Item = R>,
{
    let mut widths: Vec<usize> = header.iter().map(|h| crate::paint::width(h)).collect();
    for row in rows() {
        for (w, cell) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(crate::paint::width(cell));
        }
    }
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        out.push_str(margin);
        let start = out.len();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            // A mark's invisible characters do not count towards the column's width.
            let pad = w.saturating_sub(crate::paint::width(cell));
            out.extend(std::iter::repeat_n(' ', pad));
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows() {
        line(&mut row.as_ref().iter().map(String::as_str));
    }
}

/// A pairing's health in words: `at risk: overdue in mentoring since 2026-03-02 09:00 UTC;
/// missed checkin 2 times`.
pub fn health(h: &mentorflow_engine::Health) -> String {
    let state = match h.state {
        mentorflow_engine::HealthState::AtRisk => {
            crate::paint::mark(crate::paint::Mark::Alarm, h.state.name())
        }
        other => other.name().to_string(),
    };
    let reasons: Vec<String> = h.reasons.iter().map(health_reason).collect();
    match reasons.is_empty() {
        true => state,
        false => format!("{state}: {}", reasons.join("; ")),
    }
}

/// One reason a pairing is not on track, in words.
pub fn health_reason(r: &mentorflow_engine::HealthReason) -> String {
    use mentorflow_engine::HealthReason as R;
    match r {
        R::Overdue { stage, due } => format!("overdue in {stage} since {}", minute(*due)),
        R::Missed {
            schedule,
            occurrences,
            person,
            ..
        } => {
            let whose = person
                .as_ref()
                .map_or(String::new(), |p| format!(" with {p}"));
            format!(
                "missed {schedule}{whose} {}",
                occurrences_missed(occurrences)
            )
        }
        R::Idle { days } => format!("nothing recorded for {days} days"),
        R::ScriptFails { transition, part } => {
            format!("the guard of transition {transition} fails to run ({part})")
        }
        R::Warned { transition, fires } => format!("timer {transition} fires {}", minute(*fires)),
    }
}

/// Which occurrences were missed: `#4 (due 2026-05-19) and #5 (due 2026-06-19)`.
pub fn occurrences_missed(occurrences: &[(u32, DateTime<Utc>)]) -> String {
    let each: Vec<String> = occurrences
        .iter()
        .map(|(k, due)| format!("#{k} (due {})", date(*due)))
        .collect();
    match each.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_with_wide_names() {
        let rows = vec![
            vec!["山田太郎".to_string(), "mentor".to_string()],
            vec!["Ana".to_string(), "mentee".to_string()],
        ];
        let table = super::grid(&["name", "role"], &rows);
        // Each role starts in the same terminal column: 山田太郎 takes eight.
        let columns: Vec<usize> = table
            .lines()
            .map(|l| {
                let at = l.find("  ").map_or(0, |i| i + 2);
                let before = &l[..at];
                unicode_width::UnicodeWidthStr::width(before) + l[at..].len()
                    - l[at..].trim_start().len()
            })
            .collect();
        assert_eq!(columns, [10, 10, 10], "{table}");
    }
}
