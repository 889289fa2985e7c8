//! `mentorflow show FILE`: the program as a reader wants it, or as JSON.

use std::fmt::Write as _;
use std::path::PathBuf;

use mentorflow_dsl::model::{From, Guard, MentoringType, Program, Timeout, Timer, Trigger};
use mentorflow_dsl::one_line;
use mentorflow_dsl::value::Declaration;

use crate::failure::CommandResult;
use crate::{Output, EXIT_OK};

/// Show a program: stages with due dates, transitions with guards, facts, criteria, types.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow show programs/mentoring.toml\n  mentorflow show programs/mentoring.toml --type group"
)]
pub struct Args {
    /// Program file (TOML).
    file: PathBuf,
    /// Show the program as this mentoring type sees it (its overrides applied).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Prints the program.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    let program = match super::load_program(&args.file, output) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let type_id = args.type_id.as_deref();
    if let Err(code) = super::check_type(&program, type_id, output) {
        return Ok(code);
    }
    if args.json {
        super::versioned_json(output, type_view(&program, type_id))?;
    } else {
        write!(output.out, "{}", render(&program, type_id))?;
    }
    Ok(EXIT_OK)
}

/// The program with a type's overrides applied to stage dues and only that type kept.
fn type_view(program: &Program, type_id: Option<&str>) -> Program {
    let mut view = program.clone();
    if let Some(t) = type_id {
        for stage in &mut view.stages {
            stage.due = program.due(stage, t);
        }
        view.types.retain(|ty| ty.id == t);
    }
    view
}

/// The text form of `show`.
pub fn render(program: &Program, type_id: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", program.id, program.title);
    if !program.description.is_empty() {
        let _ = writeln!(s, "{}", program.description);
    }
    let _ = writeln!(s, "version {}", &program.hash[..12.min(program.hash.len())]);
    if !program.libraries.is_empty() {
        let _ = writeln!(s, "libraries: {}", program.libraries.join(", "));
    }
    if !program.coordinators.is_empty() {
        let _ = writeln!(s, "coordinators: {}", program.coordinators.join(", "));
    }
    if let Some(t) = type_id {
        let _ = writeln!(s, "as type: {t} (overrides applied)");
    }
    stages(&mut s, program, type_id);
    transitions(&mut s, program, type_id);
    declarations(
        &mut s,
        "Facts (recorded on pairings, read as facts.NAME)",
        &program.facts,
    );
    declarations(&mut s, "Participant attributes", &program.attributes);
    criteria(&mut s, program);
    schedules(&mut s, program);
    reasons(&mut s, program);
    matching(&mut s, program);
    capacity(&mut s, program);
    invariants(&mut s, program);
    let _ = writeln!(s, "\nTypes");
    for ty in program
        .types
        .iter()
        .filter(|t| type_id.is_none_or(|id| t.id == id))
    {
        mentoring_type(&mut s, ty);
    }
    s
}

fn criteria(s: &mut String, program: &Program) {
    if program.criteria.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nCriteria");
    for c in &program.criteria {
        let _ = writeln!(s, "  {}{}", c.name, dash(&c.description));
        for line in c.script.source.trim().lines() {
            let _ = writeln!(s, "      {line}");
        }
    }
}

/// What must hold of every pairing: `simulate` checks it after every step.
fn invariants(s: &mut String, program: &Program) {
    if program.invariants.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nInvariants (checked by simulate after every step)");
    for i in &program.invariants {
        let _ = writeln!(s, "  {}{}", i.name, dash(&i.description));
        for line in i.script.source.trim().lines() {
            let _ = writeln!(s, "      {line}");
        }
    }
}

fn schedules(s: &mut String, program: &Program) {
    if program.schedules.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nSchedules (record one with `mentorflow done PAIRING NAME`)"
    );
    for sc in &program.schedules {
        let mut line = format!(
            "  {}{}: {} from {}",
            sc.name,
            dash(&sc.title),
            sc.cadence,
            sc.anchor
        );
        if let Some(end) = sc.end {
            let _ = write!(line, ", ending {end} after it");
        }
        if let Some(grace) = sc.grace {
            let _ = write!(line, ", missed {grace} after due");
        }
        if let Some(stage) = &sc.during {
            let _ = write!(line, ", while in {stage}");
        }
        if !sc.types.is_empty() {
            let _ = write!(line, ", for {}", sc.types.join(", "));
        }
        if let Some(role) = &sc.per {
            let _ = write!(line, ", each {role} their own from joining");
        }
        if let Some(role) = &sc.rotate {
            let _ = write!(line, ", each occurrence a {role}'s turn");
        }
        if !sc.facts.is_empty() {
            let _ = write!(line, "; records {}", sc.facts.join(", "));
        }
        if !sc.required.is_empty() {
            let _ = write!(line, " ({} every time)", sc.required.join(", "));
        }
        if let Some(require) = &sc.require {
            let _ = write!(line, "; counts only when {}", require.summary);
        }
        let _ = writeln!(s, "{line}");
    }
}

