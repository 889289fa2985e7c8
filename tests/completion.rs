//! What a shell's TAB completes, asked as the completion scripts ask the binary: commands and
//! flags from the definition, pairing ids, stages and types from the store, schema names.
//! A test binary of its own: it sets MENTORFLOW_STORE for its process.

use mentorflow_tests::{mentorflow, scratch_dir};

/// The values offered for the last word of `line`.
fn offered(line: &[&str]) -> Vec<String> {
    let mut command = mentorflow::command();
    command.build();
    let args: Vec<std::ffi::OsString> = line.iter().map(|a| a.into()).collect();
    let index = args.len() - 1;
    clap_complete::engine::complete(&mut command, args, index, None)
        .expect("completes")
        .into_iter()
        .map(|c| c.get_value().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn tab_offers_what_the_store_holds() {
    let dir = scratch_dir("completion");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let store = dir.join("demo.db").to_string_lossy().into_owned();
    assert_eq!(mentorflow(&["demo", "--store", &store]).code, 0);
    // SAFETY of the test: this binary has one test; nothing else reads the variable.
    std::env::set_var("MENTORFLOW_STORE", &store);
    let pairings = offered(&["mentorflow", "status", ""]);
    assert!(
        pairings.contains(&"p-1".to_string()) && pairings.contains(&"p-7".to_string()),
        "{pairings:?}"
    );
    let stages = offered(&["mentorflow", "list", "--stage", ""]);
    assert!(stages.contains(&"goal_setting".to_string()), "{stages:?}");
    let types = offered(&["mentorflow", "list", "--type", ""]);
    assert!(types.contains(&"one-on-one".to_string()), "{types:?}");
    let to = offered(&["mentorflow", "advance", "p-1", "--to", ""]);
    assert!(to.contains(&"orientation".to_string()), "{to:?}");
    let schemas = offered(&["mentorflow", "schema", ""]);
    assert!(schemas.contains(&"import-check".to_string()), "{schemas:?}");
    let commands = offered(&["mentorflow", "adv"]);
    assert_eq!(commands, ["advance"]);
    // No store: nothing is offered, and nothing fails.
    std::env::set_var("MENTORFLOW_STORE", dir.join("none.db"));
    assert!(offered(&["mentorflow", "status", ""])
        .iter()
        .all(|v| v.starts_with('-')));
}
