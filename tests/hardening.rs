//! Hardening, round two (issue 28): what an attack on the newer surfaces found, each case a
//! test that failed before its fix. Each hostile input is stopped with a clear message,
//! leaves the store as it was, and shows nothing private.

use std::path::{Path, PathBuf};
use std::process::Command;

use mentorflow_tests::mentorflow;

// As in the `mentorflow` binary, which these tests run in-process: allocations are counted, so
// a script's memory is bounded and a program's can be measured.
#[global_allocator]
static ALLOCATOR: mentorflow_engine::Counting = mentorflow_engine::Counting(std::alloc::System);

fn temp(name: &str) -> PathBuf {
    let dir = mentorflow_tests::scratch_dir(&format!("hardening-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The shipped mentoring program, copied into `dir` with `libraries = [library]`.
fn program_with_library(dir: &Path, library: &str) -> String {
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("shipped program");
    let text = text.replacen(
        "[program]\n",
        &format!("[program]\nlibraries = [\"{library}\"]\n"),
        1,
    );
    let path = dir.join("program.toml");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Nothing of the machine's environment or its password file is in `text`.
fn shows_nothing_private(text: &str) {
    for secret in ["PATH=", "HOME=", "root:", "/bin/"] {
        assert!(!text.contains(secret), "`{secret}` leaked:\n{text}");
    }
}

#[test]
fn a_library_linked_to_the_environment_or_the_password_file_is_refused_unread() {
    for target in ["/proc/self/environ", "/etc/passwd"] {
        let dir = temp("library-link");
        let program = program_with_library(&dir, "env.rhai");
        std::os::unix::fs::symlink(target, dir.join("env.rhai")).expect("link");
        let run = mentorflow(&["check", &program]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(
                "cannot read library `env.rhai`: it resolves outside the program's folder"
            ),
            "{}",
            run.stderr
        );
        shows_nothing_private(&run.transcript());
    }
}

#[test]
fn a_library_named_by_an_absolute_path_or_leaving_the_folder_is_refused() {
    let outside = temp("library-outside");
    std::fs::write(outside.join("lib.rhai"), "fn leak() { \"root:x:0:0\" }").expect("write");
    let dir = temp("library-absolute");
    for name in [
        outside.join("lib.rhai").to_string_lossy().into_owned(),
        "../hardening-library-outside/lib.rhai".to_string(),
    ] {
        let program = program_with_library(&dir, &name);
        let run = mentorflow(&["check", &program]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains("resolves outside the program's folder"),
            "{}",
            run.stderr
        );
        shows_nothing_private(&run.transcript());
    }
}

#[test]
fn a_library_that_is_a_fifo_is_refused_without_waiting() {
    let dir = temp("library-fifo");
    let program = program_with_library(&dir, "pipe.rhai");
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.rhai"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let run = mentorflow(&["check", &program]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

/// A scenario in `dir` naming `program`.
fn scenario_naming(dir: &Path, program: &str) -> String {
    let path = dir.join("scenario.toml");
    std::fs::write(
        &path,
        format!(
            "description = \"x\"\nprogram = \"{program}\"\ntype = \"one-on-one\"\n\
             start = 2026-01-05T09:00:00Z\n\n[[participants]]\nid = \"a\"\nrole = \"mentor\"\n\
             attributes = {{ experience_years = 12 }}\n\n[[participants]]\nid = \"b\"\n\
             role = \"mentee\"\nattributes = {{ experience_years = 2 }}\n"
        ),
    )
    .expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_scenario_naming_a_file_that_is_no_program_is_refused_unread() {
    let dir = temp("scenario-program");
    std::os::unix::fs::symlink("/etc/passwd", dir.join("linked.toml")).expect("link");
    for program in ["/etc/passwd", "linked.toml", "/proc/self/environ"] {
        let scenario = scenario_naming(&dir, program);
        let run = mentorflow(&["simulate", &scenario]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(&format!(
                "its program `{program}` cannot be used: it is not a .toml file"
            )),
            "{}",
            run.stderr
        );
        shows_nothing_private(&run.transcript());
    }
    // The shipped programs are still named from elsewhere, as the flows do.
    let shipped = std::fs::canonicalize("programs/mentoring.toml").expect("shipped");
    let scenario = scenario_naming(&dir, &shipped.to_string_lossy());
    let run = mentorflow(&["simulate", &scenario]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}

#[test]
fn a_mapping_that_is_a_device_or_a_fifo_is_refused_and_nothing_migrates() {
    let (dir, run) = mentorflow_tests::fresh_store("hardening-mapping");
    let enrol = run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=ana,experience_years=12",
        "--person",
        "mentee=budi,experience_years=2",
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    let before = run(&["log"]).stdout;
    let fifo = dir.join("mapping.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for mapping in ["/dev/zero".to_string(), fifo.to_string_lossy().into_owned()] {
        let migrate = run(&[
            "migrate",
            "--to",
            "programs/mentoring.toml",
            "--mapping",
            &mapping,
        ]);
        assert_eq!(migrate.code, 1, "{}", migrate.transcript());
        assert!(
            migrate.stderr.contains(&format!(
                "cannot read mapping {mapping}: it is not a regular file"
            )),
            "{}",
            migrate.stderr
        );
    }
    assert_eq!(run(&["log"]).stdout, before);
}

#[test]
fn a_password_in_a_store_url_is_never_shown() {
    for (url, secret) in [
        ("mysql://root:s3cret@db/x", "s3cret"),
        ("POSTGRES://ana:s3cret@127.0.0.1:1/x", "s3cret"),
        ("postgres://ana@127.0.0.1:1/x?password=s3cret", "s3cret"),
        ("postgres://ana:p@ss-tail@127.0.0.1:1/x", "ss-tail"),
        ("HTTP://ana:s3cret@example.org/", "s3cret"),
    ] {
        for args in [
            &["status", "--store", url][..],
            &["init", "--store", url],
            &["store", "copy", url, "/nonexistent/copy.db"],
            &["status", "--store", url, "--json"],
        ] {
            let run = mentorflow(args);
            assert_ne!(run.code, 0, "{}", run.transcript());
            assert!(
                !run.transcript().contains(secret),
                "{args:?} showed the password:\n{}",
                run.transcript()
            );
        }
    }
    let run = mentorflow(&["status", "--store", "mysql://root:s3cret@db/x"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("`mysql://` is no store mentorflow can use"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failing_exec_command_line_is_not_stored_with_the_notice() {
    let (_dir, run) = mentorflow_tests::fresh_store("hardening-exec-token");
    let roster = std::env::temp_dir().join(format!("hardening-roster-{}.csv", std::process::id()));
    std::fs::write(&roster, "pairing,role,id\n0,runner,ana\n").expect("roster");
    let import = run(&[
        "import",
        &roster.to_string_lossy(),
        "--program",
        "tests/fixtures/store/notifying.toml",
        "--type",
        "solo",
    ]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    let deliver = run(&[
        "outbox",
        "deliver",
        "--exec",
        "send --token s3cr3t-t0ken; exit 9",
    ]);
    assert_eq!(deliver.code, 3, "{}", deliver.transcript());
    assert!(
        deliver
            .stderr
            .contains("the --exec command failed: exit status 9"),
        "{}",
        deliver.stderr
    );
    let outbox = run(&["outbox", "--all", "--json"]);
    assert!(outbox.stdout.contains("exit status 9"), "{}", outbox.stdout);
    assert!(!outbox.transcript().contains("s3cr3t"), "{}", outbox.stdout);
    assert!(!deliver.transcript().contains("s3cr3t"));
    let empty = run(&["outbox", "deliver", "--exec", "  "]);
    assert_eq!(empty.code, 2, "{}", empty.transcript());
    assert!(empty.stderr.contains("--exec is empty"), "{}", empty.stderr);
    let _ = std::fs::remove_file(roster);
}

/// Item 10: colour marks only what the renderers mark, never user text, and never JSON or CSV.
#[test]
fn colour_never_reaches_data() {
    let dir = temp("colour");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--store", store.as_str()]);
        mentorflow(&all)
    };
    assert_eq!(run(&["init"]).code, 0);
    for (mentor, mentee) in [("ana", "budi"), ("cy", "di")] {
        let mentor = format!("mentor={mentor},experience_years=12");
        let mentee = format!("mentee={mentee},experience_years=2");
        let enrol = run(&[
            "enrol",
            "programs/mentoring.toml",
            "--type",
            "one-on-one",
            "--person",
            &mentor,
            "--person",
            &mentee,
            "--now",
            "2026-03-02T09:00:00Z",
        ]);
        assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    }
    let reason = "FAIL: OVERDUE and MISSED, FORCED";
    let withdraw = run(&[
        "withdraw", "p-1", "--reason", reason, "--json", "--color", "always",
    ]);
    assert_eq!(withdraw.code, 0, "{}", withdraw.transcript());
    let doc: serde_json::Value = serde_json::from_str(&withdraw.stdout).expect("plain JSON");
    assert!(doc.to_string().contains(reason));
    let late = ["--color", "always", "--now", "2027-01-01T09:00:00Z"];
    for args in [
        &[
            "export", "--format", "csv", "--what", "events", "--color", "always",
        ][..],
        &["export", "--format", "csv", "--color", "always"],
        &["log", "p-1", "--json", "--color", "always"],
        &[&["status", "--json"][..], &late].concat(),
        &[&["list", "--json"][..], &late].concat(),
    ] {
        let out = run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.transcript());
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stdout.contains("\\u0001"),
            "{args:?} coloured data:\n{}",
            out.stdout
        );
    }
    // In text, the reason is data: shown as written; the overdue mark is coloured.
    let log = run(&["log", "p-1", "--color", "always"]);
    assert!(
        log.stdout.contains(reason) && !log.stdout.contains('\u{1b}'),
        "{}",
        log.stdout
    );
    let status = run(&[&["status", "p-2"][..], &late].concat());
    assert!(
        status.stdout.contains("\u{1b}[1;31mOVERDUE\u{1b}[0m"),
        "{}",
        status.stdout
    );
    let plain = run(&[
        "status",
        "p-2",
        "--color",
        "never",
        "--now",
        "2027-01-01T09:00:00Z",
    ]);
    assert!(
        plain.stdout.contains("OVERDUE")
            && !plain.stdout.contains('\u{1b}')
            && !plain.stdout.contains('\u{1}'),
        "{}",
        plain.stdout
    );
}

/// Item 6: a template deep enough to overflow the stack is refused by `check` (every command
/// loading the program used to crash).
#[test]
fn a_template_that_would_overflow_the_stack_is_refused_at_check() {
    let notifying =
        std::fs::read_to_string("tests/fixtures/store/notifying.toml").expect("fixture");
    for body in [
        format!("{{{{ {} pairing.id }}}}", "not ".repeat(30_000)),
        format!("{{{{ pairing.id{} }}}}", "|abs".repeat(100_000)),
        format!("{{{{ pairing{} }}}}", ".id".repeat(5_000)),
        format!("{{{{ pairing.id{} }}}}", " ~ pairing.id".repeat(1_000)),
    ] {
        let dir = temp("template");
        let program = dir.join("program.toml");
        let text = notifying.replace("body = \"done\"", &format!("body = '{body}'"));
        std::fs::write(&program, text).expect("write");
        let run = mentorflow(&["check", &program.to_string_lossy()]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr.contains(
                "error[E044]: the body of notification `finished` is not a valid template"
            ) && run.stderr.contains(" more than "),
            "{}",
            run.stderr
        );
    }
}

/// Item 8: the outbox is derived from the chained `notified` events, and verify names every
/// row that differs from them.
#[test]
fn verify_recomputes_the_outbox_from_the_log() {
    let (dir, run) = mentorflow_tests::fresh_store("hardening-verify-outbox");
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,role,id\n0,runner,ana\n1,runner,bo\n2,runner,cy\n",
    )
    .expect("roster");
    let import = run(&[
        "import",
        &roster.to_string_lossy(),
        "--program",
        "tests/fixtures/store/notifying.toml",
        "--type",
        "solo",
    ]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    assert_eq!(run(&["advance", "--all"]).code, 0);
    let clean = run(&["verify"]);
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    let db = rusqlite::Connection::open(dir.join("store.db")).expect("open");
    db.execute_batch(
        "DELETE FROM outbox WHERE id = 1;
         UPDATE outbox SET delivered_at = '2026-03-02T09:00:00Z' WHERE id = 2;
         UPDATE outbox SET claimed_until = '9999-12-31T23:59:59.000Z' WHERE id = 3;
         UPDATE outbox SET queued_at = '2020-01-01T00:00:00Z' WHERE id = 4;
         INSERT INTO outbox (pairing, seq, queued_at, attempts) VALUES ('p-1', 1, '2026-03-02T09:00:00Z', 0);",
    )
    .expect("tamper");
    let verify = run(&["verify"]);
    assert_eq!(verify.code, 1, "{}", verify.transcript());
    let said = verify.transcript();
    for expected in [
        "p-1 #2: a notification in the log is missing from the outbox",
        "outbox #2: marked delivered, but no delivery was ever attempted",
        "outbox #3: held until 9999-12-31T23:59:59.000Z, longer than any deliverer's lease",
        "outbox #4: queued at 2020-01-01T00:00:00Z, but its notification was sent at",
        "outbox #7: names p-1 #1, which is no notification in the log",
    ] {
        assert!(said.contains(expected), "missing `{expected}`:\n{said}");
    }
    assert!(
        !said.contains("outbox #5") && !said.contains("outbox #6"),
        "{said}"
    );
}

/// Item 9: a reporting line that loops through more than 64 people is refused as a short
/// loop is (it was cut at 64 and accepted).
#[test]
fn a_reporting_line_ring_longer_than_64_is_refused() {
    let (dir, run) = mentorflow_tests::fresh_store("hardening-ring");
    let mut sheet = String::from("id,name,manager\n");
    for i in 0..70 {
        sheet.push_str(&format!("p{i},P {i},p{}\n", (i + 1) % 70));
    }
    let path = dir.join("ring.csv");
    std::fs::write(&path, sheet).expect("sheet");
    let refused = run(&["people", "import", &path.to_string_lossy()]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("p0: the reporting line is longer than 64 managers"),
        "{}",
        refused.stderr
    );
    assert!(run(&["people", "list"]).stdout.contains("nobody yet"));
}

/// The notifying fixture with `welcome` sent by `on_enter` as `action`, and its body `body`.
fn notifying_with(dir: &Path, action: &str, body: &str) -> String {
    let text = std::fs::read_to_string("tests/fixtures/store/notifying.toml").expect("fixture");
    let text = text
        .replace(
            "on_enter = 'notify(\"welcome\")'",
            &format!("on_enter = '{action}'"),
        )
        .replace(
            "body = \"{{ participants[0].id }} starts\"",
            &format!("body = '{body}'"),
        );
    let path = dir.join("program.toml");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Item 9: one command cannot fill the outbox: a notice renders to 64 KiB at most, and an
/// action gives 50 effects at most; the enrolment is refused and nothing is stored.
#[test]
fn a_notice_too_large_or_too_many_is_refused_and_nothing_is_stored() {
    let dir = temp("notice-bounds");
    let huge_body =
        "{% for i in range(2000) %}{{ participants[0].id }}{{ \"x\" * 100 }}{% endfor %}";
    let many = format!("[{}]", vec!["notify(\"welcome\")"; 60].join(", "));
    for (action, body, problem) in [
        (
            "notify(\"welcome\")",
            huge_body,
            "more than the 65536 a notice may hold",
        ),
        (
            many.as_str(),
            "hi",
            "gave 60 effects, more than the 50 one action may give",
        ),
    ] {
        let program = notifying_with(&dir, action, body);
        let check = mentorflow(&["check", &program]);
        assert_eq!(check.code, 0, "{}", check.transcript());
        let store = dir.join("store.db");
        let _ = std::fs::remove_file(&store);
        let store = store.to_string_lossy().into_owned();
        assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
        let enrol = mentorflow(&[
            "enrol",
            "--store",
            &store,
            &program,
            "--type",
            "solo",
            "--person",
            "runner=ana",
        ]);
        assert_eq!(enrol.code, 1, "{}", enrol.transcript());
        assert!(enrol.stderr.contains(problem), "{}", enrol.stderr);
        let outbox = mentorflow(&["outbox", "--all", "--store", &store]);
        assert!(
            outbox.stdout.contains("no notification yet"),
            "{}",
            outbox.transcript()
        );
    }
}

/// Item 9: a program's scripts share its libraries' functions: a 0.9 MB library is held once,
/// not once per guard and per part of a guard (mentoring.toml held 93 MB with it, now 13 MB:
/// the library's own syntax tree and the program's source copies).
#[test]
fn a_large_library_is_held_once_per_program() {
    let dir = temp("big-library");
    let mut library = String::new();
    let mut n = 0;
    while library.len() < 900 * 1024 {
        library.push_str(&format!(
            "// helper {n}: a documented function, as a real library has\nfn helper_{n}(x) {{ x + {n} > 0 }}\n"
        ));
        n += 1;
    }
    std::fs::write(dir.join("lib.rhai"), &library).expect("library");
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("shipped");
    let text = text.replacen("[program]\n", "[program]\nlibraries = [\"lib.rhai\"]\n", 1);
    let path = dir.join("program.toml");
    std::fs::write(&path, text).expect("write");
    let before = mentorflow_engine::allocated_here();
    let loaded = mentorflow_dsl::load(&path);
    let held = mentorflow_engine::allocated_here() - before;
    let program = loaded.program.expect("the program loads");
    let scripts = program
        .transitions
        .iter()
        .filter(|t| t.guard.is_some())
        .count()
        + program.criteria.len();
    assert!(
        held < 20 * library.len() as i64,
        "{scripts} scripts hold {held} bytes with a {} byte library",
        library.len()
    );
    drop(program);
}
