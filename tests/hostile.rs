//! Hostile and malformed input (issue 18): each is stopped with a clear message naming the
//! file or value, nothing is stored, and nothing private leaks into the output.

use std::process::Command;

use mentorflow_tests::mentorflow;

// As in the `mentorflow` binary, which these tests run in-process: allocations are counted so
// that a script's memory is bounded.
#[global_allocator]
static ALLOCATOR: mentorflow_engine::Counting = mentorflow_engine::Counting(std::alloc::System);

fn temp(name: &str) -> std::path::PathBuf {
    let dir = mentorflow_tests::scratch_dir(&format!("hostile-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A program whose criterion lives in `success.rhai` beside it.
fn program_with_script_file(dir: &std::path::Path) -> String {
    let text =
        std::fs::read_to_string("tests/fixtures/check/missing_rhai_file.toml").expect("fixture");
    let path = dir.join("program.toml");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_script_file_linked_out_of_the_program_folder_is_refused_and_never_echoed() {
    let dir = temp("symlink");
    let program = program_with_script_file(&dir);
    std::os::unix::fs::symlink("/etc/passwd", dir.join("success.rhai")).expect("link");
    let run = mentorflow(&["check", &program]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is outside the program's folder"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("root:"),
        "the linked file leaked:\n{}",
        run.stderr
    );
}

#[test]
fn special_and_huge_files_are_refused_without_reading_them() {
    let run = mentorflow(&["check", "/dev/zero"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let dir = temp("special");
    let fifo = dir.join("program.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let run = mentorflow(&["check", &fifo.to_string_lossy()]);
    assert!(
        run.stderr.contains("not a regular file"),
        "a FIFO must not hang: {}",
        run.stderr
    );
    let big = temp("big-script");
    let program = program_with_script_file(&big);
    std::fs::write(big.join("success.rhai"), "true // ".repeat(300_000)).expect("big script");
    let run = mentorflow(&["check", &program]);
    assert!(
        run.stderr.contains("more than the 1048576 allowed"),
        "{}",
        run.stderr
    );
    let scenario = big.join("big-scenario.toml");
    std::fs::write(&scenario, "# x\n".repeat(400_000)).expect("big scenario");
    let run = mentorflow(&["simulate", &scenario.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("more than the 1048576 allowed"),
        "{}",
        run.stderr
    );
}

fn enrolled(name: &str) -> (std::path::PathBuf, String) {
    let dir = temp(name);
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let run = mentorflow(&[
        "enrol",
        "--store",
        &store,
        "--now",
        "2026-01-05T09:00:00Z",
        "programs/new-hire-buddy.toml",
        "--type",
        "on-site",
        "--person",
        "buddy=ana,location=jakarta,tenure_months=30,manager_id=m1",
        "--person",
        "new_hire=budi,location=jakarta,tenure_months=0,manager_id=m2",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    (dir, store)
}

#[test]
fn values_too_big_or_out_of_range_are_refused_with_a_short_quote() {
    let (_dir, store) = enrolled("values");
    let log = || mentorflow(&["log", "--store", &store]).stdout;
    let before = log();
    let huge = format!("fit={}", "x".repeat(70_000));
    let run = mentorflow(&["record", "--store", &store, "p-1", &huge]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.len() < 400,
        "the value is echoed whole: {} bytes",
        run.stderr.len()
    );
    let late = mentorflow(&["record", "--store", &store, "p-1", "start_date=10000-01-01"]);
    assert_eq!(late.code, 1, "{}", late.transcript());
    assert!(late.stderr.contains("start_date"), "{}", late.stderr);
    assert_eq!(log(), before, "refused values store nothing");
}

#[test]
fn exported_cells_never_run_as_spreadsheet_formulas() {
    let dir = temp("formula");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let run = mentorflow(&[
        "enrol",
        "--store",
        &store,
        "--actor",
        "=1+2",
        "programs/mentoring.toml",
        "--type",
        "peer",
        "--person",
        "peer==HYPERLINK(\"http://evil\"),grade=3",
        "--person",
        "peer=@SUM(A1),grade=4",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let export = mentorflow(&[
        "export", "--store", &store, "--format", "csv", "--what", "events",
    ]);
    assert!(export.stdout.contains(",'=1+2,"), "{}", export.stdout);
    for line in export.stdout.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "a formula cell: {line}");
        }
    }
}

#[test]
fn every_altered_event_is_named_and_a_published_head_catches_a_rewrite() {
    let (_dir, store) = enrolled("chain");
    for fact in ["buddy_assigned=true", "first_meeting_held=true"] {
        let run = mentorflow(&[
            "record",
            "--store",
            &store,
            "--now",
            "2026-01-06T09:00:00Z",
            "p-1",
            fact,
        ]);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let verify = mentorflow(&["verify", "--store", &store]);
    let head = verify
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("chain head: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("verify prints the head")
        .to_string();
    // The head as published, in capitals, is the same head; a prefix or a typo is a usage
    // error, never a rewritten history.
    let upper = mentorflow(&[
        "verify",
        "--store",
        &store,
        "--expect",
        &head.to_uppercase(),
    ]);
    assert_eq!(upper.code, 0, "{}", upper.transcript());
    for (bad, says) in [
        (&head[..12], "has 64 hex digits, this has 12"),
        ("xyz", "`x` is not a hex digit"),
    ] {
        let run = mentorflow(&["verify", "--store", &store, "--expect", bad]);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert!(
            !run.stderr.contains("no longer in the chain"),
            "{}",
            run.stderr
        );
    }
    let python = |code: &str| {
        let status = Command::new("python3")
            .args(["-c", &code.replace("STORE", &store)])
            .status()
            .expect("python3 with sqlite3 rewrites the store");
        assert!(status.success());
    };
    // Two bodies altered, hashes left as they were: both are named.
    python("import sqlite3; c = sqlite3.connect('STORE'); c.execute(\"update events set body = replace(body, 'ana', 'eve') where seq = 1\"); c.execute(\"update events set body = replace(body, 'true', 'false') where seq = 3\"); c.commit()");
    let run = mentorflow(&["verify", "--store", &store]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        run.stderr.matches("hash chain broken").count(),
        2,
        "{}",
        run.stderr
    );
    // Every hash recomputed after the rewrite: only the published head notices.
    python("import sqlite3, hashlib; c = sqlite3.connect('STORE'); prev = ''\nfor i, body in c.execute('select id, body from events order by id').fetchall():\n    prev = hashlib.sha256((prev + body).encode()).hexdigest(); c.execute('update events set hash = ? where id = ?', (prev, i))\nc.commit()");
    let chain_only = mentorflow(&["verify", "--store", &store]);
    assert!(
        !chain_only.stderr.contains("hash chain broken"),
        "{}",
        chain_only.transcript()
    );
    let expect = mentorflow(&["verify", "--store", &store, "--expect", &head]);
    assert_eq!(expect.code, 1, "{}", expect.transcript());
    assert!(
        expect.stderr.contains("is no longer in the chain"),
        "{}",
        expect.stderr
    );
}

#[test]
fn a_store_in_a_folder_that_does_not_exist_says_so() {
    let run = mentorflow(&["init", "--store", "/no/such/folder/store.db"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("its folder is missing or read-only"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_guard_filling_a_map_by_index_is_stopped_by_the_memory_limit() {
    let dir = temp("memory");
    let program = solo_program(
        &dir,
        "grow",
        "'''\nlet big = \"0123456789\";\nfor n in 0..12 { big += big; }\nlet m = #{};\nlet i = 0;\nwhile i < 10000000 { m[`k${i}`] = big + i; i += 1; }\ntrue\n'''",
    );
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let enrol = mentorflow(&[
        "enrol", "--store", &store, &program, "--type", "solo", "--person", "mentee=m",
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    let log = || mentorflow(&["log", "--store", &store]).stdout;
    let before = log();
    let run = mentorflow(&["advance", "--store", &store, "p-1"]);
    assert_ne!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("the memory limit"), "{}", run.stderr);
    assert!(
        run.stderr.contains("grow.toml:"),
        "names the script's place: {}",
        run.stderr
    );
    assert_eq!(log(), before, "nothing is stored");
}

/// `NAME.toml` in `dir`: one type (`solo`, one mentee), a fact `n` (0), and one transition
/// from `start` to `done` under `guard` (a TOML string).
fn solo_program(dir: &std::path::Path, name: &str, guard: &str) -> String {
    let program = dir.join(format!("{name}.toml"));
    let text = format!(
        "[program]\nid = \"{name}\"\ntitle = \"{name}\"\ninitial = \"start\"\n\n\
         [facts.n]\ntype = \"int\"\ndefault = 0\n\n\
         [stages.start]\n[stages.done]\noutcome = \"success\"\n\n\
         [[transitions]]\nfrom = \"start\"\nto = \"done\"\nguard = {guard}\n\n\
         [types.solo]\nroles = {{ mentee = 1 }}\n"
    );
    std::fs::write(&program, text).expect("write");
    program.to_string_lossy().into_owned()
}

#[test]
fn a_bulk_command_stops_when_its_script_budget_is_spent() {
    let dir = temp("budget");
    // A guard that waits on a fact nobody records.
    let program = solo_program(&dir, "wait", "\"facts.n > 0\"");
    let roster = dir.join("roster.csv");
    let rows: String = (0..501)
        .map(|n| format!("g{n},solo,mentee,m{n}\n"))
        .collect();
    std::fs::write(&roster, format!("pairing,type,role,id\n{rows}")).expect("write");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let roster = roster.to_string_lossy().into_owned();
    let import = mentorflow(&["import", "--store", &store, &roster, "--program", &program]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    // A budget of 0 s is spent by the first decision, so the command stops after its first
    // batch (500 pairings at most, fewer if the batch ran a second): one pairing at least is
    // left untried, whatever the machine's speed.
    let args = [
        "advance",
        "--store",
        &store,
        "--script-budget",
        "0",
        "--all",
    ];
    let run = mentorflow(&args);
    assert_eq!(run.code, 3, "partly done: {}", run.transcript());
    let stopped = run
        .stderr
        .split("stopped after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no count of pairings seen: {}", run.stderr));
    assert!((1..=500).contains(&stopped), "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "of the first {stopped} active pairings (stopped early)"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("scripts used the command's budget of 0 s (--script-budget)"),
        "{}",
        run.stderr
    );
    // With the default budget the same command sees every pairing.
    let again = mentorflow(&["advance", "--store", &store, "--all"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert!(
        again.stdout.contains("of 501 active pairings"),
        "{}",
        again.stdout
    );
}

#[test]
fn damaged_text_in_the_store_is_named_by_pairing_and_verify_goes_on() {
    let (_dir, store) = enrolled("damaged-text");
    let second = mentorflow(&[
        "enrol",
        "--store",
        &store,
        "--now",
        "2026-01-05T09:00:00Z",
        "programs/new-hire-buddy.toml",
        "--type",
        "on-site",
        "--person",
        "buddy=cai,location=jakarta,tenure_months=30,manager_id=m1",
        "--person",
        "new_hire=dewi,location=jakarta,tenure_months=0,manager_id=m2",
    ]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let db = rusqlite::Connection::open(&store).expect("open");
    // Changed outside mentorflow: a state and an event body that are not UTF-8.
    db.execute_batch(
        "UPDATE pairings SET state = CAST(X'7B22FF' AS TEXT) WHERE id = 'p-1';
         UPDATE events SET body = CAST(X'7B22FF' AS TEXT) WHERE pairing = 'p-2';",
    )
    .expect("damage");
    drop(db);
    let status = mentorflow(&["status", "--store", &store, "p-1"]);
    assert_eq!(status.code, 1, "{}", status.transcript());
    assert!(
        status
            .stderr
            .contains("damaged: the stored state of pairing p-1 is not valid UTF-8"),
        "{}",
        status.stderr
    );
    let log = mentorflow(&["log", "--store", &store, "p-2"]);
    assert_eq!(log.code, 1, "{}", log.transcript());
    assert!(
        log.stderr.contains("event p-2#1 is not valid UTF-8"),
        "{}",
        log.stderr
    );
    let verify = mentorflow(&["verify", "--store", &store]);
    assert_eq!(verify.code, 1, "{}", verify.transcript());
    assert!(
        verify
            .stderr
            .contains("p-1: the stored state cannot be read"),
        "{}",
        verify.stderr
    );
    assert!(
        verify
            .stderr
            .contains("(p-2 #1): event body does not match"),
        "{}",
        verify.stderr
    );
    assert!(
        !verify.stderr.contains("run `mentorflow verify`"),
        "{}",
        verify.stderr
    );
}

#[test]
fn a_roster_with_a_column_twice_is_refused() {
    let dir = temp("roster-twice");
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,id,experience_years\ng,one-on-one,mentor,ana,eve,12\ng,one-on-one,mentee,budi,bob,1\n",
    )
    .expect("write");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let roster = roster.to_string_lossy().into_owned();
    let args = [
        "import",
        "--store",
        &store,
        &roster,
        "--program",
        "programs/mentoring.toml",
    ];
    let run = mentorflow(&args);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("roster.csv:1: column `id` appears twice; keep one"),
        "{}",
        run.stderr
    );
    let list = mentorflow(&["list", "--store", &store]).stdout;
    assert!(!list.contains("p-1"), "nothing enrolled: {list}");
}

#[test]
fn a_due_date_past_9999_stops_at_the_end_of_9999_and_is_never_overdue() {
    let dir = temp("year-10000");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let enrol = mentorflow(&[
        "enrol",
        "--store",
        &store,
        "--now",
        "9999-12-31T00:00:00Z",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=a,experience_years=10",
        "--person",
        "mentee=b,experience_years=1",
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    let status = mentorflow(&["status", "--store", &store, "p-1"]);
    assert!(
        status.stdout.contains("due: 9999-12-31 23:59 UTC"),
        "{}",
        status.stdout
    );
    let overdue = mentorflow(&[
        "list",
        "--store",
        &store,
        "--now",
        "2026-01-01",
        "--overdue",
    ]);
    assert!(!overdue.stdout.contains("p-1"), "{}", overdue.stdout);
}

#[test]
fn a_write_waiting_for_a_held_store_says_it_waited_and_stores_nothing() {
    let (_dir, store) = enrolled("busy");
    let before = mentorflow(&["verify", "--store", &store, "--json"]).stdout;
    // Another command holds the store's write lock (as a long `advance --all` would).
    let holder = rusqlite::Connection::open(&store).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let record = mentorflow(&[
        "record",
        "--store",
        &store,
        "--lock-wait",
        "1",
        "p-1",
        "buddy_assigned=true",
    ]);
    // Reads take no lock: they work while the store is held.
    let status = mentorflow(&["status", "--store", &store, "p-1"]);
    holder.execute_batch("ROLLBACK").expect("unlock");
    assert_eq!(record.code, 1, "{}", record.transcript());
    assert!(
        record.stderr.contains("waited 1 s for the store")
            && record.stderr.contains("another command held it")
            && record.stderr.contains("--lock-wait"),
        "{}",
        record.stderr
    );
    assert_eq!(status.code, 0, "{}", status.transcript());
    let after = mentorflow(&["verify", "--store", &store, "--json"]).stdout;
    assert_eq!(before, after, "nothing was applied");
}

#[test]
fn a_time_the_store_cannot_keep_is_refused_before_the_store_is_opened() {
    let (_dir, store) = enrolled("far-time");
    let before = mentorflow(&["verify", "--store", &store, "--json"]).stdout;
    for time in ["-262144-01-01", "10000-01-01T00:00:00Z"] {
        let run = mentorflow(&[
            "record",
            "--store",
            &store,
            "--now",
            time,
            "p-1",
            "buddy_assigned=true",
        ]);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr
                .contains(&format!("`{time}` is out of range; years 0000 to 9999")),
            "{}",
            run.stderr
        );
    }
    let after = mentorflow(&["verify", "--store", &store, "--json"]).stdout;
    assert_eq!(before, after, "nothing was applied");
}

#[test]
fn a_script_printing_without_end_is_bounded_in_every_command_output() {
    let dir = temp("flood");
    // 500 lines of 40 KB each: 20 MB printed by one guard evaluation.
    let guard = "'''let s = \"x\"; for i in 0..15 { s += s; } s = s.sub_string(0, 40000); for i in 0..500 { print(s); } false'''";
    let program = solo_program(&dir, "flood", guard);
    let scenario = dir.join("scenario.toml");
    let text = format!(
        "program = {program:?}\ntype = \"solo\"\nstart = 2026-01-05T09:00:00Z\n\n\
         [[participants]]\nid = \"m\"\nrole = \"mentee\"\n\n\
         [[steps]]\nadvance = true\nrefused = true\n"
    );
    std::fs::write(&scenario, text).expect("write");
    let run = mentorflow(&["simulate", &scenario.to_string_lossy()]);
    assert_eq!(
        run.code,
        0,
        "{}",
        &run.transcript()[..2000.min(run.transcript().len())]
    );
    let printed = run.stdout.len() + run.stderr.len();
    assert!(printed < 200 * 1024, "{printed} bytes of output");
    assert!(
        run.stdout.contains("bytes cut"),
        "the cut is said: {}",
        &run.stdout[..2000.min(run.stdout.len())]
    );
}
