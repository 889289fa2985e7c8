//! Checks on the stage graph with petgraph: reachability from the initial stage, traps with no
//! way to a terminal stage, and stages whose only way out is withdraw. Also lists routes.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{From, Program};

/// The stage graph: one node per stage (same order as `program.stages`), one edge per
/// transition and stage it leaves, weighted by the transition index.
pub fn stage_graph(program: &Program, include_any: bool) -> DiGraph<usize, usize> {
    let mut graph = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..program.stages.len())
        .map(|i| graph.add_node(i))
        .collect();
    let index_of = |id: &str| program.stages.iter().position(|s| s.id == id);
    for t in &program.transitions {
        let Some(to) = index_of(&t.to) else { continue };
        if matches!(t.from, From::Any) && !include_any {
            continue;
        }
        for (i, stage) in program.stages.iter().enumerate() {
            if t.leaves(stage) {
                graph.add_edge(nodes[i], nodes[to], t.index);
            }
        }
    }
    graph
}

fn reaches_terminal(program: &Program, graph: &DiGraph<usize, usize>) -> Vec<bool> {
    let mut reached = vec![false; program.stages.len()];
    let reversed = Reversed(graph);
    for (i, stage) in program.stages.iter().enumerate() {
        if stage.is_terminal() && !reached[i] {
            let mut dfs = Dfs::new(reversed, NodeIndex::new(i));
            while let Some(n) = dfs.next(reversed) {
                reached[n.index()] = true;
            }
        }
    }
    reached
}

/// Which stages a pairing can be in: those reached from the initial stage, and from the stage
/// a successor starts in once its ending stage is reached (a successor-only stage is used).
fn reachable(program: &Program, graph: &DiGraph<usize, usize>, initial: usize) -> Vec<bool> {
    let mut reachable = vec![false; program.stages.len()];
    let starts = program.successor_starts();
    let mut pending = vec![initial];
    while let Some(start) = pending.pop() {
        if reachable[start] {
            continue;
        }
        let mut dfs = Dfs::new(graph, NodeIndex::new(start));
        while let Some(n) = dfs.next(graph) {
            reachable[n.index()] = true;
        }
        for (ending, _, first) in &starts {
            let ending = program.stages.iter().position(|s| s.id == ending.id);
            let first = program.stages.iter().position(|s| s.id == *first);
            if let (Some(ending), Some(first)) = (ending, first) {
                if reachable[ending] && !reachable[first] {
                    pending.push(first);
                }
            }
        }
    }
    reachable
}

/// Reports unreachable stages, traps, a missing terminal stage, and withdraw-only stages.
pub(crate) fn check(program: &Program, diagnostics: &mut Vec<Diagnostic>) {
    let Some(initial) = program.stages.iter().position(|s| s.id == program.initial) else {
        return;
    };
    let graph = stage_graph(program, true);
    let reachable = reachable(program, &graph, initial);
    for (i, stage) in program.stages.iter().enumerate() {
        if !reachable[i] {
            diagnostics.push(
                Diagnostic::error(
                    Code::E013,
                    format!(
                        "stage `{}` cannot be reached from the initial stage `{}`",
                        stage.id, program.initial
                    ),
                    stage.span,
                )
                .with_help(format!(
                    "add a transition with to = \"{}\", or remove the stage",
                    stage.id
                )),
            );
        }
    }
    if !program.stages.iter().any(|s| s.is_terminal()) {
        let span = program.stages.first().map(|s| s.span).unwrap_or_default();
        diagnostics.push(
            Diagnostic::error(
                Code::E015,
                "the program has no terminal stage, so no pairing can ever finish",
                span,
            )
            .with_help(
                "mark the stages where pairings end with an outcome, e.g. outcome = \"success\"",
            ),
        );
        return;
    }
    let with_any = reaches_terminal(program, &graph);
    let without_any = reaches_terminal(program, &stage_graph(program, false));
    for (i, stage) in program.stages.iter().enumerate() {
        if !reachable[i] || stage.is_terminal() {
            continue;
        }
        if !with_any[i] {
            diagnostics.push(
                Diagnostic::error(Code::E014, format!("stage `{}` is a trap: no terminal stage can be reached from it", stage.id), stage.span)
                    .with_help(format!("add a transition from `{}` towards a terminal stage, or a withdraw with from = \"*\"", stage.id)),
            );
        } else if !without_any[i] {
            diagnostics.push(
                Diagnostic::warning(
                    Code::W002,
                    format!(
                        "stage `{}` leads to no terminal stage by its own transitions: a pairing there only ends through a `from = \"*\"` one ({})",
                        stage.id,
                        any_stage_labels(program)
                    ),
                    stage.span,
                )
                .with_help(format!(
                    "add a transition from `{}` that moves the pairing on towards an outcome",
                    stage.id
                )),
            );
        }
    }
}

/// The `from = "*"` transitions as people know them: `withdraw; timer `inactive``.
fn any_stage_labels(program: &Program) -> String {
    let names: Vec<String> = program
        .transitions
        .iter()
        .filter(|t| matches!(t.from, From::Any))
        .map(|t| {
            let name = match t.label.is_empty() {
                true => format!("to {}", t.to),
                false => t.label.clone(),
            };
            match t.trigger {
                crate::model::Trigger::Withdraw if name == "withdraw" => name,
                crate::model::Trigger::Withdraw => format!("withdraw `{name}`"),
                crate::model::Trigger::Timer(_) => format!("timer `{name}`"),
                _ => format!("automatic `{name}`"),
            }
        })
        .collect();
    names.join(", ")
}

/// A route through the program: the transitions taken, in order.
pub type Route = Vec<usize>;

/// Every route from the initial stage to a terminal stage in which no transition is taken
/// twice (so each loop is taken at most once), stopping after `limit` routes.
pub fn routes(program: &Program, limit: usize) -> Vec<Route> {
    let graph = stage_graph(program, true);
    let mut out = Vec::new();
    let Some(initial) = program.stages.iter().position(|s| s.id == program.initial) else {
        return out;
    };
    let mut path = Vec::new();
    walk(
        program,
        &graph,
        NodeIndex::new(initial),
        &mut path,
        &mut out,
        limit,
    );
    out
}

fn walk(
    program: &Program,
    graph: &DiGraph<usize, usize>,
    at: NodeIndex,
    path: &mut Vec<(usize, usize)>,
    out: &mut Vec<Route>,
    limit: usize,
) {
    if out.len() >= limit {
        return;
    }
    if program.stages[at.index()].is_terminal() {
        out.push(path.iter().map(|(t, _)| *t).collect());
        return;
    }
    let mut edges: Vec<_> = graph.edges(at).map(|e| (*e.weight(), e.target())).collect();
    edges.sort_by_key(|(t, _)| *t);
    for (t, target) in edges {
        if path
            .iter()
            .any(|(taken, from)| *taken == t && *from == at.index())
        {
            continue;
        }
        path.push((t, at.index()));
        walk(program, graph, target, path, out, limit);
        path.pop();
    }
}
