//! The command-line habits of the tools coordinators already use (issue 15, in part): shell
//! completions, a manual page, and diagrams that draw `from = "*"` once.

use mentorflow_tests::{mentorflow, with_flags};

#[test]
fn completions_are_generated_for_each_shell_and_a_wrong_shell_is_a_usage_error() {
    // Each script asks the binary at each TAB (tests/completion.rs tests its answers).
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = mentorflow(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.transcript());
        assert!(
            run.stdout.contains("MENTORFLOW_COMPLETE") && run.stdout.contains("mentorflow"),
            "{shell}: {}",
            run.stdout
        );
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
    assert!(man.stdout.contains(".SH \"EXIT STATUS\""));
    assert!(man.stdout.contains("MENTORFLOW_STORE"));
}

/// Every `mentorflow-*(1)` page the program's page points to is written by `man --dir`, and
/// one command's page is printed by `man COMMAND`.
#[test]
fn every_command_has_its_own_manual_page() {
    let dir = mentorflow_tests::scratch_dir("man-pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let dir_text = dir.to_string_lossy().into_owned();
    let all = mentorflow(&["man", "--dir", &dir_text]);
    assert_eq!(all.code, 0, "{}", all.transcript());
    let main = mentorflow(&["man"]).stdout;
    let cited: std::collections::BTreeSet<String> = main
        .split("mentorflow\\-")
        .skip(1)
        .filter_map(|s| s.split('(').next())
        .map(|name| format!("mentorflow-{}.1", name.replace("\\-", "-")))
        .collect();
    assert!(cited.len() >= 30, "{cited:?}");
    for page in &cited {
        assert!(dir.join(page).is_file(), "{page} is cited but not written");
    }
    let import = mentorflow(&["man", "people", "import"]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    assert!(
        import.stdout.contains(".TH mentorflow-people-import 1"),
        "{}",
        import.stdout
    );
    let typo = mentorflow(&["man", "peple"]);
    assert_eq!(typo.code, 2, "{}", typo.transcript());
    assert!(
        typo.stderr.contains("did you mean `people`"),
        "{}",
        typo.stderr
    );
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

#[test]
fn an_export_is_flat_a_column_per_role_and_per_fact_and_events_in_columns() {
    let dir = mentorflow_tests::scratch_dir("habits-export");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("s.db").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", store.as_str(), "--now", "2026-03-02 09:00"],
        ))
    };
    assert_eq!(run(&["init"]).code, 0);
    let enrolled = run(&[
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
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    assert_eq!(
        run(&["record", "p-1", "--person", "bo", "attended=2"]).code,
        0
    );
    assert_eq!(run(&["record", "p-1", "charter_agreed=true"]).code, 0);
    assert_eq!(run(&["advance", "p-1"]).code, 0);
    let pairings = run(&["export", "--format", "csv"]).stdout;
    let mut lines = pairings.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).map(|i| row[i]);
    assert_eq!(column("mentor"), Some("ana"), "{pairings}");
    assert_eq!(column("mentee"), Some("bo cy dewi"), "{pairings}");
    assert_eq!(
        column("mentee name"),
        Some(""),
        "no registry, no names: {pairings}"
    );
    assert_eq!(column("fact:charter_agreed"), Some("true"), "{pairings}");
    assert_eq!(
        column("fact:attended"),
        Some("bo=2 cy=0 dewi=0"),
        "{pairings}"
    );
    assert_eq!(
        column("enrolled"),
        Some("2026-03-02 09:00:00"),
        "{pairings}"
    );
    let events = run(&["export", "--format", "csv", "--what", "events"]).stdout;
    assert!(
        events.lines().next().unwrap_or_default().starts_with(
            "pairing,seq,at,actor,event,reason,program,from,to,by,transition,facts,person,detail"
        ),
        "{events}"
    );
    assert!(events.contains(",facts_recorded,,"), "{events}");
    assert!(events.contains(",attended=2,bo,"), "{events}");
    assert!(events.contains(",forming,meeting,advance,1,"), "{events}");
}

#[test]
fn a_graph_marks_a_pairings_path_and_counts_pairings_per_stage() {
    let dir = mentorflow_tests::scratch_dir("habits-graph");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = dir.join("s.db").to_string_lossy().into_owned();
    let run = |args: &[&str]| mentorflow(&with_flags(args, &["--store", store.as_str()]));
    assert_eq!(run(&["init"]).code, 0);
    for mentee in ["bo", "cy"] {
        let person = format!("mentee={mentee},experience_years=1");
        let enrolled = run(&[
            "enrol",
            "programs/mentoring.toml",
            "--type",
            "one-on-one",
            "--person",
            "mentor=ana,experience_years=9",
            "--person",
            &person,
            "--allow-duplicate",
        ]);
        assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    }
    assert_eq!(
        run(&["record", "p-1", "mentor_assigned=true", "schedule_set=true"]).code,
        0
    );
    assert_eq!(run(&["advance", "p-1"]).code, 0);
    let path = run(&["graph", "--pairing", "p-1"]);
    assert_eq!(path.code, 0, "{}", path.transcript());
    assert!(
        path.stdout.contains("linkStyle 1 stroke:#2a7a2a"),
        "{}",
        path.stdout
    );
    assert!(
        path.stdout.contains("style s_preparation stroke-width:3px"),
        "{}",
        path.stdout
    );
    assert!(
        path.stdout.contains("style s_orientation fill:#fff3b0"),
        "{}",
        path.stdout
    );
    let counts = run(&[
        "graph",
        "programs/mentoring.toml",
        "--counts",
        "--format",
        "dot",
    ]);
    assert_eq!(counts.code, 0, "{}", counts.transcript());
    assert!(
        counts
            .stdout
            .contains("Preparation (due 14d) · 1 pairing\""),
        "{}",
        counts.stdout
    );
    assert!(
        counts.stdout.contains("Orientation (due 7d) · 1 pairing\""),
        "{}",
        counts.stdout
    );
    let unknown = run(&["graph", "--pairing", "p-9"]);
    assert_eq!(unknown.code, 1, "{}", unknown.transcript());
}

#[test]
fn the_help_lists_every_command_by_who_uses_it_and_the_exit_codes() {
    let help = mentorflow(&["--help"]).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        // A command's line starts two spaces in; a wrapped description further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    let groups = help
        .split("Commands by who uses them:")
        .nth(1)
        .unwrap_or_default();
    assert!(commands.len() > 20, "{help}");
    for c in commands {
        let listed = groups.lines().any(|l| l.split([',', ' ']).any(|w| w == c));
        assert!(listed, "`{c}` is in no group of --help:\n{groups}");
    }
    assert!(
        help.contains("Exit codes: 0 done; 1 refused or failed"),
        "{help}"
    );
}

#[test]
fn colour_is_off_in_a_pipe_on_when_asked_and_never_when_told() {
    let plain = mentorflow(&["status", "--store", "no/such/store.db"]);
    assert!(plain.stderr.starts_with("error: "), "{}", plain.stderr);
    let always = mentorflow(&["--color", "always", "status", "--store", "no/such/store.db"]);
    assert!(
        always.stderr.starts_with("\x1b[1;31merror:\x1b[0m "),
        "{:?}",
        always.stderr
    );
    assert_eq!(always.code, plain.code);
    let never = mentorflow(&["--color", "never", "status", "--store", "no/such/store.db"]);
    assert_eq!(never.stderr, plain.stderr);
    let wrong = mentorflow(&["--color", "sometimes", "status"]);
    assert_eq!(wrong.code, 2);
}

#[test]
fn every_commands_help_has_an_example() {
    let help = mentorflow(&["--help"]).stdout;
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    for c in commands {
        let run = mentorflow(&[c, "--help"]);
        assert_eq!(run.code, 0, "{c}: {}", run.transcript());
        assert!(
            run.stdout.contains("Example"),
            "`mentorflow {c} --help` has no example:\n{}",
            run.stdout
        );
    }
}

#[test]
fn a_commands_help_shows_only_the_store_flags_it_takes() {
    let flags = [
        "--store",
        "--now",
        "--actor",
        "--lock-wait",
        "--script-budget",
    ];
    for (command, takes) in [
        (&["check"][..], &[][..]),
        (&["show"], &[]),
        (&["simulate"], &[]),
        (&["schema"], &[]),
        (&["store", "copy"], &[]),
        (&["log"], &["--store"]),
        (&["verify"], &["--store"]),
        (&["people", "list"], &["--store"]),
        (&["status"], &["--store", "--now"]),
        (&["report"], &["--store", "--now"]),
        (&["record"], &["--store", "--now", "--actor", "--lock-wait"]),
        (
            &["people", "import"],
            &["--store", "--now", "--actor", "--lock-wait"],
        ),
        (
            &["advance"],
            &[
                "--store",
                "--now",
                "--actor",
                "--lock-wait",
                "--script-budget",
            ],
        ),
        (
            &["tick"],
            &[
                "--store",
                "--now",
                "--actor",
                "--lock-wait",
                "--script-budget",
            ],
        ),
    ] {
        let help = mentorflow(&[command, &["--help"]].concat()).stdout;
        for flag in flags {
            let shown = help.contains(&format!("{flag} <"));
            assert_eq!(
                shown,
                takes.contains(&flag),
                "{command:?} and {flag}:\n{help}"
            );
        }
    }
}

#[test]
fn store_flags_go_before_or_after_the_command() {
    // Before the command, as cron lines of the first release wrote them: the same command.
    let before = mentorflow(&["--store", "no/such/x.db", "status"]);
    let after = mentorflow(&["status", "--store", "no/such/x.db"]);
    assert_eq!(before.code, 1, "{}", before.transcript());
    assert_eq!(before.transcript(), after.transcript());
    let short = mentorflow(&["-q", "-s", "no/such/x.db", "status"]);
    assert_eq!(short.transcript(), after.transcript());
    let nested = mentorflow(&["--store", "no/such/x.db", "--json", "people", "list"]);
    assert_eq!(nested.code, 1, "{}", nested.transcript());
    assert!(
        nested.stderr.contains("no store at no/such/x.db"),
        "{}",
        nested.stderr
    );
    // A flag the command does not take is refused wherever it stands, saying what it takes.
    let leading = mentorflow(&["--now", "2026-01-01", "log"]);
    assert_eq!(leading.code, 2, "{}", leading.transcript());
    assert!(
        leading.stderr.contains(
            "`log` takes no --now; of the flags written before a command it takes --store, --json"
        ),
        "{}",
        leading.stderr
    );
    let meaningless = mentorflow(&["log", "--now", "2026-01-01"]);
    assert_eq!(meaningless.code, 2, "{}", meaningless.transcript());
    assert!(
        meaningless.stderr.contains("unexpected argument '--now'"),
        "{}",
        meaningless.stderr
    );
}

/// A reader that takes a few bytes and goes away, as `head -c 100` does.
struct GoesAway(usize);

impl std::io::Write for GoesAway {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.0);
        self.0 -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_into_a_reader_that_goes_away_ends_quietly() {
    let dir = mentorflow_tests::scratch_dir("goes-away");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("demo.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["demo", "--store", &store]).code, 0);
    for line in [
        ["export", "--format", "csv", "--what", "events"],
        ["export", "--format", "json", "--what", "events"],
        ["export", "--format", "csv", "--what", "pairings"],
        ["log", "--store", &store, "--json", "p-1"],
    ] {
        let mut args = vec!["mentorflow"];
        args.extend(line);
        if line[0] == "export" {
            args.extend(["--store", &store]);
        }
        let mut err = Vec::new();
        let code = mentorflow::run(args.clone(), &mut GoesAway(100), &mut err);
        let err = String::from_utf8_lossy(&err);
        assert_eq!((code, err.as_ref()), (0, ""), "{args:?}");
    }
}

/// Every example in every command's help fits an 80-column terminal whole: a long one goes on
/// over lines ending in ` \`, so it can be pasted as it is, never wrapped mid-command.
#[test]
fn help_examples_are_not_wrapped_mid_command() {
    fn walk(command: &clap::Command, path: &str, bad: &mut Vec<String>) {
        for sub in command.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), bad);
        }
        let help = command
            .clone()
            .term_width(80)
            .render_long_help()
            .to_string();
        let examples = help
            .lines()
            .skip_while(|l| *l != "Examples:" && *l != "Example:")
            .skip(1)
            .take_while(|l| !l.is_empty());
        for line in examples {
            let whole = line.starts_with("  mentorflow")
                || line.starts_with("    ")
                || line.starts_with("  # ");
            if !whole || line.len() > 80 {
                bad.push(format!("{path}: {line}"));
            }
        }
    }
    let mut bad = Vec::new();
    walk(&mentorflow::command(), "mentorflow", &mut bad);
    assert!(bad.is_empty(), "wrapped or too long:\n{}", bad.join("\n"));
}