fn reasons(s: &mut String, program: &Program) {
    if program.reasons.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nReasons (withdraw, leave and forced moves give one, any advance may: --reason CODE)"
    );
    let width = program
        .reasons
        .iter()
        .map(|r| r.code.len())
        .max()
        .unwrap_or(0);
    for r in &program.reasons {
        let _ = writeln!(s, "  {:width$}  {}", r.code, r.description);
    }
}

fn matching(s: &mut String, program: &Program) {
    let Some(matching) = &program.matching else {
        return;
    };
    let _ = writeln!(
        s,
        "\nMatching (mentorflow match: the type's rules, capacity, then the best total score)"
    );
    if let Some(allow) = &matching.allow {
        let _ = writeln!(s, "  allow: {}", one_line(&allow.source));
    }
    for c in &matching.criteria {
        let _ = writeln!(
            s,
            "  {}, weight {}{}",
            c.name,
            c.weight,
            dash(&c.description)
        );
        let _ = writeln!(s, "      {}", one_line(&c.score.source));
    }
}

fn capacity(s: &mut String, program: &Program) {
    if program.capacity.is_empty() {
        return;
    }
    let from = program
        .capacity
        .iter()
        .find_map(|c| c.counted_from.as_deref())
        .map_or(String::new(), |stage| {
            format!(" that have entered `{stage}`")
        });
    let _ = writeln!(
        s,
        "\nCapacity (running pairings of this program{from} per person, checked by the store)"
    );
    for c in &program.capacity {
        let who = c
            .role
            .as_ref()
            .map_or("anyone, in any role".to_string(), |r| format!("a {r}"));
        let _ = writeln!(s, "  {who}: at most {}", c.limit);
    }
}

fn dash(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" — {text}")
    }
}

fn stages(s: &mut String, program: &Program, type_id: Option<&str>) {
    let _ = writeln!(s, "\nStages (initial: {})", program.initial);
    let width = program
        .stages
        .iter()
        .map(|st| st.id.len())
        .max()
        .unwrap_or(0);
    for stage in &program.stages {
        let due = type_id.map_or(stage.due, |t| program.due(stage, t));
        let when = match (&stage.outcome, due) {
            (Some(o), _) => format!("terminal: {o}"),
            (None, Some(d)) => format!("due {d}"),
            (None, None) => "no due date".into(),
        };
        let _ = writeln!(
            s,
            "  {:width$}  {:<20} {}{}",
            stage.id,
            when,
            stage.title,
            dash(&stage.description)
        );
        if let Some(next) = &stage.successor {
            let _ = writeln!(s, "  {:width$}  {}", "", successor(next));
        }
        let a = &stage.actions;
        for (hook, script) in [
            ("on_enter", &a.on_enter),
            ("on_timeout", &a.on_timeout),
            ("on_exit", &a.on_exit),
        ] {
            if let Some(script) = script {
                let _ = writeln!(s, "  {:width$}  {hook}: {}", "", one_line(&script.source));
            }
        }
    }
    if !program.notifications.is_empty() {
        let _ = writeln!(
            s,
            "\nNotifications (sent by actions, or on what a tick notices)"
        );
        for n in &program.notifications {
            let to = if n.to.is_empty() {
                "every participant".to_string()
            } else {
                n.to.join(", ")
            };
            let on = if n.on.is_empty() {
                String::new()
            } else {
                format!(", on {}", n.on.join(", "))
            };
            let _ = writeln!(s, "  {}  to {to}{on}: {}", n.name, one_line(&n.subject));
        }
    }
}

/// `continues as a new one-on-one pairing in goal_setting, carrying goals_met, when ...`.
fn successor(next: &mentorflow_dsl::Successor) -> String {
    let mut line = "continues as a new".to_string();
    if let Some(t) = &next.type_id {
        let _ = write!(line, " {t}");
    }
    line.push_str(" pairing");
    if let Some(stage) = &next.stage {
        let _ = write!(line, " in {stage}");
    }
    if !next.facts.is_empty() {
        let _ = write!(line, ", carrying {}", next.facts.join(", "));
    }
    if let Some(when) = &next.when {
        let _ = write!(line, ", when {}", one_line(&when.source));
    }
    line
}

