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

/// The modules `text` names as `crate::NAME`, also inside `use crate::{...}` groups (the
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
            out.insert(word(rest));
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
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (module, (_, text)) in &modules {
        let to = named(text, &names)
            .into_iter()
            .filter(|o| o != module)
            .collect();
        edges.insert(module.as_str(), to);
    }
    // A module reaches itself: depth-first from each.
    for start in edges.keys() {
        let mut stack: Vec<&str> = edges[start].iter().map(String::as_str).collect();
        let mut seen = BTreeSet::new();
        while let Some(m) = stack.pop() {
            assert_ne!(m, *start, "`{start}` is in an import circle");
            if seen.insert(m) {
                stack.extend(edges.get(m).into_iter().flatten().map(String::as_str));
            }
        }
    }
}
