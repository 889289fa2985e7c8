//! Schedules on a real store (issue 10): `status` shows the next due check-in and survey, a
//! tick past a missed check-in logs it once, `done` records an occurrence (when, with facts),
//! and `list` finds pairings with missed or soon-due occurrences.

use mentorflow_tests::{mentorflow, ramping_sales_pairing, with_flags};

/// The pairing of [`ramping_sales_pairing`]: 1:1s weekly for 8 weeks then every 2 (grace 2
/// days), pulse surveys at day 14, 45 and 90 (grace 5 days), all from enrolment.
fn store(name: &str) -> impl Fn(&str, &[&str]) -> mentorflow_tests::Run {
    ramping_sales_pairing(&format!("schedules-{name}"))
}

#[test]
fn status_shows_the_next_due_check_in_and_survey() {
    let run = store("status");
    let status = run("2026-01-06T09:00:00Z", &["status", "p-1"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    for line in [
        "schedules:\n",
        "  one_on_one (every 1w for 8w, then every 2w from enrolment): 0 of 0 due done (0 on time); next #1 due 2026-01-12 09:00 UTC (in 6d)\n",
        "  pulse_survey (at 14d, 45d, 90d from enrolment): 0 of 0 due done (0 on time); next #1 due 2026-01-19 09:00 UTC (in 13d)\n",
    ] {
        assert!(status.stdout.contains(line), "{line}{}", status.stdout);
    }
}

#[test]
fn a_missed_check_in_is_logged_once_and_done_counts_for_the_next() {
    let run = store("missed");
    // The first 1:1 was due 2026-01-12 09:00; with 2 days' grace it is missed after the 14th.
    let early = run("2026-01-14T09:00:00Z", &["tick"]);
    assert_eq!(early.code, 0, "{}", early.transcript());
    let first = run("2026-01-15T09:00:00Z", &["tick"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let second = run("2026-01-16T09:00:00Z", &["tick"]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let log = run("2026-01-16T09:00:00Z", &["log", "p-1"]).stdout;
    assert_eq!(log.matches("MISSED one_on_one #1").count(), 1, "{log}");
    let missed = run("2026-01-16T09:00:00Z", &["list", "--missed"]);
    assert!(missed.stdout.contains("p-1"), "{}", missed.stdout);

    // Held on the 16th: it counts for #2 (due the 19th), on time.
    let done = run(
        "2026-01-16T10:00:00Z",
        &["done", "p-1", "one_on_one", "--on", "2026-01-16T09:00:00Z"],
    );
    assert_eq!(done.code, 0, "{}", done.transcript());
    assert!(
        done.stdout
            .contains("done one_on_one #2 on 2026-01-16 09:00 UTC"),
        "{}",
        done.stdout
    );
    // The day-14 survey, with its score, recorded as a fact too.
    let survey = run(
        "2026-01-19T10:00:00Z",
        &["done", "p-1", "pulse_survey", "pulse_score=4"],
    );
    assert_eq!(survey.code, 0, "{}", survey.transcript());
    let status = run("2026-01-19T10:00:00Z", &["status", "p-1"]);
    assert!(status.stdout.contains("pulse_score=4"), "{}", status.stdout);
    assert!(
        status.stdout.contains("one_on_one (every 1w for 8w, then every 2w from enrolment): 1 of 2 due done (1 on time), 1 MISSED; next #3 due 2026-01-26 09:00 UTC"),
        "{}",
        status.stdout
    );
    let soon = run("2026-01-19T10:00:00Z", &["list", "--due-within", "7d"]);
    assert!(soon.stdout.contains("p-1"), "{}", soon.stdout);
    let verify = run("2026-01-19T10:00:00Z", &["verify"]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
}

#[test]
fn a_wrong_done_says_what_is_wrong_and_stores_nothing() {
    let run = store("wrong");
    let before = run("2026-01-06T09:00:00Z", &["log"]).stdout;
    for (args, says) in [
        (
            &["done", "p-1", "one_on_ones"][..],
            "program `sales-onboarding` has no schedule `one_on_ones` (did you mean `one_on_one`?)",
        ),
        (
            &["done", "p-1", "one_on_one", "pulse_score=4"],
            "schedule `one_on_one` records no facts; record `pulse_score` with `mentorflow record`",
        ),
        (
            &["done", "p-1", "pulse_survey", "pulse_score=9"],
            "pulse_score",
        ),
        (
            &["done", "p-1", "one_on_one", "--on", "2026-02-01"],
            "--on is later than the command's time",
        ),
        (
            &["done", "p-1", "one_on_one", "--on", "2025-12-24"],
            "--on is before p-1 was enrolled (2026-01-05 09:00 UTC)",
        ),
    ] {
        let wrong = run("2026-01-06T09:00:00Z", args);
        assert_eq!(wrong.code, 1, "{args:?}: {}", wrong.transcript());
        assert!(wrong.stderr.contains(says), "{args:?}: {}", wrong.stderr);
    }
    assert_eq!(run("2026-01-06T09:00:00Z", &["log"]).stdout, before);
}

#[test]
fn a_type_may_declare_its_own_schedule_in_place_of_the_programs() {
    let dir = mentorflow_tests::scratch_dir("schedules-type");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", store.as_str(), "--now", "2026-01-05T09:00:00Z"],
        ))
    };
    let program = "programs/new-hire-buddy.toml";
    for args in [
        &["init"][..],
        &[
            "enrol",
            program,
            "--type",
            "on-site",
            "--person",
            "buddy=rina,location=jakarta,tenure_months=24,manager_id=m1",
            "--person",
            "new_hire=sari,location=jakarta,tenure_months=0,manager_id=m2",
        ],
        &[
            "enrol",
            program,
            "--type",
            "cohort",
            "--person",
            "buddy=fani,location=jakarta,tenure_months=24",
            "--person",
            "new_hire=gani,location=jakarta,tenure_months=0",
            "--person",
            "new_hire=heru,location=jakarta,tenure_months=0",
        ],
        &["record", "p-1", "start_date=2026-01-05"],
        &["record", "p-2", "start_date=2026-01-05"],
    ] {
        let done = run(args);
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
    let on_site = run(&["status", "p-1"]).stdout;
    assert!(
        on_site
            .contains("buddy_meeting (every 1w for 4w, then every 2w from the date in start_date)"),
        "{on_site}"
    );
    let cohort = run(&["status", "p-2"]).stdout;
    assert!(
        cohort.contains("buddy_meeting (every 2w from the date in start_date): 0 of 0 due done (0 on time); next #1 due 2026-01-19 00:00 UTC"),
        "{cohort}"
    );
}
