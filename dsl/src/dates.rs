//! Dates in scripts: date facts, `today` and `first_entered` are calendar dates, compared as
//! dates and moved by durations (`facts.start_date + "14d"`), never compared as text.
//!
//! A date may still be compared with a `"YYYY-MM-DD"` string (programs written before dates
//! were a type do so); the string is read as a date, and one that is not a date is an error,
//! never a text comparison.
//!
//! Before dates were a type they were that text, and stored programs read them as text
//! (`facts.start_date.sub_string(0, 7)`, `today.len()`, `facts.d + "T09:00"`): a pairing pinned
//! to such a version must not break on upgrade, so a date keeps the read-only surface of its
//! `YYYY-MM-DD` text ([`register_text_surface`]).

use chrono::{Datelike, NaiveDate};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString};

use crate::duration::Due;

/// A calendar date as scripts see it (Rhai type name `date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScriptDate(pub NaiveDate);

type Outcome<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(message: String) -> Outcome<T> {
    Err(message.into())
}

/// Reads `"YYYY-MM-DD"`, for comparisons and `date(...)`.
fn parse(text: &str) -> Outcome<ScriptDate> {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if (0..=9999).contains(&d.year()) => Ok(ScriptDate(d)),
        _ => fail(format!(
            "\"{text}\" is not a date; write it as YYYY-MM-DD, e.g. \"2026-06-30\""
        )),
    }
}

/// `date` moved by `duration` (`"14d"`, `"2w"`, `"3mo"` as calendar months, `"48h"`); a
/// computed one may be zero (`days(0)`: the same date) or negative (`"-2w"`: the other way).
pub(crate) fn shift(date: ScriptDate, duration: &str, later: bool) -> Outcome<ScriptDate> {
    let trimmed = duration.trim();
    let (later, duration) = match trimmed.strip_prefix('-') {
        Some(rest) => (!later, rest),
        None => (later, trimmed),
    };
    if duration
        .trim_start_matches('0')
        .starts_with(|c: char| c.is_ascii_alphabetic())
        && duration.starts_with('0')
    {
        return Ok(date);
    }
    let due = Due::parse(duration).or_else(|why| {
        fail(format!(
            "{why} (a duration such as \"14d\", \"2w\", \"3mo\")"
        ))
    })?;
    Ok(ScriptDate(due.move_date(date.0, later)))
}

/// Whether `text` is meant as a duration (`14d`, `-2w`), not text to join to a date.
pub(crate) fn is_duration_like(text: &str) -> bool {
    let t = text.trim_start();
    t.strip_prefix('-')
        .unwrap_or(t)
        .starts_with(|c: char| c.is_ascii_digit())
}

/// A duration of `n` of `unit` as scripts write it (`weeks(6)` is `"6w"`): what `+` and `-`
/// on a date take, computed from a number.
fn amount(n: i64, unit: &str) -> Outcome<ImmutableString> {
    if n.unsigned_abs() > 10_000 {
        return fail(format!(
            "{n}{unit} is too long; use at most 10000 of a unit"
        ));
    }
    Ok(format!("{n}{unit}").into())
}

/// `n` times `duration` (`3 * "2w"` is `"6w"`).
fn times(n: i64, duration: &str) -> Outcome<ImmutableString> {
    let due = Due::parse(duration).or_else(|why| {
        fail(format!(
            "{why} (a duration such as \"14d\", \"2w\", \"3mo\")"
        ))
    })?;
    let (k, unit) = match due {
        Due::Hours(k) => (k, "h"),
        Due::Days(k) => (k, "d"),
        Due::Weeks(k) => (k, "w"),
        Due::Months(k) => (k, "mo"),
        Due::Years(k) => (k, "y"),
    };
    amount(n.saturating_mul(i64::from(k)), unit)
}

