//! Issue 30: who needs a call. Each running pairing has a health (on track, needs a check-in,
//! at risk) with its reasons; `list --attention` lists those not on track, at risk first.

use mentorflow_tests::{mentorflow, scratch_dir, Run};

const COHORT: &str = "programs/leadership-cohort.toml";

#[test]
fn the_attention_list_holds_exactly_the_pairings_that_need_a_call() {
    let dir = scratch_dir("health");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let at = |now: &str, args: &[&str]| -> Run {
        let mut line = args.to_vec();
        line.extend(["--store", &store, "--now", now]);
        mentorflow(&line)
    };
    assert_eq!(mentorflow(&["init", "--store", &store]).code, 0);
    for (mentor, mentee) in [("ana", "bo"), ("cy", "dan"), ("eko", "fay")] {
        let (m, e) = (
            format!("mentor={mentor},grade=9,department=finance"),
            format!("mentee={mentee},grade=5,department=sales"),
        );
        let args = [
            "enrol",
            COHORT,
            "--type",
            "one-on-one",
            "--person",
            &m,
            "--person",
            &e,
        ];
        assert_eq!(at("2026-01-05T09:00:00Z", &args).code, 0);
    }
    let day6 = "2026-01-06T09:00:00Z";
    assert_eq!(at(day6, &["record", "p-1", "kickoff_held=true"]).code, 0);
    assert_eq!(at(day6, &["advance", "p-1"]).code, 0);
    let ended = at(
        "2026-01-07T09:00:00Z",
        &["withdraw", "p-3", "--reason", "no-time"],
    );
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    // A week in, everyone is on track: p-2 waits, but its stage is not due yet.
    let early = at("2026-01-12T09:00:00Z", &["list", "--attention"]);
    assert_eq!(
        early.stdout,
        "0 pairings need a call\n",
        "{}",
        early.transcript()
    );
    // Three weeks later: p-2 is overdue and quiet (at risk, first); p-1 is quiet (a call);
    // p-3 has ended.
    let late = at("2026-01-27T09:00:00Z", &["list", "--attention"]);
    assert_eq!(
        late.stdout,
        "p-2      cy, dan — at risk: overdue in preparation since 2026-01-19 09:00 UTC; nothing recorded for 22 days\n\
         p-1      ana, bo — needs a check-in: nothing recorded for 21 days\n\
         2 pairings need a call\n",
        "{}",
        late.transcript()
    );
    let status = at("2026-01-27T09:00:00Z", &["status", "p-1"]);
    assert!(
        status
            .stdout
            .contains("health: needs a check-in: nothing recorded for 21 days\n"),
        "{}",
        status.stdout
    );
    // A fact recorded is activity: the day before, p-1 would have been on track.
    let day26 = "2026-01-26T09:00:00Z";
    assert_eq!(at(day26, &["record", "p-1", "goals_total=3"]).code, 0);
    let after = at("2026-01-26T10:00:00Z", &["list", "--attention"]);
    assert_eq!(
        after.stdout,
        "p-2      cy, dan — at risk: overdue in preparation since 2026-01-19 09:00 UTC; nothing recorded for 21 days\n\
         1 pairing needs a call\n",
        "{}",
        after.transcript()
    );
}
