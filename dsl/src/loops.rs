//! Cycles of automatic transitions. The engine takes `auto = true` transitions one after
//! another as long as their guards hold and refuses a command that keeps moving a pairing
//! (a loop); this check finds such loops in the program before any pairing runs into them.
//!
//! A cycle whose guards always hold (missing or `true`) loops for every pairing that enters
//! it: an error. A cycle whose guards read nothing that moving around it changes (not the
//! stage, the time in it, the entry and transition counts, nor a fact an action on the cycle
//! sets) loops whenever its guards hold together: a warning, since guards that exclude each
//! other never let it turn.

use std::collections::BTreeSet;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{Guard, Program, Script, Transition};
use crate::sandbox::SCRIPT_VARIABLES;

/// The script variables a move changes: where the pairing is, for how long, and how often it
/// entered stages or took transitions.
const MOVED_VARIABLES: [&str; 9] = [
    "stage",
    "days_in_stage",
    "weeks_in_stage",
    "months_in_stage",
    "cycle",
    "entries",
    "first_entered",
    "taken",
    "schedules",
];

/// How a guard behaves while a pairing moves around a cycle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fires {
    /// No guard, or `true`: it holds whatever the pairing's state.
    Always,
    /// It reads nothing a move changes, apart perhaps from facts actions set.
    Steady,
    /// It reads what a move changes, or what it reads is unknown (functions, closures).
    Changes,
}

/// Reports E046 for cycles of automatic transitions that always fire and W011 for cycles
/// whose guards read nothing the moves change.
pub(crate) fn check(program: &Program, diagnostics: &mut Vec<Diagnostic>) {
    let is_always = |t: &Transition| fires(program, t) == Fires::Always;
    let always = cycles(program, &|t, _| is_always(t), &|_| true);
    for cycle in &always {
        diagnostics.push(report(program, cycle, true));
    }
    let steady = cycles(
        program,
        &|t, set| fires(program, t) != Fires::Changes && reads_none(program, t, set),
        &|t| !is_always(t),
    );
    for cycle in &steady {
        diagnostics.push(report(program, cycle, false));
    }
}

/// The cycles (one per strongly connected part) of automatic transitions that `keep` keeps,
/// given the facts the actions of the part's stages set, each through a transition that
/// `through` picks. Each is its steps in order.
fn cycles(
    program: &Program,
    keep: &dyn Fn(&Transition, &BTreeSet<String>) -> bool,
    through: &dyn Fn(&Transition) -> bool,
) -> Vec<Vec<Step>> {
    let everything: BTreeSet<usize> = (0..program.stages.len()).collect();
    let mut found = Vec::new();
    parts(
        program,
        keep,
        through,
        &BTreeSet::new(),
        &everything,
        &mut found,
    );
    found
}

/// Looks for cycles within `stages`, keeping the edges that `keep` keeps given `set`. What the
/// actions of a part set is only known once the part is: each strongly connected part is
/// looked at again with the facts its own stages' actions set, until it no longer splits.
fn parts(
    program: &Program,
    keep: &dyn Fn(&Transition, &BTreeSet<String>) -> bool,
    through: &dyn Fn(&Transition) -> bool,
    set: &BTreeSet<String>,
    stages: &BTreeSet<usize>,
    found: &mut Vec<Vec<Step>>,
) {
    let graph = auto_graph(program, |t| keep(t, set), stages);
    for part in tarjan_scc(&graph) {
        let part: BTreeSet<usize> = part.iter().map(|n| n.index()).collect();
        if !part.is_subset(stages) {
            continue;
        }
        let set_here = facts_set(program, &part);
        if &part != stages || &set_here != set {
            parts(program, keep, through, &set_here, &part, found);
            continue;
        }
        // A cycle through the first edge `through` picks.
        let cycle = graph
            .edge_references()
            .filter(|e| program.transitions.get(*e.weight()).is_some_and(through))
            .find_map(|e| cycle_through(&graph, e));
        found.extend(cycle);
    }
}

/// The graph of the automatic transitions `keep` keeps between `stages` (a node for every
/// stage of the program, edges weighted by the transition's index).
fn auto_graph(
    program: &Program,
    keep: impl Fn(&Transition) -> bool,
    stages: &BTreeSet<usize>,
) -> DiGraph<(), usize> {
    let mut graph = DiGraph::new();
    let nodes: Vec<NodeIndex> = program.stages.iter().map(|_| graph.add_node(())).collect();
    for t in program.transitions.iter().filter(|t| keep(t)) {
        let Some(to) = program.stages.iter().position(|s| s.id == t.to) else {
            continue;
        };
        if !stages.contains(&to) {
            continue;
        }
        for (i, stage) in program.stages.iter().enumerate() {
            if stages.contains(&i) && t.is_auto_from(stage) {
                graph.add_edge(nodes[i], nodes[to], t.index);
            }
        }
    }
    graph
}

/// One move of a cycle: the stage left and the transition taken (indexes).
#[derive(Clone, Copy)]
struct Step {
    stage: usize,
    transition: usize,
}