/// Whole calendar months from `from` to `to` (0 when `to` is earlier), as `mo` counts them
/// everywhere: 31 January plus one month is the end of February.
pub fn whole_months(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> i64 {
    let mut months = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    while months > 0 && Due::Months(u32::try_from(months).unwrap_or(u32::MAX)).after(from) > to {
        months -= 1;
    }
    months.max(0)
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: ScriptDate, to: ScriptDate) -> i64 {
    (to.0 - from.0).num_days()
}

/// Registers the `date` type: comparisons (with dates and with `"YYYY-MM-DD"` strings),
/// `+` and `-` a duration, `-` between dates (days), `days_between`, `date("...")`, and the
/// `year`, `month`, `day` and `weekday` properties.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<ScriptDate>("date")
        .register_fn("to_string", |d: &mut ScriptDate| d.0.to_string())
        .register_fn("to_debug", |d: &mut ScriptDate| d.0.to_string())
        .register_fn("date", |text: &str| parse(text))
        .register_fn("+", |d: ScriptDate, text: &str| -> Outcome<Dynamic> {
            // `+ "14d"` moves the date; text that is no duration at all (`+ "T09:00"`) is
            // joined to it, as it was when dates were text.
            if is_duration_like(text) {
                shift(d, text, true).map(Dynamic::from)
            } else {
                Ok(format!("{}{text}", d.0).into())
            }
        })
        .register_fn("-", |d: ScriptDate, duration: &str| {
            shift(d, duration, false)
        })
        .register_fn("-", |a: ScriptDate, b: ScriptDate| days_between(b, a))
        .register_fn("days_between", days_between)
        .register_fn("hours", |n: i64| amount(n, "h"))
        .register_fn("days", |n: i64| amount(n, "d"))
        .register_fn("weeks", |n: i64| amount(n, "w"))
        .register_fn("months", |n: i64| amount(n, "mo"))
        .register_fn("*", |n: i64, d: &str| times(n, d))
        .register_fn("*", |d: &str, n: i64| times(n, d))
        .register_fn("+", |text: ImmutableString, d: ScriptDate| {
            format!("{text}{}", d.0)
        })
        .register_get("year", |d: &mut ScriptDate| i64::from(d.0.year()))
        .register_get("month", |d: &mut ScriptDate| i64::from(d.0.month()))
        .register_get("day", |d: &mut ScriptDate| i64::from(d.0.day()))
        // 1 for Monday to 7 for Sunday (ISO 8601).
        .register_get("weekday", |d: &mut ScriptDate| {
            i64::from(d.0.weekday().number_from_monday())
        });
    macro_rules! comparisons {
        ($($op:tt),*) => {$(
            engine
                .register_fn(stringify!($op), |a: ScriptDate, b: ScriptDate| a $op b)
                .register_fn(stringify!($op), |a: ScriptDate, b: &str| -> Outcome<bool> {
                    Ok(a $op parse(b)?)
                })
                .register_fn(stringify!($op), |a: &str, b: ScriptDate| -> Outcome<bool> {
                    Ok(parse(a)? $op b)
                });
        )*};
    }
    comparisons!(==, !=, <, <=, >, >=);
    register_text_surface(engine);
}

/// The read-only string methods on a date, as on its `YYYY-MM-DD` text (the same results
/// Rhai's own give for that text): what programs stored before dates were a type call.
fn register_text_surface(engine: &mut Engine) {
    fn text(d: &ScriptDate) -> String {
        d.0.to_string()
    }
    /// Rhai's `sub_string`: a negative start counts from the end; out of range is cut.
    fn sub(d: &ScriptDate, start: i64, len: i64) -> String {
        let t = text(d);
        let n = t.len() as i64;
        let start = if start < 0 { (n + start).max(0) } else { start };
        if start >= n || len <= 0 {
            return String::new();
        }
        let end = (start + len).min(n);
        t[start as usize..end as usize].to_string()
    }
    fn index(d: &ScriptDate, needle: &str, from: i64) -> i64 {
        let t = text(d);
        let from = from.clamp(0, t.len() as i64) as usize;
        t[from..].find(needle).map_or(-1, |i| (i + from) as i64)
    }
    engine
        .register_fn("sub_string", |d: &mut ScriptDate, s: i64, l: i64| {
            sub(d, s, l)
        })
        .register_fn("sub_string", |d: &mut ScriptDate, s: i64| sub(d, s, 10))
        .register_fn("len", |d: &mut ScriptDate| text(d).len() as i64)
        .register_fn("is_empty", |_: &mut ScriptDate| false)
        .register_fn("contains", |d: &mut ScriptDate, s: &str| {
            text(d).contains(s)
        })
        .register_fn("contains", |d: &mut ScriptDate, c: char| {
            text(d).contains(c)
        })
        .register_fn("starts_with", |d: &mut ScriptDate, s: &str| {
            text(d).starts_with(s)
        })
        .register_fn("ends_with", |d: &mut ScriptDate, s: &str| {
            text(d).ends_with(s)
        })
        .register_fn("index_of", |d: &mut ScriptDate, s: &str| index(d, s, 0))
        .register_fn("index_of", |d: &mut ScriptDate, s: &str, from: i64| {
            index(d, s, from)
        })
        .register_fn("split", |d: &mut ScriptDate, sep: &str| -> Array {
            text(d)
                .split(sep)
                .map(|p| Dynamic::from(p.to_string()))
                .collect()
        })
        .register_fn("to_upper", |d: &mut ScriptDate| text(d))
        .register_fn("to_lower", |d: &mut ScriptDate| text(d));
}

#[cfg(test)]
mod tests {
    use rhai::Scope;

    use super::*;

