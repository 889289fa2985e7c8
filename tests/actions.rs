//! Stage actions through the store: entering a stage sets a fact and queues a notification in
//! the same command as the move; the first stage's action runs at enrolment; a timer's move
//! runs `on_timeout`, then `on_exit`, then the next stage's `on_enter`; an action that fails
//! refuses the whole command and stores nothing.

use std::path::PathBuf;

use mentorflow_tests::{mentorflow, with_flags, Run};

fn store(name: &str) -> (PathBuf, impl Fn(&str, &[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("actions-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |now: &str, args: &[&str]| {
        mentorflow(&with_flags(args, &["--store", &path, "--now", now]))
    };
    assert_eq!(run("2026-01-05T09:00:00Z", &["init"]).code, 0);
    (dir, run)
}

#[test]
fn entering_a_stage_sets_a_fact_and_queues_a_notification_in_the_same_command() {
    let (_dir, run) = store("sales");
    let t0 = "2026-01-05T09:00:00Z";
    let enrol = run(
        t0,
        &[
            "enrol",
            "programs/sales-onboarding.toml",
            "--type",
            "one-on-one",
            "--person",
            "mentor=rosa,region=emea",
            "--person",
            "mentee=ines,region=emea",
        ],
    );
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    run(
        t0,
        &[
            "record",
            "p-1",
            "ramp_plan_agreed=true",
            "end_date=2026-02-16",
        ],
    );
    let advanced = run(t0, &["advance", "p-1", "--json"]);
    assert_eq!(advanced.code, 0, "{}", advanced.transcript());
    let doc: serde_json::Value = serde_json::from_str(&advanced.stdout).expect("json");
    let kinds: Vec<&str> = doc["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["moved", "facts_recorded", "notified"]);
    assert_eq!(doc["events"][1]["facts"]["ramp_started"], "2026-01-05");
    assert_eq!(
        doc["events"][1]["reason"],
        "action: on_enter of stage `ramping`"
    );
    let notified = &doc["events"][2];
    assert_eq!(notified["notification"], "ramp_plan");
    assert_eq!(
        notified["subject"],
        "p-1: ramp plan agreed, review on 2026-02-16"
    );
    assert!(
        notified["body"]
            .as_str()
            .is_some_and(|b| b.contains("ines starts ramping up today (2026-01-05) with rosa")),
        "{notified}"
    );
    let to: Vec<&str> = notified["to"]
        .as_array()
        .expect("to")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(to, ["rosa", "ines"]);
    assert_eq!(doc["pairings"][0]["facts"]["ramp_started"], "2026-01-05");
    let log = run(t0, &["log", "p-1"]).stdout;
    assert!(
        log.contains("notified rosa (mentor), ines (mentee) of ramp_plan"),
        "{log}"
    );
    assert_eq!(run(t0, &["verify"]).code, 0);
}

/// A program whose every hook notifies, with a timer out of its first stage.
const HOOKS: &str = r#"
[program]
id = "hooks"
title = "Hooks"
initial = "start"

[facts.score]
type = "int"
min = 0
max = 5

[stages.start]
title = "Start"
on_enter = 'notify("entered_start")'
on_timeout = 'notify("timed_out")'
on_exit = 'notify("left_start")'

[stages.middle]
title = "Middle"
on_enter = 'set_fact("score", facts.score + 10)'

[stages.done]
title = "Done"
outcome = "success"

[[transitions]]
from = "start"
to = "done"
after = "7d"

[[transitions]]
from = "start"
to = "middle"
guard = "facts.score != ()"
auto = true

[[transitions]]
from = "middle"
to = "done"

[notifications.entered_start]
subject = "{{ pairing.id }} entered {{ pairing.stage }}"
body = "-"

[notifications.timed_out]
to = ["mentee"]
subject = "{{ pairing.id }} timed out"
body = "-"

[notifications.left_start]
subject = "{{ pairing.id }} left start"
body = "-"

[notifications.pair_welcome]
subject = "{{ pairing.id }} welcomed as a pair"
body = "-"

[types.one-on-one]
roles = { mentor = 1, mentee = 1 }

[types.pair]
roles = { mentor = 1, mentee = 1 }

[types.pair.stages.start]
on_enter = 'notify("pair_welcome")'
"#;

fn hooks(dir: &std::path::Path) -> String {
    let path = dir.join("hooks.toml");
    std::fs::write(&path, HOOKS).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn the_first_stage_acts_at_enrolment_and_a_timer_runs_timeout_then_exit() {
    let (dir, run) = store("hooks");
    let program = hooks(&dir);
    let enrol = run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol",
            &program,
            "--type",
            "one-on-one",
            "--person",
            "mentor=ana",
            "--person",
            "mentee=bo",
            "--json",
        ],
    );
    assert_eq!(enrol.code, 0, "{}", enrol.transcript());
    assert!(
        enrol.stdout.contains("p-1 entered start"),
        "{}",
        enrol.stdout
    );
    let tick = run("2026-01-13T09:00:00Z", &["tick"]);
    assert_eq!(tick.code, 0, "{}", tick.transcript());
    let log = run("2026-01-13T09:00:00Z", &["log", "p-1"]).stdout;
    let order: Vec<&str> = log
        .lines()
        .filter_map(|l| {
            ["timed out (transition 1)", "of timed_out", "of left_start"]
                .into_iter()
                .find(|needle| l.contains(needle))
        })
        .collect();
    assert_eq!(
        order,
        ["timed out (transition 1)", "of timed_out", "of left_start"],
        "{log}"
    );
    assert!(log.contains("notified bo (mentee) of timed_out"), "{log}");
}

#[test]
fn an_action_that_fails_refuses_the_command_and_stores_nothing() {
    let (dir, run) = store("fails");
    let program = hooks(&dir);
    let now = "2026-01-05T09:00:00Z";
    run(
        now,
        &[
            "enrol",
            &program,
            "--type",
            "one-on-one",
            "--person",
            "mentor=ana",
            "--person",
            "mentee=bo",
        ],
    );
    let before = run(now, &["log"]).stdout;
    // Entering `middle` sets score to 1 + 10, above its max of 5.
    let refused = run(now, &["record", "p-1", "score=1"]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("on_enter of stage `middle` of p-1")
            && refused.stderr.contains("above the maximum 5"),
        "{}",
        refused.stderr
    );
    assert_eq!(run(now, &["log"]).stdout, before, "nothing stored");
    assert_eq!(run(now, &["verify"]).code, 0);
}

#[test]
fn a_type_acts_in_its_own_way_where_it_declares_an_action() {
    let (dir, run) = store("overlay");
    let program = hooks(&dir);
    let pair = run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol",
            &program,
            "--type",
            "pair",
            "--person",
            "mentor=ana",
            "--person",
            "mentee=bo",
        ],
    );
    assert_eq!(pair.code, 0, "{}", pair.transcript());
    let one = run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol",
            &program,
            "--type",
            "one-on-one",
            "--person",
            "mentor=cy",
            "--person",
            "mentee=dewi",
        ],
    );
    assert_eq!(one.code, 0, "{}", one.transcript());
    let log = run("2026-01-05T09:00:00Z", &["log"]).stdout;
    assert!(
        log.contains("p-1 welcomed as a pair") && !log.contains("p-1 entered start"),
        "{log}"
    );
    assert!(log.contains("p-2 entered start"), "{log}");
    let paths = mentorflow(&["paths", &program, "--type", "pair"]).stdout;
    assert!(
        paths.contains("acts: start on_enter: notify pair_welcome"),
        "{paths}"
    );
}

