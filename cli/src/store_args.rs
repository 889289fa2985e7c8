//! The options every coordinator command shares, and opening the store with them.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_engine::Location;
use mentorflow_engine::{Coordinator, Options, SystemClock};

use crate::failure::Failure;

/// The store options a command runs with, from the flags it takes (see [`Reads`],
/// [`AtTime`], [`Writes`], [`Runs`]); a flag a command does not take is at its default.
#[derive(Debug, Clone)]
pub struct StoreArgs {
    /// `--store`.
    pub store: Option<PathBuf>,
    /// `--actor`.
    pub actor: Option<String>,
    /// `--now`.
    pub now: Option<When>,
    /// `--script-budget`, in seconds.
    pub script_budget: u64,
    /// `--lock-wait`, in seconds.
    pub lock_wait: u64,
}

impl Default for StoreArgs {
    fn default() -> StoreArgs {
        StoreArgs {
            store: None,
            actor: None,
            now: None,
            script_budget: mentorflow_engine::SCRIPT_BUDGET.as_secs(),
            lock_wait: mentorflow_engine::LOCK_WAIT.as_secs(),
        }
    }
}

// The flags, grouped by what a command does with a store; each command takes the group it
// needs (lib.rs), so `--help` shows only flags that mean something there. They are `global`
// so a command with subcommands (`people`) takes them after its subcommand too.

/// `--store`: commands that read a store.
#[derive(Debug, Clone, clap::Args)]
pub struct Reads {
    /// The store: a SQLite file, or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE [default: mentorflow.db].
    #[arg(
        long,
        short = 's',
        global = true,
        env = "MENTORFLOW_STORE",
        value_name = "PATH|URL"
    )]
    pub store: Option<PathBuf>,
}

/// `--store`, `--now`: commands whose answer depends on the time (overdue, due, what waits).
#[derive(Debug, Clone, clap::Args)]
pub struct AtTime {
    #[command(flatten)]
    pub reads: Reads,
    /// Act as if it were this time: 2026-03-01T09:00:00Z, 2026-03-01T10:00 (this machine's
    /// zone), 2026-03-01, or relative to the clock: now, +1w, -3d, +2h, -1mo.
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_time, allow_hyphen_values = true)]
    pub now: Option<When>,
}

/// `--store`, `--now`, `--actor`, `--lock-wait`: commands that write.
#[derive(Debug, Clone, clap::Args)]
pub struct Writes {
    #[command(flatten)]
    pub at: AtTime,
    /// Who is acting, for the audit log (default: your user name).
    #[arg(long, global = true, env = "MENTORFLOW_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
    /// The most seconds a write waits for another command holding the store (0: do not
    /// wait); then it stops, applying nothing, and says which store was busy.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = mentorflow_engine::LOCK_WAIT.as_secs(), value_parser = seconds, allow_hyphen_values = true)]
    pub lock_wait: u64,
}

/// The writes' flags and `--script-budget`: commands that run every pairing's scripts.
#[derive(Debug, Clone, clap::Args)]
pub struct Runs {
    #[command(flatten)]
    pub writes: Writes,
    /// The most seconds the command may spend running scripts; when spent it stops after the
    /// current batch, keeps what it did, and says so (run it again to go on).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = mentorflow_engine::SCRIPT_BUDGET.as_secs(), value_parser = seconds, allow_hyphen_values = true)]
    pub script_budget: u64,
}

/// `--over-capacity REASON`: the commands that enrol people or change who takes part.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OverCapacity {
    /// Take people past their own capacity (the people registry's `capacity`) anyway, for
    /// this reason, which is logged with the command.
    #[arg(long, value_name = "REASON")]
    pub over_capacity: Option<String>,
}

impl OverCapacity {
    /// Lets `coordinator` take people past their own capacity, if asked, with a reason.
    pub fn apply(
        &self,
        coordinator: &mut mentorflow_engine::Coordinator,
    ) -> Result<(), crate::failure::Failure> {
        let reason = self.over_capacity.as_deref().map(str::trim);
        if reason == Some("") {
            return Err(crate::failure::Failure::Usage(
                "--over-capacity needs a reason, e.g. --over-capacity \"agreed with her manager\""
                    .into(),
            ));
        }
        coordinator.allow_over_capacity(reason.map(String::from));
        Ok(())
    }
}

/// The longest `--lock-wait` or `--script-budget`: a day.
const MAX_SECONDS: u64 = 86_400;

/// A number of seconds for `--lock-wait` and `--script-budget`: 0 to a day.
fn seconds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= MAX_SECONDS => Ok(n),
        Ok(n) => Err(format!(
            "{n} seconds is more than a day; give at most {MAX_SECONDS}"
        )),
        Err(_) => Err(format!(
            "`{text}` is not a number of seconds; give a whole number from 0 to {MAX_SECONDS}, e.g. 30"
        )),
    }
}

impl From<&Reads> for StoreArgs {
    fn from(r: &Reads) -> StoreArgs {
        StoreArgs {
            store: r.store.clone(),
            ..StoreArgs::default()
        }
    }
}

impl From<&AtTime> for StoreArgs {
    fn from(a: &AtTime) -> StoreArgs {
        StoreArgs {
            now: a.now,
            ..StoreArgs::from(&a.reads)
        }
    }
}

impl From<&Writes> for StoreArgs {
    fn from(w: &Writes) -> StoreArgs {
        StoreArgs {
            actor: w.actor.clone(),
            lock_wait: w.lock_wait,
            ..StoreArgs::from(&w.at)
        }
    }
}

impl From<&Runs> for StoreArgs {
    fn from(r: &Runs) -> StoreArgs {
        StoreArgs {
            script_budget: r.script_budget,
            ..StoreArgs::from(&r.writes)
        }
    }
}

