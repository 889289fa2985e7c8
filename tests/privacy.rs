//! A person's data (issue 35): a copy of everything stored about one person, without anyone
//! else's values; and erasure, after which nothing of theirs can be read and the log verifies.

use mentorflow_tests::{mentorflow, with_flags, Run};
use serde_json::Value;

/// A fresh store, and a way to run a command on it at a time.
fn store(name: &str) -> (std::path::PathBuf, impl Fn(&str, &[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("privacy-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |now: &str, args: &[&str]| {
        mentorflow(&with_flags(args, &["--store", path.as_str(), "--now", now]))
    };
    (dir, run)
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

/// An ERG group of ana (mentor), bo, cy and dewi, each with attendance of their own, a tick
/// that notifies them all and reports 1:1s missed, and cy replaced by fajar.
fn group(run: &impl Fn(&str, &[&str]) -> Run) {
    let (t0, t1, t2) = (
        "2026-03-02T09:00:00Z",
        "2026-04-20T09:00:00Z",
        "2026-04-21T09:00:00Z",
    );
    ok(run(t0, &["init"]));
    ok(run(
        t0,
        &[
            "enrol",
            "programs/erg-group.toml",
            "--type",
            "group",
            "--person",
            "mentor=ana,erg=pride",
            "--person",
            "mentee=bo,erg=pride,department=finance-of-bo",
            "--person",
            "mentee=cy,erg=pride,department=design",
            "--person",
            "mentee=dewi,erg=pride",
        ],
    ));
    ok(run(t0, &["record", "p-1", "charter_agreed=true"]));
    ok(run(t0, &["advance", "p-1"]));
    ok(run(t0, &["record", "p-1", "--person", "bo", "attended=2"]));
    ok(run(t0, &["record", "p-1", "--person", "cy", "attended=7"]));
    ok(run(t1, &["tick"]));
    ok(run(
        t2,
        &[
            "replace",
            "p-1",
            "--person",
            "cy",
            "--with",
            "mentee=fajar,erg=pride",
            "--reason",
            "not-a-fit",
        ],
    ));
}

fn export(run: &impl Fn(&str, &[&str]) -> Run, id: &str) -> Value {
    let out = ok(run("2026-04-22T09:00:00Z", &["people", "export", id]));
    serde_json::from_str(&out.stdout).expect("JSON")
}

/// Every `id` of a participant or recipient anywhere in `doc`.
fn ids_named(doc: &Value, into: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            if let (Some(Value::String(id)), true) = (map.get("id"), map.contains_key("role")) {
                into.push(id.clone());
            }
            if let Some(Value::String(person)) = map.get("person") {
                into.push(person.clone());
            }
            map.values().for_each(|v| ids_named(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| ids_named(v, into)),
        _ => {}
    }
}

#[test]
fn a_persons_export_holds_their_values_and_nobody_elses() {
    let (_dir, run) = store("export");
    group(&run);
    let log = ok(run("2026-04-22T09:00:00Z", &["log"])).stdout;

    let bo = export(&run, "bo");
    assert_eq!(bo["id"], "bo");
    assert_eq!(
        bo["registered"],
        Value::Null,
        "bo took part without an entry"
    );
    let part = &bo["pairings"][0];
    assert_eq!(part["pairing"], "p-1");
    assert_eq!(part["participant"]["role"], "mentee");
    assert_eq!(part["participant"]["attributes"]["erg"], "pride");
    assert_eq!(part["participant"]["facts"]["attended"], 2);
    assert_eq!(part["left"], Value::Null);
    // Their enrolment, their facts, the pairing's own moves; nobody else's entry or facts.
    let kinds: Vec<&str> = part["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    for kind in ["enrolled", "facts_recorded", "moved", "missed", "notified"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(!kinds.contains(&"replaced"), "cy's replacement is not bo's");
    let mut named = Vec::new();
    ids_named(&bo["pairings"], &mut named);
    assert!(
        named.iter().all(|id| id == "bo"),
        "only bo's entries and facts: {named:?}"
    );
    let text = bo.to_string();
    assert!(!text.contains("design"), "cy's attribute: {text}");
    assert!(!text.contains("\"attended\":7"), "cy's fact: {text}");
    // The notification to the whole group, naming bo alone among its recipients.
    let notices = bo["notifications"].as_array().expect("notifications");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["notification"], "next_session");
    let to: Vec<&str> = notices[0]["to"]
        .as_array()
        .expect("to")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(to, ["bo"]);

    // Someone who left: when and why, their own values as they left.
    let cy = export(&run, "cy");
    let part = &cy["pairings"][0];
    assert_eq!(part["left"], "2026-04-21T09:00:00Z");
    assert_eq!(part["left_because"], "not-a-fit");
    assert_eq!(part["participant"]["attributes"]["department"], "design");
    assert_eq!(part["participant"]["facts"]["attended"], 7);
    let replaced = part["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"] == "replaced")
        .expect("their replacement");
    assert_eq!(replaced["participant"]["id"], "fajar");
    assert_eq!(
        replaced["participant"]["attributes"],
        serde_json::json!({}),
        "fajar's values are fajar's"
    );

    // Someone the store does not know: refused, saying so.
    let zed = run("2026-04-22T09:00:00Z", &["people", "export", "zed"]);
    assert_eq!(zed.code, 1, "{}", zed.transcript());
    assert!(zed.stderr.contains("zed"), "{}", zed.stderr);
    assert_eq!(ok(run("2026-04-22T09:00:00Z", &["log"])).stdout, log);
}

#[test]
fn a_registered_persons_export_holds_their_entry_and_its_edits() {
    let (dir, run) = store("registered");
    let t = "2026-03-02T09:00:00Z";
    ok(run(t, &["init"]));
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "id,name,manager,department\nana,Ana Putri,,finance\nbo,Bo Lim,ana,sales\n",
    )
    .expect("people file");
    ok(run(t, &["people", "import", &people.to_string_lossy()]));
    ok(run(
        t,
        &["people", "edit", "bo", "--set", "department=legal"],
    ));
    let bo = export(&run, "bo");
    assert_eq!(bo["registered"]["name"], "Bo Lim");
    assert_eq!(bo["registered"]["attributes"]["department"], "legal");
    assert_eq!(bo["edits"].as_array().map(Vec::len), Some(2));
    assert_eq!(bo["pairings"], serde_json::json!([]));
    assert!(
        !bo.to_string().contains("Ana Putri"),
        "ana's entry is ana's"
    );
}

/// Every text and blob value of every table of the SQLite store at `path`.
fn every_value(path: &std::path::Path) -> Vec<String> {
    let db = rusqlite::Connection::open(path).expect("open");
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    let mut values = Vec::new();
    for table in tables {
        let mut st = db
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("select");
        let columns = st.column_count();
        let mut rows = st.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..columns {
                match row.get_ref(i).expect("value") {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        values.push(format!("{table}: {}", String::from_utf8_lossy(t)));
                    }
                    _ => {}
                }
            }
        }
    }
    values
}

