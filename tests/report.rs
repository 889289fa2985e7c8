//! The cohort report as people see it: text and JSON on the demo store, the selection flags,
//! and the HTML page rendered in a real browser (headless Chromium from Debian's package,
//! which `.ci/run` installs when missing; without it these tests fail, they never skip).

use std::path::PathBuf;

use mentorflow_tests::browser::{browse, picture};

use mentorflow_tests::{mentorflow, with_flags, Run};

/// The demo store in a fresh folder, and a way to run commands on it as of 2026-06-01.
fn demo_store(name: &str) -> (PathBuf, impl Fn(&[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("demo.db").to_string_lossy().into_owned();
    let demo = mentorflow(&["demo", "--store", &store]);
    assert_eq!(demo.code, 0, "{}", demo.transcript());
    let run = move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", store.as_str(), "--now", "2026-06-01"],
        ))
    };
    (dir, run)
}

#[test]
fn the_text_report_on_the_demo_store() {
    let (_dir, run) = demo_store("text");
    insta::assert_snapshot!(run(&["report"]).transcript());
}

#[test]
fn the_json_report_on_the_demo_store() {
    let (_dir, run) = demo_store("json");
    let out = run(&["report", "--json"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn the_json_report_lists_every_call_unless_limited() {
    let (_dir, run) = demo_store("limit");
    let calls = |args: &[&str]| {
        let out = run(args);
        assert_eq!(out.code, 0, "{}", out.transcript());
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let listed = doc["attention"].as_array().expect("attention").len();
        (listed, doc["health"].clone())
    };
    let (all, health) = calls(&["report", "--json"]);
    let needing =
        health["at_risk"].as_u64().unwrap_or(0) + health["needs_check_in"].as_u64().unwrap_or(0);
    assert!(all >= 1, "the demo store has a pairing that needs a call");
    assert_eq!(all as u64, needing);
    assert_eq!(calls(&["report", "--json", "--limit", "0"]).0, 0);
    let text = run(&["report", "--limit", "0"]);
    let more = format!("and {all} more: `mentorflow list --attention`");
    assert!(text.stdout.contains(&more), "{}", text.stdout);
}

#[test]
fn the_report_takes_the_filters_of_list() {
    let (_dir, run) = demo_store("filters");
    let peer = run(&["report", "--type", "virtual", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&peer.stdout).expect("json");
    assert_eq!(doc["pairings"], 2);
    let types: Vec<&str> = doc["programs"][0]["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    assert_eq!(types, ["virtual"]);
    let overdue = run(&["report", "--overdue"]);
    assert!(
        overdue.stdout.contains("1 pairing (1 running, 0 ended)"),
        "{}",
        overdue.stdout
    );
    let none = run(&["report", "--type", "virtul"]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("virtual"), "{}", none.stderr);
    let nothing = run(&["report", "--outcome", "withdrawn", "--type", "group"]);
    assert!(
        nothing.stdout.contains("No pairings selected"),
        "{}",
        nothing.stdout
    );
}

#[test]
fn a_report_that_cannot_be_written_says_where_and_stores_nothing() {
    let (dir, run) = demo_store("unwritable");
    let before = run(&["log"]).stdout;
    let target = dir.join("no-such-folder").join("r.html");
    let out = run(&["report", "--html", &target.to_string_lossy()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("cannot write the report to") && out.stderr.contains("no-such-folder"),
        "{}",
        out.stderr
    );
    assert_eq!(run(&["log"]).stdout, before);
}

#[test]
fn the_html_report_on_the_demo_store_renders_in_headless_chromium() {
    let (dir, run) = demo_store("html");
    let html = dir.join("report.html");
    let out = run(&["report", "--html", &html.to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let page = std::fs::read_to_string(&html).expect("report written");
    for needle in [
        "group",
        "one-on-one",
        "peer",
        "reverse",
        "virtual",
        "at risk",
        "overdue in mentoring",
        "Week by week",
        "Mentor load",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("<script"),
        "the page must load nothing and run no script"
    );
    // Readable without sight and on paper: every table has a caption and header cells, every
    // chart is a table for screen readers too (or says its numbers in its label), and the
    // page has a print stylesheet.
    assert_eq!(
        page.matches("<table").count(),
        page.matches("<caption").count()
    );
    assert!(page.matches("scope=\"col\"").count() > 20);
    assert_eq!(
        page.matches("<svg aria-hidden").count(),
        page.matches("<table class=\"sr-only\"").count()
    );
    assert!(page.matches("<svg role=\"img\" aria-label=").count() > 3);
    assert!(page.contains("@media print"));
    let shot = browse(&html, &dir.join("report.png"));
    assert_eq!(shot.console, Vec::<String>::new(), "console messages");
    let picture = picture(&shot.png);
    assert!(picture.inked > 0.03, "the page looks blank: {picture:?}");
    assert!(picture.colours > 16, "the page looks blank: {picture:?}");
    mentorflow_tests::browser::to_docs(&shot.png, "report.png");
}

/// The browser checks themselves fail on a blank page and on a page with console errors.
#[test]
fn the_browser_check_sees_a_blank_page_and_a_console_error() {
    let dir = mentorflow_tests::scratch_dir("report-control");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").expect("write");
    let shot = browse(&blank, &dir.join("blank.png"));
    assert!(shot.console.is_empty());
    let p = picture(&shot.png);
    assert!(p.inked < 0.001 && p.colours <= 2, "{p:?}");
    let broken = dir.join("broken.html");
    std::fs::write(
        &broken,
        "<html><body><p>x</p><script>console.error('boom'); nosuch();</script></body></html>",
    )
    .expect("write");
    let shot = browse(&broken, &dir.join("broken.png"));
    assert_eq!(shot.console.len(), 2, "{:?}", shot.console);
    assert!(shot.console[1].contains("nosuch is not defined"));
}

/// Issue 30: a stage is reached once per pairing however often the pairing comes back to it
/// (a pause and its resume), and success per version counts each pairing on the version it
/// runs on now, saying how many came by a migration and how many started on each.
#[test]
fn the_funnel_counts_a_stage_once_and_versions_say_who_migrated() {
    let dir = mentorflow_tests::scratch_dir("report-versions");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("s.db").to_string_lossy().into_owned();
    let at = |now: &str, args: &[&str]| {
        let run = mentorflow(&with_flags(args, &["--store", &store, "--now", now]));
        assert_eq!(run.code, 0, "{args:?}\n{}", run.transcript());
        run
    };
    let program = "tests/fixtures/store/pausing.toml";
    at("2026-01-01", &["init"]);
    for who in ["runner=cy", "runner=dee"] {
        at(
            "2026-01-01",
            &["enrol", program, "--type", "solo", "--person", who],
        );
    }
    at("2026-01-02", &["record", "p-1", "on_leave=true"]);
    at("2026-01-02", &["advance", "p-1"]);
    at("2026-01-09", &["record", "p-1", "on_leave=false"]);
    at("2026-01-09", &["advance", "p-1"]);
    // A second version (a longer due); p-2 moves to it.
    let text = std::fs::read_to_string(program).expect("program");
    let newer = dir.join("pausing.toml");
    std::fs::write(&newer, text.replace("due = \"60d\"", "due = \"90d\"")).expect("write");
    let newer = newer.to_string_lossy().into_owned();
    at(
        "2026-01-10",
        &[
            "migrate",
            "--to",
            &newer,
            "--type",
            "solo",
            "--in-stage",
            "coaching",
        ],
    );
    let report = at("2026-01-11", &["report", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&report.stdout).expect("json");
    let funnel = &doc["programs"][0]["types"][0]["funnel"];
    let coaching = funnel
        .as_array()
        .expect("funnel")
        .iter()
        .find(|s| s["stage"] == "coaching")
        .expect("coaching");
    assert_eq!(coaching["reached"], 2, "{funnel}");
    let versions: Vec<(u64, u64, u64, u64)> = doc["programs"][0]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| {
            let n = |k: &str| v[k].as_u64().expect(k);
            (n("number"), n("pairings"), n("migrated_in"), n("started"))
        })
        .collect();
    assert_eq!(versions, [(1, 0, 0, 2), (2, 2, 2, 0)], "{}", report.stdout);
}
