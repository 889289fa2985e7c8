//! `mentorflow outbox`: the notifications waiting to be delivered; `outbox deliver --exec CMD`
//! hands each to a command of the organisation's choosing.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::failure::CommandResult;
use crate::json::outbox::{Delivery, Failed, Notice, Outbox};
use crate::store_args::{AtTime, Reads};
use crate::{render, Output, EXIT_OK, EXIT_PARTIAL};

/// The notifications stage actions sent, pending delivery; `deliver` hands them on.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow outbox\n  mentorflow outbox --all --json\n  # cron: every few minutes\n  mentorflow outbox deliver --exec ./send-mail.sh"
)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Delivered notifications too.
    #[arg(long)]
    all: bool,
    /// Print JSON (`mentorflow schema outbox`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: Reads,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Hand each pending notification to CMD (run with `sh -c`): one JSON document on its
    /// standard input (`mentorflow schema notice`). Exit 0 marks it delivered; anything else
    /// leaves it pending with the error, and that pairing's later notifications wait for the
    /// next run. At least once, in order per pairing; safe from cron and from two machines.
    /// CMD runs in a process group of its own, stopped at the lease and when CMD exits: start
    /// work that must outlive it with `setsid`.
    #[command(
        after_help = "The command's standard input, e.g.:\n  {\"id\": 3, \"pairing\": \"p-1\", \"notification\": \"ramp_plan\", \"to\": [{\"id\": \"rosa\", \"role\": \"mentor\"}], \"subject\": \"...\", \"body\": \"...\", ...}"
    )]
    Deliver {
        /// The command that delivers one notification (mail, chat, an HR system).
        #[arg(long, value_name = "CMD")]
        exec: String,
        /// The most seconds one delivery may take; then it is stopped and counts as failed
        /// (another deliverer may take the notification over after that long).
        #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        lease: u64,
        /// Deliver at most this many in this run.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        limit: usize,
        /// Print what was delivered as JSON (`mentorflow schema delivery`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: AtTime,
    },
}

/// Lists or delivers.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    match &args.action {
        None => list(args, output),
        Some(Action::Deliver {
            exec,
            lease,
            limit,
            json,
            on,
        }) => deliver(exec, *lease, *limit, *json, &on.into(), output),
    }
}

fn list(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let store: crate::store_args::StoreArgs = (&args.on).into();
    let coordinator = store.open()?;
    let queued = coordinator.outbox(args.all)?;
    let names = coordinator.directory()?;
    if args.json {
        let notifications = queued.iter().map(|q| Notice::of(q, &names)).collect();
        return super::versioned_json(output, Outbox { notifications });
    }
    if queued.is_empty() {
        let what = if args.all {
            "no notification yet"
        } else {
            "nothing pending"
        };
        writeln!(output.out, "outbox: {what}")?;
        return Ok(EXIT_OK);
    }
    let rows: Vec<[String; 6]> = queued
        .iter()
        .map(|q| {
            let n = Notice::of(q, &names);
            let to: Vec<String> = n.to.iter().map(|r| names.label(&r.id)).collect();
            let state = match (&n.delivered_at, &n.last_error) {
                (Some(at), _) => format!("delivered {at}"),
                (None, Some(e)) => format!(
                    "pending, {} failed: {}",
                    render::count(u64::from(n.attempts), "attempt"),
                    render::printable(e)
                ),
                (None, None) => "pending".into(),
            };
            [
                n.id.to_string(),
                n.pairing,
                n.notification,
                to.join(", "),
                render::printable(&n.subject),
                state,
            ]
        })
        .collect();
    let header = ["id", "pairing", "notification", "to", "subject", "state"];
    write!(output.out, "{}", render::table(header, &rows))?;
    Ok(EXIT_OK)
}

