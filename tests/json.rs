//! The JSON the command line prints. Every shape's schema is committed under `schemas/` and
//! is what the code generates (`mentorflow schema NAME`); every command's `--json` output, run
//! here on real stores, validates against its committed schema; and every schema is used.
//!
//! After changing a shape on purpose: `MENTORFLOW_BLESS_SCHEMAS=1 cargo test --test json`,
//! then review the diff of `schemas/` (and raise `VERSION` in cli/src/json/mod.rs when a field
//! was renamed, removed or changed meaning).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mentorflow_tests::{mentorflow, with_flags, Run};
use serde_json::Value;

fn schema_names() -> Vec<String> {
    let run = mentorflow(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run.stdout.lines().map(str::to_string).collect()
}

fn schema_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"))
}

#[test]
fn the_committed_schemas_are_the_ones_the_code_generates() {
    let names = schema_names();
    let bless = std::env::var_os("MENTORFLOW_BLESS_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for name in &names {
        let generated = mentorflow(&["schema", name]).stdout;
        let path = schema_file(name);
        if bless {
            std::fs::create_dir_all(path.parent().expect("folder")).expect("schemas/");
            std::fs::write(&path, &generated).expect("write schema");
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "these committed schemas differ from the code: {stale:?}; if the change is meant, run \
         MENTORFLOW_BLESS_SCHEMAS=1 cargo test --test json and review the diff"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let committed: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("schemas/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = names.iter().map(|n| format!("{n}.schema.json")).collect();
    assert_eq!(
        committed, expected,
        "schemas/ holds exactly one file per shape"
    );
}

/// Validates outputs against the committed schemas, and remembers which were used.
struct Checker {
    used: RefCell<BTreeSet<String>>,
}

impl Checker {
    fn validator(name: &str) -> jsonschema::Validator {
        let text = std::fs::read_to_string(schema_file(name))
            .unwrap_or_else(|e| panic!("schemas/{name}.schema.json: {e}"));
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("a valid schema")
    }

    /// `run` succeeded and printed a document valid against schema `name`; the document.
    fn check(&self, name: &str, run: Run) -> Value {
        assert_eq!(run.code, 0, "{}", run.transcript());
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
        let errors: Vec<String> = Checker::validator(name)
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{}", run.stdout);
        assert_eq!(doc["version"], 1, "{name}");
        self.used.borrow_mut().insert(name.to_string());
        doc
    }
}

/// A fresh store in a temp folder, and a way to run commands on it at a time.
fn store(name: &str) -> (PathBuf, impl Fn(&str, &[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("json-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |now: &str, args: &[&str]| {
        mentorflow(&with_flags(args, &["--store", path.as_str(), "--now", now]))
    };
    (dir, run)
}

#[test]
fn every_json_output_validates_against_its_committed_schema() {
    let c = Checker {
        used: RefCell::new(BTreeSet::new()),
    };
    let (dir, run) = store("all");
    let t0 = "2026-01-05T09:00:00Z";
    let t1 = "2026-01-12T09:00:00Z";
    let t2 = "2026-03-01T09:00:00Z";

    // A coordinator's week, every write with --json.
    c.check("store", run(t0, &["init", "--json"]));
    let people = c.check(
        "people-import",
        run(
            t0,
            &["people", "import", "programs/examples/people.csv", "--json"],
        ),
    );
    assert_eq!(people["added"].as_array().map(Vec::len), Some(60));
    let leadership = "programs/leadership-cohort.toml";
    let proposal = c.check(
        "match",
        run(
            t0,
            &[
                "match",
                "--program",
                leadership,
                "--type",
                "one-on-one",
                "--json",
            ],
        ),
    );
    assert!(!proposal["pairs"].as_array().expect("pairs").is_empty());
    let applied = c.check(
        "changes",
        run(
            t0,
            &[
                "match",
                "--program",
                leadership,
                "--type",
                "one-on-one",
                "--apply",
                "--json",
            ],
        ),
    );
    let matched = applied["pairings"].as_array().expect("pairings").len();
    assert!(matched > 0);
    let enrol = c.check(
        "changes",
        run(
            t0,
            &[
                "enrol",
                "programs/mentoring.toml",
                "--type",
                "one-on-one",
                "--person",
                "mentor=ana,experience_years=12",
                "--person",
                "mentee=budi,experience_years=2",
                "--json",
            ],
        ),
    );
    let p = enrol["pairings"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(enrol["events"][0]["event"], "enrolled");
    let recorded = c.check(
        "changes",
        run(
            t1,
            &[
                "record",
                &p,
                "mentor_assigned=true",
                "schedule_set=true",
                "--json",
            ],
        ),
    );
    assert_eq!(recorded["events"][0]["facts"]["mentor_assigned"], true);
    assert_eq!(recorded["pairings"][0]["facts"]["schedule_set"], true);
    let advanced = c.check("changes", run(t1, &["advance", &p, "--json"]));
    assert_eq!(advanced["events"][0]["event"], "moved");
    c.check("bulk", run(t1, &["advance", "--all", "--json"]));
    c.check("tick", run(t2, &["tick", "--json"]));
    let erg = [
        "enrol",
        "programs/erg-group.toml",
        "--type",
        "group",
        "--person",
        "mentor=ana,erg=pride",
        "--person",
        "mentee=bo,erg=pride",
        "--person",
        "mentee=cy,erg=pride",
        "--person",
        "mentee=dewi,erg=pride",
        "--json",
    ];
    let group = c.check("changes", run(t2, &erg));
    let g = group["pairings"][0]["id"].as_str().expect("id").to_string();
    c.check(
        "changes",
        run(
            t2,
            &["join", &g, "--person", "mentee=eko,erg=pride", "--json"],
        ),
    );
    c.check(
        "changes",
        run(
            t2,
            &["leave", &g, "--person", "bo", "--reason", "moved", "--json"],
        ),
    );
    c.check(
        "changes",
        run(
            t2,
            &[
                "replace",
                &g,
                "--person",
                "cy",
                "--with",
                "mentee=fajar,erg=pride",
                "--json",
            ],
        ),
    );
    let withdrawn = c.check(
        "changes",
        run(t2, &["withdraw", &p, "--reason", "moved away", "--json"]),
    );
    assert_eq!(withdrawn["pairings"][0]["outcome"], "withdrawn");

    // The outbox: a stage action's notification, listed, then handed to a command.
    let notifying = dir.join("notifying.csv");
    std::fs::write(&notifying, "pairing,role,id\nn1,runner,ana\n").expect("roster");
    let check = c.check(
        "import-check",
        run(
            t2,
            &[
                "import",
                &notifying.to_string_lossy(),
                "--program",
                "tests/fixtures/store/notifying.toml",
                "--type",
                "solo",
                "--dry-run",
                "--json",
            ],
        ),
    );
    assert_eq!(check["would_enrol"], 1);
    c.check(
        "changes",
        run(
            t2,
            &[
                "import",
                &notifying.to_string_lossy(),
                "--program",
                "tests/fixtures/store/notifying.toml",
                "--type",
                "solo",
                "--json",
            ],
        ),
    );
    let outbox = c.check("outbox", run(t2, &["outbox", "--json"]));
    assert_eq!(outbox["notifications"][0]["notification"], "welcome");
    let handed = dir.join("notice.json");
    let exec = format!("cat > {}", handed.display());
    c.check(
        "delivery",
        run(t2, &["outbox", "deliver", "--exec", &exec, "--json"]),
    );
    let notice = std::fs::read_to_string(&handed).expect("the command got a notice");
    c.check(
        "notice",
        Run {
            code: 0,
            stdout: notice,
            stderr: String::new(),
        },
    );

    // What a coordinator reads.
    c.check("list", run(t2, &["list", "--json"]));
    c.check("board", run(t2, &["status", "--json"]));
    let status = c.check("status", run(t2, &["status", &g, "--json"]));
    assert_eq!(status["pairing"]["former"][0]["participant"]["id"], "bo");
    c.check("events", run(t2, &["log", "--json"]));
    c.check("events", run(t2, &["export", "--what", "events"]));
    c.check("pairings", run(t2, &["export", "--what", "pairings"]));
    c.check("programs", run(t2, &["programs", "--json"]));
    let verified = c.check("verify", run(t2, &["verify", "--json"]));
    assert_eq!(verified["ok"], true);
    c.check("report", run(t2, &["report", "--json"]));
    c.check("people", run(t2, &["people", "list", "--json"]));
    c.check("person", run(t2, &["people", "show", "e015", "--json"]));
    let export = c.check("person-export", run(t2, &["people", "export", "e015"]));
    assert_eq!(export["registered"]["id"], "e015");
    c.check(
        "replay",
        run(
            t2,
            &["replay", "--program", "programs/mentoring.toml", "--json"],
        ),
    );
    let copy = dir.join("copy.db").to_string_lossy().into_owned();
    let from = dir.join("store.db").to_string_lossy().into_owned();
    c.check(
        "copy",
        mentorflow(&["store", "copy", &from, &copy, "--json"]),
    );

    // A program designer's and a tester's commands.
    c.check(
        "check",
        mentorflow(&[
            "check",
            "programs/mentoring.toml",
            "programs/erg-group.toml",
            "--json",
        ]),
    );
    c.check(
        "show",
        mentorflow(&["show", "programs/sales-onboarding.toml", "--json"]),
    );
    c.check(
        "paths",
        mentorflow(&["paths", "programs/mentoring.toml", "--json"]),
    );
    c.check(
        "diff",
        mentorflow(&[
            "diff",
            "programs/mentoring.toml",
            "programs/coaching.toml",
            "--json",
        ]),
    );
    let mut flows: Vec<String> = std::fs::read_dir("tests/flows/sales-onboarding")
        .expect("flows")
        .map(|e| e.expect("entry").path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    flows.sort();
    let flows = flows.first().expect("a sales-onboarding flow");
    c.check(
        "simulate",
        mentorflow(&["simulate", flows, "--json", "--coverage"]),
    );

    let mut used = c.used.into_inner();
    // Not an output: the program file's schema, checked by the tests below.
    used.insert("program".into());
    let all: BTreeSet<String> = schema_names().into_iter().collect();
    let missing: Vec<&String> = all.difference(&used).collect();
    assert!(missing.is_empty(), "no output checked against: {missing:?}");
}

#[test]
fn a_document_that_breaks_its_schema_is_caught() {
    let validator = Checker::validator("events");
    let good = serde_json::json!({"version": 1, "events": []});
    assert!(validator.is_valid(&good));
    for bad in [
        serde_json::json!({"version": 2, "events": []}),
        serde_json::json!({"events": []}),
        serde_json::json!({"version": 1, "events": [{"pairing": "p-1"}]}),
        serde_json::json!({"version": 1, "events": [{"pairing": "p-1", "seq": 1, "at": "2026-01-05T09:00:00Z", "actor": "ana", "reason": null, "program_version": "x", "event": "exploded"}]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn facts_have_one_plain_shape_everywhere() {
    let c = Checker {
        used: RefCell::new(BTreeSet::new()),
    };
    let (_dir, run) = store("facts");
    let t0 = "2026-01-05T09:00:00Z";
    c.check("store", run(t0, &["init", "--json"]));
    let enrol = c.check(
        "changes",
        run(
            t0,
            &[
                "enrol",
                "programs/sales-onboarding.toml",
                "--type",
                "one-on-one",
                "--person",
                "mentor=ana,region=emea",
                "--person",
                "mentee=budi,region=emea",
                "--json",
            ],
        ),
    );
    let p = enrol["pairings"][0]["id"].as_str().expect("id").to_string();
    let recorded = c.check(
        "changes",
        run(t0, &["record", &p, "end_date=2026-12-01", "--json"]),
    );
    // The same plain value in the event, the pairing, the log and the export.
    assert_eq!(recorded["events"][0]["facts"]["end_date"], "2026-12-01");
    assert_eq!(recorded["pairings"][0]["facts"]["end_date"], "2026-12-01");
    let log = c.check("events", run(t0, &["log", &p, "--json"]));
    let last = log["events"]
        .as_array()
        .and_then(|e| e.last())
        .expect("event");
    assert_eq!(last["facts"]["end_date"], "2026-12-01");
    let export = c.check("pairings", run(t0, &["export", "--what", "pairings"]));
    assert_eq!(export["pairings"][0]["facts"]["end_date"], "2026-12-01");
    let status = c.check("status", run(t0, &["status", &p, "--json"]));
    assert_eq!(status["pairing"]["facts"]["end_date"], "2026-12-01");
    assert!(
        !status.to_string().contains("overdue_logged") && !status.to_string().contains("visited"),
        "no internal field"
    );
}

/// A TOML document as JSON, as editors validate it (a TOML date becomes its text).
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => items.into_iter().map(toml_to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect(),
    }
}

fn program_errors(text: &str) -> Vec<String> {
    let doc: toml::Value = toml::from_str(text).expect("TOML");
    let validator = Checker::validator("program");
    validator
        .iter_errors(&toml_to_json(doc))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_program_validates_against_the_program_schema() {
    let mut files: Vec<PathBuf> = std::fs::read_dir("programs")
        .expect("programs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let errors = program_errors(&text);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn the_program_schema_refuses_what_the_checker_refuses() {
    let text = std::fs::read_to_string("programs/mentoring.toml").expect("read");
    assert!(program_errors(&text).is_empty());
    for (broken, why) in [
        (
            text.replace("[program]", "[program]\nowner = \"ana\""),
            "an unknown key",
        ),
        (
            text.replace("due = \"14d\"", "due = \"two weeks\""),
            "a duration that is none",
        ),
        (
            text.replacen("type = \"int\"", "type = \"integer\"", 1),
            "an unknown fact type",
        ),
        (
            text.replace("initial = \"preparation\"", ""),
            "a missing required key",
        ),
    ] {
        assert_ne!(broken, text, "{why}: the test's edit did not apply");
        assert!(
            !program_errors(&broken).is_empty(),
            "{why} passed the schema"
        );
        let dir = mentorflow_tests::scratch_dir("json-prog");
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("broken.toml");
        std::fs::write(&file, &broken).expect("write");
        let check = mentorflow(&["check", &file.to_string_lossy()]);
        assert_eq!(
            check.code,
            1,
            "{why}: the checker passed it:\n{}",
            check.transcript()
        );
    }
}
