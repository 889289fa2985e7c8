//! Old programs keep working (issue 31, item 7): every earlier version of each shipped program,
//! and field programs written against earlier releases, still pass `check` and run their flows
//! (the flows of their time) to the same stages. A pairing pinned to a stored version runs
//! with today's engine, so a change that breaks one of these breaks a running cohort.
//! tests/compat/README.md says where each comes from.

use std::path::{Path, PathBuf};

use mentorflow_tests::{mentorflow, relative};

/// Each corpus entry: its folder, its program, and its flows (possibly none).
fn corpus() -> Vec<(PathBuf, PathBuf, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/compat")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|dir| {
            let mut tomls: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("corpus folder")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            tomls.sort();
            assert!(!tomls.is_empty(), "{} holds no program", dir.display());
            let mut flows: Vec<String> = std::fs::read_dir(dir.join("flows"))
                .map(|d| {
                    d.map(|e| relative(&e.expect("entry").path()))
                        .filter(|p| p.ends_with(".toml"))
                        .collect()
                })
                .unwrap_or_default();
            flows.sort();
            (dir, tomls.remove(0), flows)
        })
        .collect()
}

#[test]
fn the_corpus_holds_the_earlier_versions_and_the_field_programs() {
    let entries = corpus();
    assert!(entries.len() >= 20, "{} entries", entries.len());
    let flows: usize = entries.iter().map(|(_, _, f)| f.len()).sum();
    assert!(flows >= 50, "{flows} flows");
    assert!(
        entries.iter().any(|(d, _, _)| d.ends_with("field")),
        "the field programs"
    );
}

#[test]
fn every_old_program_still_checks() {
    for (_, program, _) in corpus() {
        let run = mentorflow(&["check", &relative(&program)]);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
}

#[test]
fn every_old_program_still_runs_its_flows() {
    for (dir, _, flows) in corpus() {
        if flows.is_empty() {
            continue;
        }
        let mut args = vec!["simulate"];
        args.extend(flows.iter().map(String::as_str));
        let run = mentorflow(&args);
        assert_eq!(run.code, 0, "{}: {}", dir.display(), run.transcript());
        assert_eq!(
            run.stdout.matches("\nPASSED").count(),
            flows.len(),
            "{}",
            run.stdout
        );
    }
}
