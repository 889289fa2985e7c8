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