    fn eval<T: Clone + Send + Sync + 'static>(script: &str) -> Result<T, String> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let mut scope = Scope::new();
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).map(ScriptDate);
        // A variable, as scripts are compiled: a constant would be folded by the optimizer.
        scope.push("start", start.expect("date"));
        engine
            .eval_with_scope::<T>(&mut scope, script)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn dates_compare_as_dates_with_dates_and_iso_strings() {
        assert_eq!(eval::<bool>("start < date(\"2026-02-01\")"), Ok(true));
        assert_eq!(eval::<bool>("start == \"2026-01-31\""), Ok(true));
        assert_eq!(eval::<bool>("\"2026-12-01\" > start"), Ok(true));
        let wrong = eval::<bool>("start < \"2026-02-30\"").unwrap_err();
        assert!(
            wrong.contains("is not a date; write it as YYYY-MM-DD"),
            "{wrong}"
        );
    }

    #[test]
    fn durations_move_dates_with_calendar_months() {
        assert_eq!(
            eval::<String>("(start + \"1mo\").to_string()"),
            Ok("2026-02-28".into())
        );
        assert_eq!(
            eval::<String>("(start + \"2w\").to_string()"),
            Ok("2026-02-14".into())
        );
        assert_eq!(
            eval::<String>("(start - \"31d\").to_string()"),
            Ok("2025-12-31".into())
        );
        assert_eq!(eval::<i64>("date(\"2026-03-02\") - start"), Ok(30));
        assert_eq!(
            eval::<i64>("days_between(start, date(\"2026-01-01\"))"),
            Ok(-30)
        );
        assert_eq!(eval::<i64>("start.weekday"), Ok(6));
        let wrong = eval::<bool>("start + \"14 days\" > start").unwrap_err();
        assert!(wrong.contains("not a unit; write `14d`"), "{wrong}");
    }

    #[test]
    fn whole_months_count_calendar_months() {
        use chrono::TimeZone;
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
        assert_eq!(whole_months(at(2026, 1, 31), at(2026, 2, 27)), 0);
        assert_eq!(whole_months(at(2026, 1, 31), at(2026, 2, 28)), 1);
        assert_eq!(whole_months(at(2026, 1, 15), at(2027, 1, 14)), 11);
        assert_eq!(whole_months(at(2026, 1, 15), at(2027, 1, 15)), 12);
        assert_eq!(whole_months(at(2026, 3, 1), at(2026, 1, 1)), 0);
    }

    #[test]
    fn a_date_reads_as_its_text_for_programs_stored_before_dates_were_a_type() {
        assert_eq!(
            eval::<String>("start.sub_string(0, 7)"),
            Ok("2026-01".into())
        );
        assert_eq!(eval::<String>("start.sub_string(-2)"), Ok("31".into()));
        assert_eq!(eval::<String>("start.sub_string(8, 50)"), Ok("31".into()));
        assert_eq!(eval::<i64>("parse_int(start.sub_string(5, 2))"), Ok(1));
        assert_eq!(eval::<i64>("start.len()"), Ok(10));
        assert_eq!(eval::<bool>("start.starts_with(\"2026-\")"), Ok(true));
        assert_eq!(eval::<bool>("\"-01-\" in start"), Ok(true));
        assert_eq!(eval::<i64>("start.index_of(\"-\", 5)"), Ok(7));
        assert_eq!(eval::<i64>("start.split(\"-\").len()"), Ok(3));
        assert_eq!(
            eval::<String>("start + \"T09:00\""),
            Ok("2026-01-31T09:00".into())
        );
        let wrong = eval::<String>("start + \"14 days\"").unwrap_err();
        assert!(wrong.contains("not a unit; write `14d`"), "{wrong}");
    }

    #[test]
    fn durations_are_computed_from_numbers() {
        let at = |script: &str| eval::<ScriptDate>(script).map(|d| d.0.to_string());
        assert_eq!(at("start + weeks(2)"), Ok("2026-02-14".into()));
        assert_eq!(at("start + 3 * \"1w\""), Ok("2026-02-21".into()));
        assert_eq!(at("start + \"1d\" * 2"), Ok("2026-02-02".into()));
        assert_eq!(at("start + months(1)"), Ok("2026-02-28".into()));
        assert_eq!(at("start + days(0)"), Ok("2026-01-31".into()));
        assert_eq!(at("start + days(-31)"), Ok("2025-12-31".into()));
        assert_eq!(at("start - weeks(-1)"), Ok("2026-02-07".into()));
        let wrong = eval::<ScriptDate>("start + days(20000)").unwrap_err();
        assert!(wrong.contains("too long"), "{wrong}");
        let wrong = eval::<String>("2 * \"two weeks\"").unwrap_err();
        assert!(
            wrong.contains("does not start with a whole number"),
            "{wrong}"
        );
    }

    #[test]
    fn a_date_prints_and_joins_text_as_yyyy_mm_dd() {
        assert_eq!(
            eval::<String>("\"from \" + start"),
            Ok("from 2026-01-31".into())
        );
        assert_eq!(eval::<String>("`${start}`"), Ok("2026-01-31".into()));
    }
}
