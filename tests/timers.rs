//! Timers on a real store (issue 10): anchored at enrolment, at a date fact, after inactivity
//! with a warning; `status` shows when each fires, `tick` warns once, `list --warned` finds
//! the pairings warned, and activity moves an idle timer on.

use mentorflow_tests::ramping_sales_pairing;

#[test]
fn status_shows_when_each_timer_fires() {
    let s = ramping_sales_pairing("timers-status");
    let status = s("2026-01-06T09:00:00Z", &["status", "p-1"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    for line in [
        "timers:\n",
        "  #6 timer to closed_inactive 2026-03-06 09:00 UTC (idle 60d), in 8w 3d\n",
        "  #7 timer to closed_inactive 2026-10-05 09:00 UTC (9mo after enrolment), in 38w 6d\n",
        "  #2 timer to review 2026-12-01 00:00 UTC (on the date in end_date), in 46w 6d\n",
    ] {
        assert!(status.stdout.contains(line), "{line}: {}", status.stdout);
    }
    let json = s("2026-01-06T09:00:00Z", &["status", "p-1", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(value["timers"][0]["to"], "closed_inactive");
    assert_eq!(value["timers"][0]["warned"], false);
}

#[test]
fn a_tick_warns_once_and_activity_moves_the_idle_timer_on() {
    let s = ramping_sales_pairing("timers-warn");
    // 53 days without activity: the 7-day lead time of the 60-day idle timer has come.
    let first = s("2026-02-27T09:00:00Z", &["tick"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let again = s("2026-02-28T09:00:00Z", &["tick"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    // The tick says which timer fires next, and when.
    assert!(
        again.stdout.contains(
            "next: p-1 #6 timer to closed_inactive 2026-03-06 09:00 UTC (idle 60d, warned)"
        ),
        "{}",
        again.stdout
    );
    let log = s("2026-02-28T09:00:00Z", &["log", "p-1"]).stdout;
    let warning = "warning: transition 6 to closed_inactive is due 2026-03-06 09:00 UTC";
    assert_eq!(log.matches(warning).count(), 1, "{log}");
    let warned = s("2026-02-28T09:00:00Z", &["list", "--warned"]);
    assert!(warned.stdout.contains("p-1"), "{}", warned.stdout);
    let blocked = s("2026-02-28T09:00:00Z", &["status", "p-1"]);
    assert!(
        blocked.stdout.contains("(idle 60d, warned), in 6d"),
        "{}",
        blocked.stdout
    );
    // Activity: the idle timer is due 60 days later, and the old warning no longer stands.
    let record = s("2026-03-01T09:00:00Z", &["done", "p-1", "one_on_one"]);
    assert_eq!(record.code, 0, "{}", record.transcript());
    let warned = s("2026-03-02T09:00:00Z", &["list", "--warned"]);
    assert!(!warned.stdout.contains("p-1"), "{}", warned.stdout);
    let tick = s("2026-03-06T09:00:00Z", &["tick"]);
    assert_eq!(tick.code, 0, "{}", tick.transcript());
    let status = s("2026-03-06T09:00:00Z", &["status", "p-1"]);
    assert!(
        status.stdout.contains("stage: ramping"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_date_timer_waits_for_its_fact_and_fires_on_the_date() {
    let s = ramping_sales_pairing("timers-date");
    let record = s(
        "2026-01-06T09:00:00Z",
        &["record", "p-1", "end_date=2026-01-20"],
    );
    assert_eq!(record.code, 0, "{}", record.transcript());
    let tick = s("2026-01-19T23:00:00Z", &["tick"]);
    assert_eq!(tick.code, 0, "{}", tick.transcript());
    let tick = s("2026-01-20T00:00:00Z", &["tick"]);
    assert_eq!(tick.code, 0, "{}", tick.transcript());
    let log = s("2026-01-20T00:00:00Z", &["log", "p-1"]).stdout;
    assert!(
        log.contains("ramping -> review timed out (transition 2) — reason: the date in end_date came (2026-01-20 00:00 UTC, less than an hour ago)"),
        "{log}"
    );
}
