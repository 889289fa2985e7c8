//! Flags written before the command: `mentorflow --store X tick`, as cron lines and scripts
//! written for the first release do. They are moved after the command (and after its
//! subcommand, `people list`), where clap reads them as the command's own: a command that
//! does not take one refuses it as it would after it.

use std::ffi::OsString;

/// The store flags that take a value (`-s` is `--store`).
const WITH_VALUE: [&str; 6] = [
    "-s",
    "--store",
    "--actor",
    "--now",
    "--lock-wait",
    "--script-budget",
];

/// The flags without a value that many commands take.
const ALONE: [&str; 1] = ["--json"];

/// `args` (program name first) with the store flags written before the command moved after
/// it; `--color`, global already, stays where it is. A moved flag the command does not take
/// is a usage error that says which flags it takes.
pub(crate) fn after_the_command(args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let mut rest = args.into_iter();
    let Some(program) = rest.next() else {
        return Ok(Vec::new());
    };
    let rest: Vec<OsString> = rest.collect();
    let (mut kept, mut moved) = (vec![program], Vec::new());
    let mut i = 0;
    while let Some(arg) = rest.get(i).and_then(|a| a.to_str()) {
        let name = arg.split('=').next().unwrap_or(arg);
        let takes_value = !arg.contains('=') && (WITH_VALUE.contains(&name) || name == "--color");
        let into = match name {
            "--color" | "-q" | "--quiet" => &mut kept,
            _ if WITH_VALUE.contains(&name) || ALONE.contains(&name) => &mut moved,
            _ => break,
        };
        into.push(rest[i].clone());
        if takes_value {
            into.extend(rest.get(i + 1).cloned());
            i += 1;
        }
        i += 1;
    }
    let Some(command) = rest.get(i).filter(|_| !moved.is_empty()) else {
        kept.extend(moved);
        kept.extend(rest[i.min(rest.len())..].iter().cloned());
        return Ok(kept);
    };
    kept.push(command.clone());
    i += 1;
    // A command with subcommands takes its flags after the subcommand.
    let cli = crate::command();
    let mut target = cli
        .find_subcommand(command.to_string_lossy().as_ref())
        .cloned();
    if let Some(sub) = rest
        .get(i)
        .filter(|s| !s.to_string_lossy().starts_with('-'))
    {
        if let Some(nested) = target
            .as_ref()
            .filter(|c| c.has_subcommands())
            .and_then(|c| c.find_subcommand(sub.to_string_lossy().as_ref()).cloned())
        {
            target = Some(nested);
            kept.push(sub.clone());
            i += 1;
        }
    }
    if let Some(target) = &target {
        refuse_what_it_does_not_take(target, &moved)?;
    }
    kept.extend(moved);
    kept.extend(rest[i..].iter().cloned());
    Ok(kept)
}

/// A moved flag the command does not take: which, and the store flags it does take.
fn refuse_what_it_does_not_take(command: &clap::Command, moved: &[OsString]) -> Result<(), String> {
    let takes = |long: &str| command.get_arguments().any(|a| a.get_long() == Some(long));
    let flags = moved
        .iter()
        .filter_map(|a| a.to_str()?.strip_prefix("--"))
        .map(|a| a.split('=').next().unwrap_or(a));
    for flag in flags {
        if takes(flag) {
            continue;
        }
        let known: Vec<String> = WITH_VALUE
            .iter()
            .chain(&ALONE)
            .filter(|f| f.starts_with("--") && takes(&f[2..]))
            .map(|f| f.to_string())
            .collect();
        let name = command.get_name();
        return Err(match known.is_empty() {
            true => format!("`{name}` takes no --{flag}, nor any store flag: leave it out"),
            false => format!(
                "`{name}` takes no --{flag}; of the flags written before a command it takes {}",
                known.join(", ")
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::after_the_command;

    fn moved(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(|a| a.into()).collect();
        after_the_command(args)
            .expect("taken")
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn store_flags_before_the_command_go_after_it() {
        assert_eq!(
            moved(&["m", "--store", "x.db", "--now=2026-01-01", "tick"]),
            ["m", "tick", "--store", "x.db", "--now=2026-01-01"]
        );
        assert_eq!(
            moved(&["m", "--color", "never", "--json", "--store", "x.db", "people", "list", "-q"]),
            ["m", "--color", "never", "people", "list", "--json", "--store", "x.db", "-q"]
        );
        assert_eq!(
            moved(&["m", "--now", "-1w", "status", "p-1"]),
            ["m", "status", "--now", "-1w", "p-1"]
        );
    }

    #[test]
    fn a_flag_the_command_does_not_take_is_refused_with_what_it_takes() {
        let args = ["m", "--now", "2026-01-01", "log"]
            .iter()
            .map(|a| a.into())
            .collect();
        let refused = after_the_command(args).expect_err("refused");
        assert_eq!(
            refused,
            "`log` takes no --now; of the flags written before a command it takes --store, --json"
        );
    }

    #[test]
    fn a_line_without_leading_flags_is_left_alone() {
        assert_eq!(
            moved(&["m", "tick", "--store", "x"]),
            ["m", "tick", "--store", "x"]
        );
        assert_eq!(moved(&["m", "--store", "x"]), ["m", "--store", "x"]);
        assert_eq!(moved(&["m"]), ["m"]);
    }
}
