//! `mentorflow paths PROGRAM`: every route from the initial stage to each terminal stage.

use std::path::PathBuf;

use crate::failure::CommandResult;
use crate::{Output, EXIT_OK};

/// Most routes printed; programs with more have loops worth splitting into scenarios anyway.
const ROUTE_LIMIT: usize = 500;

/// List every route to a terminal stage (each transition taken at most once per route), so
/// testers know which scenarios to write.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow paths programs/mentoring.toml\n  mentorflow paths programs/mentoring.toml --type group"
)]
pub struct Args {
    /// Program file (TOML).
    file: PathBuf,
    /// Show the routes as this mentoring type sees them (its extra guards named).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Print JSON: each route's stages, transition numbers and outcome.
    #[arg(long)]
    json: bool,
}

/// Prints the routes.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let program = match super::load_program(&args.file, output) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    if let Err(code) = super::check_type(&program, args.type_id.as_deref(), output) {
        return Ok(code);
    }
    let type_id = args.type_id.as_deref();
    let routes = mentorflow_dsl::graph::routes(&program, ROUTE_LIMIT);
    if args.json {
        let routes = routes
            .iter()
            .map(|route| route_json(&program, type_id, route))
            .collect();
        let program = program.id.clone();
        return super::versioned_json(output, crate::json::designer::Paths { program, routes });
    }
    writeln!(
        output.out,
        "{} from `{}` to a terminal stage:",
        crate::render::count(routes.len() as u64, "route"),
        program.initial
    )?;
    for (n, route) in routes.iter().enumerate() {
        print_route(n + 1, &program, type_id, route, output)?;
    }
    if routes.len() == ROUTE_LIMIT {
        writeln!(output.out, "(stopped after {ROUTE_LIMIT} routes)")?;
    }
    Ok(EXIT_OK)
}

/// A route (transition indexes) as `--json` gives it.
fn route_json(
    program: &mentorflow_dsl::Program,
    type_id: Option<&str>,
    route: &[usize],
) -> crate::json::designer::Route {
    let stages: Vec<String> = std::iter::once(program.initial.as_str())
        .chain(
            route
                .iter()
                .filter_map(|&i| program.transitions.get(i))
                .map(|t| t.to.as_str()),
        )
        .map(String::from)
        .collect();
    let outcome = stages
        .last()
        .and_then(|s| program.stage(s))
        .and_then(|s| s.outcome.map(|o| o.to_string()));
    crate::json::designer::Route {
        actions: acts(program, type_id, route),
        stages,
        transitions: route.iter().map(|i| i + 1).collect(),
        outcome,
    }
}

/// Route `n`: its stages and outcome, each transition with its label, and what it runs.
fn print_route(
    n: usize,
    program: &mentorflow_dsl::Program,
    type_id: Option<&str>,
    route: &[usize],
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    let mut stages = vec![program.initial.clone()];
    let mut how = Vec::new();
    for &i in route {
        let Some(t) = program.transitions.get(i) else {
            continue;
        };
        stages.push(t.to.clone());
        let label = program
            .stage(&stages[stages.len() - 2])
            .map(|s| mentorflow_dsl::diagram::edge_label(program, t, Some(s), type_id))
            .unwrap_or_default();
        how.push(match label.is_empty() {
            true => format!("{}", i + 1),
            false => format!("{} {label}", i + 1),
        });
    }
    let outcome = stages
        .last()
        .and_then(|s| program.stage(s))
        .and_then(|s| s.outcome.map(|o| o.as_str()))
        .unwrap_or_default();
    writeln!(output.out, "{n:>3}. {}  => {outcome}", stages.join(" -> "))?;
    for step in how {
        writeln!(output.out, "       via {step}")?;
    }
    for act in acts(program, type_id, route) {
        writeln!(output.out, "       acts: {act}")?;
    }
    Ok(())
}

/// The stage actions a route runs (for `type_id`, with its own actions), in order: the first
/// stage's `on_enter` at enrolment, then for each move the stage left's `on_timeout` (a
/// timer's move) and `on_exit`, and the stage entered's `on_enter`; each with the effects it
/// names.
fn acts(program: &mentorflow_dsl::Program, type_id: Option<&str>, route: &[usize]) -> Vec<String> {
    let ty = type_id.unwrap_or_default();
    let mut out = Vec::new();
    let mut act = |stage: &str, hook: &str| {
        let Some(script) = program.action(ty, stage, hook) else {
            return;
        };
        let effects: Vec<String> = mentorflow_dsl::effects::named(&script.ast)
            .into_iter()
            .map(|(kind, name, _)| format!("{kind} {name}"))
            .collect();
        out.push(if effects.is_empty() {
            format!("{stage} {hook}")
        } else {
            format!("{stage} {hook}: {}", effects.join(", "))
        });
    };
    act(&program.initial, "on_enter");
    let mut at = program.initial.clone();
    for t in route.iter().filter_map(|&i| program.transitions.get(i)) {
        if t.timer().is_some() {
            act(&at, "on_timeout");
        }
        act(&at, "on_exit");
        act(&t.to, "on_enter");
        at = t.to.clone();
    }
    out
}
