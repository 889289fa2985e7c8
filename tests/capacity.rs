//! `[capacity] counted_from` (issue 31, item 5): a pending request is not an active relation.
//! Pairings still in an earlier stage do not count, enrolling one more is allowed, and the move
//! into the counted stage is refused while a person has no room (nothing stored).

use mentorflow_tests::{mentorflow, scratch_dir, with_flags, Run};

fn store() -> impl Fn(&[&str]) -> Run {
    let dir = scratch_dir("capacity-counted-from");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", path.as_str(), "--now", "2026-01-05T09:00:00Z"],
        ))
    }
}

/// Enrols coach ana with coachee `who` and records what intake needs.
fn requested(run: &impl Fn(&[&str]) -> Run, who: &str) {
    let coachee = format!("coachee={who},experience_years=4,job_family=support,manager_id=mgr-9");
    let enrolled = run(&[
        "enrol",
        "programs/coaching.toml",
        "--type",
        "one-on-one",
        "--person",
        "coach=ana,experience_years=7,job_family=support,manager_id=mgr-1",
        "--person",
        &coachee,
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
}

fn intake_done(run: &impl Fn(&[&str]) -> Run, pairing: &str) {
    let recorded = run(&[
        "record",
        pairing,
        "problem_area=customer",
        "kpi_name=tickets",
        "baseline_score=60",
        "kpi_baseline=20",
    ]);
    assert_eq!(recorded.code, 0, "{}", recorded.transcript());
}

#[test]
fn requests_do_not_count_and_the_move_into_the_counted_stage_is_checked() {
    let run = store();
    assert_eq!(run(&["init"]).code, 0);
    // Three requests for a coach who may take two: all accepted while in intake.
    for who in ["bo", "cy", "di"] {
        requested(&run, who);
    }
    for p in ["p-1", "p-2", "p-3"] {
        intake_done(&run, p);
    }
    assert_eq!(run(&["advance", "p-1"]).code, 0);
    assert_eq!(run(&["advance", "p-2"]).code, 0);
    let before = run(&["log"]).stdout;
    let third = run(&["advance", "p-3"]);
    assert_eq!(third.code, 1, "{}", third.transcript());
    assert!(
        third.stderr.contains(
            "cannot move p-3 into `contracting`: [capacity] counts pairings from `contracting` on"
        ),
        "{}",
        third.stderr
    );
    assert!(
        third
            .stderr
            .contains("ana already takes part as coach in 2 running pairings of this program (p-1, p-2), and [capacity] allows 2"),
        "{}",
        third.stderr
    );
    assert_eq!(run(&["log"]).stdout, before, "nothing was stored");
    let status = run(&["status", "p-3"]);
    assert!(status.stdout.contains("stage: intake"), "{}", status.stdout);

    // `advance --all` leaves it where it is, the others go on; a fourth request is welcome.
    let all = run(&["advance", "--all"]);
    assert_eq!(all.code, 3, "one pairing refused: {}", all.transcript());
    assert!(
        all.stderr
            .contains("error: p-3: cannot move p-3 into `contracting`"),
        "{}",
        all.stderr
    );
    requested(&run, "ed");

    // Once a coaching ends, the request moves on.
    let ended = run(&["withdraw", "p-1", "--reason", "moved"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    let moved = run(&["advance", "p-3"]);
    assert_eq!(moved.code, 0, "{}", moved.transcript());
}