/// Whether `text` is anywhere in the bytes of the store's files in `dir` (the database, its
/// write-ahead log and shared memory), in pages in use or not.
fn in_files(dir: &std::path::Path, text: &str) -> bool {
    ["store.db", "store.db-wal", "store.db-shm"]
        .iter()
        .any(|f| {
            std::fs::read(dir.join(f))
                .is_ok_and(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
        })
}

#[test]
fn an_erased_person_is_gone_from_every_table_and_command_and_the_log_verifies() {
    let (dir, run) = store("erase");
    group(&run);
    let t = "2026-04-22T09:00:00Z";
    let db = dir.join("store.db");
    let marker = "finance-of-bo";
    let holding = |values: &[String]| -> Vec<String> {
        values
            .iter()
            .filter(|v| v.contains(marker))
            .cloned()
            .collect()
    };
    // Before: sealed in the log, in clear only in the pairing's projection.
    let before = holding(&every_value(&db));
    assert!(
        !before.is_empty() && before.iter().all(|v| v.starts_with("pairings: ")),
        "{before:?}"
    );
    // Held open across the erasure, as a deliverer running beside it would: the command is
    // not the last to close the store, so SQLite would not fold its log in on exit.
    let beside = rusqlite::Connection::open(&db).expect("open");
    let key: String = beside
        .query_row("SELECT key FROM person_keys WHERE person = 'bo'", [], |r| {
            r.get(0)
        })
        .expect("bo's key");
    assert!(
        in_files(&dir, &key),
        "the key is in the store's files before"
    );
    let queued = ok(run(t, &["outbox", "--all"])).stdout;
    assert!(queued.contains("p-1"), "{queued}");

    let erased = ok(run(
        t,
        &["people", "erase", "bo", "--reason", "asked on 2026-04-21"],
    ));
    assert!(
        erased.stdout.starts_with("erased bo: key "),
        "{}",
        erased.stdout
    );
    assert!(erased.stdout.contains("\nreceipt: "), "{}", erased.stdout);
    let verify = ok(run(t, &["verify"]));
    assert!(verify.stdout.starts_with("ok: "), "{}", verify.stdout);
    assert_eq!(holding(&every_value(&db)), Vec::<String>::new());
    // Not even in a deleted page or the write-ahead log: the bytes of every file of the store.
    assert!(
        !in_files(&dir, &key),
        "bo's key is still in the store's files"
    );
    assert!(!erased.stderr.contains("warning"), "{}", erased.stderr);
    drop(beside);
    for args in [
        &["log"][..],
        &["log", "--json"],
        &["status", "p-1"],
        &["status", "p-1", "--json"],
        &["report", "--json"],
        &["export", "--what", "events"],
        &["export", "--what", "pairings"],
    ] {
        let out = ok(run(t, args));
        assert!(!out.stdout.contains(marker), "{args:?}: {}", out.stdout);
    }
    let status = ok(run(t, &["status", "p-1"])).stdout;
    assert!(status.contains("  mentee bo (values erased)\n"), "{status}");
    // The group's notices were sealed for all of them, bo too: their text is gone, and so
    // are they from the outbox.
    let log = ok(run(t, &["log", "p-1"])).stdout;
    assert!(log.contains(": (text erased)"), "{log}");
    let outbox = ok(run(t, &["outbox", "--all"])).stdout;
    assert!(!outbox.contains("p-1"), "{outbox}");
    let report = ok(run(t, &["report"])).stdout;
    assert!(report.contains("bo (erased)"), "{report}");
    let status: Value =
        serde_json::from_str(&ok(run(t, &["status", "p-1", "--json"])).stdout).expect("JSON");
    assert_eq!(
        status["pairing"]["erased"],
        serde_json::json!(["bo"]),
        "{status}"
    );
    let report: Value =
        serde_json::from_str(&ok(run(t, &["report", "--json"])).stdout).expect("JSON");
    assert_eq!(report["pairings"], 1, "still counted: {report}");
    let bo = export(&run, "bo");
    assert_eq!(bo["erased"]["reason"], "asked on 2026-04-21");
    assert_eq!(
        bo["pairings"][0]["participant"]["attributes"],
        serde_json::json!({})
    );
    assert!(!bo.to_string().contains(marker));
    // Erasing again, or someone unknown, is refused and changes nothing.
    let log = ok(run(t, &["log"])).stdout;
    for (who, says) in [
        ("bo", "erased already"),
        ("zed", "nothing is stored about `zed`"),
    ] {
        let refused = run(t, &["people", "erase", who, "--reason", "x"]);
        assert_eq!(refused.code, 1, "{}", refused.transcript());
        assert!(refused.stderr.contains(says), "{}", refused.stderr);
    }
    assert_eq!(ok(run(t, &["log"])).stdout, log);
    // The type's checks cannot read an erased person, and say so rather than ask for values.
    let join = run(t, &["join", "p-1", "--person", "mentee=gita,erg=pride"]);
    assert_eq!(join.code, 1, "{}", join.transcript());
    assert!(
        join.stderr.contains("bo (mentee): their values were erased, so the type's checks cannot read them; take them out first (mentorflow leave p-1 --person bo"),
        "{}",
        join.stderr
    );
    // A copy carries the erasure: it verifies, and holds nothing of bo's either.
    let copy = dir.join("copy.db");
    ok(mentorflow(&[
        "store",
        "copy",
        &db.to_string_lossy(),
        &copy.to_string_lossy(),
    ]));
    assert_eq!(holding(&every_value(&copy)), Vec::<String>::new());
    let verified = mentorflow(&["verify", "--store", &copy.to_string_lossy()]);
    assert_eq!(verified.code, 0, "{}", verified.transcript());
    // A guard that only counts the group still runs; a criterion reading everyone's rating
    // is refused, naming whose values are gone, rather than deciding on nothing.
    ok(run("2026-09-03T09:00:00Z", &["advance", "p-1"]));
    let refused = run("2026-09-04T09:00:00Z", &["advance", "p-1"]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("criterion `everyone_rated` failed")
            && refused.stderr.contains("bo's values were erased"),
        "{}",
        refused.stderr
    );
}

#[test]
fn values_written_before_sealing_are_not_erased_and_the_command_says_which() {
    let dir = mentorflow_tests::scratch_dir("privacy-old");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("store.db");
    std::fs::copy("tests/fixtures/store/v1-store.db", &db).expect("fixture");
    let store = db.to_string_lossy().into_owned();
    let log = mentorflow(&["log", "--store", &store]).stdout;
    let refused = mentorflow(&[
        "people", "erase", "ana", "--reason", "asked", "--store", &store,
    ]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("ana's values are in 1 event written before values were sealed (p-1 #1)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was erased"),
        "{}",
        refused.stderr
    );
    assert_eq!(mentorflow(&["log", "--store", &store]).stdout, log);
}

#[test]
fn someone_enrolled_without_values_is_erased_too() {
    // Nothing of theirs was sealed (there was nothing): no key, and nothing held in clear.
    let (_dir, run) = store("no-values");
    let t = "2026-03-02T09:00:00Z";
    ok(run(t, &["init"]));
    ok(run(
        t,
        &[
            "enrol",
            "tests/fixtures/store/welcoming.toml",
            "--type",
            "pair",
            "--person",
            "mentor=ana,email=ana@corp",
            "--person",
            "mentee=bo",
        ],
    ));
    let erased = ok(run(t, &["people", "erase", "bo", "--reason", "asked"]));
    assert!(
        erased.stdout.starts_with("erased bo: "),
        "{}",
        erased.stdout
    );
    ok(run(t, &["verify"]));
    let status = ok(run(t, &["status", "p-1"])).stdout;
    assert!(status.contains("mentee bo (values erased)"), "{status}");
}

#[test]
fn retention_erases_who_is_past_it_and_keeps_whoever_still_takes_part() {
    let (dir, run) = store("retention");
    let program = dir.join("kept.toml");
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("program");
    let text = text.replacen(
        "initial = \"preparation\"",
        "initial = \"preparation\"\nretention = \"1y\"",
        1,
    );
    std::fs::write(&program, text).expect("program file");
    let program = program.to_string_lossy().into_owned();
    let t0 = "2026-01-05T09:00:00Z";
    ok(run(t0, &["init"]));
    for mentee in ["bo", "cy"] {
        let mentee = format!("mentee={mentee},experience_years=1");
        ok(run(
            t0,
            &[
                "enrol",
                &program,
                "--type",
                "one-on-one",
                "--person",
                "mentor=ana,experience_years=10",
                "--person",
                &mentee,
            ],
        ));
    }
    ok(run(
        "2026-02-01T09:00:00Z",
        &["withdraw", "p-1", "--reason", "no time"],
    ));
    let early = ok(run("2027-01-31T09:00:00Z", &["retention", "--dry-run"]));
    assert_eq!(early.stdout, "nobody is past retention\n");
    let log = ok(run("2027-02-02T09:00:00Z", &["log"])).stdout;
    let due = ok(run("2027-02-02T09:00:00Z", &["retention", "--dry-run"]));
    assert!(
        due.stdout
            .contains("bo      p-1       2026-02-01  2027-02-01")
            && due.stdout.contains("1 person past retention"),
        "ana still runs p-2, cy is in it: {}",
        due.stdout
    );
    assert_eq!(
        ok(run("2027-02-02T09:00:00Z", &["log"])).stdout,
        log,
        "a dry run stores nothing"
    );
    let applied = ok(run("2027-02-02T09:00:00Z", &["retention", "--apply"]));
    assert!(
        applied.stdout.starts_with("erased bo (receipt "),
        "{}",
        applied.stdout
    );
    ok(run("2027-02-02T09:00:00Z", &["verify"]));
    let bo = export(&run, "bo");
    assert_eq!(
        bo["erased"]["reason"],
        "retention: every pairing ended, the last on 2026-02-01"
    );
    let again = ok(run("2027-02-03T09:00:00Z", &["retention", "--apply"]));
    assert_eq!(again.stdout, "nobody is past retention\n");
    let neither = run("2027-02-03T09:00:00Z", &["retention"]);
    assert_eq!(neither.code, 2, "{}", neither.transcript());
}

/// The lines that let erg-group.toml's matching read `erg` once it is sensitive.
const CONSENTED: &str = "[matching]\nsensitive = [\"erg\"]\nconsent = \"erg_consent\"\n";

/// erg-group.toml with its `erg` attribute declared sensitive (matching reads it with
/// consent), and a notification whose body names it.
fn sensitive_erg_group(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string("programs/erg-group.toml").expect("program");
    let declared = "[attributes.erg_consent]\ntype = \"bool\"\ndefault = false\n\n\
                    [attributes.erg]\nsensitive = true\n";
    let text = text
        .replacen("[attributes.erg]\n", declared, 1)
        .replacen("[matching]\n", CONSENTED, 1)
        .replacen(
            "everyone brings one question.",
            "everyone brings one question. Groups: {% for m in mentees %}{{ m.erg }} {% endfor %}",
            1,
        );
    let path = dir.join("erg-sensitive.toml");
    std::fs::write(&path, text).expect("program file");
    path.to_string_lossy().into_owned()
}

#[test]
fn sensitive_attributes_stay_out_of_exports_reports_and_notifications_unless_asked_for() {
    let (dir, run) = store("sensitive");
    let program = sensitive_erg_group(&dir);
    let check = mentorflow(&["check", &program]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(
        check.stderr.contains("warning[W013]")
            && check.stderr.contains("reads sensitive attribute `erg`"),
        "{}",
        check.stderr
    );
    let t0 = "2026-03-02T09:00:00Z";
    ok(run(t0, &["init"]));
    let mut enrol = vec![
        "enrol",
        &program,
        "--type",
        "group",
        "--person",
        "mentor=ana,erg=lgbtq-plus",
    ];
    for mentee in [
        "mentee=bo,erg=lgbtq-plus",
        "mentee=cy,erg=lgbtq-plus",
        "mentee=dewi,erg=lgbtq-plus",
    ] {
        enrol.extend(["--person", mentee]);
    }
    ok(run(t0, &enrol));
    ok(run(t0, &["record", "p-1", "charter_agreed=true"]));
    ok(run(t0, &["advance", "p-1"]));
    ok(run("2026-04-20T09:00:00Z", &["tick"]));
    let t = "2026-04-21T09:00:00Z";
    let value = "lgbtq-plus";
    for args in [
        &["export"][..],
        &["export", "--what", "events"],
        &["export", "--what", "events", "--format", "csv"],
        &["people", "export", "bo"],
        &["outbox", "--json"],
        &["report", "--json"],
    ] {
        let out = ok(run(t, args));
        assert!(!out.stdout.contains(value), "{args:?}: {}", out.stdout);
    }
    for args in [
        &["export", "--include-sensitive"][..],
        &["export", "--what", "events", "--include-sensitive"],
        &["people", "export", "bo", "--include-sensitive"],
        &["report", "--json", "--include-sensitive"],
    ] {
        let out = ok(run(t, args));
        assert!(out.stdout.contains(value), "{args:?}: {}", out.stdout);
    }
    let by = run(t, &["report", "--by", "erg"]);
    assert_eq!(by.code, 2, "{}", by.transcript());
    assert!(
        by.stderr.contains("`erg` is declared sensitive"),
        "{}",
        by.stderr
    );
    let by_role = run(t, &["report", "--by", "mentee.erg"]);
    assert_eq!(by_role.code, 2, "{}", by_role.transcript());
    let asked = ok(run(t, &["report", "--by", "erg", "--include-sensitive"]));
    assert!(asked.stdout.contains(value), "{}", asked.stdout);
}

#[test]
fn matching_reads_a_sensitive_attribute_only_where_the_program_says_so_with_consent() {
    let dir = mentorflow_tests::scratch_dir("privacy-matching");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let consented = std::fs::read_to_string(sensitive_erg_group(&dir)).expect("program");
    let checked = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("program file");
        mentorflow(&["check", &path.to_string_lossy()])
    };
    // The shipped [matching] reads `erg` in `allow`: not listed, so refused.
    let unlisted = checked(
        "unlisted.toml",
        consented.replacen(CONSENTED, "[matching]\n", 1),
    );
    assert_eq!(unlisted.code, 1, "{}", unlisted.transcript());
    assert!(
        unlisted.stderr.contains("error[E049]")
            && unlisted.stderr.contains(
                "reads sensitive attribute `erg`, which its `sensitive` list does not name"
            ),
        "{}",
        unlisted.stderr
    );
    let no_consent = checked(
        "no-consent.toml",
        consented.replacen("consent = \"erg_consent\"\n", "", 1),
    );
    assert_eq!(no_consent.code, 1, "{}", no_consent.transcript());
    assert!(
        no_consent
            .stderr
            .contains("uses sensitive attribute `erg` without a `consent` attribute"),
        "{}",
        no_consent.stderr
    );
    let fine = checked("consented.toml", consented);
    assert_eq!(fine.code, 0, "{}", fine.transcript());
}
