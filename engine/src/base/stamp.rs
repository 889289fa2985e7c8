//! Times written as text: `2026-01-05T09:00:00Z`. Chrono writes a time a character at a
//! time through the formatting machinery; a pairing's state holds a dozen times, and
//! `verify` writes every pairing's state of a store to compare it with the stored text, so
//! the common case (a whole second in years 0 to 9999) is written here in one go, and read
//! back without chrono's general parser (every command decodes the pairings it reads).
//! Anything else is left to chrono, whose text this matches byte for byte.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// `t` as `YYYY-MM-DDTHH:MM:SSZ` (its fraction of a second left out), when its year has
/// four digits.
fn whole_seconds(t: &DateTime<Utc>) -> Option<[u8; 20]> {
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, n: u32, digits: usize| {
        let mut n = n;
        for i in (0..digits).rev() {
            out[at + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, year, 4);
    put(5, t.month(), 2);
    put(8, t.day(), 2);
    put(11, t.hour(), 2);
    put(14, t.minute(), 2);
    // A leap second (chrono keeps it as nanoseconds past 1e9) shows as second 60.
    put(17, t.second() + t.nanosecond() / 1_000_000_000, 2);
    Some(out)
}

/// Time as stored in columns: fixed-width UTC to the second, so text order is time order.
pub fn stamp(t: DateTime<Utc>) -> String {
    match whole_seconds(&t) {
        // Digits and punctuation only: valid UTF-8.
        Some(text) => String::from_utf8_lossy(&text).into_owned(),
        None => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// Serializes a time exactly as chrono does (RFC 3339, `Z`, a fraction only when there is
/// one), for `#[serde(serialize_with)]`.
pub fn serialize<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    match whole_seconds(t).filter(|_| t.nanosecond() == 0) {
        Some(text) => s.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => serde::Serialize::serialize(t, s),
    }
}

/// [`serialize`] for an optional time.
pub fn serialize_option<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&Chrono(t)),
        None => s.serialize_none(),
    }
}

/// Reads a time as chrono does (RFC 3339, any offset, read as UTC), for
/// `#[serde(deserialize_with)]`: `YYYY-MM-DDTHH:MM:SSZ`, the form this crate writes, without
/// chrono's general parser.
pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    struct Time;
    impl serde::de::Visitor<'_> for Time {
        type Value = DateTime<Utc>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 date and time")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
            if let Some(t) = parse_whole_seconds(text.as_bytes()) {
                return Ok(t);
            }
            text.parse::<DateTime<chrono::FixedOffset>>()
                .map(|t| t.with_timezone(&Utc))
                .map_err(E::custom)
        }
    }
    d.deserialize_str(Time)
}

/// [`deserialize`] for an optional time (`null` is none).
pub fn deserialize_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Read(#[serde(deserialize_with = "deserialize")] DateTime<Utc>);
    Ok(<Option<Read> as serde::Deserialize>::deserialize(d)?.map(|r| r.0))
}

/// `YYYY-MM-DDTHH:MM:SSZ` read; none for anything else.
fn parse_whole_seconds(text: &[u8]) -> Option<DateTime<Utc>> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', i0, i1, b':', s0, s1, b'Z'] =
        *text
    else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, two(m0, m1)?, two(d0, d1)?)?;
    let time = chrono::NaiveTime::from_hms_opt(two(h0, h1)?, two(i0, i1)?, two(s0, s1)?)?;
    Some(date.and_time(time).and_utc())
}

/// A time that serializes through [`serialize`].
struct Chrono<'a>(&'a DateTime<Utc>);

impl serde::Serialize for Chrono<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize(self.0, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn times() -> Vec<DateTime<Utc>> {
        let mut all = vec![
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            mentorflow_dsl::duration::LATEST,
        ];
        for (y, mo, d, h, mi, s) in [
            (2026, 1, 5, 9, 0, 0),
            (1, 1, 1, 0, 0, 0),
            (0, 12, 31, 23, 59, 59),
            (9999, 12, 31, 23, 59, 59),
            (10000, 1, 1, 0, 0, 0),
            (-1, 6, 15, 12, 30, 45),
            (2024, 2, 29, 7, 8, 9),
        ] {
            let t = Utc
                .with_ymd_and_hms(y, mo, d, h, mi, s)
                .single()
                .expect("time");
            all.push(t);
            for nanos in [1, 1_000, 120_000_000, 999_999_999, 1_500_000_000] {
                all.extend(t.with_nanosecond(nanos));
            }
        }
        all
    }

    #[test]
    fn times_serialize_as_chrono_writes_them() {
        #[derive(serde::Serialize)]
        struct Ours<'a>(#[serde(serialize_with = "serialize")] &'a DateTime<Utc>);
        #[derive(serde::Serialize)]
        struct Maybe(#[serde(serialize_with = "serialize_option")] Option<DateTime<Utc>>);
        for t in times() {
            let chrono = serde_json::to_string(&t).expect("chrono");
            assert_eq!(serde_json::to_string(&Ours(&t)).expect("ours"), chrono);
            let some = serde_json::to_string(&Some(t)).expect("chrono");
            assert_eq!(serde_json::to_string(&Maybe(Some(t))).expect("ours"), some);
        }
        assert_eq!(serde_json::to_string(&Maybe(None)).expect("none"), "null");
    }

    #[test]
    fn times_read_back_as_chrono_reads_them() {
        #[derive(serde::Deserialize)]
        struct Ours(#[serde(deserialize_with = "deserialize")] DateTime<Utc>);
        let mut texts: Vec<String> = times().iter().map(|t| t.to_rfc3339()).collect();
        texts.extend(
            [
                "2026-01-05T09:00:00+02:00",
                "2026-02-30T09:00:00Z",
                "2026-01-05T24:00:00Z",
                "2026-01-05 09:00:00Z",
                "2026-01-05T09:00:00",
                "20x6-01-05T09:00:00Z",
                "",
            ]
            .map(String::from),
        );
        #[derive(serde::Deserialize)]
        struct Maybe(#[serde(deserialize_with = "deserialize_option")] Option<DateTime<Utc>>);
        for text in texts {
            let json = serde_json::to_string(&text).expect("text");
            let chrono = serde_json::from_str::<DateTime<Utc>>(&json).ok();
            let ours = serde_json::from_str::<Ours>(&json).ok().map(|o| o.0);
            assert_eq!(ours, chrono, "{text}");
            let maybe = serde_json::from_str::<Maybe>(&json).ok().map(|o| o.0);
            assert_eq!(maybe, chrono.map(Some), "{text}");
        }
        let none = serde_json::from_str::<Maybe>("null").ok().map(|o| o.0);
        assert_eq!(none, Some(None));
    }

    #[test]
    fn stamps_are_what_the_format_writes() {
        for t in times() {
            assert_eq!(
                stamp(t),
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "{t:?}"
            );
        }
    }
}