/// The shortest cycle that takes `edge` first: the edge, then a path from its target back to
/// its source (breadth first).
fn cycle_through(
    graph: &DiGraph<(), usize>,
    edge: petgraph::graph::EdgeReference<'_, usize>,
) -> Option<Vec<Step>> {
    let (start, end) = (edge.target(), edge.source());
    let first = Step {
        stage: end.index(),
        transition: *edge.weight(),
    };
    let mut came: Vec<Option<Step>> = vec![None; graph.node_count()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = BTreeSet::from([start.index()]);
    while let Some(n) = queue.pop_front() {
        if n == end {
            let mut path = Vec::new();
            let mut at = n;
            while at != start {
                let step = came[at.index()]?;
                path.push(step);
                at = NodeIndex::new(step.stage);
            }
            path.push(first);
            path.reverse();
            return Some(path);
        }
        for e in graph.edges(n) {
            let next = e.target();
            if seen.insert(next.index()) {
                came[next.index()] = Some(Step {
                    stage: n.index(),
                    transition: *e.weight(),
                });
                queue.push_back(next);
            }
        }
    }
    None
}

/// How the transition's guard behaves around a cycle (criteria it reads included).
fn fires(program: &Program, t: &Transition) -> Fires {
    match &t.guard {
        None => Fires::Always,
        Some(Guard::Script(s)) => script_fires(program, s, &mut BTreeSet::new()),
        Some(Guard::Criterion(name)) => criterion_fires(program, name, &mut BTreeSet::new()),
    }
}

fn criterion_fires(program: &Program, name: &str, seen: &mut BTreeSet<String>) -> Fires {
    if !seen.insert(name.to_string()) {
        return Fires::Changes;
    }
    match program.criterion(name) {
        Some(c) => script_fires(program, &c.script, seen),
        None => Fires::Changes,
    }
}

fn script_fires(program: &Program, script: &Script, seen: &mut BTreeSet<String>) -> Fires {
    if script.source.trim() == "true" {
        return Fires::Always;
    }
    if script.variables == u32::MAX || reads_moved(script) {
        return Fires::Changes;
    }
    if script
        .criteria_read
        .iter()
        .any(|c| criterion_fires(program, c, seen) == Fires::Changes)
    {
        return Fires::Changes;
    }
    Fires::Steady
}

fn reads_moved(script: &Script) -> bool {
    SCRIPT_VARIABLES
        .iter()
        .enumerate()
        .any(|(i, v)| script.variables & (1 << i) != 0 && MOVED_VARIABLES.contains(v))
}

/// Whether the transition's guard (and the criteria it reads) reads none of `set`.
fn reads_none(program: &Program, t: &Transition, set: &BTreeSet<String>) -> bool {
    let mut read = BTreeSet::new();
    match &t.guard {
        None => {}
        Some(Guard::Script(s)) => facts_read(program, s, &mut read),
        Some(Guard::Criterion(name)) => {
            if let Some(c) = program.criterion(name) {
                facts_read(program, &c.script, &mut read);
            }
        }
    }
    read.is_disjoint(set)
}

fn facts_read(program: &Program, script: &Script, read: &mut BTreeSet<String>) {
    read.extend(script.facts_read.iter().cloned());
    for name in &script.criteria_read {
        if let Some(c) = program.criterion(name) {
            if !read.contains(&format!("criterion {name}")) {
                read.insert(format!("criterion {name}"));
                facts_read(program, &c.script, read);
            }
        }
    }
}

/// The facts the actions of `stages` set, for any type (a stage's own actions and each
/// type's in their place).
fn facts_set(program: &Program, stages: &BTreeSet<usize>) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for &i in stages {
        let Some(stage) = program.stages.get(i) else {
            continue;
        };
        let overrides = program
            .types
            .iter()
            .flat_map(|ty| ty.stages.iter().filter(|o| o.stage == stage.id))
            .map(|o| &o.actions);
        for actions in std::iter::once(&stage.actions).chain(overrides) {
            for script in [&actions.on_enter, &actions.on_exit, &actions.on_timeout]
                .into_iter()
                .flatten()
            {
                set.extend(
                    crate::effects::named(&script.ast)
                        .into_iter()
                        .filter(|(kind, _, _)| *kind == "set_fact")
                        .map(|(_, name, _)| name),
                );
            }
        }
    }
    set
}

/// The diagnostic for a cycle: at its first transition, naming every stage and transition.
fn report(program: &Program, cycle: &[Step], always: bool) -> Diagnostic {
    let transitions: Vec<&Transition> = cycle
        .iter()
        .filter_map(|s| program.transitions.get(s.transition))
        .collect();
    let mut stages: Vec<String> = cycle
        .iter()
        .filter_map(|s| program.stages.get(s.stage))
        .map(|s| s.id.to_string())
        .collect();
    if let Some(first) = stages.first().cloned() {
        stages.push(first);
    }
    let numbers: Vec<String> = transitions.iter().map(|t| t.number().to_string()).collect();
    let path = stages.join(" -> ");
    let which = match numbers.len() {
        1 => format!("transition {}", numbers[0]),
        _ => format!("transitions {}", numbers.join(", ")),
    };
    let span = transitions.first().map(|t| t.span).unwrap_or_default();
    if always {
        Diagnostic::error(
            Code::E046,
            format!("automatic transitions loop without end: {path} ({which}), every guard on the way always holds"),
            span,
        )
        .with_help("give one of them a guard that moving changes, e.g. guard = \"entries.STAGE < 3\" or \"days_in_stage >= 7\"; a pairing entering this cycle has every command refused")
        .tolerated_when_stored()
    } else {
        Diagnostic::warning(
            Code::W011,
            format!("automatic transitions can loop: {path} ({which}); whenever their guards hold together, moving changes nothing they read"),
            span,
        )
        .with_help("make the guards exclude each other, or have one read what a move changes (days_in_stage, entries, taken, cycle, or a fact an action on the cycle sets)")
    }
}
