//! Tester flows: every scenario under tests/flows/ runs deterministically; its transcript is
//! snapshotted.

use mentorflow_tests::{mentorflow, relative};

#[test]
fn every_flow_scenario_passes_and_matches_its_snapshot() {
    insta::glob!("flows", "**/*.toml", |path| {
        let run = mentorflow(&["simulate", &relative(path)]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        insta::assert_snapshot!(run.transcript());
    });
}

#[test]
fn simulate_is_deterministic() {
    let a = mentorflow(&[
        "simulate",
        "--json",
        "tests/flows/mentoring/one-on-one-second-cycle.toml",
    ]);
    let b = mentorflow(&[
        "simulate",
        "--json",
        "tests/flows/mentoring/one-on-one-second-cycle.toml",
    ]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn scenarios_that_must_fail_do_fail_and_say_why() {
    insta::glob!("fixtures/scenarios", "*.toml", |path| {
        let run = mentorflow(&["simulate", &relative(path)]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(run.stdout.contains("FAILED"), "{}", run.transcript());
        insta::assert_snapshot!(run.transcript());
    });
}

#[test]
fn json_with_coverage_is_one_valid_document() {
    let run = mentorflow(&[
        "simulate",
        "--json",
        "--coverage",
        "tests/flows/mentoring/peer-happy.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.trim_start().starts_with('{') && run.stdout.trim_end().ends_with('}'),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"coverage\""), "{}", run.stdout);
    assert_eq!(run.stdout.matches("\"scenarios\"").count(), 1);
}

/// A scenario's steps are the store's own commands: `extended.toml` simulated, and the same
/// steps run one by one on a store with the command line, log the same events (the same
/// kinds, facts, times, actor and version) and enrol the same successor.
#[test]
fn a_scenario_logs_what_the_same_commands_log_on_a_store() {
    let scenario = "tests/flows/leadership-cohort/extended.toml";
    let simulated = mentorflow(&["simulate", "--json", scenario]);
    assert_eq!(simulated.code, 0, "{}", simulated.transcript());
    let simulated: serde_json::Value = serde_json::from_str(&simulated.stdout).expect("json");
    let dir = mentorflow_tests::scratch_dir("scenario-as-store");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let at = |now: &str, args: &[&str]| {
        let mut line = args.to_vec();
        line.extend(["--store", &store, "--actor", "coordinator", "--now", now]);
        mentorflow(&line)
    };
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let start = "2026-01-05T09:00:00Z";
    let steps: &[(&str, &[&str], u8)] = &[
        (
            start,
            &[
                "enrol",
                "programs/leadership-cohort.toml",
                "--type",
                "one-on-one",
                "--person",
                "mentor=ana,grade=9,department=finance",
                "--person",
                "mentee=bo,grade=5,department=sales",
            ],
            0,
        ),
        (start, &["record", "p-1", "kickoff_held=true"], 0),
        (start, &["advance", "p-1"], 0),
        (start, &["record", "p-1", "goals_total=1"], 0),
        (start, &["advance", "p-1"], 1),
        (start, &["record", "p-1", "goals_total=3"], 0),
        (start, &["advance", "p-1"], 0),
        ("2026-02-05T09:00:00Z", &["done", "p-1", "meeting"], 0),
        ("2026-03-05T09:00:00Z", &["done", "p-1", "meeting"], 0),
        ("2026-04-05T09:00:00Z", &["done", "p-1", "meeting"], 0),
        ("2026-05-05T09:00:00Z", &["done", "p-1", "meeting"], 0),
        ("2026-06-05T09:00:00Z", &["done", "p-1", "meeting"], 0),
        ("2026-06-05T09:00:00Z", &["advance", "p-1"], 0),
        (
            "2026-06-05T09:00:00Z",
            &["record", "p-1", "goals_met=3", "mentee_rating=5"],
            0,
        ),
        (
            "2026-06-05T09:00:00Z",
            &["record", "p-1", "--person", "ana", "continue_together=true"],
            0,
        ),
        (
            "2026-06-05T09:00:00Z",
            &["record", "p-1", "--person", "bo", "continue_together=true"],
            0,
        ),
        ("2026-06-05T09:00:00Z", &["advance", "p-1"], 0),
    ];
    for (now, args, code) in steps {
        let run = at(now, args);
        assert_eq!(run.code, *code, "{args:?}: {}", run.transcript());
    }
    let logged = mentorflow(&["log", "p-1", "--json", "--store", &store]);
    assert_eq!(logged.code, 0, "{}", logged.transcript());
    let logged: serde_json::Value = serde_json::from_str(&logged.stdout).expect("json");
    let simulated_events = &simulated["scenarios"][0]["events"];
    assert_eq!(simulated_events.as_array().map(Vec::len), Some(17));
    assert_eq!(&logged["events"], simulated_events);
    // The successor the scenario shows is the one the store enrolled.
    let successor = mentorflow(&["status", "p-2", "--json", "--store", &store]);
    assert_eq!(successor.code, 0, "{}", successor.transcript());
    let successor: serde_json::Value = serde_json::from_str(&successor.stdout).expect("json");
    assert_eq!(successor["pairing"]["predecessor"], "p-1");
    assert_eq!(successor["pairing"]["type"], "extension");
}