fn deliver(
    exec: &str,
    lease: u64,
    limit: usize,
    json: bool,
    store: &crate::store_args::StoreArgs,
    output: &mut Output<'_>,
) -> CommandResult {
    if exec.trim().is_empty() {
        return Err(crate::failure::Failure::Usage(
            "--exec is empty: name the command that delivers one notification, e.g. --exec ./send-mail.sh".into(),
        ));
    }
    let mut coordinator = store.open()?;
    let wait = Duration::from_secs(lease);
    let names = coordinator.directory()?;
    let report = coordinator.deliver(
        chrono::Duration::seconds(lease as i64),
        limit,
        &mut |queued| hand(exec, &Notice::of(queued, &names), wait),
    )?;
    // A failed attempt is stored (with its error, for the next run to retry).
    let code = if report.failed.is_empty() && report.late.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    };
    if json {
        let doc = Delivery {
            delivered: report.delivered.iter().map(|(id, _)| *id).collect(),
            failed: report
                .failed
                .iter()
                .map(|(id, pairing, error)| Failed {
                    id: *id,
                    pairing: pairing.clone(),
                    error: error.clone(),
                })
                .collect(),
            late: report.late.iter().map(|(id, _)| *id).collect(),
            waiting: report.waiting,
        };
        super::versioned_json(output, doc)?;
        return Ok(code);
    }
    for (id, pairing) in &report.delivered {
        writeln!(output.out, "delivered #{id} ({pairing})")?;
    }
    for (id, pairing, error) in &report.failed {
        writeln!(
            output.err,
            "error: #{id} ({pairing}) not delivered: {}; it stays pending, and the next run tries again",
            render::printable(error)
        )?;
    }
    for (id, pairing) in &report.late {
        writeln!(
            output.err,
            "warning: #{id} ({pairing}) was handed on after its lease ran out and another deliverer took it over; its result was not recorded, so it may be sent twice"
        )?;
    }
    write!(
        output.out,
        "delivered {}, failed {}",
        report.delivered.len(),
        report.failed.len()
    )?;
    if !report.late.is_empty() {
        write!(output.out, ", late {}", report.late.len())?;
    }
    writeln!(output.out, ", waiting {}", report.waiting)?;
    Ok(code)
}

/// The most of a command's standard error kept for its error message: the end of it.
const STDERR_TAIL: usize = 4096;

/// Runs `exec` with the notice on its standard input; Ok when it exits 0 within `wait`.
/// The command runs in a process group of its own, which is killed at the lease and as soon
/// as the command exits (what it left running in the background is ended with it: detach
/// with `setsid` what must outlive a delivery). Its input is written by a thread, so a
/// command that does not read it cannot hold the deliverer past the lease, and only the end
/// of what it says on standard error is kept. The error never repeats the command line,
/// which may hold a token: it is stored in the outbox and copied with the store.
fn hand(exec: &str, notice: &Notice, wait: Duration) -> Result<(), String> {
    let document =
        serde_json::to_string(&crate::json::Versioned::new(notice)).map_err(|e| e.to_string())?;
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(exec)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| format!("the --exec command cannot be started: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business: only its exit counts.
        std::thread::spawn(move || {
            let _ = writeln!(stdin, "{document}");
        });
    }
    let tail = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (read, all_read) = std::sync::mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        let tail = std::sync::Arc::clone(&tail);
        std::thread::spawn(move || {
            keep_tail(stderr, &tail);
            let _ = read.send(());
        });
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= wait => {
                stop(&mut child);
                return Err(format!(
                    "the --exec command took longer than the lease ({} s) and was stopped",
                    wait.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                stop(&mut child);
                return Err(format!("the --exec command could not be watched: {e}"));
            }
        }
    };
    // What it left behind in its group ends with it; its last words may still be in the pipe.
    kill_group(&child);
    let _ = all_read.recv_timeout(Duration::from_millis(500));
    if status.success() {
        return Ok(());
    }
    let said = tail.lock().map(|t| t.clone()).unwrap_or_default();
    let said = String::from_utf8_lossy(&said);
    let last = said
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let exit = match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "stopped by a signal".into(),
    };
    Err(if last.is_empty() {
        format!("the --exec command failed: {exit}")
    } else {
        format!(
            "the --exec command failed: {exit}: {}",
            last.chars().take(200).collect::<String>()
        )
    })
}

