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
    after_help = "Examples:\n  mentorflow outbox\n  mentorflow outbox --all --json\n  mentorflow outbox deliver --exec ./send-mail.sh   # cron: every few minutes"
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
    let queued = store.open()?.outbox(args.all)?;
    if args.json {
        let notifications = queued.iter().map(Notice::from).collect();
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
            let n = Notice::from(q);
            let to: Vec<String> = n.to.iter().map(|r| r.id.clone()).collect();
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
    let mut coordinator = store.open()?;
    let wait = Duration::from_secs(lease);
    let report = coordinator.deliver(
        chrono::Duration::seconds(lease as i64),
        limit,
        &mut |queued| hand(exec, &Notice::from(queued), wait),
    )?;
    // A failed attempt is stored (with its error, for the next run to retry).
    let code = if report.failed.is_empty() {
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
    writeln!(
        output.out,
        "delivered {}, failed {}, waiting {}",
        report.delivered.len(),
        report.failed.len(),
        report.waiting
    )?;
    Ok(code)
}

/// Runs `exec` with the notice on its standard input; Ok when it exits 0 within `wait`.
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
    // A group of its own: a command stopped at its lease takes what it started with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run `{exec}`: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business: only its exit counts.
        let _ = writeln!(stdin, "{document}");
    }
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        stderr
            .map(|s| std::io::read_to_string(s).unwrap_or_default())
            .unwrap_or_default()
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if started.elapsed() > wait => {
                stop(&mut child);
                return Err(format!("`{exec}` took longer than {} s", wait.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let said = reader.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
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
        format!("`{exec}`: {exit}")
    } else {
        format!(
            "`{exec}`: {exit}: {}",
            last.chars().take(200).collect::<String>()
        )
    })
}

/// Stops `child` and every process it started (its process group).
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}
