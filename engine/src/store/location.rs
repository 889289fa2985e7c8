//! Where a store lives: the one thing a coordinator is opened from, and the one parser of
//! what people write for it (`--store`, `MENTORFLOW_STORE`, `store copy FROM TO`). A location
//! is shown only through its `Display`, which never shows a password.

use std::fmt;
use std::path::PathBuf;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An embedded SQLite file.
    File(PathBuf),
    /// A PostgreSQL database: `postgres://user@host:port/database`.
    Postgres(String),
}

/// Why a text names no store; it never repeats the text (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// A URL of a scheme that is no store (`mysql://`, `http://`).
    #[error("`{0}://` is no store mentorflow can use; give a SQLite file path (mentorflow.db) or a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE)")]
    UnknownScheme(String),
    /// `sqlite:` with no path after it.
    #[error("`sqlite:` names no file; give the store's path, e.g. mentorflow.db")]
    NoFile,
    /// Nothing at all.
    #[error("the store is empty; give a SQLite file path (mentorflow.db) or a PostgreSQL URL")]
    Empty,
}

impl Location {
    /// A location as people write it: a file path (also `sqlite:PATH`), or a `postgres://`
    /// or `postgresql://` URL (the scheme in any case); another scheme is refused rather
    /// than taken for a file name.
    pub fn parse(text: &str) -> Result<Location, LocationError> {
        if text.is_empty() {
            return Err(LocationError::Empty);
        }
        let Some((scheme, rest)) = scheme(text) else {
            return Ok(Location::File(PathBuf::from(text)));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Location::Postgres(format!(
                "{}:{rest}",
                scheme.to_ascii_lowercase()
            ))),
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                match path.is_empty() {
                    true => Err(LocationError::NoFile),
                    false => Ok(Location::File(PathBuf::from(path))),
                }
            }
            other => Err(LocationError::UnknownScheme(other.to_string())),
        }
    }
}

/// The scheme of a URL-like text (`postgres` of `postgres://...`, `sqlite` of `sqlite:x.db`)
/// and the rest after its `:` (`//...`, `x.db`). `sqlite:` is a scheme without `//`;
/// other schemes need `://`, so `C:\stores\x.db` and `team:a.db` stay file names.
fn scheme(text: &str) -> Option<(&str, &str)> {
    let (scheme, _) = text.split_once(':')?;
    let plain = !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest = &text[scheme.len()..];
    let is_url = rest.starts_with("://") || scheme.eq_ignore_ascii_case("sqlite");
    (plain && is_url).then_some((scheme, &rest[1..]))
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

/// `url` with every password replaced by `***`: in the user part
/// (`postgres://ana:***@db/x`, whatever characters the password holds, `@` included) and in
/// parameters (`?password=***`, `sslpassword=***`).
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (main, query) = match rest.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (rest, None),
    };
    // The user part ends at the last `@`: a password may hold `@` (and `/`) itself.
    let main = match main.rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{name}:***@{host}")
        }
        _ => main.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().contains("password") => {
                    format!("{key}=***")
                }
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    let scheme = match scheme.is_empty() {
        true => String::new(),
        false => format!("{scheme}://"),
    };
    match query {
        Some(q) => format!("{scheme}{main}?{q}"),
        None => format!("{scheme}{main}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Location, LocationError};

    fn shown(text: &str) -> String {
        Location::parse(text).expect("a location").to_string()
    }

    #[test]
    fn a_password_in_a_url_is_never_printed() {
        assert_eq!(
            shown("postgres://ana:s3cret@db.example.org:5432/mentoring"),
            "postgres://ana:***@db.example.org:5432/mentoring"
        );
        assert_eq!(
            shown("postgresql://ana@db/mentoring"),
            "postgresql://ana@db/mentoring"
        );
        assert_eq!(
            shown("postgres://ana:p@ss/w@rd@db/x"),
            "postgres://ana:***@db/x"
        );
        assert_eq!(
            shown("postgres://ana@db/x?password=s3cret&sslmode=disable&SSLPassword=k"),
            "postgres://ana@db/x?password=***&sslmode=disable&SSLPassword=***"
        );
        assert_eq!(
            shown("POSTGRES://ana:s3cret@db/x"),
            "postgres://ana:***@db/x"
        );
    }

    #[test]
    fn files_and_schemes_are_told_apart_without_repeating_the_text() {
        assert_eq!(
            Location::parse("stores/team.db"),
            Ok(Location::File("stores/team.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:team.db"),
            Ok(Location::File("team.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite://team.db"),
            Ok(Location::File("team.db".into()))
        );
        assert_eq!(Location::parse("sqlite:"), Err(LocationError::NoFile));
        let e = Location::parse("mysql://root:s3cret@db/x").expect_err("no store");
        assert_eq!(e, LocationError::UnknownScheme("mysql".into()));
        assert!(!e.to_string().contains("s3cret"));
        assert_eq!(
            Location::parse("HTTP://a:b@c"),
            Err(LocationError::UnknownScheme("http".into()))
        );
    }
}
