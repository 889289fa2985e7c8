//! The shipped programs: each checks clean (no warnings) and its `show` output is snapshotted.

use mentorflow_tests::{mentorflow, relative};

#[test]
fn every_shipped_program_checks_without_warnings() {
    insta::glob!("../programs", "*.toml", |path| {
        let run = mentorflow(&["check", "--deny-warnings", &relative(path)]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    });
}

#[test]
fn show_of_every_shipped_program() {
    insta::glob!("../programs", "*.toml", |path| {
        let run = mentorflow(&["show", &relative(path)]);
        insta::assert_snapshot!(run.transcript());
    });
}

#[test]
fn show_json_is_valid_and_names_every_stage() {
    let run = mentorflow(&[
        "show",
        "programs/mentoring.toml",
        "--json",
        "--type",
        "group",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for stage in [
        "preparation",
        "orientation",
        "goal_setting",
        "mentoring",
        "evaluation",
    ] {
        assert!(
            run.stdout.contains(&format!("\"id\": \"{stage}\"")),
            "{stage} missing"
        );
    }
    assert!(
        run.stdout.contains("\"due\": \"4mo\""),
        "group override not applied"
    );
}

#[test]
fn mermaid_graph_of_mentoring_marks_terminal_stages_and_guards() {
    let run = mentorflow(&["graph", "programs/mentoring.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn dot_graph_with_type_overrides() {
    let run = mentorflow(&[
        "graph",
        "programs/mentoring.toml",
        "--format",
        "dot",
        "--type",
        "group",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn paths_of_mentoring_lists_routes_to_every_terminal_stage() {
    let run = mentorflow(&["paths", "programs/mentoring.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn unknown_type_is_refused_with_a_suggestion() {
    let run = mentorflow(&["show", "programs/mentoring.toml", "--type", "gruop"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("did you mean `group`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn comments_in_guards_stay_out_of_graph_paths_and_show() {
    for command in ["graph", "paths", "show"] {
        let run = mentorflow(&[command, "tests/fixtures/programs/defects.toml"]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stdout.contains("days_in_stage") && !run.stdout.contains("//"),
            "{command}: {}",
            run.stdout
        );
    }
}

#[test]
fn usage_lines_do_not_show_global_options_as_required() {
    for args in [
        vec!["withdraw", "p-1", "--actor", "ana"],
        vec!["enrol", "programs/mentoring.toml", "--actor", "ana"],
        vec!["import", "roster.csv", "--actor", "ana"],
    ] {
        let run = mentorflow(&args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        let usage = run
            .stderr
            .lines()
            .find(|l| l.starts_with("Usage:"))
            .unwrap_or_default();
        assert!(
            usage.contains("[OPTIONS]") && !usage.contains("--actor"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn graphs_draw_schedules_timers_and_automatic_moves() {
    let mermaid = mentorflow(&["graph", "programs/sales-onboarding.toml"]);
    assert_eq!(mermaid.code, 0, "{}", mermaid.transcript());
    insta::assert_snapshot!(mermaid.stdout);
    let dot = mentorflow(&[
        "graph",
        "programs/new-hire-buddy.toml",
        "--format",
        "dot",
        "--type",
        "on-site",
    ]);
    assert_eq!(dot.code, 0, "{}", dot.transcript());
    insta::assert_snapshot!(dot.stdout);
}

#[test]
fn correct_reads_of_people_dates_and_schedules_are_not_taken_for_mistakes() {
    let run = mentorflow(&[
        "check",
        "--deny-warnings",
        "tests/fixtures/programs/correct-reads.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
}
