//! The trend over weeks: how many pairings stood in each stage at the end of each week, from
//! the week the first was enrolled to the report's week, read from the log (a pairing that
//! ended stays counted in its terminal stage, so the chart shows the cohort moving through).

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};

use crate::reports::life::Life;

/// At most this many weeks, the latest: a store kept for years would draw an unreadable chart.
pub const MOST_WEEKS: usize = 52;

/// One week of the trend.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// Its Monday.
    pub starts: chrono::NaiveDate,
    /// Pairings per stage at its end (or at the report's time, for the current week), aligned
    /// with the program section's stages.
    pub stages: Vec<u64>,
}

/// The weeks from the first enrolment among `lives` to `now`, each with its stage counts;
/// `position` finds a stage's column.
pub fn weeks(
    lives: &[&Life],
    columns: usize,
    position: impl Fn(&str) -> Option<usize>,
    now: DateTime<Utc>,
) -> Vec<Week> {
    let Some(first) = lives
        .iter()
        .filter_map(|l| l.timeline.first())
        .map(|t| t.0)
        .min()
    else {
        return Vec::new();
    };
    let monday = |t: DateTime<Utc>| {
        let d = t.date_naive();
        d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
    };
    let mut start = monday(first).max(monday(now) - Duration::weeks(MOST_WEEKS as i64 - 1));
    let mut out = Vec::new();
    while start <= now.date_naive() {
        let next = start + Duration::weeks(1);
        // The last moment of the week, or now for the week still running.
        let end = (next.and_time(NaiveTime::MIN).and_utc() - Duration::seconds(1)).min(now);
        let mut stages = vec![0; columns];
        for life in lives {
            if let Some(i) = life.stage_at(end).and_then(|s| position(&s)) {
                stages[i] += 1;
            }
        }
        out.push(Week {
            starts: start,
            stages,
        });
        start = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use mentorflow_dsl::Name;

    #[test]
    fn each_week_counts_the_stage_a_pairing_stood_in_at_its_end() {
        let at = |d: u32| Utc.with_ymd_and_hms(2026, 1, d, 9, 0, 0).unwrap();
        // Monday 5 January: enrolled; Wednesday 14th: moved on.
        let life = Life {
            timeline: vec![(at(5), Name::new("a")), (at(14), Name::new("b"))],
            ..Life::default()
        };
        let position = |s: &str| ["a", "b"].iter().position(|x| *x == s);
        let weeks = weeks(&[&life], 2, position, at(20));
        let counts: Vec<(String, Vec<u64>)> = weeks
            .iter()
            .map(|w| (w.starts.to_string(), w.stages.clone()))
            .collect();
        assert_eq!(
            counts,
            [
                ("2026-01-05".to_string(), vec![1, 0]),
                ("2026-01-12".to_string(), vec![0, 1]),
                ("2026-01-19".to_string(), vec![0, 1]),
            ]
        );
    }
}
