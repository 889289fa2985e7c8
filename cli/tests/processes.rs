//! Real processes against one store, SQLite and PostgreSQL alike: SIGKILL in the middle of
//! bulk advances, and several coordinators recording and advancing the same pairings at once.
//! After each, `verify` passes (hash chain intact, every pairing equal to the fold of its
//! events) and nothing that a command reported as done is missing.

#[path = "../../engine/tests/support/postgres.rs"]
mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_mentorflow");

fn program() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/store/relay.toml")
}

/// Which store a test runs against.
#[derive(Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

struct Store {
    dir: PathBuf,
    /// A file path or a `postgres://` URL, as `--store` takes it.
    location: String,
}

/// Scratch files: gone with the test, passed or failed.
impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Store {
    fn new(name: &str, pairings: usize, kind: Kind) -> Store {
        // One folder per store, even for tests of the same name on another kind of store.
        static STORES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("mentorflow-proc-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let location = match kind {
            Kind::Sqlite => dir.join("store.db").to_string_lossy().into_owned(),
            Kind::Postgres => server::server().fresh_database(&format!("proc_{name}")),
        };
        let store = Store { location, dir };
        assert!(store.run(&["init"]).status.success());
        if pairings == 0 {
            return store;
        }
        let roster = store.dir.join("roster.csv");
        let mut csv = String::from("pairing,role,id\n");
        for i in 0..pairings {
            csv.push_str(&format!("{i},runner,runner-{i}\n"));
        }
        std::fs::write(&roster, csv).expect("roster");
        let out = store.run(&[
            "import",
            &roster.to_string_lossy(),
            "--program",
            &program().to_string_lossy(),
            "--type",
            "solo",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        store
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env("MENTORFLOW_STORE", &self.location)
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run mentorflow")
    }

    fn verify(&self) {
        let out = self.run(&["verify"]);
        assert!(
            out.status.success(),
            "verify failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn events(&self, kind: &str) -> usize {
        let out = self.run(&["log", "--json"]);
        let text = String::from_utf8_lossy(&out.stdout);
        text.matches(&format!("\"event\": \"{kind}\"")).count()
    }

    /// Stage changes taken by advance.
    fn advances(&self) -> usize {
        let out = self.run(&["log", "--json"]);
        String::from_utf8_lossy(&out.stdout)
            .matches("\"by\": \"advance\"")
            .count()
    }
}

/// A small xorshift generator, seeded from the clock; the seed is printed to rerun a failure.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        println!("seed {seed}");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The same tests against each store; `cargo test postgres` runs the PostgreSQL ones.
macro_rules! each_store {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $test() { super::$test(super::Kind::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $test() { super::$test(super::Kind::Postgres) })*
        }
    };
}

each_store!(
    two_deliverers_at_once_deliver_each_notification_once,
    sigkill_during_bulk_advance_never_leaves_a_half_applied_step,
    concurrent_coordinators_never_both_apply_from_the_same_state,
    concurrent_additions_all_count,
    racing_coordinators_cannot_both_pass_a_capacity,
);

/// Two coordinators enrol a mentor whose capacity (two running pairings) has room for one
/// more, at the same moment, several rounds over: the store checks capacity under its write
/// lock, so each round ends with exactly two of that mentor's pairings, never three.
fn racing_coordinators_cannot_both_pass_a_capacity(kind: Kind) {
    let store = Store::new("capacity", 0, kind);
    let cohort = Path::new(env!("CARGO_MANIFEST_DIR")).join("../programs/leadership-cohort.toml");
    let cohort = cohort.to_string_lossy().into_owned();
    let enrol = |mentor: &str, mentee: &str| {
        let mut c = store.command(&[
            "enrol",
            &cohort,
            "--type",
            "one-on-one",
            "--person",
            &format!("mentor={mentor},grade=9,department=finance"),
            "--person",
            &format!("mentee={mentee},grade=5,department=sales"),
        ]);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    };
    for round in 0..4 {
        let mentor = format!("mentor-{round}");
        let first = enrol(&mentor, &format!("first-{round}"))
            .output()
            .expect("enrol");
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let racers: Vec<_> = (0..2)
            .map(|k| {
                enrol(&mentor, &format!("racer-{round}-{k}"))
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let outcomes: Vec<Output> = racers
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect();
        let won = outcomes.iter().filter(|o| o.status.success()).count();
        assert_eq!(won, 1, "exactly one racer enrols mentor {mentor}");
        let lost = outcomes
            .iter()
            .find(|o| !o.status.success())
            .expect("a loser");
        let err = String::from_utf8_lossy(&lost.stderr);
        assert!(
            err.contains(&format!(
                "{mentor} already takes part as mentor in 2 running pairings"
            )),
            "{err}"
        );
    }
    assert_eq!(store.events("enrolled"), 4 * 2, "two pairings per mentor");
    store.verify();
}

/// `laps+=1` from several processes at once: every acknowledged addition counts, none is lost
/// to a read-then-write race (the current value is read under the store's write lock).
fn concurrent_additions_all_count(kind: Kind) {
    let store = Store::new("add", 1, kind);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let location = store.location.clone();
            std::thread::spawn(move || {
                (0..10)
                    .filter(|_| {
                        Command::new(BIN)
                            .env("MENTORFLOW_STORE", &location)
                            .args(["record", "p-1", "laps+=1"])
                            .output()
                            .expect("record")
                            .status
                            .success()
                    })
                    .count()
            })
        })
        .collect();
    let added: usize = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    assert_eq!(added, 40, "every addition is acknowledged");
    let status = store.run(&["status", "p-1", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status JSON");
    assert_eq!(doc["pairing"]["facts"]["laps"], 40, "{doc}");
    store.verify();
}

fn sigkill_during_bulk_advance_never_leaves_a_half_applied_step(kind: Kind) {
    let store = Store::new("crash", 2000, kind);
    let mut rng = Rng::new();
    let mut killed = 0;
    for round in 0..12 {
        let mut child = store
            .command(&["advance", "--all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(5 + rng.below(150)));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
        store.verify();
        println!("round {round}: {} transitions stored", store.advances());
    }
    assert!(
        killed > 0,
        "no advance was killed mid-run; the test proved nothing"
    );
    // What survived is a consistent prefix: finishing the run takes every pairing to leg4.
    for _ in 0..4 {
        let out = store.run(&["advance", "--all"]);
        assert!(
            out.status.success(),
            "advance --all failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    store.verify();
    assert_eq!(
        store.advances(),
        2000 * 3,
        "each pairing moved exactly leg1 -> leg4"
    );
}

fn concurrent_coordinators_never_both_apply_from_the_same_state(kind: Kind) {
    let store = Store::new("race", 5, kind);
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let path = store.location.clone();
            std::thread::spawn(move || {
                let (mut recorded, mut advanced) = (0, 0);
                for round in 0..6 {
                    let id = format!("p-{}", 1 + (w + round) % 5);
                    let record = Command::new(BIN)
                        .env("MENTORFLOW_STORE", &path)
                        .args(["record", &id, &format!("laps={}", round + 1)])
                        .output()
                        .expect("record");
                    if record.status.success() {
                        recorded += 1;
                    } else {
                        let err = String::from_utf8_lossy(&record.stderr);
                        assert!(
                            err.contains("takes no more facts or moves"),
                            "record failed: {err}"
                        );
                    }
                    let advance = Command::new(BIN)
                        .env("MENTORFLOW_STORE", &path)
                        .args(["advance", &id])
                        .output()
                        .expect("advance");
                    let err = String::from_utf8_lossy(&advance.stderr);
                    assert!(
                        !err.contains("store error") && !err.contains("database is locked"),
                        "{err}"
                    );
                    if advance.status.success() {
                        advanced += 1;
                    }
                }
                (recorded, advanced)
            })
        })
        .collect();
    let (mut recorded, mut advanced) = (0, 0);
    for w in workers {
        let (r, a) = w.join().expect("worker");
        recorded += r;
        advanced += a;
    }
    store.verify();
    assert_eq!(
        store.events("facts_recorded"),
        recorded,
        "every acknowledged record is stored, once"
    );
    assert_eq!(
        store.advances(),
        advanced,
        "every acknowledged advance is stored, once"
    );
    // Each pairing can take at most four steps; two coordinators racing must not both take one.
    assert!(
        advanced <= 5 * 4,
        "more transitions than the program allows: {advanced}"
    );
}

/// Two `outbox deliver` runs at once (cron on two machines) over the same outbox, each command
/// slow enough for them to overlap: every notification is delivered exactly once, and each
/// pairing's in the order they were queued.
fn two_deliverers_at_once_deliver_each_notification_once(kind: Kind) {
    // Each kind its own folder: the tests run at once, and each counts its deliveries in it.
    let name = match kind {
        Kind::Sqlite => "outbox_sqlite",
        Kind::Postgres => "outbox_postgres",
    };
    let store = Store::new(name, 0, kind);
    let roster = store.dir.join("roster.csv");
    let mut csv = String::from("pairing,role,id\n");
    for i in 0..6 {
        csv.push_str(&format!("{i},runner,runner-{i}\n"));
    }
    std::fs::write(&roster, csv).expect("roster");
    let program =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/store/notifying.toml");
    let program = program.to_string_lossy().into_owned();
    let roster = roster.to_string_lossy().into_owned();
    assert!(store
        .run(&["import", &roster, "--program", &program, "--type", "solo"])
        .status
        .success());
    assert!(store.run(&["advance", "--all"]).status.success());
    let sent = store.dir.join("sent");
    // The command writes the notice's outbox id and subject, slowly.
    let exec = format!(
        "read -r notice; id=$(echo \"$notice\" | sed 's/.*\"id\":\\([0-9][0-9]*\\).*/\\1/'); \
         subject=$(echo \"$notice\" | sed 's/.*\"subject\":\"\\([^\"]*\\)\".*/\\1/'); \
         sleep 0.1; echo \"$id $subject\" >> {}",
        sent.display()
    );
    let deliverers: Vec<_> = (0..2)
        .map(|_| {
            let (location, exec) = (store.location.clone(), exec.clone());
            std::thread::spawn(move || {
                Command::new(BIN)
                    .env("MENTORFLOW_STORE", &location)
                    .args(["outbox", "deliver", "--exec", &exec])
                    .output()
                    .expect("deliver")
            })
        })
        .collect();
    for d in deliverers {
        let out = d.join().expect("deliverer");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What either left waiting (held by the other), a last run delivers.
    let last = store.run(&["outbox", "deliver", "--exec", &exec]);
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    let lines: Vec<String> = std::fs::read_to_string(&sent)
        .expect("sent")
        .lines()
        .map(str::to_string)
        .collect();
    let mut ids: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(lines.len(), 12, "{lines:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "each delivered once: {lines:?}");
    for i in 1..=6 {
        let welcome = lines
            .iter()
            .position(|l| l.ends_with(&format!("welcome p-{i}")));
        let finished = lines
            .iter()
            .position(|l| l.ends_with(&format!("finished p-{i}")));
        assert!(
            welcome < finished && welcome.is_some(),
            "p-{i} out of order: {lines:?}"
        );
    }
    let pending = store.run(&["outbox"]);
    assert!(String::from_utf8_lossy(&pending.stdout).contains("nothing pending"));
    store.verify();
}
