//! The coordinator CLI on a real store: every command's happy path and its error paths, each
//! leaving stored data untouched.

use mentorflow_tests::{mentorflow, with_flags, Run};

struct Store {
    dir: std::path::PathBuf,
    path: String,
}

/// Scratch files: gone with the test, passed or failed.
impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Store {
    fn new(name: &str) -> Store {
        // One folder per store, even for two tests of the same name.
        static STORES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = mentorflow_tests::scratch_dir(&format!("cli-{name}-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("store.db").to_string_lossy().into_owned();
        Store { dir, path }
    }

    fn run(&self, args: &[&str]) -> Run {
        mentorflow(&with_flags(
            args,
            &[
                "--store",
                self.path.as_str(),
                "--actor",
                "tester",
                "--now",
                "2026-01-05T09:00:00Z",
            ],
        ))
    }

    fn enrolled(name: &str) -> Store {
        let s = Store::new(name);
        assert_eq!(s.run(&["init"]).code, 0);
        let run = s.enrol(&[]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        s
    }

    /// Enrols ana and budi in mentoring, one-on-one, with `more` arguments.
    fn enrol(&self, more: &[&str]) -> Run {
        let mut args = vec![
            "enrol",
            "programs/mentoring.toml",
            "--type",
            "one-on-one",
            "--person",
            "mentor=ana,experience_years=12",
            "--person",
            "mentee=budi,experience_years=2",
        ];
        args.extend(more);
        self.run(&args)
    }

    fn log(&self) -> String {
        self.run(&["log", "p-1"]).stdout
    }
}

#[test]
fn a_pairing_is_enrolled_recorded_advanced_and_logged() {
    let s = Store::enrolled("happy");
    assert_eq!(
        s.run(&["record", "p-1", "mentor_assigned=true", "schedule_set=yes"])
            .code,
        0
    );
    let run = s.run(&["advance", "p-1"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("preparation -> orientation"),
        "{}",
        run.stdout
    );
    let status = s.run(&["status", "p-1"]);
    assert!(
        status.stdout.contains("stage: orientation"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("facts.orientation_done = false"),
        "{}",
        status.stdout
    );
    assert_eq!(s.run(&["verify"]).code, 0);
    insta::assert_snapshot!(s.log());
}

#[test]
fn refused_advance_explains_and_stores_nothing() {
    let s = Store::enrolled("refused");
    let before = s.log();
    let run = s.run(&["advance", "p-1"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
    assert_eq!(s.log(), before);
}

#[test]
fn unknown_pairing_gets_a_suggestion() {
    let s = Store::enrolled("unknown");
    let run = s.run(&["status", "p-11"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no pairing `p-11` (did you mean `p-1`?)"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_fact_values_are_refused_and_nothing_is_stored() {
    let s = Store::enrolled("facts");
    let before = s.log();
    for (arg, says) in [
        (
            "metings=3",
            "declares no fact `metings` (did you mean `meetings`?)",
        ),
        ("meetings=many", "`many` is not a whole number"),
        (
            "mentee_rating=9",
            "9 is above the maximum 5 of `mentee_rating`",
        ),
        ("meetings", "is not NAME=VALUE"),
    ] {
        let run = s.run(&["record", "p-1", "goals_total=3", arg]);
        assert_ne!(run.code, 0, "{arg}");
        assert!(run.stderr.contains(says), "{arg}: {}", run.stderr);
    }
    assert_eq!(
        s.log(),
        before,
        "a refused record must store nothing, not even the valid facts"
    );
}

#[test]
fn facts_known_at_enrolment_are_recorded_by_the_same_command() {
    let s = Store::new("enrol-facts");
    assert_eq!(s.run(&["init"]).code, 0);
    let enrol = |facts: &[&str]| {
        let more: Vec<&str> = facts.iter().flat_map(|f| ["--fact", f]).collect();
        s.enrol(&more)
    };
    for (facts, code, says) in [
        (
            &["goals_total=3", "metings=2"][..],
            1,
            "did you mean `meetings`?",
        ),
        (&["meetings=many"][..], 1, "`many` is not a whole number"),
        (&["meetings"][..], 2, "write NAME=VALUE"),
    ] {
        let run = enrol(facts);
        assert_eq!(run.code, code, "{facts:?}: {}", run.transcript());
        assert!(run.stderr.contains(says), "{facts:?}: {}", run.stderr);
    }
    assert_eq!(
        s.run(&["list"]).stdout.matches("p-").count(),
        0,
        "a refused enrolment stores nothing"
    );
    let per_person = s.run(&[
        "enrol",
        "programs/erg-group.toml",
        "--type",
        "group",
        "--person",
        "mentor=ana,erg=pride",
        "--person",
        "mentee=b,erg=pride",
        "--person",
        "mentee=c,erg=pride",
        "--person",
        "mentee=d,erg=pride",
        "--fact",
        "attended=2",
    ]);
    assert_eq!(per_person.code, 1, "{}", per_person.transcript());
    assert!(
        per_person
            .stderr
            .contains("recorded per mentee, not on the pairing: record it once the pairing is enrolled, with `mentorflow record PAIRING --person ID attended=VALUE`"),
        "{}",
        per_person.stderr
    );
    let run = enrol(&["goals_total=3", "meetings=2"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let log = s.log();
    assert!(
        log.contains("#1 ") && log.contains("enrolled in mentoring"),
        "{log}"
    );
    assert!(
        log.contains("#2 ") && log.contains("goals_total = 3"),
        "{log}"
    );
    assert!(log.contains("meetings = 2"), "{log}");
}

#[test]
fn unknown_stage_in_to_gets_a_suggestion() {
    let s = Store::enrolled("to");
    let run = s.run(&["advance", "p-1", "--to", "orientaton"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no stage `orientaton` (did you mean `orientation`?)"),
        "{}",
        run.stderr
    );
}

#[test]
fn forced_move_needs_a_reason_and_is_logged_as_forced() {
    let s = Store::enrolled("force");
    assert_eq!(
        s.run(&["advance", "p-1", "--to", "mentoring", "--force"])
            .code,
        2
    );
    let run = s.run(&[
        "advance",
        "p-1",
        "--to",
        "mentoring",
        "--force",
        "--reason",
        "returning pair",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        s.log()
            .contains("preparation -> mentoring FORCED — reason: returning pair"),
        "{}",
        s.log()
    );
}

#[test]
fn withdrawn_pairings_never_move_again() {
    let s = Store::enrolled("withdraw");
    assert_eq!(s.run(&["withdraw", "p-1", "--reason", "moved"]).code, 0);
    let run = s.run(&["record", "p-1", "meetings=2"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "terminal stage `withdrawn` (outcome: withdrawn): it takes no more facts or moves"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn enrolment_breaking_the_type_rule_is_refused_with_values() {
    let s = Store::new("rule");
    assert_eq!(s.run(&["init"]).code, 0);
    let run = s.run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "reverse",
        "--person",
        "mentor=kiki,grade=10,department=it",
        "--person",
        "mentee=lestari,grade=11,department=it",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
    assert_eq!(s.run(&["list"]).stdout.lines().last(), Some("0 pairings"));
    assert_eq!(
        s.run(&["programs"]).stdout.lines().count(),
        1,
        "a refused enrolment stores no program version"
    );
}

#[test]
fn missing_store_says_to_run_init() {
    let s = Store::new("missing");
    let run = s.run(&["list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("create it with `mentorflow init --store ")
            && run
                .stderr
                .contains("`, or pass --store with an existing store"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let s = Store::new("notdb");
    std::fs::write(&s.path, "this is not sqlite, just text that is long enough to have a header......................................................").expect("write");
    let run = s.run(&["list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a mentorflow store"),
        "{}",
        run.stderr
    );
}

#[test]
fn pairing_keeps_its_program_version_when_the_file_changes() {
    let s = Store::new("version");
    assert_eq!(s.run(&["init"]).code, 0);
    let program = s.dir.join("program.toml");
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("read");
    std::fs::write(&program, &text).expect("write");
    let p = program.to_string_lossy().into_owned();
    let enrol = |s: &Store, a: &str, b: &str| {
        s.run(&[
            "enrol",
            &p,
            "--type",
            "peer",
            "--person",
            &format!("peer={a},grade=3"),
            "--person",
            &format!("peer={b},grade=4"),
        ])
    };
    assert_eq!(enrol(&s, "a", "b").code, 0);
    std::fs::write(
        &program,
        text.replace(
            "guard = \"facts.mentor_assigned && facts.schedule_set\"",
            "guard = \"facts.mentor_assigned\"",
        ),
    )
    .expect("write");
    assert_eq!(enrol(&s, "c", "d").code, 0);
    assert_eq!(s.run(&["record", "p-1", "mentor_assigned=true"]).code, 0);
    assert_eq!(s.run(&["record", "p-2", "mentor_assigned=true"]).code, 0);
    assert_eq!(
        s.run(&["advance", "p-1"]).code,
        1,
        "p-1 runs on the first version, which also needs schedule_set"
    );
    assert_eq!(
        s.run(&["advance", "p-2"]).code,
        0,
        "p-2 runs on the changed version"
    );
    let programs = s.run(&["programs"]);
    assert_eq!(
        programs.stdout.matches("mentoring").count(),
        2,
        "{}",
        programs.stdout
    );
}

#[test]
fn advance_all_moves_every_pairing_whose_guard_holds() {
    let s = Store::enrolled("all");
    let run = s.run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "peer",
        "--person",
        "peer=c,grade=3",
        "--person",
        "peer=d,grade=3",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        s.run(&["record", "p-2", "mentor_assigned=true", "schedule_set=true"])
            .code,
        0
    );
    let run = s.run(&["advance", "--all"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("advanced 1 of 2 active pairings"),
        "{}",
        run.stdout
    );
    let json = s.run(&["list", "--stage", "orientation", "--json"]);
    assert!(json.stdout.contains("\"id\": \"p-2\""), "{}", json.stdout);
}

#[test]
fn tick_marks_overdue_and_fires_timeouts() {
    let s = Store::enrolled("tick");
    let later = |now: &str, args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", s.path.as_str(), "--now", now],
        ))
    };
    let run = later("2026-01-25T09:00:00Z", &["tick"]);
    assert!(
        run.stdout.contains("0 timed out, 1 newly overdue"),
        "{}",
        run.stdout
    );
    assert!(later("2026-01-25T09:00:00Z", &["list", "--overdue"])
        .stdout
        .contains("p-1"));
    let run = later("2026-04-10T09:00:00Z", &["tick"]);
    assert!(run.stdout.contains("1 timed out"), "{}", run.stdout);
    assert!(
        s.log()
            .contains("timed out (transition 7) — reason: no activity for 95 days (last activity 2026-01-05 09:00 UTC; the idle 90d timer was due 2026-04-05 09:00 UTC)"),
        "{}",
        s.log()
    );
    assert_eq!(s.run(&["verify"]).code, 0);
}

#[test]
fn export_csv_has_a_header_and_a_row_per_pairing() {
    let s = Store::enrolled("export");
    let run = s.run(&["export", "--format", "csv"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with(
            "id,label,program,version,type,stage,outcome,reason,enrolled,ended,due,cycle,predecessor,successor,mentee,mentee name,mentor,mentor name,fact:"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn a_roster_is_imported_all_or_nothing() {
    let s = Store::new("import");
    assert_eq!(s.run(&["init"]).code, 0);
    let roster = s.dir.join("roster.csv");
    let good = "pairing,type,role,id,experience_years,grade\n\
                a,one-on-one,mentor,ana,12,\n\
                a,one-on-one,mentee,budi,2,\n\
                b,peer,peer,eko,,5\n\
                b,peer,peer,fajar,,6\n";
    std::fs::write(&roster, good).expect("write");
    let r = roster.to_string_lossy().into_owned();
    let run = s.run(&["import", &r, "--program", "programs/mentoring.toml"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("enrolled 2 pairings"), "{}", run.stdout);
    std::fs::write(&roster, good.replace("fajar,,6", "fajar,,9")).expect("write");
    let run = s.run(&["import", &r, "--program", "programs/mentoring.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("roster.csv:4: pairing `b`: type `peer` refuses these participants"),
        "{}",
        run.stderr
    );
    std::fs::write(&roster, "pairing,type,role,id,grde\nx,peer,peer,a,3\n").expect("write");
    let run = s.run(&["import", &r, "--program", "programs/mentoring.toml"]);
    assert!(
        run.stderr.contains(
            "roster.csv:1: column `grde` is not pairing, type, role, id or an attribute of program `mentoring` (did you mean `grade`?)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        s.run(&["list"]).stdout.lines().last(),
        Some("2 pairings"),
        "refused imports store nothing"
    );
}

/// Makes `path` unwritable even for root (`chattr +i`; tests run as root in CI), and checks
/// that it is.
fn make_read_only(path: &std::path::Path) {
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        let mut perms = std::fs::metadata(path).expect("metadata").permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(path, perms).expect("chmod");
    }
    assert!(
        std::fs::OpenOptions::new().append(true).open(path).is_err(),
        "cannot make {} read-only: as root this test needs chattr (e2fsprogs) on a file system that has it",
        path.display()
    );
}

#[test]
fn a_read_only_store_is_refused_with_a_clear_message_and_left_as_it_was() {
    let s = Store::enrolled("readonly");
    let before = std::fs::read(&s.path).expect("read");
    let path = std::path::PathBuf::from(&s.path);
    make_read_only(&path);
    let run = s.run(&["record", "p-1", "meetings=2"]);
    // Reading a read-only store works: status, list, log and verify.
    let reads: Vec<_> = [&["status", "p-1"][..], &["list"], &["log"], &["verify"]]
        .iter()
        .map(|args| s.run(args))
        .collect();
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&path)
        .status();
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("cannot be written"), "{}", run.stderr);
    for read in reads {
        assert_eq!(
            read.code,
            0,
            "reads work on a read-only store: {}",
            read.transcript()
        );
    }
    assert_eq!(std::fs::read(&s.path).expect("read"), before);
}

#[test]
fn a_command_dated_before_the_latest_event_is_refused() {
    let s = Store::enrolled("backdate");
    let run = mentorflow(&[
        "record",
        "--store",
        &s.path,
        "--now",
        "2025-12-01T09:00:00Z",
        "p-1",
        "meetings=1",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is before p-1's latest event"),
        "{}",
        run.stderr
    );
}

#[test]
fn read_commands_leave_files_that_are_not_stores_alone() {
    let s = Store::new("foreign");
    std::fs::write(&s.path, "").expect("empty file");
    let run = s.run(&["list"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not a mentorflow store"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::metadata(&s.path).expect("meta").len(),
        0,
        "the empty file must stay empty"
    );
    let run = s.run(&["init"]);
    assert!(
        run.stderr.contains("is not a mentorflow store"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_filters_with_unknown_values_get_a_suggestion() {
    let s = Store::enrolled("filters");
    let run = s.run(&["list", "--stage", "mentorign"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("no stored program has stage `mentorign` (did you mean `mentoring`?)"),
        "{}",
        run.stderr
    );
    assert_eq!(s.run(&["list", "--outcome", "active"]).code, 0);
    assert_eq!(
        s.run(&["list", "--type", "one-on-one"])
            .stdout
            .lines()
            .last(),
        Some("1 pairing")
    );
}

#[test]
fn a_stored_version_keeps_its_rhai_files_when_they_change_or_vanish() {
    let s = Store::new("rhai");
    assert_eq!(s.run(&["init"]).code, 0);
    let program = s.dir.join("r.toml");
    std::fs::write(
        &program,
        "[program]\nid = \"r\"\ntitle = \"r\"\ninitial = \"a\"\n[facts.n]\ntype = \"int\"\n\
         [criteria.enough]\nfile = \"c.rhai\"\n[stages.a]\n[stages.b]\noutcome = \"success\"\n\
         [[transitions]]\nfrom = \"a\"\nto = \"b\"\nguard = \"enough\"\n[types.solo]\nroles = { mentee = 1 }\n",
    )
    .expect("write program");
    let rhai = s.dir.join("c.rhai");
    std::fs::write(&rhai, "facts.n >= 1").expect("write script");
    let p = program.to_string_lossy().into_owned();
    assert_eq!(
        s.run(&["enrol", &p, "--type", "solo", "--person", "mentee=x"])
            .code,
        0
    );
    std::fs::write(&rhai, "facts.n >= 100").expect("change script");
    assert_eq!(s.run(&["record", "p-1", "n=1"]).code, 0);
    std::fs::remove_file(&rhai).expect("remove script");
    let run = s.run(&["advance", "p-1"]);
    assert_eq!(
        run.code,
        0,
        "the enrolled version (n >= 1) decides: {}",
        run.transcript()
    );
    assert_eq!(s.run(&["verify"]).code, 0);
}

#[test]
fn a_command_dated_before_an_overdue_note_is_refused() {
    let s = Store::enrolled("overdue-order");
    let at = |now: &str, args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", s.path.as_str(), "--now", now],
        ))
    };
    assert!(at("2026-01-25T09:00:00Z", &["tick"])
        .stdout
        .contains("1 newly overdue"));
    let run = at("2026-01-22T09:00:00Z", &["record", "p-1", "meetings=1"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("is before p-1's latest event (2026-01-25 09:00 UTC)"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_notices_query_columns_that_disagree_with_the_state() {
    let s = Store::enrolled("columns");
    let conn = std::process::Command::new("python3")
        .args(["-c", &format!("import sqlite3; c = sqlite3.connect('{}'); c.execute(\"update pairings set stage = 'evaluation'\"); c.commit()", s.path)])
        .status();
    if !conn.is_ok_and(|st| st.success()) {
        eprintln!("python3 with sqlite3 is not available: not tested");
        return;
    }
    let run = s.run(&["verify"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the stage, outcome, due or program column differs"),
        "{}",
        run.stderr
    );
}

#[test]
fn another_programs_database_is_not_taken_for_a_store() {
    let s = Store::new("other-db");
    let made = std::process::Command::new("python3")
        .args(["-c", &format!("import sqlite3; c = sqlite3.connect('{}'); c.execute('create table x(a)'); c.execute('pragma user_version = 1'); c.commit()", s.path)])
        .status();
    if !made.is_ok_and(|st| st.success()) {
        eprintln!("python3 with sqlite3 is not available: not tested");
        return;
    }
    let before = std::fs::read(&s.path).expect("read");
    let run = s.run(&["list"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not a mentorflow store"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(&s.path).expect("read"),
        before,
        "the file must be left as it was"
    );
}

#[test]
fn list_values_are_recorded_from_array_syntax_or_refused_clearly() {
    let s = Store::new("lists");
    assert_eq!(s.run(&["init"]).code, 0);
    let enrol = s.run(&[
        "enrol",
        "programs/reverse-mentoring.toml",
        "--type",
        "reverse",
        "--person",
        r#"mentor=kiki,grade=3,department=it,topics=["ai-tools"]"#,
        "--person",
        r#"mentee=lestari,grade=12,department=finance,topics=["ai-tools","social-media"]"#,
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    let record = s.run(&["record", "p-1", r#"topics=["ai-tools","social-media"]"#]);
    assert_eq!(record.code, 0, "{}", record.transcript());
    assert!(
        record
            .stdout
            .contains(r#"recorded topics = ["ai-tools", "social-media"]"#),
        "{}",
        record.stdout
    );
    let before = s.log();
    let bad = s.run(&["record", "p-1", r#"topics=["ai-tools","#]);
    assert_eq!(bad.code, 1);
    insta::assert_snapshot!(bad.transcript());
    assert_eq!(s.log(), before);
}

#[test]
fn the_programs_table_stays_aligned_with_a_long_program_id() {
    let s = Store::new("programs-table");
    assert_eq!(s.run(&["init"]).code, 0);
    let text = std::fs::read_to_string("programs/mentoring.toml")
        .expect("read")
        .replace(
            "id = \"mentoring\"",
            "id = \"mentoring-for-the-regional-schools-network\"",
        );
    let program = s.dir.join("long.toml");
    std::fs::write(&program, text).expect("write");
    let program = program.to_string_lossy().into_owned();
    for (mentor, mentee) in [("ana", "budi"), ("citra", "dewi")] {
        let run = s.run(&[
            "enrol",
            &program,
            "--type",
            "one-on-one",
            "--person",
            &format!("mentor={mentor},experience_years=12"),
            "--person",
            &format!("mentee={mentee},experience_years=2"),
        ]);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let run = s.run(&["programs"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    let column = |line: &str| {
        line.find("  ")
            .map(|i| i + line[i..].len() - line[i..].trim_start().len())
    };
    assert_eq!(
        column(lines[0]),
        column(lines[1]),
        "the version column starts at the same place:\n{}",
        run.stdout
    );
}

#[test]
fn an_unreachable_postgres_server_is_a_clear_error_and_no_password_is_shown() {
    let run = mentorflow(&[
        "status",
        "--store",
        "postgres://ana:s3cret@127.0.0.1:1/mentoring",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: cannot connect to postgres://ana:***@127.0.0.1:1/mentoring: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("check that the server is running"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
}

#[test]
fn counters_add_under_the_lock_and_a_signed_value_is_refused() {
    let s = Store::enrolled("counters");
    let add = s.run(&["record", "p-1", "meetings+=2"]);
    assert_eq!(add.code, 0, "{}", add.transcript());
    assert!(
        add.stdout.contains("recorded meetings = 2"),
        "{}",
        add.stdout
    );
    let add = s.run(&["record", "p-1", "meetings+=1", "goals_total=3"]);
    assert!(
        add.stdout
            .contains("recorded meetings = 3, goals_total = 3"),
        "{}",
        add.stdout
    );
    let sub = s.run(&["record", "p-1", "meetings-=1"]);
    assert!(
        sub.stdout.contains("recorded meetings = 2"),
        "{}",
        sub.stdout
    );
    let before = s.log();
    let mut refusals = String::new();
    for arg in [
        "meetings=+1",
        "mentor_assigned+=1",
        "mentee_rating+=1",
        "meetings-=5",
        "meetings+=lots",
    ] {
        let run = s.run(&["record", "p-1", arg]);
        assert_eq!(run.code, 1, "{arg}: {}", run.transcript());
        refusals.push_str(&format!("$ record p-1 {arg}\n{}", run.stderr));
    }
    insta::assert_snapshot!(refusals);
    assert_eq!(s.log(), before, "a refused change stores nothing");
}

#[test]
fn an_import_reports_every_bad_row_at_once_and_a_dry_run_stores_nothing() {
    let s = Store::new("import-all");
    assert_eq!(s.run(&["init"]).code, 0);
    let roster = s.dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,experience_years,grade\n\
         a,one-on-one,mentor,ana,12,\n\
         a,one-on-one,mentee,budi,many,\n\
         b,peer,peer,eko,,5\n\
         b,peer,peer,fajar,,9\n\
         c,one-on-one,mentor,gita\n\
         d,group,mentor,hadi,20,\n",
    )
    .expect("write");
    let r = roster.to_string_lossy().into_owned();
    let run = s.run(&["import", &r, "--program", "programs/mentoring.toml"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let stderr = run.stderr.replace(&r, "roster.csv");
    insta::assert_snapshot!("import_file_problems", stderr);
    // With the file fixed, the refusals of the type rules are all reported too.
    std::fs::write(
        &roster,
        "pairing,type,role,id,experience_years,grade\n\
         a,one-on-one,mentor,ana,1,\n\
         a,one-on-one,mentee,budi,2,\n\
         b,peer,peer,eko,,5\n\
         b,peer,peer,fajar,,9\n\
         c,peer,peer,gita,,3\n\
         c,peer,peer,hadi,,3\n",
    )
    .expect("write");
    for dry in [true, false] {
        let mut args = vec!["import", r.as_str(), "--program", "programs/mentoring.toml"];
        if dry {
            args.push("--dry-run");
        }
        let run = s.run(&args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        let stderr = run.stderr.replace(&r, "roster.csv");
        insta::assert_snapshot!("import_refusals", stderr);
    }
    std::fs::write(
        &roster,
        "pairing,type,role,id,grade\nc,peer,peer,gita,3\nc,peer,peer,hadi,3\n",
    )
    .expect("write");
    let dry = s.run(&[
        "import",
        &r,
        "--program",
        "programs/mentoring.toml",
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    assert!(
        dry.stdout.contains("dry run: 1 pairing from"),
        "{}",
        dry.stdout
    );
    assert_eq!(s.run(&["list"]).stdout.lines().last(), Some("0 pairings"));
}

#[test]
fn facts_from_a_csv_file_are_recorded_all_or_none() {
    let s = Store::enrolled("facts-csv");
    let run = s.run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "peer",
        "--person",
        "peer=c,grade=3",
        "--person",
        "peer=d,grade=4",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let sheet = s.dir.join("facts.csv");
    let before = s.run(&["log"]).stdout;
    std::fs::write(
        &sheet,
        "pairing,meetings,mentor_assigned,mentee_ratng\np-1,+=2,true,\np-2,3,yes,4\n",
    )
    .expect("write");
    let f = sheet.to_string_lossy().into_owned();
    let mut transcript = String::new();
    let run = s.run(&["record", "--from", &f]);
    assert_eq!(run.code, 1);
    transcript.push_str(&run.stderr.replace(&f, "facts.csv"));
    std::fs::write(
        &sheet,
        "pairing,meetings,mentor_assigned\np-1,+=2,true\np-2,3,maybe\np-9,1,true\np-2,1\n",
    )
    .expect("write");
    let run = s.run(&["record", "--from", &f]);
    assert_eq!(run.code, 1);
    transcript.push_str(&run.stderr.replace(&f, "facts.csv"));
    std::fs::write(
        &sheet,
        "pairing,meetings,mentor_assigned\np-1,+=2,true\np-2,3,maybe\np-9,1,true\n",
    )
    .expect("write");
    let run = s.run(&["record", "--from", &f]);
    assert_eq!(run.code, 1);
    transcript.push_str(&run.stderr.replace(&f, "facts.csv"));
    insta::assert_snapshot!(transcript);
    assert_eq!(
        s.run(&["log"]).stdout,
        before,
        "refused sheets store nothing"
    );
    std::fs::write(
        &sheet,
        "pairing,meetings,mentor_assigned\np-1,+=2,true\np-2,3,\np-1,+=1,\n",
    )
    .expect("write");
    let run = s.run(&["record", "--from", &f]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("recorded 3 rows on 2 pairings"),
        "{}",
        run.stdout
    );
    let status = s.run(&["status", "p-1"]);
    assert!(status.stdout.contains("meetings=3"), "{}", status.stdout);
}

#[test]
fn a_fact_for_a_later_stage_warns_and_status_shows_the_types_own_facts() {
    let s = Store::enrolled("later-fact");
    let run = s.run(&["record", "p-1", "mentee_rating=4", "mentor_assigned=true"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.stderr);
    let status = s.run(&["status", "p-1"]);
    assert!(
        status.stdout.contains("facts: mentor_assigned=true"),
        "{}",
        status.stdout
    );
    assert!(
        !status.stdout.contains("video_ready"),
        "only virtual pairings read video_ready:\n{}",
        status.stdout
    );
}

#[test]
fn times_are_read_with_or_without_a_zone_or_relative_and_shown_with_their_zone() {
    let s = Store::enrolled("times");
    let at = |now: &str| mentorflow(&["status", "--store", &s.path, "--now", now]);
    let zoned = at("2026-03-01T10:00:00+02:00");
    assert!(
        zoned.stdout.contains("at 2026-03-01 08:00 UTC"),
        "{}",
        zoned.stdout
    );
    // Without a zone: this machine's (the tests run where it is UTC, like CI).
    let local = at("2026-03-01T08:00");
    assert_eq!(local.code, 0, "{}", local.transcript());
    assert!(
        local
            .stdout
            .starts_with("1 pairing, 1 overdue, at 2026-03-01"),
        "{}",
        local.stdout
    );
    for relative in ["now", "+1w", "-3d", "+2h", "-1mo"] {
        let run = at(relative);
        assert_eq!(run.code, 0, "{relative}: {}", run.transcript());
    }
    for (bad, why) in [
        ("yesterday", "is not a time"),
        ("99999-01-01", "is out of range; years 0000 to 9999"),
        ("+3 weeks", "`weeks` is not a unit; write `3w`"),
    ] {
        let run = at(bad);
        assert_eq!(run.code, 2, "{bad}: {}", run.transcript());
        assert!(run.stderr.contains(why), "{}", run.stderr);
    }
    let status = mentorflow(&[
        "status",
        "--store",
        &s.path,
        "--now",
        "2026-01-25T09:00:00Z",
        "p-1",
    ]);
    assert!(status.stdout.contains("(2w 6d)"), "{}", status.stdout);
    assert!(status.stdout.contains("OVERDUE by 6d"), "{}", status.stdout);
}

#[test]
fn a_pairing_pinned_to_an_older_version_says_so() {
    let s = Store::new("pinned");
    assert_eq!(s.run(&["init"]).code, 0);
    let program = s.dir.join("program.toml");
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("read");
    std::fs::write(&program, &text).expect("write");
    let p = program.to_string_lossy().into_owned();
    let enrol = s.run(&[
        "enrol",
        &p,
        "--type",
        "peer",
        "--person",
        "peer=a,grade=3",
        "--person",
        "peer=b,grade=4",
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    // The file gains a fact, and with it a new version.
    let newer = text.replace(
        "[facts.video_ready]",
        "[facts.checkins]\ntype = \"int\"\ndefault = 0\ndescription = \"Check-ins held\"\n\n[facts.video_ready]",
    ).replace("guard = \"facts.meetings >= 6\"", "guard = \"facts.meetings >= 6 && facts.checkins >= 0\"");
    std::fs::write(&program, newer).expect("write");
    let record = s.run(&["record", "p-1", "checkins=1"]);
    assert_eq!(record.code, 1, "{}", record.transcript());
    let stderr = record.stderr.replace(&p, "program.toml");
    insta::assert_snapshot!(stderr);
    let status = s.run(&["status", "p-1"]);
    assert!(
        status.stdout.contains("has changed since"),
        "{}",
        status.stdout
    );
    let list = s.run(&["list"]);
    assert!(list.stdout.contains("(file changed)"), "{}", list.stdout);
}

#[test]
fn a_store_in_a_read_only_folder_is_read_and_the_refusal_names_the_folder() {
    let s = Store::enrolled("readonly-folder");
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&s.dir)
        .status()
        .is_ok_and(|st| st.success());
    assert!(immutable, "chattr +i is needed for this test (e2fsprogs)");
    let record = s.run(&["record", "p-1", "meetings=2"]);
    let status = s.run(&["status", "p-1"]);
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&s.dir)
        .status();
    assert_eq!(record.code, 1, "{}", record.transcript());
    assert!(
        record.stderr.contains("and of its folder"),
        "{}",
        record.stderr
    );
    assert_eq!(status.code, 0, "{}", status.transcript());
}

#[test]
fn list_by_person_shows_their_pairings_running_and_ended() {
    let s = Store::enrolled("person");
    let second = s.run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=ana,experience_years=12",
        "--person",
        "mentee=citra,experience_years=1",
    ]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let ended = s.run(&["withdraw", "p-1", "--reason", "moved"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    let ana = s.run(&["list", "--person", "ana"]);
    assert!(
        ana.stdout.contains("p-1") && ana.stdout.contains("p-2"),
        "{}",
        ana.stdout
    );
    let citra = s.run(&["list", "--person", "citra"]);
    assert!(
        !citra.stdout.contains("p-1") && citra.stdout.contains("p-2"),
        "{}",
        citra.stdout
    );
    let nobody = s.run(&["list", "--person", "zed", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&nobody.stdout).expect("json");
    assert_eq!(doc["pairings"], serde_json::json!([]), "{}", nobody.stdout);
}

#[test]
fn the_demo_replaces_only_an_earlier_demo_store() {
    let s = Store::enrolled("demo-own");
    let before = s.log();
    let run = s.run(&["demo"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("holds work that is not the demo's (p-1 by tester)"),
        "{}",
        run.stderr
    );
    assert_eq!(s.log(), before, "the coordinator's store is untouched");
    let demo = s.dir.join("demo.db").to_string_lossy().into_owned();
    for _ in 0..2 {
        let run = mentorflow(&["demo", "--store", &demo]);
        assert_eq!(
            run.code,
            0,
            "an earlier demo's store is replaced: {}",
            run.transcript()
        );
    }
    let notes = s.dir.join("notes.txt");
    std::fs::write(&notes, "not a store").expect("write notes");
    let run = mentorflow(&["demo", "--store", &notes.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("is not a mentorflow store"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&notes).ok().as_deref(),
        Some("not a store")
    );
}

#[test]
fn events_stamped_after_the_clock_are_pointed_out() {
    let s = Store::new("ahead");
    let path = s.path.as_str();
    let on_clock = |args: &[&str]| mentorflow(&with_flags(args, &["--store", path]));
    assert_eq!(on_clock(&["init"]).code, 0);
    let enrol = on_clock(&[
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
    let ahead = on_clock(&["record", "p-1", "meetings=1", "--now", "+30d"]);
    assert_eq!(ahead.code, 0, "{}", ahead.transcript());
    assert!(
        !ahead.stderr.contains("later than the clock"),
        "a time given is meant"
    );
    let next = on_clock(&["record", "p-1", "meetings=2"]);
    assert_eq!(next.code, 0, "{}", next.transcript());
    assert!(
        next.stderr.contains("later than the clock") && next.stderr.contains("pass --now"),
        "{}",
        next.stderr
    );
}
