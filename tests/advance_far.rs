//! Issue 30, item 7: `advance --all` takes each pairing as far as its guards allow (not past
//! the start of a new goal cycle), and an extension pairing waits on its own transition, not
//! on the one meant for another type.

use mentorflow_tests::{mentorflow, scratch_dir, with_flags, Run};

const COHORT: &str = "programs/leadership-cohort.toml";

fn store(name: &str) -> (std::path::PathBuf, impl Fn(&str, &[&str]) -> Run) {
    let dir = scratch_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    let at = move |now: &str, args: &[&str]| {
        let run = mentorflow(&with_flags(args, &["--store", &store, "--now", now]));
        assert_eq!(run.code, 0, "{args:?}:\n{}", run.transcript());
        run
    };
    (dir, at)
}

fn enrol(at: &impl Fn(&str, &[&str]) -> Run, type_id: &str, mentor: &str, mentee: &str) {
    let (m, e) = (
        format!("mentor={mentor},grade=9,department=finance"),
        format!("mentee={mentee},grade=5,department=sales"),
    );
    let args = [
        "enrol", COHORT, "--type", type_id, "--person", &m, "--person", &e,
    ];
    at("2026-01-05T09:00:00Z", &args);
}

#[test]
fn advance_all_moves_each_pairing_as_far_as_its_guards_allow() {
    let (_dir, at) = store("advance-far");
    enrol(&at, "one-on-one", "ana", "bo");
    enrol(&at, "one-on-one", "cy", "dan");
    let day = "2026-01-06T09:00:00Z";
    // p-1 has both the kick-off and its goals: two stages in one advance; p-2 only one.
    at(
        day,
        &["record", "p-1", "kickoff_held=true", "goals_total=3"],
    );
    at(day, &["record", "p-2", "kickoff_held=true"]);
    at(day, &["advance", "--all"]);
    let stage = |id: &str| {
        let status = at(day, &["status", id, "--json"]);
        let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
        doc["pairing"]["stage"].as_str().expect("stage").to_string()
    };
    assert_eq!(stage("p-1"), "mentoring");
    assert_eq!(stage("p-2"), "goal_setting");
    let log = at(day, &["log", "p-1"]).stdout;
    assert!(
        log.contains("preparation -> goal_setting") && log.contains("goal_setting -> mentoring"),
        "{log}"
    );
}

#[test]
fn an_extension_waits_on_its_own_transition_not_on_the_one_for_another_type() {
    let (_dir, at) = store("extension-waits");
    enrol(&at, "extension", "ana", "bo");
    let day = "2026-01-06T09:00:00Z";
    at(
        day,
        &["record", "p-1", "kickoff_held=true", "goals_total=3"],
    );
    at(day, &["advance", "--all"]);
    let list = at("2026-02-06T09:00:00Z", &["list"]).stdout;
    let row = list.lines().find(|l| l.starts_with("p-1 ")).expect("p-1");
    assert!(row.contains("months_in_stage >= 3"), "{list}");
    assert!(!row.contains("one-on-one\""), "{list}");
}

/// A registry of a senior leader and a new one, a pairing of them through evaluation, both
/// wanting to go on; `before_completion` runs just before the evaluation completes it.
fn completed_pair(name: &str, before_completion: &[&[&str]]) -> impl Fn(&str, &[&str]) -> Run {
    let (dir, at) = store(name);
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "id,name,manager,department,grade\nm1,Ana Lima,,finance,9\ne1,Bo Berg,,sales,5\n",
    )
    .expect("people");
    let day = "2026-01-05T09:00:00Z";
    at(day, &["people", "import", &people.to_string_lossy()]);
    let enrol = [
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=m1",
        "--person",
        "mentee=e1",
    ];
    at(day, &enrol);
    at(
        day,
        &["record", "p-1", "kickoff_held=true", "goals_total=3"],
    );
    at(day, &["advance", "--all"]);
    let force = [
        "advance",
        "p-1",
        "--to",
        "evaluation",
        "--force",
        "--reason",
        "correction",
    ];
    at("2026-06-08T09:00:00Z", &force);
    let later = "2026-06-09T09:00:00Z";
    for person in ["m1", "e1"] {
        at(
            later,
            &[
                "record",
                "p-1",
                "--person",
                person,
                "continue_together=true",
            ],
        );
    }
    at(later, &["record", "p-1", "goals_met=3", "mentee_rating=5"]);
    for command in before_completion {
        at(later, command);
    }
    at("2026-06-10T09:00:00Z", &["advance", "p-1"]);
    move |now: &str, args: &[&str]| {
        let _keep = &dir;
        at(now, args)
    }
}

#[test]
fn an_extension_reads_its_people_from_the_registry_again() {
    let promoted: &[&str] = &["people", "edit", "e1", "--set", "grade=6"];
    let at = completed_pair("extension-rereads", &[promoted]);
    let status = at("2026-06-10T09:00:00Z", &["status", "p-2", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    let mentee = doc["pairing"]["participants"]
        .as_array()
        .expect("who")
        .iter()
        .find(|p| p["role"] == "mentee")
        .cloned()
        .expect("mentee");
    assert_eq!(doc["pairing"]["type"], "extension");
    assert_eq!(mentee["attributes"]["grade"], 6, "{}", status.stdout);
}

#[test]
fn no_extension_is_made_for_someone_who_left() {
    let left: &[&str] = &[
        "people",
        "deactivate",
        "e1",
        "--reason",
        "left the organisation",
    ];
    let at = completed_pair("extension-left", &[left]);
    let status = at("2026-06-10T09:00:00Z", &["status", "p-1", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    assert_eq!(doc["pairing"]["stage"], "completed");
    let list = at("2026-06-10T09:00:00Z", &["list", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&list.stdout).expect("json");
    assert_eq!(
        doc["pairings"].as_array().expect("list").len(),
        1,
        "{}",
        list.stdout
    );
}

#[test]
fn goals_met_can_never_exceed_goals_total() {
    let (_dir, at) = store("fact-relations");
    enrol(&at, "one-on-one", "ana", "bo");
    let day = "2026-01-06T09:00:00Z";
    at(day, &["record", "p-1", "goals_total=3"]);
    let before = at(day, &["log", "p-1"]).stdout;
    let store = _dir.join("store.db").to_string_lossy().into_owned();
    let refused = mentorflow(&[
        "record",
        "p-1",
        "goals_met=4",
        "--store",
        &store,
        "--now",
        day,
    ]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("goals_met = 4 would be more than goals_total (3)"),
        "{}",
        refused.stderr
    );
    assert_eq!(at(day, &["log", "p-1"]).stdout, before, "nothing stored");
    // Lowering the total below what was met is refused the same way, from the other side.
    at(day, &["record", "p-1", "goals_met=2"]);
    let lower = mentorflow(&[
        "record",
        "p-1",
        "goals_total=1",
        "--store",
        &store,
        "--now",
        day,
    ]);
    assert_eq!(lower.code, 1, "{}", lower.transcript());
    assert!(
        lower
            .stderr
            .contains("goals_met = 2 would be more than goals_total (1)"),
        "{}",
        lower.stderr
    );
    // Both at once, consistent: stored.
    at(day, &["record", "p-1", "goals_total=5", "goals_met=5"]);
}
