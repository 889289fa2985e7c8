//! The `mentorflow` binary; everything lives in the library so tests can run it in-process.

use std::io::IsTerminal;

// Counts each thread's allocations so that a script's memory is bounded per evaluation.
#[global_allocator]
static ALLOCATOR: mentorflow_engine::Counting = mentorflow_engine::Counting(std::alloc::System);

fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let terminal = stderr.is_terminal();
    let out_terminal = stdout.is_terminal();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut output = mentorflow::Output::new(&mut out, &mut err)
        .with_progress(terminal)
        .with_terminals(out_terminal, terminal);
    let code = mentorflow::run_with(std::env::args_os(), &mut output);
    std::process::ExitCode::from(code)
}