/// Reads `from` to its end, keeping only its last [`STDERR_TAIL`] bytes in `tail`.
fn keep_tail(mut from: impl std::io::Read, tail: &std::sync::Mutex<Vec<u8>>) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let Ok(mut kept) = tail.lock() else { break };
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > STDERR_TAIL {
            let cut = kept.len() - STDERR_TAIL;
            kept.drain(..cut);
        }
    }
}

/// Kills every process of `child`'s group (the command and what it started).
fn kill_group(child: &std::process::Child) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
}

/// Stops `child` and every process it started (its process group).
fn stop(child: &mut std::process::Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::{hand, keep_tail, STDERR_TAIL};
    use crate::json::outbox::Notice;
    use std::time::Duration;

    fn notice(body: String) -> Notice {
        Notice {
            id: 1,
            pairing: "p-1".into(),
            seq: 2,
            queued_at: "2026-01-05T09:00:00Z".into(),
            notification: "welcome".into(),
            to: Vec::new(),
            subject: "Welcome".into(),
            body,
            reason: None,
            attempts: 0,
            delivered_at: None,
            last_error: None,
        }
    }

    #[test]
    fn a_command_that_does_not_read_a_large_notice_is_stopped_at_the_lease() {
        // 200 KiB fill the pipe; `sleep` never reads: the write must not hold the deliverer.
        let big = notice("x".repeat(200 * 1024));
        let e = hand("sleep 30", &big, Duration::from_secs(1)).expect_err("stopped");
        assert_eq!(
            e,
            "the --exec command took longer than the lease (1 s) and was stopped"
        );
    }

    #[test]
    fn what_a_command_leaves_running_ends_with_it() {
        use std::io::Read as _;
        let dir = std::env::temp_dir().join(format!("mentorflow-hand-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let fifo = dir.join("alive");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // The background `sleep` holds the pipe's only writing end: the reader sees its end
        // once that process is gone, and not before (it would sleep ten minutes).
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut all = Vec::new();
                std::fs::File::open(&fifo)
                    .and_then(|mut f| f.read_to_end(&mut all))
                    .map(|_| all)
            })
        };
        // The shell opens the pipe before it starts the child, so the child holds it from its
        // first moment.
        let exec = format!("exec 3> {}; sleep 600 >&3 & exit 0", fifo.display());
        hand(&exec, &notice("hi".into()), Duration::from_secs(60)).expect("delivered");
        let read = reader.join().expect("reader");
        assert!(
            read.is_ok_and(|r| r.is_empty()),
            "the background child was not stopped"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_the_end_of_standard_error_is_kept() {
        use std::io::Read as _;
        let tail = std::sync::Mutex::new(Vec::new());
        keep_tail(std::io::repeat(b'y').take(10 * 1024 * 1024), &tail);
        assert_eq!(tail.lock().expect("tail").len(), STDERR_TAIL);
        let e = hand(
            "yes noise | head -c 3000000 >&2; echo 'mail server down' >&2; exit 75",
            &notice("hi".into()),
            Duration::from_secs(20),
        )
        .expect_err("failed");
        assert_eq!(
            e,
            "the --exec command failed: exit status 75: mail server down"
        );
    }

    #[test]
    fn a_failing_command_line_is_not_repeated_in_its_error() {
        let e = hand(
            "curl-like --token s3cr3t-t0ken; exit 3",
            &notice("hi".into()),
            Duration::from_secs(20),
        )
        .expect_err("failed");
        assert!(!e.contains("s3cr3t"), "{e}");
    }
}