/// Coaching check-ins that run only while coaching: started on entering, stopped on pausing.
const CHECK_INS: &str = r#"
[program]
id = "check-ins"
title = "Check-ins"
initial = "matched"

[facts.paused]
type = "bool"
default = false

[schedules.check_in]
every = "1w"
anchor = "started"

[stages.matched]
title = "Matched"

[stages.coaching]
title = "Coaching"
on_enter = 'start_schedule("check_in")'

[stages.paused]
title = "Paused"
on_enter = 'stop_schedule("check_in")'

[stages.done]
title = "Done"
outcome = "success"

[[transitions]]
from = "matched"
to = "coaching"

[[transitions]]
from = "coaching"
to = "paused"
guard = "facts.paused"

[[transitions]]
from = "paused"
to = "coaching"
guard = "!facts.paused"

[[transitions]]
from = "coaching"
to = "done"
guard = "!facts.paused && schedules.check_in.done >= 2"

[types.one-on-one]
roles = { mentor = 1, mentee = 1 }
"#;

#[test]
fn an_action_starts_and_stops_a_schedule() {
    let (dir, run) = store("schedules");
    let path = dir.join("check-ins.toml");
    std::fs::write(&path, CHECK_INS).expect("write");
    let program = path.to_string_lossy().into_owned();
    run(
        "2026-01-05T09:00:00Z",
        &[
            "enrol",
            &program,
            "--type",
            "one-on-one",
            "--person",
            "mentor=ana",
            "--person",
            "mentee=bo",
        ],
    );
    // Not started yet: no check-in falls due in `matched`.
    let early = run("2026-01-20T09:00:00Z", &["tick"]);
    assert!(!early.stdout.contains("newly missed"), "{}", early.stdout);
    let started = run("2026-01-20T09:00:00Z", &["advance", "p-1"]);
    assert!(
        started.stdout.contains("started schedule check_in"),
        "{}",
        started.stdout
    );
    // Counting from the start: #1 due 2026-01-27, #2 due 2026-02-03.
    let status = run("2026-01-21T09:00:00Z", &["status", "p-1", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    assert_eq!(doc["schedules"][0]["next_due"], "2026-01-27T09:00:00Z");
    let paused = run("2026-01-28T09:00:00Z", &["record", "p-1", "paused=true"]);
    assert_eq!(paused.code, 0, "{}", paused.transcript());
    run("2026-01-28T09:00:00Z", &["advance", "p-1"]);
    let log = run("2026-01-28T09:00:00Z", &["log", "p-1"]).stdout;
    assert!(log.contains("stopped schedule check_in"), "{log}");
    // Stopped: weeks pass and nothing is missed.
    let quiet = run("2026-03-01T09:00:00Z", &["tick"]);
    assert!(!quiet.stdout.contains("newly missed"), "{}", quiet.stdout);
    // Started again: it counts afresh from now.
    run("2026-03-02T09:00:00Z", &["record", "p-1", "paused=false"]);
    run("2026-03-02T09:00:00Z", &["advance", "p-1"]);
    run("2026-03-09T09:00:00Z", &["done", "p-1", "check_in"]);
    run("2026-03-16T09:00:00Z", &["done", "p-1", "check_in"]);
    let done = run("2026-03-16T09:00:00Z", &["advance", "p-1"]);
    assert!(
        done.stdout.contains("coaching -> done"),
        "{}",
        done.transcript()
    );
    assert_eq!(run("2026-03-16T09:00:00Z", &["verify"]).code, 0);
}
