//! The outbox as a coordinator runs it: notifications queued by stage actions are handed to a
//! command; one that fails stays pending, the pairing's later notifications wait behind it,
//! and the next run delivers each exactly once, in order. A store copy keeps the outbox.

use std::path::PathBuf;

use mentorflow_tests::{mentorflow, with_flags, Run};

/// A store with three pairings of the notifying fixture, each welcomed and finished: six
/// notifications, two per pairing.
fn store(name: &str) -> (PathBuf, impl Fn(&[&str]) -> Run) {
    let dir = mentorflow_tests::scratch_dir(&format!("outbox-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let run = move |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", &path, "--now", "2026-01-05T09:00:00Z"],
        ))
    };
    assert_eq!(run(&["init"]).code, 0);
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,role,id\n0,runner,ana\n1,runner,bo\n2,runner,cy\n",
    )
    .expect("roster");
    let import = run(&[
        "import",
        &roster.to_string_lossy(),
        "--program",
        "tests/fixtures/store/notifying.toml",
        "--type",
        "solo",
    ]);
    assert_eq!(import.code, 0, "{}", import.transcript());
    assert_eq!(run(&["advance", "--all"]).code, 0);
    (dir, run)
}

/// A command that appends the subject it was handed to `sent`, failing once for `fail_on`
/// (the first time it sees it) to stand for a mail server that is down.
fn sender(dir: &std::path::Path, fail_on: &str) -> String {
    let script = dir.join("send.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nread -r notice\n\
             subject=$(echo \"$notice\" | sed 's/.*\"subject\":\"\\([^\"]*\\)\".*/\\1/')\n\
             if [ \"$subject\" = \"{fail_on}\" ] && [ ! -f {dir}/failed-once ]; then\n\
               touch {dir}/failed-once; echo 'mail server down' >&2; exit 75\n\
             fi\n\
             echo \"$subject\" >> {dir}/sent\n",
            dir = dir.display()
        ),
    )
    .expect("script");
    format!("sh {}", script.display())
}

