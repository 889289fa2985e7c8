//! Script libraries at work: a program's guards, type rules and matching scores call library
//! functions (a file beside the program and the standard ones), and a stored program version
//! keeps the libraries it was enrolled with when the files change.

use std::path::{Path, PathBuf};

use mentorflow_tests::{mentorflow, with_flags, Run};

/// A copy of the clean libraries fixture (program and its library) in a fresh folder, with a
/// store, and a way to run commands on it at a time.
fn setup(name: &str) -> (PathBuf, String, impl Fn(&str, &[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("lib-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    for file in ["clean_libraries.toml", "library_helpers.rhai"] {
        std::fs::copy(fixtures.join(file), dir.join(file)).expect("copy");
    }
    let program = dir
        .join("clean_libraries.toml")
        .to_string_lossy()
        .into_owned();
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |now: &str, args: &[&str]| {
        mentorflow(&with_flags(args, &["--store", &store, "--now", now]))
    };
    (dir, program, run)
}

fn enrol(run: &impl Fn(&str, &[&str]) -> Run, program: &str, offsets: [i64; 3]) -> Run {
    let people = [
        format!("mentor=ana,utc_offset={},department=sales", offsets[0]),
        format!("mentee=bo,utc_offset={},department=legal", offsets[1]),
        format!("mentee=cy,utc_offset={},department=finance", offsets[2]),
    ];
    run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol", program, "--type", "group", "--person", &people[0], "--person", &people[1],
            "--person", &people[2],
        ],
    )
}

#[test]
fn guards_and_rules_call_library_functions_when_they_run() {
    let (_dir, program, run) = setup("run");
    assert_eq!(run("2026-01-05T09:00:00Z", &["init"]).code, 0);
    // The type rule (std:people) refuses a mentee of the mentor's own department.
    let same = run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol",
            &program,
            "--type",
            "group",
            "--person",
            "mentor=ana,utc_offset=1,department=sales",
            "--person",
            "mentee=bo,utc_offset=1,department=sales",
            "--person",
            "mentee=cy,utc_offset=2,department=legal",
        ],
    );
    assert_eq!(same.code, 1, "{}", same.transcript());
    assert!(same.stderr.contains("count_with"), "{}", same.stderr);
    let enrolled = enrol(&run, &program, [1, 2, 3]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    // The guard (library_helpers.rhai and std:time): six meetings and two shared hours.
    let early = run("2026-01-06T09:00:00Z", &["record", "p-1", "meetings=5"]);
    assert_eq!(early.code, 0, "{}", early.transcript());
    let refused = run("2026-01-06T09:00:00Z", &["advance", "p-1"]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(refused.stderr.contains("at_least"), "{}", refused.stderr);
    run("2026-01-07T09:00:00Z", &["record", "p-1", "meetings=6"]);
    let moved = run("2026-01-07T09:00:00Z", &["advance", "p-1"]);
    assert_eq!(moved.code, 0, "{}", moved.transcript());
    assert!(moved.stdout.contains("start -> done"), "{}", moved.stdout);
}

#[test]
fn a_stored_version_keeps_its_libraries_when_the_files_change() {
    let (dir, program, run) = setup("pinned");
    assert_eq!(run("2026-01-05T09:00:00Z", &["init"]).code, 0);
    assert_eq!(enrol(&run, &program, [1, 2, 3]).code, 0);
    let before = run("2026-01-05T09:00:00Z", &["programs", "--json"]).stdout;
    // The library file now makes the guard impossible; the running pairing is not affected.
    std::fs::write(
        dir.join("library_helpers.rhai"),
        "fn at_least(value, minimum) {\n    false\n}\n",
    )
    .expect("write");
    run("2026-01-07T09:00:00Z", &["record", "p-1", "meetings=6"]);
    let moved = run("2026-01-07T09:00:00Z", &["advance", "p-1"]);
    assert_eq!(moved.code, 0, "{}", moved.transcript());
    assert_eq!(
        run("2026-01-07T09:00:00Z", &["programs", "--json"]).stdout,
        before
    );
    assert_eq!(run("2026-01-07T09:00:00Z", &["verify"]).code, 0);
    // A new enrolment reads the files as they are now: another version.
    let again = enrol(&run, &program, [1, 2, 3]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    let versions = run("2026-01-07T09:00:00Z", &["programs", "--json"]).stdout;
    let doc: serde_json::Value = serde_json::from_str(&versions).expect("json");
    assert_eq!(
        doc["programs"].as_array().map(Vec::len),
        Some(2),
        "{versions}"
    );
}

#[test]
fn the_standard_libraries_work_as_documented() {
    let engine = mentorflow_dsl::sandbox::engine(mentorflow_dsl::sandbox::Limits::default());
    let mut ast = engine
        .compile(mentorflow_dsl::libraries::standard("std:people").expect("std:people"))
        .expect("compiles");
    ast = ast.merge(
        &engine
            .compile(mentorflow_dsl::libraries::standard("std:time").expect("std:time"))
            .expect("compiles"),
    );
    let eval = |script: &str| -> String {
        let all = ast.merge(&engine.compile(script).expect(script));
        engine
            .eval_ast::<rhai::Dynamic>(&all)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    };
    let people = r#"let p = [#{id: "a", erg: "pride", utc_offset: 1}, #{id: "b", erg: "pride", utc_offset: 9}, #{id: "c", utc_offset: -5}];"#;
    for (script, expected) in [
        ("all_have(p, \"erg\")", "false"),
        ("all_have(p, \"utc_offset\")", "true"),
        ("count_with(p, \"erg\", \"pride\")", "2"),
        ("share_with(p, \"erg\", \"pride\") > 0.66", "true"),
        ("share_with([], \"erg\", \"pride\")", "0.0"),
        ("same_for_all(p, \"erg\")", "false"),
        ("same_for_all([], \"erg\")", "true"),
        ("ids(p)", "[\"a\", \"b\", \"c\"]"),
        ("distinct(p, \"erg\")", "1"),
        ("distinct(p, \"utc_offset\")", "3"),
        ("distinct([], \"erg\")", "0"),
        ("spread(p, \"utc_offset\")", "14"),
        ("spread(p, \"grade\")", "0"),
        // Durations from numbers, for dates: `weeks(n)`, `n * "1w"`.
        (
            "(date(\"2026-01-05\") + weeks(2)).to_string()",
            "2026-01-19",
        ),
        (
            "(date(\"2026-01-05\") + 3 * \"1d\").to_string()",
            "2026-01-08",
        ),
        ("shared_hours(p[0], p[1])", "0"),
        ("shared_hours(p[0], p[0])", "8"),
        ("fewest_shared_hours([p[0]], [p[1], p[2]])", "0"),
        (
            "weeks_between(date(\"2026-01-05\"), date(\"2026-02-02\"))",
            "4",
        ),
        ("is_weekend(date(\"2026-01-10\"))", "true"),
        ("is_weekend(date(\"2026-01-12\"))", "false"),
    ] {
        assert_eq!(eval(&format!("{people} {script}")), expected, "{script}");
    }
}
