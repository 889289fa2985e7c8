//! Long output on a terminal through a pager: `log`, `list` and `report` as text, when
//! standard output is a terminal. `MENTORFLOW_PAGER` (else `PAGER`, else `less -FRX`: quits at
//! once when it fits on the screen, keeps the colours) names it; an empty value or `cat`
//! turns it off. A pager that cannot start is no error: the output goes to the terminal.

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};

/// The commands whose text is paged.
const PAGED: [&str; 3] = ["log", "list", "report"];

/// Flags after which the output is data or a file, not pages of text.
const NOT_TEXT: [&str; 3] = ["--json", "--html", "--help"];

/// Whether the command line `args` (program name first) prints pages of text.
pub fn pages(args: &[OsString]) -> bool {
    // The command line as it is read: flags written before the command moved after it.
    let args = crate::leading::after_the_command(args.to_vec()).unwrap_or_default();
    let words: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let mut rest = words.iter();
    let command = loop {
        match rest.next() {
            Some(&"--color") => {
                rest.next();
            }
            Some(w) if w.starts_with('-') => {}
            other => break other,
        }
    };
    command.is_some_and(|c| PAGED.contains(c))
        && !words
            .iter()
            .any(|w| NOT_TEXT.contains(&w.split('=').next().unwrap_or(w)) || *w == "-h")
}

/// Starts the pager the environment names, its standard input piped; `None` when paging is
/// off or the pager cannot start.
pub fn start() -> Option<Child> {
    let chosen = std::env::var("MENTORFLOW_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less -FRX".into());
    let mut words = chosen.split_whitespace();
    let program = words.next().filter(|p| *p != "cat")?;
    Command::new(program)
        .args(words)
        .stdin(Stdio::piped())
        .spawn()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::pages;

    fn line(args: &[&str]) -> bool {
        let args: Vec<std::ffi::OsString> = args.iter().map(|a| a.into()).collect();
        pages(&args)
    }

    #[test]
    fn text_of_log_list_and_report_is_paged() {
        assert!(line(&["m", "log", "p-1"]));
        assert!(line(&["m", "--store", "x.db", "list", "--overdue"]));
        assert!(line(&["m", "report"]));
        assert!(!line(&["m", "report", "--html", "x.html"]));
        assert!(!line(&["m", "log", "--json"]));
        assert!(!line(&["m", "status"]));
        assert!(!line(&["m", "list", "-h"]));
    }
}
