//! `mentorflow store copy` moves a store between SQLite and PostgreSQL, both ways, byte for
//! byte: the copy verifies and reads exactly as the original.

#[path = "../engine/tests/support/postgres.rs"]
mod server;

use mentorflow_tests::mentorflow;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = mentorflow_tests::scratch_dir(&format!("copy-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn log(store: &str) -> String {
    let run = mentorflow(&["log", "--store", store]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run.stdout
}

#[test]
fn postgres_a_store_copied_to_postgres_and_back_reads_the_same() {
    let dir = temp("round-trip");
    let original = dir.join("original.db");
    std::fs::copy("tests/fixtures/store/v1-store.db", &original).expect("copy fixture");
    let original = original.to_string_lossy().into_owned();
    let url = server::server().fresh_database("copy_round_trip");
    let there = mentorflow(&["store", "copy", &original, &url]);
    assert_eq!(there.code, 0, "{}", there.transcript());
    assert!(
        there
            .stdout
            .starts_with("copied 1 program version, 16 events and 4 pairings"),
        "{}",
        there.stdout
    );
    assert_eq!(log(&url), log(&original));
    // The copy is a working store: it continues where the original stood.
    let advance = mentorflow(&[
        "advance",
        "--store",
        &url,
        "--now",
        "2026-05-02T09:00:00Z",
        "p-1",
    ]);
    assert_eq!(advance.code, 0, "{}", advance.transcript());
    // ... and the people registry travels with it.
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "id,name,manager
ana,Ana,
bo,Bo,ana
",
    )
    .expect("people");
    let imported = mentorflow(&[
        "people",
        "import",
        "--store",
        &url,
        &people.to_string_lossy(),
    ]);
    assert_eq!(imported.code, 0, "{}", imported.transcript());
    let back = dir.join("back.db").to_string_lossy().into_owned();
    let again = mentorflow(&["store", "copy", &url, &back]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(log(&back), log(&url));
    assert_eq!(mentorflow(&["verify", "--store", &back]).code, 0);
    let registry = |store: &str| mentorflow(&["people", "list", "--store", store]).stdout;
    assert!(
        registry(&back).contains("bo   Bo    ana"),
        "{}",
        registry(&back)
    );
    assert_eq!(registry(&back), registry(&url));
}

#[test]
fn postgres_a_copy_refuses_a_damaged_source_and_a_store_with_data() {
    let dir = temp("refused");
    let damaged = dir.join("damaged.db");
    std::fs::copy("tests/fixtures/store/v1-store.db", &damaged).expect("copy fixture");
    let damaged = damaged.to_string_lossy().into_owned();
    let tamper = std::process::Command::new("python3")
        .args([
            "-c",
            &format!("import sqlite3; c = sqlite3.connect('{damaged}'); c.execute(\"update events set body = replace(body, 'ana', 'eve') where id = 1\"); c.commit()"),
        ])
        .status()
        .expect("python3 with sqlite3 tampers with the copy");
    assert!(tamper.success());
    let url = server::server().fresh_database("copy_refused");
    let run = mentorflow(&["store", "copy", &damaged, &url]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("does not verify"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was copied"), "{}", run.stderr);
    // Opening a store upgrades its schema: copy from a copy, never from the committed fixture.
    let good = dir.join("good.db");
    std::fs::copy("tests/fixtures/store/v1-store.db", &good).expect("copy fixture");
    let good = good.to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["store", "copy", &good, &url]).code, 0);
    let twice = mentorflow(&["store", "copy", &good, &url]);
    assert_eq!(twice.code, 1, "{}", twice.transcript());
    assert!(
        twice
            .stderr
            .contains("exists already; store copy makes a new store"),
        "{}",
        twice.stderr
    );
}
