//! Issue 30, item 5: views name people by the registry's display names (and e-mail where the
//! registry has an `email` attribute), ids kept beside them; JSON keeps the id fields scripts
//! key on and adds `name` and `email`.

use mentorflow_tests::{mentorflow, scratch_dir, with_flags, Run};

/// A store with a registry of three runners (two named, one with an e-mail) and three
/// pairings of the notifying fixture, each welcomed and finished.
fn store(name: &str) -> (std::path::PathBuf, impl Fn(&[&str]) -> Run) {
    let dir = scratch_dir(&format!("names-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", &path, "--now", "2026-01-05T09:00:00Z"],
        ))
    };
    assert_eq!(run(&["init"]).code, 0);
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "id,name,email\nana,Ana Lima,ana@example.org\nbo,Bo Tan,\ncy,,\n",
    )
    .expect("people");
    let imported = run(&["people", "import", &people.to_string_lossy()]);
    assert_eq!(imported.code, 0, "{}", imported.transcript());
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,role,id\n0,runner,ana\n1,runner,bo\n2,runner,cy\n",
    )
    .expect("roster");
    let import = run(&[
        "import",
        &roster.to_string_lossy(),
        "--program",
        "tests/fixtures/store/notifying.toml",
        "--type",
        "solo",
    ]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    (dir, run)
}

#[test]
fn the_log_status_and_list_name_people_and_keep_their_ids() {
    let (_dir, run) = store("views");
    let log = run(&["log", "p-1"]).stdout;
    assert!(log.contains("Ana Lima (ana, runner)"), "{log}");
    let log = run(&["log", "p-3"]).stdout;
    assert!(
        log.contains(": cy (runner)"),
        "no name, the id alone: {log}"
    );
    let status = run(&["status", "p-1"]).stdout;
    assert!(
        status.contains("  runner Ana Lima (ana) <ana@example.org>"),
        "{status}"
    );
    let list = run(&["list"]).stdout;
    assert!(
        list.contains("Ana Lima (ana)") && list.contains("Bo Tan (bo)"),
        "{list}"
    );
    let json = run(&["list", "--json"]).stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let first = &doc["pairings"][0]["participants"][0];
    assert_eq!(first["id"], "ana", "{json}");
    assert_eq!(first["name"], "Ana Lima", "{json}");
    assert_eq!(first["email"], "ana@example.org", "{json}");
    let third = &doc["pairings"][2]["participants"][0];
    assert!(third.get("name").is_none(), "{json}");
}

#[test]
fn a_deliverer_is_handed_each_recipients_name_and_address() {
    let (dir, run) = store("outbox");
    assert_eq!(run(&["advance", "--all"]).code, 0);
    let outbox = run(&["outbox", "--json"]).stdout;
    let doc: serde_json::Value = serde_json::from_str(&outbox).expect("json");
    let to = &doc["notifications"][0]["to"][0];
    assert_eq!(to["id"], "ana", "{outbox}");
    assert_eq!(to["name"], "Ana Lima", "{outbox}");
    assert_eq!(to["email"], "ana@example.org", "{outbox}");
    // The document on --exec's standard input is the same notice.
    let script = dir.join("keep.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat >> {}/handed\n", dir.display()),
    )
    .expect("sh");
    let exec = format!("sh {}", script.display());
    let delivered = run(&["outbox", "deliver", "--exec", &exec]);
    assert_eq!(delivered.code, 0, "{}", delivered.transcript());
    let handed = std::fs::read_to_string(dir.join("handed")).expect("handed");
    assert!(
        handed.contains(r#""name":"Ana Lima","email":"ana@example.org""#),
        "{handed}"
    );
    // The export names them in a column of their own, next to the ids.
    let csv = run(&["export", "--format", "csv"]).stdout;
    assert!(
        csv.lines()
            .next()
            .unwrap_or_default()
            .contains("runner,runner name"),
        "{csv}"
    );
    assert!(csv.contains(",ana,Ana Lima\n"), "{csv}");
}