fn transitions(s: &mut String, program: &Program, type_id: Option<&str>) {
    let _ = writeln!(
        s,
        "\nTransitions (in order; the first whose guard holds is taken)"
    );
    for t in &program.transitions {
        let label = if t.label.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", t.label)
        };
        let mut when = match &t.guard {
            Some(Guard::Script(sc)) => format!("when {}", one_line(&sc.source)),
            Some(Guard::Criterion(c)) => format!("when criterion {c}"),
            None => "always".into(),
        };
        if let (Some(ty), From::Stage(from), true) = (type_id, &t.from, t.takes_extra_guard()) {
            if let Some(extra) = program
                .stage_override(ty, from)
                .and_then(|o| o.guard.as_ref())
            {
                let _ = write!(when, " and {}", one_line(&extra.source));
            }
        }
        match &t.trigger {
            Trigger::Advance | Trigger::Withdraw if !t.reasons.is_empty() => {
                when = format!("{when}, with a reason: {}", t.reasons.join(", "));
            }
            Trigger::Advance | Trigger::Withdraw => {}
            Trigger::Auto => when = format!("{when}, automatically as soon as it holds"),
            Trigger::Timer(timer) => when = format!("{when}, {}", timer_text(timer)),
        }
        let _ = writeln!(s, "  {:>2}. {}{label}: {when}", t.number(), t.describe());
    }
}

/// When a timer transition is taken, as `show` says it.
fn timer_text(timer: &Timer) -> String {
    let on = match &timer.timeout {
        Timeout::After(d) => format!("{d} after entering the stage"),
        Timeout::Idle(d) => format!("after {d} without activity"),
        Timeout::SinceEnrolment(d) => format!("{d} after enrolment"),
        Timeout::SinceFirstEntered(stage, d) => format!("{d} after first entering {stage}"),
        Timeout::AtDate(fact) => format!("on the date in {fact}"),
    };
    match timer.warn {
        Some(warn) => format!("on tick {on}; warns {warn} before"),
        None => format!("on tick {on}"),
    }
}

fn declarations(s: &mut String, title: &str, decls: &[Declaration]) {
    if decls.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title}");
    let width = decls.iter().map(|d| d.name.len()).max().unwrap_or(0);
    for d in decls {
        let mut kind = d.kind.name().to_string();
        match (d.min, d.max) {
            (Some(lo), Some(hi)) => {
                let _ = write!(kind, " from {lo} to {hi}");
            }
            (Some(lo), None) => {
                let _ = write!(kind, " >= {lo}");
            }
            (None, Some(hi)) => {
                let _ = write!(kind, " <= {hi}");
            }
            (None, None) => {}
        }
        if let Some(allowed) = &d.allowed {
            let _ = write!(kind, " one of {}", allowed.join("|"));
        }
        if let Some(default) = &d.default {
            let _ = write!(kind, ", default {default}");
        }
        if let Some(per) = &d.per {
            let _ = write!(kind, ", per {per} (p.facts.{})", d.name);
        }
        if let Some(other) = &d.at_most {
            let _ = write!(kind, ", at most {other}");
        }
        if let Some(other) = &d.at_least {
            let _ = write!(kind, ", at least {other}");
        }
        let _ = writeln!(s, "  {:width$}  {kind}{}", d.name, dash(&d.description));
    }
}

fn mentoring_type(s: &mut String, ty: &MentoringType) {
    let roles: Vec<String> = ty
        .roles
        .iter()
        .map(|r| {
            let name = format!("{}{}", r.name, if r.max == 1 { "" } else { "s" });
            if r.min == r.max {
                format!("{} {name}", r.min)
            } else {
                format!("{}-{} {name}", r.min, r.max)
            }
        })
        .collect();
    let _ = writeln!(s, "  {} — {}: {}", ty.id, ty.title, roles.join(", "));
    if !ty.description.is_empty() {
        let _ = writeln!(s, "      {}", ty.description);
    }
    if !ty.requires.is_empty() {
        let _ = writeln!(s, "      requires: {}", ty.requires.join(", "));
    }
    if let Some(rule) = &ty.rule {
        let _ = writeln!(s, "      rule: {}", one_line(&rule.source));
    }
    if let Some(m) = &ty.matching {
        let parts: Vec<String> = m
            .criteria
            .iter()
            .map(|c| format!("{} (weight {})", c.name, c.weight))
            .collect();
        let allow = m.allow.as_ref().map_or(String::new(), |a| {
            format!("allow {}; ", one_line(&a.source))
        });
        let _ = writeln!(s, "      matching of its own: {allow}{}", parts.join(", "));
    }
    for o in &ty.stages {
        let mut parts = Vec::new();
        if let Some(d) = o.due {
            parts.push(format!("due {d}"));
        }
        if let Some(g) = &o.guard {
            parts.push(format!("extra guard {}", one_line(&g.source)));
        }
        let _ = writeln!(s, "      stage {}: {}", o.stage, parts.join(", "));
    }
}
