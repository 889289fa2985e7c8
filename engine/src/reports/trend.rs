//! The trend over weeks: how many pairings stood in each stage at the end of each week, from
//! the week the first was enrolled to the report's week, read from the log (a pairing that
//! ended stays counted in its terminal stage, so the chart shows the cohort moving through).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

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

/// The weeks up to `now`, counted one pairing's life at a time: every week of the last
/// [`MOST_WEEKS`] is counted, and those before the first enrolment dropped at the end.
#[derive(Debug, Clone)]
pub struct Trend {
    /// Each week's Monday and last moment (now, for the week still running), oldest first.
    weeks: Vec<(NaiveDate, DateTime<Utc>)>,
    /// Pairings per stage column at each week's end.
    counts: Vec<Vec<u64>>,
    /// The first enrolment among the lives counted.
    first: Option<DateTime<Utc>>,
}

fn monday(t: DateTime<Utc>) -> NaiveDate {
    let d = t.date_naive();
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

impl Trend {
    /// No life counted yet, with `columns` stage columns, up to `now`.
    pub fn new(columns: usize, now: DateTime<Utc>) -> Trend {
        let mut start = monday(now) - Duration::weeks(MOST_WEEKS as i64 - 1);
        let mut weeks = Vec::with_capacity(MOST_WEEKS);
        while start <= now.date_naive() {
            let next = start + Duration::weeks(1);
            // The last moment of the week, or now for the week still running.
            let end = (next.and_time(NaiveTime::MIN).and_utc() - Duration::seconds(1)).min(now);
            weeks.push((start, end));
            start = next;
        }
        Trend {
            counts: vec![vec![0; columns]; weeks.len()],
            weeks,
            first: None,
        }
    }

    /// Counts `life` in the stage it stood in at each week's end; `position` finds a stage's
    /// column.
    pub fn add(&mut self, life: &Life, position: impl Fn(&str) -> Option<usize>) {
        let Some((enrolled, _)) = life.timeline.first() else {
            return;
        };
        self.first = Some(self.first.map_or(*enrolled, |f| f.min(*enrolled)));
        for ((_, end), counts) in self.weeks.iter().zip(&mut self.counts) {
            if let Some(i) = life.stage_at(*end).and_then(|s| position(&s)) {
                counts[i] += 1;
            }
        }
    }

    /// The weeks from the first enrolment's on, each with its stage counts.
    pub fn weeks(self) -> Vec<Week> {
        let Some(first) = self.first else {
            return Vec::new();
        };
        self.weeks
            .into_iter()
            .zip(self.counts)
            .filter(|((starts, _), _)| *starts >= monday(first))
            .map(|((starts, _), stages)| Week { starts, stages })
            .collect()
    }
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
        let mut trend = Trend::new(2, at(20));
        trend.add(&life, position);
        let weeks = trend.weeks();
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
