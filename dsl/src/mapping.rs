//! Checking a mapping file for `migrate`: every name it uses must exist in the version it
//! refers to (the old one on the left, the new one on the right), and a stage or fact that the
//! new version lost should be mapped.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::model::Program;
use crate::source::{SourceMap, Span};
use crate::suggest::help_did_you_mean;
use crate::Loaded;

/// The diagnostics of the mapping at `path` (its text `text`) from `old` to `new`.
pub fn check(path: &Path, text: &str, old: &Program, new: &Program) -> Loaded {
    let mut sources = SourceMap::default();
    let file = sources.add(path, text.to_string());
    let (root, syntax) = DeTable::parse_recoverable(text);
    let mut out: Vec<Diagnostic> = syntax
        .iter()
        .map(|e| {
            Diagnostic::error(
                Code::E001,
                e.message().trim(),
                Span::new(file, e.span().unwrap_or(0..0)),
            )
        })
        .collect();
    let at = |range: std::ops::Range<usize>| Span::new(file, range);
    let old_stages: Vec<&str> = old.stages.iter().map(|s| s.id.as_str()).collect();
    let new_stages: Vec<&str> = new.stages.iter().map(|s| s.id.as_str()).collect();
    let old_facts: Vec<&str> = old.facts.iter().map(|f| f.name.as_str()).collect();
    let new_facts: Vec<&str> = new.facts.iter().map(|f| f.name.as_str()).collect();
    let mut mapped_stages = Vec::new();
    let mut mapped_facts = Vec::new();
    for (key, value) in root.get_ref() {
        let section = key.get_ref().as_ref();
        let DeValue::Table(table) = value.get_ref() else {
            out.push(Diagnostic::error(
                Code::E004,
                format!("`{section}` must be a table"),
                at(value.span()),
            ));
            continue;
        };
        let (left, right): (&[&str], &[&str]) = match section {
            "stages" => (&old_stages, &new_stages),
            "facts" => (&old_facts, &new_facts),
            "set" => (&[], &new_facts),
            other => {
                out.push(
                    Diagnostic::error(
                        Code::E002,
                        format!("unknown table `{other}` in a mapping"),
                        at(key.span()),
                    )
                    .with_help("a mapping has the tables [stages], [facts] and [set]"),
                );
                continue;
            }
        };
        for (name, target) in table {
            let name_text = name.get_ref().as_ref();
            if section != "set" && !left.contains(&name_text) {
                let mut d = Diagnostic::error(
                    Code::E040,
                    format!(
                        "the old version of `{}` has no {} `{name_text}`",
                        old.id,
                        singular(section)
                    ),
                    at(name.span()),
                );
                d.help = help_did_you_mean(name_text, left.iter().copied());
                out.push(d);
            }
            let DeValue::String(to) = target.get_ref() else {
                out.push(Diagnostic::error(
                    Code::E004,
                    format!("`{name_text}` must map to a name in quotes"),
                    at(target.span()),
                ));
                continue;
            };
            let to = to.as_ref();
            match section {
                "stages" => mapped_stages.push(name_text.to_string()),
                "facts" => mapped_facts.push(name_text.to_string()),
                _ => {}
            }
            let lookup = if section == "set" { name_text } else { to };
            let terminal = section == "stages" && new.stage(to).is_some_and(|s| s.is_terminal());
            if (section == "facts" && to == "-") || (right.contains(&lookup) && !terminal) {
                continue;
            }
            let span = if section == "set" {
                name.span()
            } else {
                target.span()
            };
            let message = if terminal {
                format!("`{to}` ends pairings in the new version; running pairings need a running stage")
            } else {
                format!(
                    "the new version of `{}` has no {} `{lookup}`",
                    new.id,
                    singular(section)
                )
            };
            let mut d = Diagnostic::error(Code::E041, message, at(span));
            if !terminal {
                d.help = help_did_you_mean(lookup, right.iter().copied());
            }
            out.push(d);
        }
    }
    for (kind, olds, news, mapped) in [
        ("stage", &old_stages, &new_stages, &mapped_stages),
        ("fact", &old_facts, &new_facts, &mapped_facts),
    ] {
        for name in olds
            .iter()
            .filter(|n| !news.contains(n) && !mapped.iter().any(|m| m == *n))
        {
            out.push(
                Diagnostic::warning(
                    Code::W007,
                    format!("{kind} `{name}` of the old version is not in the new one and is not mapped"),
                    at(0..0),
                )
                .with_help(if kind == "stage" {
                    format!("pairings in `{name}` will be refused; map it: [stages] {name} = \"NEW\"")
                } else {
                    format!("pairings that recorded `{name}` will be refused; map it or drop it: [facts] {name} = \"-\"")
                }),
            );
        }
    }
    Loaded {
        program: None,
        diagnostics: out,
        sources,
        scenario: false,
    }
}

fn singular(section: &str) -> &str {
    match section {
        "stages" => "stage",
        _ => "fact",
    }
}
