//! Helpers for the workspace tests: run the CLI in-process and capture what a user would see.

use std::path::Path;

pub mod browser;

/// What one run of the CLI produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr as one text for a snapshot.
    pub fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&self.stdout);
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
        }
        s
    }
}

/// Runs `mentorflow ARGS...` in-process, from the workspace root.
pub fn mentorflow(args: &[&str]) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("mentorflow").chain(args.iter().copied());
    let code = mentorflow::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// The command line `args` (the command first) with `flags` (pairs such as `--store PATH`)
/// placed after the command's name: only those the command takes, as a coordinator's session
/// settings apply where they mean something (`--now` to `status`, not to `log`).
pub fn with_flags<'a>(args: &[&'a str], flags: &[&'a str]) -> Vec<&'a str> {
    let root = mentorflow::command();
    let mut words = 0;
    let mut command = &root;
    while let Some(sub) = args
        .get(words)
        .and_then(|name| command.find_subcommand(name))
    {
        command = sub;
        words += 1;
    }
    let takes = |flag: &str| {
        command
            .get_arguments()
            .any(|a| a.get_long() == flag.strip_prefix("--"))
    };
    let mut all: Vec<&str> = args[..words].to_vec();
    for pair in flags.chunks(2) {
        if takes(pair[0]) {
            all.extend_from_slice(pair);
        }
    }
    all.extend_from_slice(&args[words..]);
    all
}

/// `path` relative to the workspace root, with `/` separators, for stable snapshots.
pub fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A fresh store (in a temp folder named after `name`) with one sales-onboarding pairing,
/// p-1, enrolled 2026-01-05 09:00 and advanced to `ramping`, its end date on 2026-12-01; and
/// a way to run commands on it at a time: `run(now, args)`.
pub fn ramping_sales_pairing(name: &str) -> impl Fn(&str, &[&str]) -> Run {
    let dir = scratch_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |now: &str, args: &[&str]| {
        mentorflow(&with_flags(args, &["--store", path.as_str(), "--now", now]))
    };
    let start = "2026-01-05T09:00:00Z";
    for args in [
        &["init"][..],
        &[
            "enrol",
            "programs/sales-onboarding.toml",
            "--type",
            "one-on-one",
            "--person",
            "mentor=rosa,region=emea",
            "--person",
            "mentee=tomas,region=emea",
        ],
        &[
            "record",
            "p-1",
            "ramp_plan_agreed=true",
            "end_date=2026-12-01",
        ],
        &["advance", "p-1"],
    ] {
        let done = run(start, args);
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
    run
}

/// A fresh, initialised store in a temp folder named after `name`, and a way to run commands
/// on it at 2026-03-02 09:00 (`--now`).
pub fn fresh_store(name: &str) -> (std::path::PathBuf, impl Fn(&[&str]) -> Run) {
    let dir = scratch_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", store.as_str(), "--now", "2026-03-02 09:00"],
        ))
    };
    let init = run(&["init"]);
    assert_eq!(init.code, 0, "{}", init.transcript());
    (dir, run)
}

/// A scratch folder for a test, `NAME` in this process's folder under
/// `$TMPDIR/mentorflow-tests/`. The first call of a process removes the folders of test
/// processes that have ended (on Linux), so a run leaves at most its own behind, however it
/// ended.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let root = std::env::temp_dir().join("mentorflow-tests");
    // Which processes still run is read from /proc: where there is none, nothing is swept.
    SWEPT.call_once(|| {
        if !Path::new("/proc/self").exists() {
            return;
        }
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let ended = entry
                .file_name()
                .to_str()
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
            if ended {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
    root.join(std::process::id().to_string()).join(name)
}
