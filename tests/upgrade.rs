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

/// A pairing whose state was stored before occurrences kept their values (issue 31): its
/// dones are there, their values are not. It verifies, and the next command stores it with
/// the values, read from its events.
#[test]
fn a_state_stored_before_occurrence_values_verifies_and_gets_them_from_the_log() {
    let dir = mentorflow_tests::scratch_dir("upgrade-occurrence-values");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let run = |args: &[&str], now: &str| {
        mentorflow_tests::mentorflow(&mentorflow_tests::with_flags(
            args,
            &["--store", store.as_str(), "--now", now],
        ))
    };
    let enrol = [
        "enrol",
        "programs/sales-onboarding.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=kai,region=apac",
        "--person",
        "mentee=lena,region=apac",
    ];
    for args in [&["init"][..], &enrol[..]] {
        let done = run(args, "2026-01-05T09:00:00Z");
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
    let later = "2026-01-20T09:00:00Z";
    let survey = run(&["done", "p-1", "pulse_survey", "pulse_score=4"], later);
    assert_eq!(survey.code, 0, "{}", survey.transcript());
    let state = |db: &rusqlite::Connection| -> serde_json::Value {
        let text: String = db
            .query_row("SELECT state FROM pairings WHERE id = 'p-1'", [], |r| {
                r.get(0)
            })
            .expect("state");
        serde_json::from_str(&text).expect("json")
    };
    let values =
        |db: &rusqlite::Connection| state(db)["schedules"]["pulse_survey"]["values"].clone();

    // As an earlier version stored it: no values beside the dones.
    let db = rusqlite::Connection::open(&store).expect("open");
    let stored = values(&db);
    assert!(stored.is_object(), "{stored}");
    let mut json = state(&db);
    for s in json["schedules"]
        .as_object_mut()
        .expect("schedules")
        .values_mut()
    {
        s.as_object_mut().expect("schedule").remove("values");
    }
    db.execute(
        "UPDATE pairings SET state = ?1 WHERE id = 'p-1'",
        [json.to_string()],
    )
    .expect("update");
    assert_eq!(values(&db), serde_json::Value::Null);

    let verified = run(&["verify"], later);
    assert_eq!(verified.code, 0, "{}", verified.transcript());
    let next = run(&["record", "p-1", "pipeline_eur=1000"], later);
    assert_eq!(next.code, 0, "{}", next.transcript());
    assert_eq!(values(&db), stored, "filled from the log");
    let verified = run(&["verify"], later);
    assert_eq!(verified.code, 0, "{}", verified.transcript());
}
