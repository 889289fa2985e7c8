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

#[test]
fn a_transition_that_lists_reasons_is_taken_only_with_one_and_the_code_is_counted() {
    let run = store("transition");
    let plan = run(&[
        "record",
        "p-1",
        "ramp_plan_agreed=true",
        "end_date=2026-04-06",
    ]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert_eq!(run(&["advance", "p-1"]).code, 0);
    let deal = run(&[
        "record",
        "p-1",
        "first_deal_closed=true",
        "pipeline_eur=120000",
    ]);
    assert_eq!(deal.code, 0, "{}", deal.transcript());
    let before = run(&["log"]).stdout;

    // The early closure holds but is a coordinator's call: --all leaves it, a plain advance
    // and another code are refused, naming the codes; nothing is stored.
    let all = run(&["advance", "--all"]);
    assert_eq!(all.code, 0, "{}", all.transcript());
    assert!(all.stdout.contains("advanced 0 of 1"), "{}", all.stdout);
    let plain = run(&["advance", "p-1", "--to", "ramped"]);
    assert_eq!(plain.code, 1, "{}", plain.transcript());
    assert!(
        plain.stderr.contains(
            "transition 9 to `ramped` needs a reason: one of ramped-early; add --reason ramped-early"
        ),
        "{}",
        plain.stderr
    );
    let other = run(&["advance", "p-1", "--reason", "left"]);
    assert_eq!(other.code, 1, "{}", other.transcript());
    assert!(
        other
            .stderr
            .contains("`left` is not one of its codes (ramped-early)"),
        "{}",
        other.stderr
    );
    let typo = run(&["advance", "p-1", "--reason", "ramped-erly"]);
    assert_eq!(typo.code, 1, "{}", typo.transcript());
    assert!(
        typo.stderr.contains("did you mean `ramped-early`?"),
        "{}",
        typo.stderr
    );
    assert_eq!(run(&["log"]).stdout, before, "nothing was stored");

    let ok = run(&[
        "advance",
        "p-1",
        "--to",
        "ramped",
        "--reason",
        "ramped-early: first deal in week 3",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    let status = run(&["status", "p-1"]);
    assert!(
        status
            .stdout
            .contains("outcome: success — reason: ramped-early: first deal in week 3"),
        "{}",
        status.stdout
    );
    let listed = run(&["list", "--reason", "ramped-early"]);
    assert!(listed.stdout.contains("p-1"), "{}", listed.stdout);
}

#[test]
fn a_withdraw_transition_that_lists_codes_refuses_the_others() {
    let run = store("withdraw-codes");
    let early = run(&["withdraw", "p-1", "--reason", "ramped-early"]);
    assert_eq!(early.code, 1, "{}", early.transcript());
    assert!(
        early.stderr.contains(
            "transition 8 to `withdrawn` needs a reason: `ramped-early` is not one of its codes"
        ),
        "{}",
        early.stderr
    );
    let left = run(&["withdraw", "p-1", "--reason", "left"]);
    assert_eq!(left.code, 0, "{}", left.transcript());
}

#[test]
fn a_date_fact_moves_by_a_duration_and_nothing_else() {
    let run = store("date-moves");
    assert_eq!(run(&["record", "p-1", "end_date=2026-01-31"]).code, 0);
    let later = run(&["record", "p-1", "end_date+=1mo"]);
    assert_eq!(later.code, 0, "{}", later.transcript());
    assert!(
        later.stdout.contains("end_date = 2026-02-28"),
        "calendar months: {}",
        later.stdout
    );
    let back = run(&["record", "p-1", "end_date-=2w"]);
    assert!(
        back.stdout.contains("end_date = 2026-02-14"),
        "{}",
        back.stdout
    );
    let before = run(&["log"]).stdout;
    for (change, says) in [
        (
            "end_date+=5h",
            "`5h` is in hours: a date moves by a number of days, weeks or months",
        ),
        ("end_date+=3", "`3` has no unit: a date moves by"),
        ("end_date-=400000w", "is too long"),
        ("ramp_plan_agreed+=1w", "move date facts by a duration"),
    ] {
        let refused = run(&["record", "p-1", change]);
        assert_eq!(refused.code, 1, "{change}: {}", refused.transcript());
        assert!(
            refused.stderr.contains(says),
            "{change}: {}",
            refused.stderr
        );
    }
    let floor = run(&["record", "p-1", "end_date-=100mo"]);
    assert_eq!(floor.code, 1, "{}", floor.transcript());
    assert!(floor.stderr.contains("2020-01-01"), "min: {}", floor.stderr);
    assert_eq!(run(&["log"]).stdout, before, "nothing was stored");
}
