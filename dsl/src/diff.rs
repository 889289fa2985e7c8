//! What changed between two versions of a program, by meaning: stages, transitions and their
//! guards, facts, attributes, criteria and types, each compared by its properties (a moved
//! line or a reformatted guard is no change).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Guard, MentoringType, Program, Transition, Trigger};
use crate::scripts::one_line;
use crate::value::Declaration;

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// program, stage, transition, fact, attribute, criterion or type.
    pub section: &'static str,
    /// Which one: a stage id, `from -> to`, a fact name ...
    pub item: String,
    /// What happened to it.
    pub what: What,
}

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// Only the new version has it.
    Added,
    /// Only the old version has it.
    Removed,
    /// The old version had it under this name, with the same properties.
    Renamed(String),
    /// Both have it; these properties differ (name, old, new).
    Changed(Vec<(String, String, String)>),
}

/// Properties of one item, by name, as text.
pub type Props = BTreeMap<&'static str, String>;

/// The items of one section of a program, with their properties.
type Items = fn(&Program) -> Vec<(String, Props)>;

/// The differences from `old` to `new`, section by section, in the new file's order where it
/// has one.
pub fn diff(old: &Program, new: &Program) -> Vec<Change> {
    diff_mapped(old, new, &BTreeMap::new(), &BTreeMap::new())
}

/// [`diff`] under the renames a person gives (a migration's mapping): `stages` and `facts`
/// from old name to new (`-`: a fact dropped). A stage renamed and changed is then one stage
/// that changed, not one removed and one added.
pub fn diff_mapped(
    old: &Program,
    new: &Program,
    stages: &BTreeMap<String, String>,
    facts: &BTreeMap<String, String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    compare(
        "program",
        program_items(old),
        program_items(new),
        &mut changes,
    );
    // A stage removed and one added with the same properties is a rename; transitions are
    // then compared under the new names, so a renamed stage does not hide a changed guard.
    let renames = stage_renames(old, new, stages);
    let before = changes.len();
    compare(
        "stage",
        under(stage_items(old), &renames),
        stage_items(new),
        &mut changes,
    );
    renamed_changes("stage", &renames, before, &mut changes);
    let old_transitions = transition_items_with(old, &renames);
    let new_transitions = transition_items(new);
    reordered(&old_transitions, &new_transitions, &mut changes);
    compare("transition", old_transitions, new_transitions, &mut changes);
    let facts: BTreeMap<String, String> = facts
        .iter()
        .filter(|(_, to)| *to != "-")
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect();
    let before = changes.len();
    compare(
        "fact",
        under(declaration_items(&old.facts), &facts),
        declaration_items(&new.facts),
        &mut changes,
    );
    renamed_changes("fact", &facts, before, &mut changes);
    let sections: [(&'static str, Items); 3] = [
        ("attribute", |p| declaration_items(&p.attributes)),
        ("criterion", criterion_items),
        ("type", type_items),
    ];
    for (section, items) in sections {
        compare(section, items(old), items(new), &mut changes);
    }
    changes
}

/// The stages renamed from `old` to `new`: those `given`, and those that only changed their
/// id among the rest.
pub fn stage_renames(
    old: &Program,
    new: &Program,
    given: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let rest = |items: Vec<(String, Props)>, skip: &dyn Fn(&String) -> bool| {
        items.into_iter().filter(|(id, _)| !skip(id)).collect()
    };
    let mut renames = renamed(
        rest(stage_items(old), &|id| given.contains_key(id)),
        rest(stage_items(new), &|id| given.values().any(|to| to == id)),
    );
    renames.extend(given.iter().map(|(a, b)| (a.clone(), b.clone())));
    renames
}

/// `items` under their new names.
fn under(items: Vec<(String, Props)>, renames: &BTreeMap<String, String>) -> Vec<(String, Props)> {
    items
        .into_iter()
        .map(|(id, p)| (renames.get(&id).cloned().unwrap_or(id), p))
        .collect()
}

/// A `renamed` change for each of `renames`, inserted at `at`.
fn renamed_changes(
    section: &'static str,
    renames: &BTreeMap<String, String>,
    at: usize,
    changes: &mut Vec<Change>,
) {
    for (old_id, new_id) in renames.iter().filter(|(a, b)| a != b) {
        changes.insert(
            at,
            Change {
                section,
                item: new_id.clone(),
                what: What::Renamed(old_id.clone()),
            },
        );
    }
}

/// Stages that only changed their id: old id to new id.
pub fn renamed(old: Vec<(String, Props)>, new: Vec<(String, Props)>) -> BTreeMap<String, String> {
    let new_ids: Vec<&String> = new.iter().map(|(k, _)| k).collect();
    let old_ids: Vec<&String> = old.iter().map(|(k, _)| k).collect();
    let gone: Vec<&(String, Props)> = old.iter().filter(|(k, _)| !new_ids.contains(&k)).collect();
    let came: Vec<&(String, Props)> = new.iter().filter(|(k, _)| !old_ids.contains(&k)).collect();
    let mut renames = BTreeMap::new();
    for (old_id, props) in gone {
        let same: Vec<&&(String, Props)> = came.iter().filter(|(_, p)| p == props).collect();
        if let [(new_id, _)] = same.as_slice() {
            renames.insert(old_id.clone(), new_id.clone());
        }
    }
    renames
}

fn compare(
    section: &'static str,
    old: Vec<(String, Props)>,
    new: Vec<(String, Props)>,
    out: &mut Vec<Change>,
) {
    let old_map: BTreeMap<&String, &Props> = old.iter().map(|(k, v)| (k, v)).collect();
    let new_map: BTreeMap<&String, &Props> = new.iter().map(|(k, v)| (k, v)).collect();
    for (key, props) in &new {
        let what = match old_map.get(key) {
            None => What::Added,
            Some(before) => {
                let changed = changed_props(before, props);
                if changed.is_empty() {
                    continue;
                }
                What::Changed(changed)
            }
        };
        out.push(Change {
            section,
            item: key.clone(),
            what,
        });
    }
    for (key, _) in old.iter().filter(|(k, _)| !new_map.contains_key(k)) {
        out.push(Change {
            section,
            item: key.clone(),
            what: What::Removed,
        });
    }
}

fn changed_props(old: &Props, new: &Props) -> Vec<(String, String, String)> {
    let mut names: Vec<&&str> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (a, b) = (
                old.get(*name).cloned().unwrap_or_default(),
                new.get(*name).cloned().unwrap_or_default(),
            );
            (a != b).then(|| ((*name).to_string(), a, b))
        })
        .collect()
}