fn sent(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("sent"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_failed_delivery_is_retried_and_delivered_exactly_once_in_order() {
    let (dir, run) = store("retry");
    let pending = run(&["outbox"]);
    assert_eq!(pending.stdout.lines().count(), 7, "{}", pending.stdout);
    let exec = sender(&dir, "welcome p-2");
    let first = run(&["outbox", "deliver", "--exec", &exec]);
    assert_eq!(first.code, 3, "partly done: {}", first.transcript());
    assert!(
        first.stderr.contains("mail server down") && first.stderr.contains("stays pending"),
        "{}",
        first.stderr
    );
    // p-2's finish waits behind its undelivered welcome; the others went out in order.
    assert_eq!(
        sent(&dir),
        ["welcome p-1", "welcome p-3", "finished p-1", "finished p-3"]
    );
    assert!(
        first.stdout.contains("delivered 4, failed 1, waiting 1"),
        "{}",
        first.stdout
    );
    let listed = run(&["outbox"]).stdout;
    assert!(
        listed.contains("1 attempt failed") && listed.contains("mail server down"),
        "{listed}"
    );
    let second = run(&["outbox", "deliver", "--exec", &exec]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert_eq!(
        sent(&dir),
        [
            "welcome p-1",
            "welcome p-3",
            "finished p-1",
            "finished p-3",
            "welcome p-2",
            "finished p-2"
        ]
    );
    // Nothing left, and nothing is sent twice.
    let third = run(&["outbox", "deliver", "--exec", &exec]);
    assert!(
        third.stdout.contains("delivered 0, failed 0, waiting 0"),
        "{}",
        third.stdout
    );
    assert_eq!(sent(&dir).len(), 6);
    assert!(run(&["outbox"]).stdout.contains("nothing pending"));
    let all = run(&["outbox", "--all", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&all.stdout).expect("json");
    let attempts: Vec<u64> = doc["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| n["attempts"].as_u64().expect("attempts"))
        .collect();
    assert_eq!(attempts, [1, 2, 1, 1, 1, 1]);
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn a_store_copy_keeps_what_is_pending_and_what_was_delivered() {
    let (dir, run) = store("copy");
    let exec = sender(&dir, "welcome p-2");
    run(&["outbox", "deliver", "--exec", &exec, "--limit", "2"]);
    let before = run(&["outbox", "--all", "--json"]).stdout;
    let copy = dir.join("copy.db").to_string_lossy().into_owned();
    let from = dir.join("store.db").to_string_lossy().into_owned();
    let copied = mentorflow(&["store", "copy", &from, &copy]);
    assert_eq!(copied.code, 0, "{}", copied.transcript());
    let after = mentorflow(&["outbox", "--all", "--json", "--store", &copy]).stdout;
    assert_eq!(after, before);
}

#[test]
fn a_command_that_cannot_run_or_hangs_leaves_the_notification_pending() {
    let (_dir, run) = store("broken");
    let missing = run(&[
        "outbox",
        "deliver",
        "--exec",
        "/no/such/sender",
        "--limit",
        "1",
    ]);
    assert_eq!(
        missing.code,
        3,
        "the attempt is stored: {}",
        missing.transcript()
    );
    assert!(
        missing.stderr.contains("exit status 127"),
        "{}",
        missing.stderr
    );
    // The lease is the limit named: a command sleeping ten minutes cannot end within it,
    // however busy the machine, and is stopped at the lease.
    let slow = run(&[
        "outbox",
        "deliver",
        "--exec",
        "sleep 600",
        "--lease",
        "1",
        "--limit",
        "1",
    ]);
    assert_eq!(slow.code, 3, "the attempt is stored: {}", slow.transcript());
    assert!(
        slow.stderr
            .contains("took longer than the lease (1 s) and was stopped"),
        "{}",
        slow.stderr
    );
    assert!(run(&["outbox"]).stdout.contains("2 attempts failed"));
    let bad = run(&["outbox", "deliver", "--exec", "true", "--lease", "0"]);
    assert_eq!(bad.code, 2, "{}", bad.transcript());
}

fn coordinator(dir: &std::path::Path) -> mentorflow_engine::Coordinator {
    use mentorflow_engine::Options;
    let location = mentorflow_engine::Location::File(dir.join("store.db"));
    let options = Options {
        actor: "deliverer".into(),
        at: None,
        clock: std::sync::Arc::new(mentorflow_engine::SystemClock),
        script_budget: std::time::Duration::from_secs(60),
        lock_wait: std::time::Duration::from_secs(5),
    };
    mentorflow_engine::Coordinator::open(&location, options).expect("open")
}

/// Issue 28: A's claim on #1 runs out while A is still handing it on; B takes #1 over and
/// delivers #1 and #2. A's late failure must not make #1 pending again (it would be sent
/// after #2): a result from a deliverer that no longer holds the claim changes nothing.
#[test]
fn a_late_result_from_a_deliverer_whose_claim_was_taken_over_changes_nothing() {
    let (dir, run) = store("fencing");
    let mut a = coordinator(&dir);
    let mut b = coordinator(&dir);
    let lease = chrono::Duration::milliseconds(200);
    let mut taken_over = None;
    let first = a
        .deliver(lease, 1, &mut |queued| {
            // Past A's lease on the wall clock, whatever the machine's load.
            std::thread::sleep(std::time::Duration::from_millis(400));
            taken_over = Some(b.deliver(lease, 2, &mut |_| Ok(())).expect("B delivers"));
            assert_eq!(queued.row.id, 1);
            Err("mail server down".into())
        })
        .expect("A runs");
    let taken_over = taken_over.expect("B ran");
    let ids = |v: &[(u64, String)]| v.iter().map(|(id, _)| *id).collect::<Vec<_>>();
    assert_eq!(ids(&taken_over.delivered), [1, 2]);
    assert_eq!(ids(&first.late), [1]);
    assert!(first.failed.is_empty() && first.delivered.is_empty());
    let all = run(&["outbox", "--all", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&all.stdout).expect("json");
    let one = &doc["notifications"][0];
    assert_eq!(one["id"], 1);
    assert!(one["delivered_at"].is_string(), "{one}");
    assert!(one["last_error"].is_null(), "{one}");
    assert_eq!(one["attempts"], 1);
}

/// A claim is stamped on the wall clock to the millisecond: a deliverer running at another
/// time (`--now`, a day ahead) still respects the live claim of one running now.
#[test]
fn a_deliverer_at_another_time_respects_a_live_claim() {
    let (dir, _) = store("claim-now");
    let path = dir.join("store.db").to_string_lossy().into_owned();
    let mut a = coordinator(&dir);
    let lease = chrono::Duration::seconds(600);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut other = None;
    a.deliver(lease, 1, &mut |_| {
        other = Some(mentorflow(&[
            "outbox", "deliver", "--store", &path, "--exec", "true", "--now", &tomorrow, "--json",
        ]));
        Ok(())
    })
    .expect("A runs");
    let other = other.expect("ran");
    let doc: serde_json::Value = serde_json::from_str(&other.stdout).expect("json");
    assert!(
        !doc["delivered"]
            .as_array()
            .expect("list")
            .contains(&serde_json::json!(1)),
        "#1 is A's for ten minutes: {}",
        other.transcript()
    );
}
