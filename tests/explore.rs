//! Property runs (`simulate --explore`): seeded random walks through a cohort, the program's
//! invariants checked after every step. On the shipped program they all hold; on a copy with
//! a planted bug the walk that breaks one is found, shrunk and written out as a scenario that
//! fails the same way under plain `simulate`.

use mentorflow_tests::{mentorflow, scratch_dir};

#[test]
fn the_shipped_program_keeps_its_invariants_on_random_walks() {
    let run = mentorflow(&[
        "simulate",
        "--explore",
        "40",
        "--seed",
        "1",
        "tests/flows/mentoring/cohort-three-types.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("every invariant held: withdrawn_has_reason, completed_is_successful"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_planted_violation_is_found_shrunk_and_written_as_a_scenario_that_fails() {
    let dir = scratch_dir("explore-planted");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("found.toml");
    let out_text = out.to_string_lossy().into_owned();
    let explore = || {
        mentorflow(&[
            "simulate",
            "--explore",
            "200",
            "--seed",
            "1",
            "--out",
            &out_text,
            "tests/fixtures/explore/cohort.toml",
        ])
    };
    let run = explore();
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("invariant `withdrawn_has_reason` broke on p-1")
            && run.stdout.contains("shrunk to 1 step:"),
        "{}",
        run.stdout
    );
    // The written scenario: the cohort's own steps, then the one step that breaks it.
    let written = std::fs::read_to_string(&out).expect("written");
    let shown: String = written
        .lines()
        .map(|l| match l.starts_with("program = ") {
            true => {
                "program = \"(relative path to tests/fixtures/explore/mentoring-planted.toml)\""
            }
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(shown);
    // Simulated as it is, it fails the same way, at its last step.
    let again = mentorflow(&["simulate", &out_text]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert!(
        again
            .stdout
            .contains("FAILED at step 11: invariant `withdrawn_has_reason`"),
        "{}",
        again.stdout
    );
    // The same seed walks the same steps.
    assert_eq!(explore().stdout, run.stdout);
}

#[test]
fn exploring_says_what_it_needs() {
    // A program without invariants has nothing to look for.
    let none = mentorflow(&[
        "simulate",
        "--explore",
        "5",
        "tests/flows/erg-group/cohort-losing-members.toml",
    ]);
    assert_eq!(none.code, 1, "{}", none.transcript());
    assert!(
        none.stderr.contains("declares no [[invariants]]"),
        "{}",
        none.stderr
    );
    // One scenario at a time.
    let two = mentorflow(&[
        "simulate",
        "--explore",
        "5",
        "tests/flows/mentoring/peer-happy.toml",
        "tests/flows/mentoring/group-withdraw.toml",
    ]);
    assert_eq!(two.code, 2, "{}", two.transcript());
    // --seed means nothing without --explore.
    let seed = mentorflow(&[
        "simulate",
        "--seed",
        "3",
        "tests/flows/mentoring/peer-happy.toml",
    ]);
    assert_eq!(seed.code, 2, "{}", seed.transcript());
}
