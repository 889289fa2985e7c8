//! Issue 30, item 7: a program may declare a stage a pause (`pause = true`). Going back from
//! it resumes the stage paused: the stage's clock, due time and check-ins move on by the
//! pause, its `on_enter` notice is not sent again, no new goal cycle starts. Without
//! `pause`, the same moves restart the stage (the control).

use mentorflow_tests::{mentorflow, scratch_dir, with_flags, Run};

const PAUSING: &str = "tests/fixtures/store/pausing.toml";

/// Enrols a coachee on `program`, pauses for 30 days, resumes; the status and the outbox.
fn pause_and_resume(name: &str, program: &str) -> (String, String) {
    let dir = scratch_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let at = |now: &str, args: &[&str]| -> Run {
        let run = mentorflow(&with_flags(args, &["--store", &store, "--now", now]));
        assert_eq!(run.code, 0, "{args:?}\n{}", run.transcript());
        run
    };
    at("2026-01-01", &["init"]);
    at(
        "2026-01-01",
        &["enrol", program, "--type", "solo", "--person", "runner=cy"],
    );
    at("2026-01-30", &["done", "p-1", "check_in"]);
    at("2026-02-10", &["record", "p-1", "on_leave=true"]);
    at("2026-02-10", &["advance", "p-1"]);
    at("2026-03-12", &["record", "p-1", "on_leave=false"]);
    at("2026-03-12", &["advance", "p-1"]);
    assert!(at("2026-03-13", &["verify"]).stdout.starts_with("ok:"));
    (
        at("2026-03-13", &["status", "p-1"]).stdout,
        at("2026-03-13", &["outbox"]).stdout,
    )
}

#[test]
fn a_resumed_stage_keeps_its_clock_and_does_not_welcome_again() {
    let (status, outbox) = pause_and_resume("pause", PAUSING);
    // Entered on 1 January, paused 30 days: its clock counts from 31 January.
    assert!(
        status.contains("stage: coaching since 2026-01-31"),
        "{status}"
    );
    assert!(status.contains(", cycle 1\n"), "{status}");
    assert!(status.contains("due: 2026-04-01 00:00 UTC"), "{status}");
    assert!(status.contains("days_in_stage = 41"), "{status}");
    // The check-in held before the pause still counts; the next falls due 30 days later.
    assert!(
        status.contains("1 of 1 due done (1 on time); next #2 due 2026-04-01"),
        "{status}"
    );
    assert_eq!(outbox.matches("welcome p-1").count(), 1, "{outbox}");
}

#[test]
fn without_pause_going_back_restarts_the_stage() {
    let text = std::fs::read_to_string(PAUSING).expect("program");
    let plain = text.replace("pause = true\n", "");
    assert_ne!(plain, text);
    let dir = scratch_dir("no-pause-program");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("plain.toml");
    std::fs::write(&file, plain).expect("write");
    let (status, outbox) = pause_and_resume("no-pause", &file.to_string_lossy());
    assert!(
        status.contains("stage: coaching since 2026-03-12"),
        "{status}"
    );
    assert!(status.contains(", cycle 2\n"), "{status}");
    assert_eq!(outbox.matches("welcome p-1").count(), 2, "{outbox}");
}