/// A time as given on the command line: absolute, or relative to the clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// This instant.
    At(DateTime<Utc>),
    /// The clock's time, moved forward (true) or back by a duration.
    FromNow(bool, mentorflow_dsl::Due),
}

impl When {
    /// The instant, reading `clock` for a relative time.
    pub fn resolve(self, clock: &dyn mentorflow_engine::Clock) -> DateTime<Utc> {
        match self {
            When::At(t) => t,
            When::FromNow(true, d) => d.after(clock.now()),
            When::FromNow(false, d) => d.before(clock.now()),
        }
    }
}

/// A time as the command line gives it (`--now`, `--on`).
pub(crate) fn parse_time(s: &str) -> Result<When, String> {
    let text = s.trim();
    let local = |naive: chrono::NaiveDateTime| {
        naive
            .and_local_timezone(chrono::Local)
            .earliest()
            .map(|t| When::At(t.with_timezone(&Utc)))
    };
    let out_of_range = || format!("`{s}` is out of range; years 0000 to 9999");
    // A date with a sign or a year of five digits or more: chrono reads these, the store
    // cannot keep them.
    let unsigned = text.trim_start_matches(['+', '-']);
    let year = unsigned.chars().take_while(char::is_ascii_digit).count();
    let dated = year >= 4 && unsigned[year..].starts_with('-');
    if dated && (year > 4 || unsigned.len() != text.len()) {
        return Err(out_of_range());
    }
    let relative = |sign: bool, rest: &str| {
        mentorflow_dsl::Due::parse(rest)
            .map(|d| When::FromNow(sign, d))
            .map_err(|e| {
                format!("`{s}`: {e} (a relative time is + or - a number of h, d, w or mo)")
            })
    };
    let parsed = if text == "now" {
        Some(When::FromNow(true, mentorflow_dsl::Due::Hours(0)))
    } else if let Some(rest) = text.strip_prefix('+') {
        Some(relative(true, rest)?)
    } else if let Some(rest) = text.strip_prefix('-') {
        Some(relative(false, rest)?)
    } else if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        Some(When::At(t.with_timezone(&Utc)))
    } else if let Ok(naive) =
        chrono::NaiveDateTime::parse_from_str(&text.replace(' ', "T"), "%Y-%m-%dT%H:%M:%S").or_else(
            |_| chrono::NaiveDateTime::parse_from_str(&text.replace(' ', "T"), "%Y-%m-%dT%H:%M"),
        )
    {
        local(naive)
    } else if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        local(date.and_time(chrono::NaiveTime::MIN))
    } else {
        None
    };
    // Stored times are fixed-width text: a year past 9999 would no longer sort as time.
    match parsed {
        Some(When::At(t)) if t.format("%Y").to_string().len() != 4 => Err(out_of_range()),
        Some(when) => Ok(when),
        None => Err(format!(
            "`{s}` is not a time; write 2026-03-01T09:00:00Z, 2026-03-01T09:00 (this machine's zone), 2026-03-01, now, or +1w / -3d / +2h / -1mo"
        )),
    }
}

impl StoreArgs {
    /// The store: --store, MENTORFLOW_STORE, or mentorflow.db in the current folder; a
    /// `postgres://` URL names a PostgreSQL database. Read here, not by the flag's parser:
    /// a refused value is never repeated (it may hold a password).
    pub fn location(&self) -> Result<Location, Failure> {
        match &self.store {
            Some(given) => Location::parse(&given.to_string_lossy())
                .map_err(|e| Failure::Usage(format!("--store: {e}"))),
            None => Ok(Location::File(PathBuf::from("mentorflow.db"))),
        }
    }

    /// The actor name: --actor, MENTORFLOW_ACTOR, the user's name, or `coordinator`.
    pub fn actor(&self) -> String {
        self.actor
            .clone()
            .or_else(|| {
                ["USER", "LOGNAME", "USERNAME"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok())
            })
            .unwrap_or_else(|| "coordinator".into())
    }

    fn options(&self) -> Options {
        let clock = Arc::new(SystemClock);
        Options {
            actor: self.actor(),
            at: self.now.map(|when| when.resolve(&*clock)),
            clock,
            script_budget: std::time::Duration::from_secs(self.script_budget),
            lock_wait: std::time::Duration::from_secs(self.lock_wait),
        }
    }

    /// Opens the existing store.
    pub fn open(&self) -> Result<Coordinator, Failure> {
        Ok(Coordinator::open(&self.location()?, self.options())?)
    }

    /// Creates a new store at `location`.
    pub fn create(&self, location: &Location) -> Result<Coordinator, Failure> {
        Ok(Coordinator::create(location, self.options())?)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_the_store_cannot_keep_are_refused_as_out_of_range() {
        for text in [
            "-262144-01-01",
            "+262144-01-01T00:00:00Z",
            "10000-01-01",
            "+2026-01-01",
        ] {
            let e = parse_time(text).expect_err(text);
            assert!(
                e.contains("out of range; years 0000 to 9999"),
                "{text}: {e}"
            );
        }
        assert!(parse_time("9999-12-31").is_ok());
        assert!(parse_time("0000-01-01T00:00:00Z").is_ok());
    }

    #[test]
    fn a_relative_time_that_cannot_be_read_says_why() {
        let e = parse_time("+100000w").expect_err("too long");
        assert!(e.contains("too long; use at most 10000"), "{e}");
        let e = parse_time("-3 d").expect_err("spaced");
        assert!(e.contains("write `3d`"), "{e}");
        assert!(parse_time("-3d").is_ok());
    }
}
