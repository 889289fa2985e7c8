//! The command-line habits of the tools coordinators already use (issue 15, in part): shell
//! completions, a manual page, and diagrams that draw `from = "*"` once.

use mentorflow_tests::mentorflow;

#[test]
fn completions_are_generated_for_each_shell_and_a_wrong_shell_is_a_usage_error() {
    let bash = mentorflow(&["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.transcript());
    assert!(
        bash.stdout.contains("_mentorflow()") && bash.stdout.contains("people"),
        "{}",
        &bash.stdout[..200.min(bash.stdout.len())]
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = mentorflow(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.transcript());
        assert!(run.stdout.contains("match"), "{shell}");
    }
    let wrong = mentorflow(&["completions", "tcsh"]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stderr
            .contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn the_manual_page_names_every_command() {
    let man = mentorflow(&["man"]);
    assert_eq!(man.code, 0, "{}", man.transcript());
    assert!(
        man.stdout.contains(".TH mentorflow 1"),
        "{}",
        &man.stdout[..300.min(man.stdout.len())]
    );
    for command in ["enrol", "advance", "people", "match", "continue", "verify"] {
        assert!(man.stdout.contains(command), "{command}");
    }
}

#[test]
fn a_transition_from_any_stage_is_drawn_once() {
    let mermaid = mentorflow(&["graph", "programs/mentoring.toml"]);
    assert_eq!(mermaid.code, 0, "{}", mermaid.transcript());
    let into_withdrawn: Vec<&str> = mermaid
        .stdout
        .lines()
        .filter(|l| l.contains("-->") && l.trim_end().ends_with("s_withdrawn"))
        .collect();
    assert_eq!(into_withdrawn.len(), 1, "{}", mermaid.stdout);
    assert!(
        into_withdrawn[0].trim_start().starts_with("any_running"),
        "{into_withdrawn:?}"
    );
    let dot = mentorflow(&["graph", "programs/mentoring.toml", "--format", "dot"]);
    assert_eq!(dot.code, 0, "{}", dot.transcript());
    // Two `*` transitions lead there (withdraw, and the idle timer): an edge each, from `*`.
    let into: Vec<&str> = dot
        .stdout
        .lines()
        .filter(|l| l.contains("-> \"withdrawn\""))
        .collect();
    assert_eq!(into.len(), 2, "{}", dot.stdout);
    assert!(
        into.iter().all(|l| l.trim_start().starts_with("\"*\" ->")),
        "{into:?}"
    );
}
