//! The stage graph as Mermaid (renders on GitHub) or Graphviz DOT.

use std::fmt::Write as _;

use crate::model::{Guard, Program, Stage, Transition};
use crate::scripts::one_line;

/// Output format of a diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// The edge label: label, guard and timer, with a type's extra guard (of the stage it leaves,
/// when it leaves one) when `type_id` is given.
pub fn edge_label(
    program: &Program,
    t: &Transition,
    from: Option<&Stage>,
    type_id: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    if !t.label.is_empty() {
        parts.push(t.label.clone());
    }
    match &t.guard {
        Some(Guard::Script(s)) => parts.push(format!("[{}]", one_line(&s.source))),
        Some(Guard::Criterion(c)) => parts.push(format!("[{c}]")),
        None => {}
    }
    if let Some(extra) = type_id
        .zip(from)
        .and_then(|(ty, from)| program.stage_override(ty, &from.id))
        .and_then(|o| o.guard.as_ref())
        .filter(|_| t.takes_extra_guard())
    {
        parts.push(format!("[{}]", one_line(&extra.source)));
    }
    if let Some(timeout) = t.timeout() {
        parts.push(timeout.to_string());
    }
    if drawn(t) == Drawn::Auto {
        parts.push("auto".into());
    }
    parts.join(" ")
}

/// How an edge is drawn: every trigger has its look, matched here only.
#[derive(PartialEq)]
enum Drawn {
    /// Taken by a command (advance, withdraw): a plain line.
    Command,
    /// Taken by `tick`: dashed.
    Timer,
    /// Taken by the engine itself: thick.
    Auto,
}

fn drawn(t: &crate::model::Transition) -> Drawn {
    use crate::model::Trigger;
    match t.trigger {
        Trigger::Advance | Trigger::Withdraw => Drawn::Command,
        Trigger::Timer(_) => Drawn::Timer,
        Trigger::Auto => Drawn::Auto,
    }
}

fn node_label(program: &Program, stage: &Stage, type_id: Option<&str>) -> String {
    let mut label = stage.title.clone();
    if let Some(due) = type_id.map_or(stage.due, |ty| program.due(stage, ty)) {
        let _ = write!(label, " (due {due})");
    }
    if let Some(outcome) = &stage.outcome {
        let _ = write!(label, " [{outcome}]");
    }
    label
}

/// What a store adds to a drawing: one pairing's path, and how many pairings are where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Stages the pairing entered (drawn thick).
    pub visited: std::collections::BTreeSet<String>,
    /// Transition numbers it took (drawn thick and green).
    pub taken: std::collections::BTreeSet<usize>,
    /// The stage it is in now (filled).
    pub current: Option<String>,
    /// Pairings per stage (in the node labels).
    pub counts: std::collections::BTreeMap<String, u64>,
}

/// Renders the stage graph. `type_id` applies that type's overrides; `overlay` marks a
/// pairing's path and counts pairings per stage.
pub fn render(
    program: &Program,
    format: Format,
    type_id: Option<&str>,
    overlay: &Overlay,
) -> String {
    match format {
        Format::Mermaid => mermaid(program, type_id, overlay),
        Format::Dot => dot(program, type_id, overlay),
    }
}

/// `Mentoring (due 3mo) · 12 pairings` with the count, when the overlay has one.
fn counted(label: String, stage: &Stage, overlay: &Overlay) -> String {
    match overlay.counts.get(stage.id.as_str()) {
        Some(n) => format!("{label} · {n} pairing{}", if *n == 1 { "" } else { "s" }),
        None => label,
    }
}

/// Edges as (the stage they leave, or none for `from = "*"`, transition): a `*` transition is
/// drawn once, from a node standing for any running stage, not once per stage.
fn edges(program: &Program) -> Vec<(Option<&Stage>, &Transition)> {
    let mut out = Vec::new();
    for t in &program.transitions {
        match &t.from {
            crate::model::From::Any => out.push((None, t)),
            crate::model::From::Stage(_) => {
                for stage in program.stages.iter().filter(|s| t.leaves(s)) {
                    out.push((Some(stage), t));
                }
            }
        }
    }
    out
}

/// The node that `from = "*"` transitions leave: any running stage.
const ANY: &str = "any running stage";

fn mermaid_text(s: &str) -> String {
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
}

fn node_id(id: &str) -> String {
    // Mermaid ids may not contain `-` in every renderer; `end` is a keyword.
    format!("s_{}", id.replace('-', "_"))
}

