//! Reason codes (issue 10): a program that declares them requires one on every withdrawal and
//! forced move (with did-you-mean), and status, list and export show and count them.

use mentorflow_tests::{mentorflow, with_flags, Run};

fn store(name: &str) -> impl Fn(&[&str]) -> Run {
    let dir = mentorflow_tests::scratch_dir(&format!("reasons-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", path.as_str(), "--now", "2026-01-05T09:00:00Z"],
        ))
    };
    for args in [
        &["init"][..],
        &[
            "enrol",
            "programs/sales-onboarding.toml",
            "--type",
            "virtual",
            "--person",
            "mentor=kai,region=apac",
            "--person",
            "mentee=lena,region=emea",
        ],
    ] {
        let done = run(args);
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
    run
}

#[test]
fn a_withdrawal_must_give_one_of_the_programs_reason_codes() {
    let run = store("codes");
    let before = run(&["log"]).stdout;
    let wrong = run(&["withdraw", "p-1", "--reason", "lft: joined a competitor"]);
    assert_eq!(wrong.code, 1, "{}", wrong.transcript());
    assert!(
        wrong.stderr.contains(
            "`lft` is not a reason code of program `sales-onboarding` (did you mean `left`?)"
        ),
        "{}",
        wrong.stderr
    );
    let forced = run(&[
        "advance", "p-1", "--to", "ramping", "--force", "--reason", "urgent",
    ]);
    assert_eq!(forced.code, 1, "{}", forced.transcript());
    assert!(
        forced.stderr.contains("known: left, role-change"),
        "{}",
        forced.stderr
    );
    assert_eq!(run(&["log"]).stdout, before, "nothing was stored");

    let ok = run(&["withdraw", "p-1", "--reason", "left: joined a competitor"]);
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    let status = run(&["status", "p-1"]);
    assert!(
        status
            .stdout
            .contains("outcome: withdrawn — reason: left: joined a competitor"),
        "{}",
        status.stdout
    );
    let board = run(&["status"]);
    assert!(board.stdout.contains("left (1)"), "{}", board.stdout);
    let listed = run(&["list", "--reason", "left"]);
    assert!(listed.stdout.contains("p-1"), "{}", listed.stdout);
    let none = run(&["list", "--reason", "not-a-fit"]);
    assert!(!none.stdout.contains("p-1"), "{}", none.stdout);
    let csv = run(&["export", "--format", "csv", "--what", "pairings"]);
    assert!(
        csv.stdout.contains(",withdrawn,left: joined a competitor,"),
        "{}",
        csv.stdout
    );
}