fn props<const N: usize>(pairs: [(&'static str, String); N]) -> Props {
    pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

fn program_items(p: &Program) -> Vec<(String, Props)> {
    vec![(
        p.id.clone(),
        props([
            ("title", p.title.clone()),
            ("initial stage", p.initial.clone()),
        ]),
    )]
}

/// Each stage with its properties.
pub fn stage_items(p: &Program) -> Vec<(String, Props)> {
    p.stages
        .iter()
        .map(|s| {
            let props = props([
                ("title", s.title.clone()),
                ("due", s.due.map(|d| d.to_string()).unwrap_or_default()),
                (
                    "outcome",
                    s.outcome.map(|o| o.to_string()).unwrap_or_default(),
                ),
            ]);
            (s.id.to_string(), props)
        })
        .collect()
}

fn guard_text(t: &Transition) -> String {
    match &t.guard {
        Some(Guard::Script(s)) => one_line(&s.source),
        Some(Guard::Criterion(c)) => format!("criterion {c}"),
        None => "always".into(),
    }
}

fn trigger_text(t: &Transition) -> String {
    match &t.trigger {
        Trigger::Advance => "advance".into(),
        Trigger::Withdraw => "withdraw".into(),
        Trigger::Auto => "automatic".into(),
        Trigger::Timer(timer) => match timer.warn {
            Some(warn) => format!("timer: {}, warn {warn} before", timer.timeout),
            None => format!("timer: {}", timer.timeout),
        },
    }
}

/// Transitions are named by where they go and their label (`a -> b [extend]`); two unlabelled
/// ones between the same stages are told apart by their order (`a -> b (2nd)`).
fn transition_items(p: &Program) -> Vec<(String, Props)> {
    transition_items_with(p, &BTreeMap::new())
}

/// Transitions named with stages renamed by `renames`.
fn transition_items_with(p: &Program, renames: &BTreeMap<String, String>) -> Vec<(String, Props)> {
    let name = |s: &str| renames.get(s).cloned().unwrap_or_else(|| s.to_string());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    p.transitions
        .iter()
        .map(|t| {
            let from = match &t.from {
                crate::model::From::Stage(s) => name(s),
                crate::model::From::Any => "*".into(),
            };
            let mut base = format!("{from} -> {}", name(&t.to));
            if !t.label.is_empty() {
                base.push_str(&format!(" [{}]", t.label));
            }
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            let key = match *n {
                1 => base,
                n => format!("{base} ({})", ordinal(n)),
            };
            let props = props([
                ("label", t.label.clone()),
                ("trigger", trigger_text(t)),
                ("guard", guard_text(t)),
            ]);
            (key, props)
        })
        .collect()
}

/// `2nd`, `3rd`, `11th` ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The stages whose transitions out are the same but tried in another order: the first whose
/// guard holds is taken, so the order is part of the meaning.
fn reordered(old: &[(String, Props)], new: &[(String, Props)], out: &mut Vec<Change>) {
    let from = |key: &str| key.split(" -> ").next().unwrap_or_default().to_string();
    let order = |items: &[(String, Props)]| {
        let mut by_stage: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, _) in items {
            by_stage.entry(from(key)).or_default().push(key.clone());
        }
        by_stage
    };
    let (before, after) = (order(old), order(new));
    for (stage, keys) in &after {
        let Some(was) = before.get(stage) else {
            continue;
        };
        let (mut a, mut b) = (was.clone(), keys.clone());
        a.sort();
        b.sort();
        if a == b && was != keys {
            out.push(Change {
                section: "transition",
                item: format!("out of {stage}"),
                what: What::Changed(vec![("order".into(), was.join(", "), keys.join(", "))]),
            });
        }
    }
}

fn declaration_items(decls: &[Declaration]) -> Vec<(String, Props)> {
    decls
        .iter()
        .map(|d| {
            let props = props([
                ("type", d.kind.name().to_string()),
                ("min", d.min.map(|b| b.to_string()).unwrap_or_default()),
                ("max", d.max.map(|b| b.to_string()).unwrap_or_default()),
                (
                    "allowed",
                    d.allowed.as_ref().map(|a| a.join(", ")).unwrap_or_default(),
                ),
                (
                    "default",
                    d.default
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                ),
                ("per", d.per.clone().unwrap_or_default()),
                ("at_most", d.at_most.clone().unwrap_or_default()),
                ("at_least", d.at_least.clone().unwrap_or_default()),
            ]);
            (d.name.clone(), props)
        })
        .collect()
}

fn criterion_items(p: &Program) -> Vec<(String, Props)> {
    p.criteria
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                props([("script", one_line(&c.script.source))]),
            )
        })
        .collect()
}

