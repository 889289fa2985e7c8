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

/// The longest a function of the CLI may be: past it, a command or a rendering is doing the
/// work of several, which belong in functions of their own (issue 29).
const LONGEST: usize = 80;

/// `line` without its string and character literals and its comment, so the braces left are
/// the code's.
fn code_of(line: &str) -> String {
    let (mut out, mut chars) = (String::new(), line.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            // A character literal ('{', '\'') but not a lifetime ('a, '_).
            '\'' if matches!(chars.clone().nth(1), Some('\'')) => {
                chars.nth(1);
            }
            '\'' if chars.peek() == Some(&'\\') => {
                chars.nth(2);
            }
            '/' if chars.peek() == Some(&'/') => break,
            c => out.push(c),
        }
    }
    out
}

/// Each function of `text` longer than [`LONGEST`] lines: its name, line and length.
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<String> = text.lines().map(code_of).collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ") else { continue };
        let before = &line[..at];
        let is_fn = before.trim().is_empty()
            || before.trim_end().ends_with("pub")
            || before.trim_end().ends_with(')');
        if !is_fn || line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut opened) = (0i64, false);
        for (end, l) in lines.iter().enumerate().skip(start) {
            depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
            opened |= l.contains('{');
            if opened && depth <= 0 {
                let length = end - start + 1;
                if length > LONGEST {
                    found.push((name.clone(), start + 1, length));
                }
                break;
            }
        }
    }
    found
}

#[test]
fn no_function_of_the_cli_is_longer_than_80_lines() {
    let mut files = Vec::new();
    rust_files(std::path::Path::new("cli/src"), &mut files);
    let mut long = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for (name, line, length) in long_functions(&text) {
            long.push(format!(
                "{}:{line}: {name} is {length} lines",
                file.display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "split these into functions of their own (at most {LONGEST} lines): {long:#?}"
    );
}

#[test]
fn a_long_function_is_found_and_braces_in_text_do_not_count() {
    let body = "    let x = \"{\";\n".repeat(LONGEST);
    let text = format!("fn long() {{\n{body}}}\nfn short() {{\n    let c = '}}';\n}}\n");
    assert_eq!(
        long_functions(&text),
        vec![("long".to_string(), 1, LONGEST + 2)]
    );
}
