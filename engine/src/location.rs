//! Where a store lives: the one thing a coordinator is opened from.

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

impl Location {
    /// A location as people write it: a `postgres://` or `postgresql://` URL, or a file path.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            // Never print a password: `postgres://ana:secret@db/x` shows as `postgres://ana:***@db/x`.
            Location::Postgres(url) => match url.split_once("://") {
                Some((scheme, rest)) => match rest.split_once('@') {
                    Some((user, host)) if user.contains(':') => {
                        let name = user.split(':').next().unwrap_or_default();
                        write!(f, "{scheme}://{name}:***@{host}")
                    }
                    _ => f.write_str(url),
                },
                None => f.write_str(url),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn a_password_in_a_url_is_never_printed() {
        let at = Location::parse("postgres://ana:s3cret@db.example.org:5432/mentoring");
        assert_eq!(
            at.to_string(),
            "postgres://ana:***@db.example.org:5432/mentoring"
        );
        let plain = Location::parse("postgresql://ana@db/mentoring");
        assert_eq!(plain.to_string(), "postgresql://ana@db/mentoring");
        assert_eq!(
            Location::parse("stores/team.db"),
            Location::File("stores/team.db".into())
        );
    }
}