fn mermaid(program: &Program, type_id: Option<&str>, overlay: &Overlay) -> String {
    let mut out = String::from("flowchart TD\n");
    let _ = writeln!(out, "    start(( )) --> {}", node_id(&program.initial));
    for stage in &program.stages {
        let label = mermaid_text(&counted(
            node_label(program, stage, type_id),
            stage,
            overlay,
        ));
        let shape = if stage.is_terminal() {
            ("([\"", "\"])")
        } else {
            ("[\"", "\"]")
        };
        let _ = writeln!(
            out,
            "    {}{}{label}{}",
            node_id(&stage.id),
            shape.0,
            shape.1
        );
    }
    let edges = edges(program);
    if edges.iter().any(|(from, _)| from.is_none()) {
        let _ = writeln!(out, "    any_running([\"{ANY}\"])");
        let _ = writeln!(out, "    class any_running any");
    }
    // Links are styled by their position: the start arrow is 0.
    let mut taken_links = Vec::new();
    for (n, (from, t)) in edges.into_iter().enumerate() {
        let on_path = overlay.taken.contains(&t.number())
            && from.is_none_or(|s| overlay.visited.contains(s.id.as_str()));
        if on_path {
            taken_links.push(n + 1);
        }
        let label = edge_label(program, t, from, type_id);
        let source = from.map_or("any_running".to_string(), |s| node_id(&s.id));
        // Dotted: a timer; thick: taken automatically.
        let arrow = match drawn(t) {
            Drawn::Timer => "-.->",
            Drawn::Auto => "==>",
            Drawn::Command => "-->",
        };
        if label.is_empty() {
            let _ = writeln!(out, "    {source} {arrow} {}", node_id(&t.to));
        } else {
            let _ = writeln!(
                out,
                "    {source} {arrow}|\"{}\"| {}",
                mermaid_text(&label),
                node_id(&t.to)
            );
        }
    }
    for (schedule, stage) in schedules(program, type_id) {
        let id = format!("sched_{}", schedule.name.replace('-', "_"));
        let label = mermaid_text(&schedule_label(schedule));
        let _ = writeln!(out, "    {id}{{{{\"{label}\"}}}}");
        if let Some(stage) = stage {
            let _ = writeln!(out, "    {id} -.- {}", node_id(stage));
        }
        let _ = writeln!(out, "    class {id} schedule");
    }
    for link in taken_links {
        let _ = writeln!(out, "    linkStyle {link} stroke:#2a7a2a,stroke-width:3px");
    }
    for stage in program
        .stages
        .iter()
        .filter(|s| overlay.visited.contains(s.id.as_str()))
    {
        let _ = writeln!(out, "    style {} stroke-width:3px", node_id(&stage.id));
    }
    if let Some(current) = &overlay.current {
        let _ = writeln!(
            out,
            "    style {} fill:#fff3b0,stroke-width:3px",
            node_id(current)
        );
    }
    for (stage, next, start) in program.successor_starts() {
        let id = format!("next_{}", node_id(&stage.id));
        let _ = writeln!(
            out,
            "    {id}[/\"{}\"/]",
            mermaid_text(&successor_label(next))
        );
        let _ = writeln!(out, "    {} -.-> {id}", node_id(&stage.id));
        let _ = writeln!(out, "    {id} -.-> {}", node_id(start));
        let _ = writeln!(out, "    class {id} successor");
    }
    for stage in program.stages.iter().filter(|s| s.is_terminal()) {
        let class = match stage.outcome.as_deref() {
            Some("success") => "success",
            Some("withdrawn") => "withdrawn",
            _ => "ended",
        };
        let _ = writeln!(out, "    class {} {class}", node_id(&stage.id));
    }
    out.push_str("    classDef success fill:#d4f7d4,stroke:#2a7a2a\n");
    out.push_str("    classDef withdrawn fill:#eeeeee,stroke:#777777\n");
    out.push_str("    classDef ended fill:#fde2e2,stroke:#a33\n");
    if program
        .transitions
        .iter()
        .any(|t| t.from == crate::model::From::Any)
    {
        out.push_str("    classDef any fill:#ffffff,stroke:#999999,stroke-dasharray: 4 4\n");
    }
    if !program.schedules.is_empty() {
        out.push_str("    classDef schedule fill:#e8f0fe,stroke:#4a6fa5\n");
    }
    if program.stages.iter().any(|s| s.successor.is_some()) {
        out.push_str("    classDef successor fill:#fff4d6,stroke:#a67c00\n");
    }
    out
}

