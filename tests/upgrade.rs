//! A store written by the 0.1.0 release (before stage changes became one `moved` event) opens,
//! verifies, reads the same, and continues after the upgrade: a migration, not a reset.

use std::path::PathBuf;

use mentorflow_tests::{mentorflow, with_flags};

const FIXTURE: &str = "tests/fixtures/store/v1-store.db";

/// A copy of the fixture in a temp folder: the committed file is never written.
fn copy(name: &str) -> String {
    let dir: PathBuf = mentorflow_tests::scratch_dir(&format!("upgrade-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db");
    std::fs::copy(FIXTURE, &path).expect("copy fixture");
    path.to_string_lossy().into_owned()
}

#[test]
fn an_old_store_verifies_and_its_log_reads_as_it_did() {
    let store = copy("read");
    let verify = mentorflow(&["verify", "--store", &store]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
    assert!(
        verify
            .stdout
            .starts_with("ok: 16 events, hash chain intact, every pairing equals the fold of its events\nchain head: "),
        "{}",
        verify.stdout
    );
    let log = mentorflow(&["log", "--store", &store]);
    assert_eq!(log.code, 0, "{}", log.transcript());
    let old = std::fs::read_to_string("tests/fixtures/store/v1-store.log").expect("old log");
    // Times now show their zone; apart from that, every line reads as 0.1.0 printed it.
    assert_eq!(
        log.stdout.replace(" UTC", ""),
        old,
        "the log reads as 0.1.0 printed it"
    );
}

#[test]
fn an_old_store_continues_after_the_upgrade() {
    let store = copy("continue");
    let run = |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", store.as_str(), "--actor", "upgrader"],
        ))
    };
    // The upgrade indexed who takes part in the pairings stored before it: the same people
    // again are refused, naming the old pairing.
    let again = run(&[
        "enrol",
        "--now",
        "2026-05-02T08:00:00Z",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=ana,experience_years=9",
        "--person",
        "mentee=budi,experience_years=1",
    ]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert!(
        again
            .stderr
            .contains("the same people already take part in running pairing p-1"),
        "{}",
        again.stderr
    );
    let advance = run(&["advance", "--now", "2026-05-02T09:00:00Z", "p-1"]);
    assert_eq!(advance.code, 0, "{}", advance.transcript());
    assert_eq!(
        advance.stdout,
        "#8 2026-05-02 09:00 UTC p-1 by upgrader: goal_setting -> mentoring (transition 3)\n"
    );
    let record = run(&[
        "record",
        "--now",
        "2026-05-02T10:00:00Z",
        "p-2",
        "meetings=6",
    ]);
    assert_eq!(record.code, 0, "{}", record.transcript());
    let advance = run(&["advance", "--now", "2026-05-02T11:00:00Z", "p-2"]);
    assert_eq!(advance.code, 0, "{}", advance.transcript());
    let tick = run(&["tick", "--now", "2026-09-01T09:00:00Z"]);
    assert_eq!(tick.code, 0, "{}", tick.transcript());
    let verify = run(&["verify"]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
    // Old and new events side by side in one chain: the old kinds as stored, the new as `moved`.
    let log = run(&["log", "p-1", "--json"]);
    assert!(
        log.stdout.contains("\"event\": \"moved\""),
        "{}",
        log.stdout
    );
    let enrol = run(&[
        "enrol",
        "--now",
        "2026-05-03T09:00:00Z",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=ida,experience_years=9",
        "--person",
        "mentee=joko,experience_years=1",
    ]);
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    assert!(
        enrol.stdout.starts_with("enrolled p-5 "),
        "{}",
        enrol.stdout
    );
    assert_eq!(run(&["verify"]).code, 0);
}
