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