/// The stages with a successor (whatever the type: a pairing of any type that ends there
/// continues), with the stage the new pairing starts in.
/// `a new extension pairing, carrying goals_met, when ...`.
fn successor_label(next: &crate::model::Successor) -> String {
    let mut label = match &next.type_id {
        Some(t) => format!("a new {t} pairing"),
        None => "a new pairing".to_string(),
    };
    if !next.facts.is_empty() {
        let _ = write!(label, ", carrying {}", next.facts.join(", "));
    }
    if let Some(when) = &next.when {
        let _ = write!(label, ", when {}", one_line(&when.source));
    }
    label
}

/// The schedules drawn (those of `type_id`, or all), each with the stage it is tied to: the
/// stage it runs during, else the one it is anchored to.
fn schedules<'p>(
    program: &'p Program,
    type_id: Option<&str>,
) -> Vec<(&'p crate::model::Schedule, Option<&'p str>)> {
    program
        .schedules
        .iter()
        .filter(|s| type_id.is_none_or(|t| s.applies_to(t)))
        .map(|s| {
            let stage = s.during.as_deref().or(match &s.anchor {
                crate::model::Anchor::Stage(stage) => Some(stage.as_str()),
                _ => None,
            });
            (s, stage)
        })
        .collect()
}

/// `1:1 meeting: every 1w for 8w, then every 2w from enrolment`.
fn schedule_label(s: &crate::model::Schedule) -> String {
    format!("{}: {} from {}", s.title, s.cadence, s.anchor)
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(program: &Program, type_id: Option<&str>, overlay: &Overlay) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n    rankdir=TB;\n    node [shape=box, style=rounded];\n",
        dot_text(&program.id)
    );
    let _ = writeln!(
        out,
        "    \"__start\" [shape=point];\n    \"__start\" -> \"{}\";",
        dot_text(&program.initial)
    );
    for stage in &program.stages {
        let mut shape = if stage.is_terminal() {
            ", shape=doubleoctagon".to_string()
        } else {
            String::new()
        };
        if overlay.visited.contains(stage.id.as_str()) {
            shape.push_str(", penwidth=3");
        }
        if overlay.current.as_deref() == Some(stage.id.as_str()) {
            shape.push_str(", style=\"rounded,filled\", fillcolor=\"#fff3b0\"");
        }
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\"{shape}];",
            dot_text(&stage.id),
            dot_text(&counted(
                node_label(program, stage, type_id),
                stage,
                overlay
            ))
        );
    }
    let edges = edges(program);
    if edges.iter().any(|(from, _)| from.is_none()) {
        let _ = writeln!(out, "    \"*\" [label=\"{ANY}\", style=dashed];");
    }
    for (from, t) in edges {
        let mut style = match drawn(t) {
            Drawn::Timer => ", style=dashed",
            Drawn::Auto => ", style=bold",
            Drawn::Command => "",
        }
        .to_string();
        if overlay.taken.contains(&t.number())
            && from.is_none_or(|s| overlay.visited.contains(s.id.as_str()))
        {
            style.push_str(", penwidth=3, color=\"#2a7a2a\"");
        }
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{}\"{style}];",
            from.map_or("*".to_string(), |s| dot_text(&s.id)),
            dot_text(&t.to),
            dot_text(&edge_label(program, t, from, type_id))
        );
    }
    for (stage, next, start) in program.successor_starts() {
        let id = format!("next {}", stage.id);
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\", shape=parallelogram, style=\"\"];",
            dot_text(&id),
            dot_text(&successor_label(next))
        );
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [style=dotted];\n    \"{}\" -> \"{}\" [style=dotted];",
            dot_text(&stage.id),
            dot_text(&id),
            dot_text(&id),
            dot_text(start)
        );
    }
    for (schedule, stage) in schedules(program, type_id) {
        let id = format!("schedule {}", schedule.name);
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\", shape=hexagon, style=\"\"];",
            dot_text(&id),
            dot_text(&schedule_label(schedule))
        );
        if let Some(stage) = stage {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\" [style=dotted, arrowhead=none];",
                dot_text(&id),
                dot_text(stage)
            );
        }
    }
    out.push_str("}\n");
    out
}
