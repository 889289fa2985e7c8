//! The CLI uses the engine through its facade (issue 29): the crate root (the `Coordinator`
//! and what it returns) and the scenario runner, never a module past them.

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_cli_names_nothing_of_the_engine_past_its_root_but_the_scenario_runner() {
    let mut files = Vec::new();
    rust_files(std::path::Path::new("cli/src"), &mut files);
    let mut past = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for (i, _) in text.match_indices("mentorflow_engine::") {
            let rest = &text[i + "mentorflow_engine::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_module = rest[name.len()..].starts_with("::")
                && name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if is_module && name != "scenario" {
                past.push(format!("{}: mentorflow_engine::{name}::", file.display()));
            }
        }
    }
    assert!(
        past.is_empty(),
        "the CLI reaches past the engine's facade; re-export what it needs at the crate root: {past:#?}"
    );
}
