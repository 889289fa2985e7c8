//! The `mentorflow` binary; everything lives in the library so tests can run it in-process.

use std::io::IsTerminal;

// Counts each thread's allocations so that a script's memory is bounded per evaluation.
#[global_allocator]
static ALLOCATOR: mentorflow_engine::Counting<mimalloc::MiMalloc> =
    mentorflow_engine::Counting(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    // A shell asking what to complete (the script `mentorflow completions SHELL` prints):
    // answered, then the process ends.
    clap_complete::CompleteEnv::with_factory(mentorflow::command)
        .var("MENTORFLOW_COMPLETE")
        .complete();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let terminal = stderr.is_terminal();
    let out_terminal = stdout.is_terminal();
    // Pages of text on a terminal go through a pager, which keeps the terminal's colours.
    let mut pager = match out_terminal && mentorflow::pager::pages(&args) {
        true => mentorflow::pager::start(),
        false => None,
    };
    let mut lock = stdout.lock();
    let mut piped = pager.as_mut().and_then(|p| p.stdin.take());
    let out: &mut dyn std::io::Write = match piped.as_mut() {
        Some(pipe) => pipe,
        None => &mut lock,
    };
    let mut err = stderr.lock();
    let mut output = mentorflow::Output::new(out, &mut err)
        .with_progress(terminal)
        .with_terminals(out_terminal, terminal);
    let code = mentorflow::run_with(args, &mut output);
    // The pager reads to the end of its input, then the user quits it.
    drop(piped);
    if let Some(mut pager) = pager {
        let _ = pager.wait();
    }
    std::process::ExitCode::from(code)
}
