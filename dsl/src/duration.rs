//! Due durations such as `14d`, `6w`, `3mo`.

use std::fmt;

use chrono::{DateTime, Duration, Months, Utc};

/// The first instant the store keeps (year 0000).
pub const EARLIEST: DateTime<Utc> = match DateTime::from_timestamp(-62_167_219_200, 0) {
    Some(t) => t,
    None => DateTime::<Utc>::MIN_UTC,
};

/// The last instant the store keeps: the end of year 9999.
pub const LATEST: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(t) => t,
    None => DateTime::<Utc>::MAX_UTC,
};

/// A duration as a program writes it. Months are calendar months: `1mo` from 31 January is
/// the last day of February, so a due date never drifts over months of different lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Whole hours (`48h`).
    Hours(u32),
    /// Whole days (`14d`).
    Days(u32),
    /// Whole weeks (`6w`).
    Weeks(u32),
    /// Calendar months (`3mo`).
    Months(u32),
    /// Calendar years (`2y`): twelve calendar months each.
    Years(u32),
}

impl Due {
    /// Parses `14d`, `6w`, `3mo`, `2y`, `48h`; the message says what was expected.
    pub fn parse(text: &str) -> Result<Due, String> {
        let text = text.trim();
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let (number, unit) = text.split_at(digits);
        // `14 d` is refused, as the reference says: one spelling, `14d`, everywhere.
        let spaced = unit.starts_with(char::is_whitespace);
        let unit = unit.trim();
        if spaced && ["h", "d", "w", "mo", "y"].contains(&unit) {
            return Err(format!(
                "`{text}` has a space between the number and the unit; write `{number}{unit}`"
            ));
        }
        let amount: u32 = number
            .parse()
            .map_err(|_| format!("`{text}` does not start with a whole number"))?;
        if amount == 0 {
            return Err(format!(
                "`{text}` is zero; a due duration must be at least 1"
            ));
        }
        if amount > 10_000 {
            return Err(format!("`{text}` is too long; use at most 10000 of a unit"));
        }
        match unit {
            "h" => Ok(Due::Hours(amount)),
            "d" => Ok(Due::Days(amount)),
            "w" => Ok(Due::Weeks(amount)),
            "mo" => Ok(Due::Months(amount)),
            "y" => Ok(Due::Years(amount)),
            "" => Err(format!("`{text}` has no unit")),
            other => {
                let short = match other.trim_end_matches('s') {
                    "hour" => "h",
                    "day" => "d",
                    "week" => "w",
                    "month" => "mo",
                    "year" | "yr" => "y",
                    _ => "",
                };
                if short.is_empty() {
                    Err(format!("`{other}` is not a unit"))
                } else {
                    Err(format!("`{other}` is not a unit; write `{amount}{short}`"))
                }
            }
        }
    }

    /// The instant this long before `from` (calendar months for `mo`).
    pub fn before(self, from: DateTime<Utc>) -> DateTime<Utc> {
        let earlier = match self {
            Due::Hours(h) => from.checked_sub_signed(Duration::hours(h.into())),
            Due::Days(d) => from.checked_sub_signed(Duration::days(d.into())),
            Due::Weeks(w) => from.checked_sub_signed(Duration::weeks(w.into())),
            Due::Months(m) => from.checked_sub_months(Months::new(m)),
            Due::Years(y) => from.checked_sub_months(Months::new(y.saturating_mul(12))),
        };
        earlier.unwrap_or(EARLIEST).max(EARLIEST)
    }

    /// The date this long after `date` (`later`) or before it: calendar months for `mo`, the
    /// one way dates move, in scripts (`facts.end_date + "6w"`) and records (`end_date+=6w`).
    pub fn move_date(self, date: chrono::NaiveDate, later: bool) -> chrono::NaiveDate {
        let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
        let moved = if later {
            self.after(midnight)
        } else {
            self.before(midnight)
        };
        moved.date_naive()
    }

    /// The instant this long after `from` (calendar months for `mo`).
    pub fn after(self, from: DateTime<Utc>) -> DateTime<Utc> {
        let later = match self {
            Due::Hours(h) => from.checked_add_signed(Duration::hours(h.into())),
            Due::Days(d) => from.checked_add_signed(Duration::days(d.into())),
            Due::Weeks(w) => from.checked_add_signed(Duration::weeks(w.into())),
            Due::Months(m) => from.checked_add_months(Months::new(m)),
            Due::Years(y) => from.checked_add_months(Months::new(y.saturating_mul(12))),
        };
        // Stored times are fixed-width text compared as text: a time past 9999 (written
        // `+10000-...`) would sort before every other and look overdue, so times stop at the
        // end of 9999, which is as good as never.
        later.unwrap_or(LATEST).min(LATEST)
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::Hours(n) => write!(f, "{n}h"),
            Due::Days(n) => write!(f, "{n}d"),
            Due::Weeks(n) => write!(f, "{n}w"),
            Due::Months(n) => write!(f, "{n}mo"),
            Due::Years(n) => write!(f, "{n}y"),
        }
    }
}

impl schemars::JsonSchema for Due {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A duration: a number and a unit, h (hours), d (days), w (weeks), mo (calendar months) or y (calendar years), e.g. 14d, 2w, 3mo, 2y.",
            "type": "string",
            "pattern": "^[0-9]+(h|d|w|mo|y)$"
        })
    }
}

impl serde::Serialize for Due {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_unit_parses_and_prints_back() {
        for text in ["48h", "14d", "6w", "3mo"] {
            assert_eq!(
                Due::parse(text).map(|d| d.to_string()),
                Ok(text.to_string())
            );
        }
    }

    #[test]
    fn a_space_before_the_unit_is_refused_with_the_fix() {
        assert_eq!(
            Due::parse("14 d").unwrap_err(),
            "`14 d` has a space between the number and the unit; write `14d`"
        );
        assert_eq!(Due::parse(" 14d "), Ok(Due::Days(14)));
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        assert!(Due::parse("2 weeks")
            .unwrap_err()
            .contains("`weeks` is not a unit; write `2w`"));
        assert!(Due::parse("3 fortnights")
            .unwrap_err()
            .contains("`fortnights` is not a unit"));
        assert!(Due::parse("d").unwrap_err().contains("whole number"));
        assert!(Due::parse("0d").unwrap_err().contains("zero"));
        assert!(Due::parse("14").unwrap_err().contains("no unit"));
    }

    #[test]
    fn a_month_is_a_calendar_month_clamped_to_the_month_end() {
        let jan31 = Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap();
        let feb28 = Utc.with_ymd_and_hms(2026, 2, 28, 9, 0, 0).unwrap();
        assert_eq!(Due::Months(1).after(jan31), feb28);
    }

    #[test]
    fn a_year_is_twelve_calendar_months() {
        assert_eq!(Due::parse("2y"), Ok(Due::Years(2)));
        assert_eq!(Due::Years(2).to_string(), "2y");
        assert!(Due::parse("2 years")
            .unwrap_err()
            .contains("`years` is not a unit; write `2y`"));
        let leap = Utc.with_ymd_and_hms(2028, 2, 29, 9, 0, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2029, 2, 28, 9, 0, 0).unwrap();
        assert_eq!(Due::Years(1).after(leap), after);
        assert_eq!(Due::Years(1).after(leap), Due::Months(12).after(leap));
        assert_eq!(Due::Years(1).before(after), Due::Months(12).before(after));
    }
}