fn type_items(p: &Program) -> Vec<(String, Props)> {
    p.types
        .iter()
        .map(|t: &MentoringType| {
            let roles: Vec<String> = t
                .roles
                .iter()
                .map(|r| {
                    if r.min == r.max {
                        format!("{} {}", r.min, r.name)
                    } else {
                        format!("{}-{} {}", r.min, r.max, r.name)
                    }
                })
                .collect();
            let overrides: Vec<String> = t
                .stages
                .iter()
                .map(|o| {
                    let mut s = o.stage.clone();
                    if let Some(d) = o.due {
                        s.push_str(&format!(" due {d}"));
                    }
                    if let Some(g) = &o.guard {
                        s.push_str(&format!(" guard {}", one_line(&g.source)));
                    }
                    s
                })
                .collect();
            let props = props([
                ("roles", roles.join(", ")),
                ("requires", t.requires.join(", ")),
                (
                    "rule",
                    t.rule
                        .as_ref()
                        .map(|r| one_line(&r.source))
                        .unwrap_or_default(),
                ),
                ("stage overrides", overrides.join("; ")),
            ]);
            (t.id.to_string(), props)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{diff, What};

    fn program(transitions: &str) -> crate::model::Program {
        let text = format!(
            "[program]\nid = \"p\"\ntitle = \"p\"\ninitial = \"a\"\n\
             [facts.ok]\ntype = \"bool\"\ndefault = false\n\
             [stages.a]\n[stages.b]\noutcome = \"success\"\n[stages.c]\noutcome = \"failure\"\n\
             [types.one]\nroles = {{ mentor = 1, mentee = 1 }}\n{transitions}"
        );
        let loaded = crate::load_str(std::path::Path::new("p.toml"), &text);
        let report = loaded.render();
        loaded.program.unwrap_or_else(|| panic!("{report}"))
    }

    const PASS: &str =
        "[[transitions]]\nfrom = \"a\"\nto = \"b\"\nlabel = \"pass\"\nguard = \"facts.ok\"\n";
    const FAIL: &str = "[[transitions]]\nfrom = \"a\"\nto = \"c\"\nlabel = \"fail\"\n";

    #[test]
    fn transitions_tried_in_another_order_are_a_change() {
        let old = program(&format!("{PASS}{FAIL}"));
        let new = program(&format!("{FAIL}{PASS}"));
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].item, "out of a");
        assert!(matches!(&changes[0].what, What::Changed(c) if c[0].0 == "order"));
    }

    #[test]
    fn a_removed_transition_is_named_by_its_label() {
        let late = "[[transitions]]\nfrom = \"a\"\nto = \"b\"\nlabel = \"late\"\n";
        let old = program(&format!("{PASS}{late}{FAIL}"));
        let new = program(&format!("{late}{FAIL}"));
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].item, "a -> b [pass]");
        assert_eq!(changes[0].what, What::Removed);
    }
}
