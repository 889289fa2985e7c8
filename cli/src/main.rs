//! The `mentorflow` binary; everything lives in the library so tests can run it in-process.

fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = mentorflow::run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock());
    std::process::ExitCode::from(code)
}
