//! Which scripts of the shipped programs and the compatibility corpus run natively: every
//! guard, rule, criterion and invariant there, but for the few listed here with why (a script
//! that newly cannot is named, with its file; one of these that newly can must leave the list).

use std::path::{Path, PathBuf};

use mentorflow_dsl::{Guard, Program, Script};

fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut dirs = vec![root.join("programs"), root.join("tests/compat")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn scripts(program: &Program) -> Vec<&Script> {
    let mut out: Vec<&Script> = Vec::new();
    for t in &program.transitions {
        if let Some(Guard::Script(s)) = &t.guard {
            out.push(s);
        }
    }
    out.extend(program.criteria.iter().map(|c| &c.script));
    out.extend(program.types.iter().filter_map(|t| t.rule.as_ref()));
    out.extend(program.invariants.iter().map(|i| &i.script));
    out
}

/// Scripts left to Rhai: program file, a part of the script, and why.
const LEFT_TO_RHAI: &[(&str, &str, &str)] = &[
    (
        "new-hire-buddy.toml",
        "schedules.survey.last(",
        "what a schedule's occurrences recorded (`last`, `values`) is read from Rhai's maps",
    ),
    (
        "probation-check.toml",
        "today.sub_string(",
        "a date read as its text, kept for programs written before dates were a type",
    ),
];

#[test]
fn every_script_of_the_shipped_programs_runs_natively() {
    let mut total = 0;
    let mut not = Vec::new();
    for path in programs() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let loaded = mentorflow_dsl::load_str(&path, &text);
        let Some(program) = loaded.program else {
            continue;
        };
        for s in scripts(&program) {
            total += 1;
            let listed = LEFT_TO_RHAI
                .iter()
                .any(|(file, part, _)| path.ends_with(file) && s.source.contains(part));
            if s.native.is_none() != listed {
                not.push(format!("{}: {}", path.display(), s.source));
            }
        }
    }
    println!("{total} scripts, all native but {}", LEFT_TO_RHAI.len());
    assert!(total > 100, "only {total} scripts found");
    assert!(
        not.is_empty(),
        "native where listed as left to Rhai, or not native and not listed:\n{}",
        not.join("\n")
    );
}
