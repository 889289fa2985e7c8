//! Explanations of candidate transitions and guards: what each read, which part was false.

use std::fmt::Write as _;

use mentorflow_engine::{Candidate, GuardKind, GuardReport, Verdict};

use super::script_error;

fn verdict(v: &Verdict) -> String {
    match v {
        Verdict::Holds => "holds".into(),
        Verdict::False => "false".into(),
        Verdict::NeedsFacts(names) => format!("not recorded yet: {}", names.join(", ")),
        Verdict::MissingAttributes(missing) => {
            let who: Vec<String> = missing
                .iter()
                .map(|m| format!("{} ({}) has no `{}`", m.person, m.role, m.attribute))
                .collect();
            format!("not given: {}", who.join(", "))
        }
        Verdict::Failed(e) => format!("error: {}", script_error(e)),
    }
}

fn title(kind: &GuardKind) -> String {
    match kind {
        GuardKind::Guard => "guard".into(),
        GuardKind::Criterion(name) => format!("criterion {name}"),
        GuardKind::ExtraGuard { type_id } => format!("extra guard of type {type_id}"),
        GuardKind::Rule => "rule".into(),
    }
}

/// The report as indented lines: the script, the facts read, each part.
pub fn guard(out: &mut String, report: &GuardReport, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}{}: {}  => {}",
        title(&report.kind),
        report.source,
        verdict(&report.verdict)
    );
    for (name, value) in &report.reads {
        let shown = value
            .as_ref()
            .map_or("(not recorded)".to_string(), ToString::to_string);
        let _ = writeln!(out, "{indent}    facts.{name} = {shown}");
    }
    for (name, value) in &report.builtins {
        let _ = writeln!(out, "{indent}    {name} = {value}");
    }
    // One line per person, in the order they take part.
    let mut people: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for p in &report.people {
        let shown = p
            .value
            .as_ref()
            .map_or("(not recorded)".to_string(), ToString::to_string);
        let value = format!("{} = {shown}", p.fact);
        match people.iter_mut().find(|(id, _, _)| *id == p.person) {
            Some((_, _, values)) => values.push(value),
            None => people.push((&p.person, &p.role, vec![value])),
        }
    }
    for (person, role, values) in people {
        let _ = writeln!(
            out,
            "{indent}    {role} {}: {}",
            super::printable(person),
            values.join(", ")
        );
    }
    for (source, v) in &report.parts {
        let mark = match v {
            Verdict::Holds => format!("{}  ", crate::paint::mark(crate::paint::Mark::Good, "ok")),
            _ => crate::paint::mark(crate::paint::Mark::Alarm, "FAIL"),
        };
        let detail = match v {
            Verdict::Holds | Verdict::False => String::new(),
            other => format!("  ({})", verdict(other)),
        };
        let _ = writeln!(out, "{indent}    {mark} {source}{detail}");
    }
}

/// `from -> to "label"`.
pub fn candidate_name(c: &Candidate) -> String {
    let label = if c.label.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", c.label)
    };
    format!("{} -> {}{label}", c.from, c.to)
}

/// The candidate as indented lines: number, name, whether it can be taken, its guards.
pub fn candidate(out: &mut String, c: &Candidate, indent: &str) {
    let state = if c.holds() { "can be taken" } else { "blocked" };
    let _ = writeln!(
        out,
        "{indent}{}. {}: {state}",
        c.transition,
        candidate_name(c)
    );
    let inner = format!("{indent}   ");
    match &c.guard {
        Some(g) => guard(out, g, &inner),
        None => {
            let _ = writeln!(out, "{inner}no guard: always allowed");
        }
    }
    if let Some(extra) = &c.extra {
        guard(out, extra, &inner);
    }
}
