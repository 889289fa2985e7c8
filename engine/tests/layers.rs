//! The engine's layers, held to their order (issue 29). Each folder of `engine/src` is a layer;
//! a module may name (`crate::module`) only modules of its own layer or of layers below it,
//! and no modules may name each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first.
const LAYERS: [&str; 8] = [
    "base",
    "model",
    "rules",
    "decide",
    "store",
    "coordinator",
    "reports",
    "scenarios",
];

/// Every module of `engine/src` with its layer (its folder; `mod.rs` is the folder's module).
fn modules() -> BTreeMap<String, (String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    for layer in LAYERS {
        let dir = root.join(layer);
        for entry in std::fs::read_dir(&dir).expect("a layer's folder") {
            let path = entry.expect("entry").path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let name = if stem == "mod" { layer } else { stem };
            let text = std::fs::read_to_string(&path).expect("source");
            found.insert(name.to_string(), (layer.to_string(), text));
        }
    }
    found
}

/// The modules `text` names as `crate::LAYER::NAME` or `crate::NAME`, also inside `use crate::{...}` groups (the
/// module's own tests and comments left out: a doc link is no import).
fn named(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = code.as_str();
    let mut out = BTreeSet::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for item in inner.split(',') {
                out.insert(word(item.trim()));
            }
        } else {
            // `crate::model::event` names `event`; `crate::model` alone, the layer's mod.rs.
            let first = word(rest);
            let after = &rest[first.len()..];
            match after.strip_prefix("::") {
                Some(inner) if LAYERS.contains(&first.as_str()) && !inner.starts_with('{') => {
                    out.insert(word(inner));
                }
                _ => {
                    out.insert(first);
                }
            }
        }
    }
    out.retain(|m| modules.contains(m));
    out
}

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .unwrap_or(usize::MAX)
}

#[test]
fn every_import_follows_the_layer_order() {
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut against = Vec::new();
    for (module, (layer, text)) in &modules {
        for other in named(text, &names) {
            let other_layer = &modules[&other].0;
            if other != *module && rank(other_layer) > rank(layer) {
                against.push(format!("{layer}/{module} names {other_layer}/{other}"));
            }
        }
    }
    assert!(
        against.is_empty(),
        "imports against the layer order ({}): {against:#?}; import from a lower layer, or move \
         the code to the layer it belongs to",
        LAYERS.join(" < ")
    );
}

#[test]
fn no_modules_name_each_other_in_a_circle() {
    assert_eq!(circle(&modules()), None, "the engine has an import circle");
}

/// The top-level modules of the crate whose sources are in `src` (a folder module's files
/// together), with their text.
fn crate_modules(src: &Path) -> BTreeMap<String, (String, String)> {
    fn texts(path: &Path, out: &mut String) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).expect("folder").flatten() {
                texts(&entry.path(), out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(path).expect("source"));
            out.push('\n');
        }
    }
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src").flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if stem == "lib"
            || stem == "main"
            || !(path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        {
            continue;
        }
        let mut text = String::new();
        texts(&path, &mut text);
        found.insert(stem.to_string(), (String::new(), text));
    }
    found
}

/// The first module of `modules` that reaches itself through what it names.
fn circle(modules: &BTreeMap<String, (String, String)>) -> Option<String> {
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let edges: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(m, (_, text))| {
            let to = named(text, &names).into_iter().filter(|o| o != m).collect();
            (m.as_str(), to)
        })
        .collect();
    edges.keys().find_map(|start| {
        let mut stack: Vec<&str> = edges[start].iter().map(String::as_str).collect();
        let mut seen = BTreeSet::new();
        while let Some(m) = stack.pop() {
            if m == *start {
                return Some(start.to_string());
            }
            if seen.insert(m) {
                stack.extend(edges.get(m).into_iter().flatten().map(String::as_str));
            }
        }
        None
    })
}

#[test]
fn the_dsl_and_the_cli_have_no_import_circle_either() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in ["dsl", "cli"] {
        let modules = crate_modules(&root.join(krate).join("src"));
        assert!(modules.len() > 5, "{krate}: its modules were not found");
        assert_eq!(circle(&modules), None, "{krate} has an import circle");
    }
}
