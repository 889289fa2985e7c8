//! Automatic transitions on a real store (issue 10): taken by the engine after a command as
//! soon as their guard holds; a loop of them is refused, naming it, and nothing is applied.

use mentorflow_tests::mentorflow;

/// A store with one pairing of a program whose `a` and `b` move to each other automatically
/// once `n` is positive, and whose `b` moves on to `done` once `n` is 5.
fn store(name: &str) -> (String, String) {
    store_of(name, LOOP)
}

/// A store with one pairing (mentee `m`, type `solo`) of `program`.
fn store_of(name: &str, text: &str) -> (String, String) {
    let dir = mentorflow_tests::scratch_dir(&format!("auto-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let program = dir.join("loop.toml");
    std::fs::write(&program, text).expect("write");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let program = program.to_string_lossy().into_owned();
    for args in [
        &["init", "--store", &store][..],
        &[
            "enrol", "--store", &store, &program, "--type", "solo", "--person", "mentee=m",
        ],
    ] {
        let run = mentorflow(args);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    (store, program)
}

const LOOP: &str = r#"[program]
id = "loop"
title = "Loop"
initial = "a"

[facts.n]
type = "int"
default = 0

[stages.a]
[stages.b]
[stages.done]
outcome = "success"

[[transitions]]
from = "b"
to = "done"
guard = "facts.n == 5"
auto = true

[[transitions]]
from = "a"
to = "b"
guard = "facts.n > 0"
auto = true

[[transitions]]
from = "b"
to = "a"
guard = "facts.n > 0 && facts.n != 5"
auto = true

[[transitions]]
from = "*"
to = "done"
label = "withdraw"

[types.solo]
roles = { mentee = 1 }
"#;

/// A loop whose stages act on entry: each move adds events of its own (a fact set, a notice
/// queued), which a limit counting events stepped over (issue 28). Its guards read a fact
/// the actions set, so the checker cannot tell it loops; the engine stops it.
const LOOP_WITH_ACTIONS: &str = r#"[program]
id = "loop-actions"
title = "Loop with actions"
initial = "a"

[facts.n]
type = "int"
default = 0

[facts.visits]
type = "int"
default = 0

[stages.a]
on_enter = 'if facts.n > 0 { set_fact("visits", facts.visits + 1) }'
[stages.b]
on_enter = 'if facts.n > 0 { [set_fact("visits", facts.visits + 1), notify("moved")] }'
[stages.done]
outcome = "success"

[notifications.moved]
to = ["mentee"]
subject = "moved"
body = "{{ pairing.id }} moved"

[[transitions]]
from = "a"
to = "b"
guard = "facts.n > 0 && facts.visits >= 0"
auto = true

[[transitions]]
from = "b"
to = "a"
guard = "facts.n > 0 && facts.visits >= 0"
auto = true

[[transitions]]
from = "*"
to = "done"
label = "withdraw"

[types.solo]
roles = { mentee = 1 }
"#;

#[test]
fn a_loop_through_stages_with_actions_is_stopped_at_the_same_count_of_moves() {
    let (store, program) = store_of("actions", LOOP_WITH_ACTIONS);
    let check = mentorflow(&["check", &program]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    let before = mentorflow(&["log", "--store", &store]).stdout;
    let run = mentorflow(&["record", "--store", &store, "p-1", "n=1"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "automatic transitions moved p-1 11 times without stopping: a -> b -> a -> b"
        ) && run.stderr.contains("nothing was applied"),
        "{}",
        run.stderr
    );
    assert_eq!(mentorflow(&["log", "--store", &store]).stdout, before);
    let outbox = mentorflow(&["outbox", "--store", &store]);
    assert!(!outbox.stdout.contains("moved"), "{}", outbox.transcript());
}

#[test]
fn check_refuses_a_cycle_of_automatic_transitions_that_always_fires() {
    let dir = mentorflow_tests::scratch_dir("auto-always");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let program = dir.join("always.toml");
    let text = LOOP_WITH_ACTIONS.replace(
        "guard = \"facts.n > 0 && facts.visits >= 0\"\n",
        "guard = \"true\"\n",
    );
    std::fs::write(&program, text).expect("write");
    let run = mentorflow(&["check", &program.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.transcript().contains(
            "error[E046]: automatic transitions loop without end: a -> b -> a (transitions 1, 2)"
        ),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_loop_of_automatic_transitions_is_refused_and_nothing_is_applied() {
    let (store, _) = store("loop");
    let before = mentorflow(&["log", "--store", &store]).stdout;
    let run = mentorflow(&["record", "--store", &store, "p-1", "n=1"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "automatic transitions moved p-1 11 times without stopping: a -> b -> a -> b"
        ) && run.stderr.contains("nothing was applied"),
        "{}",
        run.stderr
    );
    assert_eq!(mentorflow(&["log", "--store", &store]).stdout, before);
}

#[test]
fn a_command_is_followed_by_the_automatic_transitions_it_lets_through() {
    let (store, _) = store("through");
    let run = mentorflow(&["record", "--store", &store, "p-1", "n=5"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let log = mentorflow(&["log", "--store", &store, "p-1"]).stdout;
    assert!(log.contains("a -> b automatically (transition 2)"), "{log}");
    assert!(
        log.contains("b -> done automatically (transition 1)"),
        "{log}"
    );
    let verify = mentorflow(&["verify", "--store", &store]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
}

#[test]
fn a_scenario_step_that_loops_applies_nothing_as_the_store_does() {
    let (_, program) = store("scenario");
    let dir = std::path::Path::new(&program)
        .parent()
        .expect("folder")
        .to_path_buf();
    let scenario = dir.join("loop-scenario.toml");
    std::fs::write(
        &scenario,
        "description = \"a loop\"\nprogram = \"loop.toml\"\ntype = \"solo\"\n\
         start = 2026-01-05T09:00:00Z\n\n[[participants]]\nid = \"m\"\nrole = \"mentee\"\n\n\
         [[steps]]\nrecord = { n = 1 }\n",
    )
    .expect("write");
    let run = mentorflow(&["simulate", &scenario.to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stdout.contains("nothing was applied"), "{}", run.stdout);
    // The transcript's final state is the one before the step, as a store would keep.
    assert!(
        run.stdout.contains("final: stage a, cycle 1, 1 event") && run.stdout.contains("n=0"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("recorded n = 1"), "{}", run.stdout);
}
