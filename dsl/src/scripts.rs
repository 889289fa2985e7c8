//! Compiling program scripts: Rhai syntax, undeclared variables, and the facts each reads,
//! with every error mapped back to the line and column of the TOML (or .rhai) file.

use rhai::{ASTNode, Engine, Expr, Position};

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{PairScript, Script, ScriptOrigin, ScriptPart};
use crate::source::{SourceFile, Span};
use crate::suggest::help_did_you_mean;

/// The declared facts with their defaults.
pub(crate) type Facts = std::collections::BTreeMap<String, Fact>;

/// What scripts are checked against for one declared fact: its type (unknown when the
/// declaration has an error) and its default.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fact {
    pub kind: Option<crate::value::ValueKind>,
    pub default: Option<crate::value::Value>,
    /// Whose value it is, for a fact kept per person.
    pub per: Option<String>,
    /// The values a text or list fact may take, when declared.
    pub allowed: Option<Vec<String>>,
    /// The smallest and largest value a number fact may take, when declared.
    pub range: (Option<f64>, Option<f64>),
}

/// Where a script's text sits in its file.
pub(crate) struct Placement<'a> {
    pub file: &'a SourceFile,
    pub file_index: usize,
    /// Byte offset of the script's first character, when the text is verbatim in the file
    /// (literal strings, basic strings without escapes, .rhai files); otherwise the span of
    /// the whole string, and positions point at it.
    pub content_start: Option<usize>,
    pub whole: std::ops::Range<usize>,
}

impl Placement<'_> {
    pub(crate) fn span_at(&self, position: Position) -> Span {
        let (Some(start), Some(line)) = (self.content_start, position.line()) else {
            return Span::new(self.file_index, self.whole.clone());
        };
        let origin = self.file.line_col(start);
        let at = ScriptOrigin {
            start: origin,
            ..ScriptOrigin::default()
        }
        .locate(line, position.position().unwrap_or(1));
        let offset = self.file.offset_of(at.line, at.col).unwrap_or(start);
        let end = self.file.text[offset..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(offset + 1, |n| offset + n.max(1));
        Span::new(self.file_index, offset..end)
    }

    fn origin(&self, what: &str) -> ScriptOrigin {
        ScriptOrigin {
            what: what.to_string(),
            path: self.file.path.clone(),
            start: self
                .file
                .line_col(self.content_start.unwrap_or(self.whole.start)),
        }
    }
}

/// `stage == "X"` or `type == "X"` (either way round, or `!=`) whose X is no stage or type:
/// such a comparison never holds (or always does).
fn name_comparisons(ast: &rhai::AST, names: &HistoryNames) -> Vec<Finding> {
    let mut found = Vec::new();
    each_comparison(ast, |call, pos| {
        if !["==", "!="].contains(&call.name.as_str()) {
            return;
        }
        for (a, b) in [(0, 1), (1, 0)] {
            let (Expr::Variable(var, ..), Expr::StringConstant(text, _)) =
                (&call.args[a], &call.args[b])
            else {
                continue;
            };
            let (known, what) = match var.1.as_str() {
                "stage" => (&names.stages, "stage"),
                "type" => (&names.types, "type"),
                _ => continue,
            };
            if known.is_empty() || known.iter().any(|k| k == text.as_str()) {
                continue;
            }
            let help = help_did_you_mean(text, known.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the {what}s are: {}", known.join(", ")));
            found.push((
                format!(
                    "compares `{}` with \"{text}\", but no {what} is called `{text}`",
                    var.1
                ),
                pos,
                help,
            ));
        }
    });
    found
}

/// What `entries`, `first_entered` and `taken` may be read with: the program's stage ids and
/// transition labels.
#[derive(Debug, Clone, Default)]
pub(crate) struct HistoryNames {
    pub stages: Vec<String>,
    pub labels: Vec<String>,
    pub schedules: Vec<String>,
    /// The mentoring types' ids, for `type == "ID"`.
    pub types: Vec<String>,
}

/// E026 for every `entries.X` or `first_entered.X` whose X is no stage, and `taken.X` whose X
/// is no transition's label.
fn history_problems(ast: &rhai::AST, names: &HistoryNames) -> Vec<Finding> {
    let mut found = Vec::new();
    for variable in crate::sandbox::HISTORY_VARIABLES {
        let (known, what) = match variable {
            "taken" => (&names.labels, "transition label"),
            "schedules" => (&names.schedules, "schedule"),
            _ => (&names.stages, "stage"),
        };
        for (name, position) in keys_read(ast, variable) {
            if known.contains(&name) {
                continue;
            }
            let help = help_did_you_mean(&name, known.iter().map(String::as_str))
                .unwrap_or_else(|| match known.is_empty() {
                    true if variable == "taken" => "no transition has a label: give the transition to count one, e.g. label = \"extend\"".to_string(),
                    _ => format!("the {what}s are: {}", known.join(", ")),
                });
            found.push((
                format!("reads `{variable}.{name}`, but no {what} is called `{name}`"),
                position,
                help,
            ));
        }
    }
    found
}

/// What a person's map holds besides the declared attributes (`engine/src/model/view.rs`).
const PERSON_KEYS: [&str; 5] = ["id", "role", "managers", "facts", "joined"];

/// E045 for every `.NAME` read from a person where NAME is neither a declared attribute nor
/// one of a person's own keys: `mentors[0].NAME`, or `p.NAME` where `p` is a closure's
/// parameter (`mentees.all(|p| p.NAME ...)`). Such a read gives nothing at run time, so the
/// script fails or never holds, and no one can be enrolled with an attribute the program
/// does not declare.
fn attribute_problems(
    ast: &rhai::AST,
    attributes: &[String],
    people: &std::collections::BTreeSet<String>,
) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(expr)) = path.last() else {
            return true;
        };
        let Some((name, position)) = person_property(expr, people) else {
            return true;
        };
        let known = attributes.iter().any(|a| a == name) || PERSON_KEYS.contains(&name);
        if !known && !found.iter().any(|(_, p, _)| *p == position) {
            found.push((
                format!("reads `{name}` of a participant, but the program declares no attribute `{name}`"),
                position,
                undeclared_attribute_help(name, attributes),
            ));
        }
        true
    });
    found
}

/// The script variables that hold people.
const GROUPS: [&str; 3] = ["participants", "mentors", "mentees"];

/// A closure handed to a method called on people (`mentees.all(|m| ...)`): where it starts
/// (and, for a body in braces, ends), the group whose people it is handed, and its
/// parameters that hold them.
struct PeopleClosure {
    start: (usize, usize),
    end: Option<(usize, usize)>,
    group: &'static str,
    params: Vec<String>,
}

/// The closures handed to a method called on people (`mentees.all(|m| ...)`,
/// `participants.filter(...).any(...)`). A closure's parameters include what it captures:
/// `facts` and the other script variables are no people; a name the script also binds with
/// `let` may be anything, so it is left alone.
fn people_closures(ast: &rhai::AST, scope: &rhai::Scope<'_>) -> Vec<PeopleClosure> {
    let mut bound = std::collections::BTreeSet::new();
    let mut over_people = std::collections::BTreeMap::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(rhai::Stmt::Var(var, ..))) => {
                bound.insert(var.0.name.to_string());
            }
            Some(ASTNode::Expr(Expr::Dot(bin, ..))) => {
                if let Expr::Variable(var, ..) = &bin.lhs {
                    if let Some(group) = GROUPS.iter().find(|g| **g == var.1.as_str()) {
                        let mut closures = std::collections::BTreeMap::new();
                        closures_in(&bin.rhs, &mut closures);
                        for (c, at) in closures {
                            over_people.insert(c, (*group, at));
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    let place = |p: Position| Some((p.line()?, p.position()?));
    ast.iter_fn_def()
        .filter_map(|def| {
            let (group, at) = *over_people.get(def.name.as_str())?;
            let params = def
                .params
                .iter()
                .filter(|p| !scope.contains(p.as_str()) && !bound.contains(p.as_str()))
                .map(|p| p.to_string())
                .collect();
            Some(PeopleClosure {
                start: place(at)?,
                end: place(def.body.end_position()),
                group,
                params,
            })
        })
        .collect()
}

/// Every variable that holds a person in some closure.
fn closure_people(closures: &[PeopleClosure]) -> std::collections::BTreeSet<String> {
    closures
        .iter()
        .flat_map(|c| c.params.iter().cloned())
        .collect()
}

/// The group the person in `variable` read at `at` comes from: that of the innermost
/// closure around `at` with such a parameter.
fn group_at(closures: &[PeopleClosure], variable: &str, at: Position) -> Option<&'static str> {
    let at = (at.line()?, at.position()?);
    closures
        .iter()
        .filter(|c| c.params.iter().any(|p| p == variable))
        .filter(|c| c.start <= at && c.end.is_none_or(|end| at <= end))
        .max_by_key(|c| c.start)
        .map(|c| c.group)
}

/// The anonymous functions handed to the method calls of a chain (`.filter(...).all(...)`),
/// each with where its argument starts (the `|` before its parameters).
fn closures_in(expr: &Expr, out: &mut std::collections::BTreeMap<String, Position>) {
    match expr {
        Expr::MethodCall(call, _) => {
            for arg in call.args.iter() {
                if let Some((name, _)) = crate::native::closure_parts(arg) {
                    out.insert(name, arg.start_position());
                }
            }
        }
        Expr::Dot(bin, ..) => {
            closures_in(&bin.lhs, out);
            closures_in(&bin.rhs, out);
        }
        _ => {}
    }
}

/// The property `expr` reads from a person, with where its name starts: `mentors[0].NAME`,
/// or `p.NAME` where `p` is one of `people`.
fn person_property<'e>(
    expr: &'e Expr,
    people: &std::collections::BTreeSet<String>,
) -> Option<(&'e str, Position)> {
    match expr {
        Expr::Index(bin, ..) => match (&bin.lhs, &bin.rhs) {
            (Expr::Variable(var, ..), Expr::Dot(rest, _, dot))
                if GROUPS.contains(&var.1.as_str()) =>
            {
                first_property(&rest.rhs).map(|name| (name, after(*dot)))
            }
            _ => None,
        },
        Expr::Dot(bin, _, pos) => match &bin.lhs {
            Expr::Variable(var, ..) if people.contains(var.1.as_str()) => {
                first_property(&bin.rhs).map(|name| (name, after(*pos)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The fact a person's `facts` is read for (`p.facts.NAME`, `mentors[0].facts.NAME`), where
/// its name starts, and whether it is read as it is (no method or property after it).
fn person_fact(
    expr: &Expr,
    people: &std::collections::BTreeSet<String>,
) -> Option<(String, Position, bool)> {
    let (Expr::Dot(bin, ..) | Expr::Index(bin, ..)) = expr else {
        return None;
    };
    let chain = match (&bin.lhs, &bin.rhs) {
        (Expr::Variable(var, ..), Expr::Dot(rest, ..))
            if GROUPS.contains(&var.1.as_str()) && matches!(expr, Expr::Index(..)) =>
        {
            &rest.rhs
        }
        (Expr::Variable(var, ..), rhs)
            if people.contains(var.1.as_str()) && matches!(expr, Expr::Dot(..)) =>
        {
            rhs
        }
        _ => return None,
    };
    // `.facts.NAME...`: a Dot whose left is the property `facts`.
    let Expr::Dot(facts, _, dot) = chain else {
        return None;
    };
    if !matches!(&facts.lhs, Expr::Property(p, _) if p.2.as_str() == "facts") {
        return None;
    }
    match &facts.rhs {
        Expr::Property(p, pos) => Some((p.2.to_string(), *pos, true)),
        Expr::Dot(rest, ..) | Expr::Index(rest, ..) => {
            first_property(&rest.lhs).map(|name| (name.to_string(), after(*dot), false))
        }
        _ => None,
    }
}

/// What a person's own facts are read for that no one has: an undeclared fact (E021, when
/// `pairing_only` is false), or (E037, when true) a fact kept on the pairing, or per a role
/// that the people read from never have (`mentors.all(|p| p.facts.attended)` where
/// `attended` is kept per mentee). At run time such a read gives `()`.
fn person_fact_problems(
    ast: &rhai::AST,
    facts: &Facts,
    closures: &[PeopleClosure],
    pairing_only: bool,
) -> Vec<Finding> {
    let people = closure_people(closures);
    let mut found: Vec<Finding> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(expr)) = path.last() else {
            return true;
        };
        let Some((name, position, _)) = person_fact(expr, &people) else {
            return true;
        };
        if found.iter().any(|(_, p, _)| *p == position) {
            return true;
        }
        let group = match expr {
            Expr::Dot(bin, ..) | Expr::Index(bin, ..) => match &bin.lhs {
                Expr::Variable(var, ..) => group_at(closures, var.1.as_str(), position)
                    .or_else(|| GROUPS.iter().copied().find(|g| *g == var.1.as_str())),
                _ => None,
            },
            _ => None,
        };
        let problem = match (facts.get(&name), pairing_only) {
            (None, false) => Some((
                format!("reads undeclared fact `{name}` of a participant"),
                help_did_you_mean(
                    &name,
                    facts
                        .iter()
                        .filter(|(_, f)| f.per.is_some())
                        .map(|(n, _)| n.as_str()),
                )
                .unwrap_or_else(|| {
                    format!("declare it as [facts.{name}] with per = \"mentee\" (or a role, or \"participant\")")
                }),
            )),
            (Some(f), true) => match f.per.as_deref() {
                None => Some((
                    format!("reads `{name}` of a participant, but `{name}` is kept on the pairing"),
                    format!("read it as facts.{name}, or keep it per person with per = \"mentee\""),
                )),
                Some(per) => {
                    let role = match group {
                        Some("mentors") => Some("mentor"),
                        Some("mentees") => Some("mentee"),
                        _ => None,
                    };
                    role.filter(|r| *r != per && per != crate::value::EVERY_PARTICIPANT)
                        .map(|r| {
                            (
                                format!("reads `{name}` of a {r}, but `{name}` is kept per {per}: a {r} never has it"),
                                match per {
                                    "mentor" | "mentee" => format!("read it from the {per}s: {per}s.all(|p| p.facts.{name} ...)"),
                                    _ => format!("read it from the {per}s: participants.filter(|p| p.role == \"{per}\").all(|p| p.facts.{name} ...)"),
                                },
                            )
                        })
                }
            },
            _ => None,
        };
        if let Some((problem, help)) = problem {
            found.push((problem, position, help));
        }
        true
    });
    found
}

/// How to fix a read of attribute `name` that is not declared.
fn undeclared_attribute_help(name: &str, attributes: &[String]) -> String {
    help_did_you_mean(name, attributes.iter().map(String::as_str).chain(PERSON_KEYS))
        .unwrap_or_else(|| {
            let declared = match attributes.is_empty() {
                true => "the program declares none".to_string(),
                false => format!("declared: {}", attributes.join(", ")),
            };
            format!(
                "declare it under [attributes.{name}] (type = \"int\", ...) and give it at enrolment (--person ROLE=ID,{name}=...); {declared}"
            )
        })
}

/// Whether a person's property is read as it is (`mentors[0].grade`, `p.grade`), with no
/// method or property after it.
fn reads_property_only(expr: &Expr) -> bool {
    match expr {
        Expr::Index(bin, ..) => {
            matches!(&bin.rhs, Expr::Dot(rest, ..) if matches!(rest.rhs, Expr::Property(..)))
        }
        Expr::Dot(bin, ..) => matches!(bin.rhs, Expr::Property(..)),
        _ => false,
    }
}

/// The first `.NAME` of a property chain (`.grade`, `.facts.attended`, `.tags.len()`).
fn first_property(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Property(p, _) => Some(p.2.as_str()),
        Expr::Dot(bin, ..) | Expr::Index(bin, ..) => first_property(&bin.lhs),
        _ => None,
    }
}

/// The place just after a `.`: where the name it reads starts.
fn after(dot: Position) -> Position {
    match (dot.line(), dot.position()) {
        (Some(line), Some(column)) => Position::new(line as u16, column as u16 + 1),
        _ => dot,
    }
}

/// What a check found: the problem, where, and how to fix it.
type Finding = (String, Position, String);

/// The names a script is checked against.
pub(crate) struct Known<'a> {
    /// The declared facts.
    pub facts: &'a Facts,
    /// Criterion names, offered when an unknown variable looks like one.
    pub criteria: &'a [String],
    /// What `entries`, `first_entered` and `taken` are read with.
    pub history: &'a HistoryNames,
    /// The declared participant attributes.
    pub attributes: &'a [String],
    /// The types of the attributes declared without an error.
    pub attribute_kinds: &'a std::collections::BTreeMap<String, crate::value::ValueKind>,
    /// The functions scripts may call, the program's libraries among them.
    pub functions: &'a crate::functions::Functions,
    /// Whether the script must give true or false (a guard, rule or criterion).
    pub boolean: bool,
}

/// Compiles `source`, checking every name it reads is known.
pub(crate) fn compile(
    engine: &Engine,
    source: &str,
    what: &str,
    placement: &Placement<'_>,
    known: &Known<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Script> {
    let Known {
        facts,
        criteria,
        history,
        attributes,
        attribute_kinds,
        functions,
        boolean,
    } = *known;
    let scope = crate::sandbox::compile_scope_with(criteria);
    let ast = match engine.compile_with_scope(&scope, source) {
        Ok(ast) => ast,
        Err(err) => {
            diagnostics.push(parse_error(&err, what, placement, criteria));
            return None;
        }
    };
    let reads = facts_read(&ast);
    let mut ok = true;
    let closures = people_closures(&ast, &scope);
    let people = closure_people(&closures);
    // Each check's findings; `true` where a stored version may have them and still run: what
    // those checks find can never work, but they came after versions were stored, and a
    // version's pairings must not stop at an upgrade.
    let checks: [(Code, Vec<Finding>, bool); 10] = [
        (
            Code::E024,
            result_problem(&ast).into_iter().collect(),
            false,
        ),
        (
            Code::E024,
            non_bool_result(&ast, facts).into_iter().collect(),
            true,
        ),
        (Code::E025, type_mismatches(&ast, facts, &people), true),
        (
            Code::E021,
            person_fact_problems(&ast, facts, &closures, false),
            true,
        ),
        (
            Code::E037,
            person_fact_problems(&ast, facts, &closures, true),
            true,
        ),
        (
            Code::E025,
            attribute_mismatches(&ast, attribute_kinds, &people),
            true,
        ),
        (Code::E043, functions.bad_calls(&ast), false),
        (
            Code::E045,
            attribute_problems(&ast, attributes, &people),
            true,
        ),
        (Code::E026, history_problems(&ast, history), false),
        (Code::E026, name_comparisons(&ast, history), true),
    ];
    for (code, findings, tolerated) in checks {
        let boolean_only = matches!(code, Code::E024);
        for (problem, position, help) in findings.into_iter().filter(|_| boolean || !boolean_only) {
            ok &= tolerated;
            let d = Diagnostic::error(
                code,
                format!("{what} {problem}"),
                placement.span_at(position),
            )
            .with_help(help);
            diagnostics.push(if tolerated {
                d.tolerated_when_stored()
            } else {
                d
            });
        }
    }
    for (name, position) in &reads {
        if let Some(per) = facts.get(name).and_then(|f| f.per.as_deref()) {
            ok = false;
            let people = match per {
                crate::value::EVERY_PARTICIPANT => "participants",
                "mentor" => "mentors",
                "mentee" => "mentees",
                _ => "participants",
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::E037,
                    format!(
                        "{what} reads `facts.{name}`, but `{name}` is recorded per {per}, not on the pairing"
                    ),
                    placement.span_at(*position),
                )
                .with_help(format!(
                    "read it per person, {people}.all(|p| p.facts.{name} ...), or in aggregate, min(facts_of({people}, \"{name}\"))"
                )),
            );
            continue;
        }
        if !facts.contains_key(name) {
            ok = false;
            diagnostics.push(
                Diagnostic::error(
                    Code::E021,
                    format!("{what} reads undeclared fact `{name}`"),
                    placement.span_at(*position),
                )
                .with_help(undeclared_fact_help(name, facts)),
            );
        }
    }
    if !ok {
        return None;
    }
    let parts = split_conjunction(source)
        .into_iter()
        .filter_map(|part| {
            let ast = engine.compile_with_scope(&scope, &part.compiled).ok()?;
            Some(ScriptPart {
                variables: variables_used(&ast),
                facts_read: facts_read(&ast).into_iter().map(|(n, _)| n).collect(),
                properties_read: properties_read(&ast),
                source: part.shown,
                ast: functions.with_library(ast),
            })
        })
        .collect();
    let native = crate::native::Native::compile(
        &ast,
        &crate::native::Declared {
            facts: facts
                .iter()
                .map(|(name, f)| (name.as_str(), f.default.as_ref(), f.per.as_deref()))
                .collect(),
            library: functions.library(),
            criteria,
            pair: false,
            points: Some(functions.points()),
        },
    );
    Some(Script {
        native,
        variables: variables_used(&ast),
        criteria_read: criteria_read(&ast, criteria),
        history_read: crate::sandbox::HISTORY_VARIABLES
            .iter()
            .flat_map(|v| {
                keys_read(&ast, v)
                    .into_iter()
                    .map(|(k, _)| (v.to_string(), k))
            })
            .collect(),
        summary: summary(source),
        source: source.to_string(),
        facts_read: reads.into_iter().map(|(n, _)| n).collect(),
        properties_read: properties_read(&ast),
        parts,
        ast: functions.with_library(ast),
        origin: placement.origin(what),
    })
}

/// How to fix a read of an undeclared fact. A declaration refused for its name (E007) whose
/// fixed name is the one read is the likely intent, closer than any other fact.
fn undeclared_fact_help(name: &str, facts: &Facts) -> String {
    let refused = facts
        .keys()
        .find(|k| k.as_str() != name && k.replace('-', "_") == name);
    if let Some(k) = refused {
        return format!(
            "the fact is declared as `{k}`, which is refused (a fact name must be a script identifier); rename the declaration to [facts.{name}]"
        );
    }
    help_did_you_mean(name, facts.keys().map(String::as_str)).unwrap_or_else(|| {
        format!(
            "declare it as [facts.{name}] with a type, or use one of the declared facts: {}",
            declared(facts)
        )
    })
}

fn declared(facts: &Facts) -> String {
    if facts.is_empty() {
        "(none yet)".into()
    } else {
        facts
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The variables a matching script reads: the two people of a candidate pair.
pub const PAIR_VARIABLES: [&str; 2] = ["mentor", "mentee"];

/// Compiles a matching script (`allow`, a criterion's `score`): it reads `mentor` and `mentee`
/// only, since no pairing exists yet.
pub(crate) fn compile_pair(
    engine: &Engine,
    source: &str,
    what: &str,
    placement: &Placement<'_>,
    (functions, attributes): (&crate::functions::Functions, &[String]),
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PairScript> {
    let mut scope = rhai::Scope::new();
    for name in PAIR_VARIABLES {
        scope.push(name, rhai::Dynamic::UNIT);
    }
    match engine.compile_with_scope(&scope, source) {
        Ok(ast) => {
            let bad = functions.bad_calls(&ast);
            for (problem, position, help) in &bad {
                diagnostics.push(
                    Diagnostic::error(
                        Code::E043,
                        format!("{what} {problem}"),
                        placement.span_at(*position),
                    )
                    .with_help(help.clone()),
                );
            }
            // `mentor.NAME` and `mentee.NAME` read attributes as a guard's people do.
            let people = PAIR_VARIABLES.iter().map(|v| v.to_string()).collect();
            for (problem, position, help) in attribute_problems(&ast, attributes, &people) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::E045,
                        format!("{what} {problem}"),
                        placement.span_at(position),
                    )
                    .with_help(help)
                    .tolerated_when_stored(),
                );
            }
            let native = crate::native::Native::compile(
                &ast,
                &crate::native::Declared {
                    facts: Vec::new(),
                    library: functions.library(),
                    criteria: &[],
                    pair: true,
                    points: None,
                },
            );
            bad.is_empty().then(|| PairScript {
                source: source.to_string(),
                native,
                ast: functions.with_library(ast),
                origin: placement.origin(what),
            })
        }
        Err(err) => {
            let span = placement.span_at(err.1);
            let diagnostic = match err.0.as_ref() {
                rhai::ParseErrorType::VariableUndefined(name) => Diagnostic::error(
                    Code::E023,
                    format!("{what} uses unknown variable `{name}`"),
                    span,
                )
                .with_help(
                    help_did_you_mean(name, PAIR_VARIABLES).unwrap_or_else(|| {
                        "a matching script reads the candidate pair only: mentor and mentee (no pairing exists yet)".into()
                    }),
                ),
                other => Diagnostic::error(
                    Code::E020,
                    format!("Rhai syntax error in {what}: {other}"),
                    span,
                )
                .with_help(if what.starts_with("`allow`") {
                    "allow is a Rhai expression over mentor and mentee, e.g. allow = \"mentor.department != mentee.department\""
                } else {
                    "a score is a Rhai expression over mentor and mentee, e.g. score = \"min(mentor.grade - mentee.grade, 4) / 4.0\""
                }),
            };
            diagnostics.push(diagnostic);
            None
        }
    }
}

fn parse_error(
    err: &rhai::ParseError,
    what: &str,
    placement: &Placement<'_>,
    criteria: &[String],
) -> Diagnostic {
    let span = placement.span_at(err.1);
    match err.0.as_ref() {
        rhai::ParseErrorType::VariableUndefined(name) => {
            let known = crate::sandbox::SCRIPT_VARIABLES.iter().copied();
            let help = match help_did_you_mean(name, criteria.iter().map(String::as_str)) {
                Some(_) if criteria.contains(name) => Some(format!(
                    "a criterion is used on its own as a guard: guard = \"{name}\""
                )),
                Some(_) => help_did_you_mean(name, criteria.iter().map(String::as_str))
                    .map(|h| format!("{h} (a criterion is used on its own: guard = \"NAME\")")),
                None => help_did_you_mean(name, known).or_else(|| {
                    Some(format!(
                        "scripts can read: {}",
                        crate::sandbox::SCRIPT_VARIABLES.join(", ")
                    ))
                }),
            };
            Diagnostic::error(
                Code::E023,
                format!("{what} uses unknown variable `{name}`"),
                span,
            )
            .with_help_opt(help)
        }
        rhai::ParseErrorType::Reserved(word) => Diagnostic::error(
            Code::E020,
            format!("Rhai syntax error in {what}: `{word}` is a word Rhai reserves"),
            span,
        )
        .with_help(format!(
            "a fact or attribute called `{word}` is read by its name in quotes, facts[\"{word}\"] or p[\"{word}\"]; or rename it (e.g. `{word}_ok`)"
        )),
        other => Diagnostic::error(
            Code::E020,
            format!("Rhai syntax error in {what}: {other}"),
            span,
        )
        .with_help("scripts are Rhai expressions, e.g. facts.meetings >= 6 && facts.rating >= 4"),
    }
}

/// Whether a value of type `declared` can be compared with a constant of type `other`, as
/// scripts see them (dates are strings).
fn fits(declared: crate::value::ValueKind, other: crate::value::ValueKind) -> bool {
    use crate::value::ValueKind as K;
    match declared {
        K::Int | K::Float => matches!(other, K::Int | K::Float),
        K::Bool => other == K::Bool,
        K::Text | K::Date => other == K::Text,
        K::List => false,
    }
}

/// An example of comparing `read` (how a script reads it) as its type allows.
fn comparison_example(read: &str, kind: crate::value::ValueKind) -> String {
    use crate::value::ValueKind as K;
    match kind {
        K::Int => format!("{read} >= 6"),
        K::Float => format!("{read} >= 4.5"),
        K::Bool => format!("{read} == true, or just {read}"),
        K::Text => format!("{read} == \"done\""),
        K::Date => format!("{read} <= \"2026-06-30\""),
        K::List => format!("{read}.contains(\"x\")"),
    }
}

/// Calls `each` with every comparison of `ast` (an operator call with two arguments) and its
/// position.
fn each_comparison(ast: &rhai::AST, mut each: impl FnMut(&rhai::FnCallExpr, Position)) {
    ast.walk(&mut |path: &[ASTNode]| {
        // A comparison that is a whole statement (a guard of one comparison, or what is left
        // of `true && ...` once Rhai has folded it) is a statement, not an expression.
        let (call, pos) = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, pos)))
            | Some(ASTNode::Stmt(rhai::Stmt::FnCall(call, pos))) => (call, pos),
            _ => return true,
        };
        let comparison = ["==", "!=", "<", "<=", ">", ">="].contains(&call.name.as_str());
        if comparison && call.is_operator_call() && call.args.len() == 2 {
            each(call, *pos);
        }
        true
    });
}

/// E025 for a participant's attribute compared with a constant of another type
/// (`mentors[0].team == 3` for a text attribute).
fn attribute_mismatches(
    ast: &rhai::AST,
    kinds: &std::collections::BTreeMap<String, crate::value::ValueKind>,
    people: &std::collections::BTreeSet<String>,
) -> Vec<Finding> {
    let mut found = Vec::new();
    each_comparison(ast, |call, pos| {
        for (a, b) in [(0, 1), (1, 0)] {
            // Only the attribute itself: `.len()`, `.year`, `.to_string()` give another type.
            let Some((name, _)) = person_property(&call.args[a], people)
                .filter(|_| reads_property_only(&call.args[a]))
            else {
                continue;
            };
            let (Some(kind), Some((other, shown))) =
                (kinds.get(name), crate::value::constant(&call.args[b]))
            else {
                continue;
            };
            if !fits(*kind, other) {
                found.push((
                    format!(
                        "compares attribute `{name}` ({}) with {shown} ({}) using `{}`",
                        kind.with_article(),
                        other.with_article(),
                        call.name
                    ),
                    pos,
                    format!(
                        "compare `{name}` with {}, e.g. {}",
                        kind.with_article(),
                        comparison_example(&format!("mentors[0].{name}"), *kind)
                    ),
                ));
            }
        }
    });
    found
}

/// Comparisons of a fact with a constant it can never equal or reach (another type, a text
/// outside its `allowed` values, a number beyond its bounds): at run time they fail or never
/// hold, so every pairing would be blocked.
fn type_mismatches(
    ast: &rhai::AST,
    facts: &Facts,
    people: &std::collections::BTreeSet<String>,
) -> Vec<Finding> {
    let mut found = Vec::new();
    each_comparison(ast, |call, pos| {
        for (a, b) in [(0, 1), (1, 0)] {
            // `facts.NAME`, or a person's own `p.facts.NAME` as it is.
            let person = person_fact(&call.args[a], people)
                .filter(|(_, _, only)| *only)
                .map(|(name, ..)| name);
            let Some(name) = plain_fact(&call.args[a]).or(person) else {
                continue;
            };
            let Some(fact) = facts.get(&name) else {
                continue;
            };
            let (Some(kind), Some((other, shown))) =
                (fact.kind, crate::value::constant(&call.args[b]))
            else {
                continue;
            };
            // Read with the fact first: `300 <= facts.n` is `facts.n >= 300`.
            let op = match (a, call.name.as_str()) {
                (1, ">=") => "<=",
                (1, "<=") => ">=",
                (1, ">") => "<",
                (1, "<") => ">",
                (_, op) => op,
            };
            if let Some(problem) = fact_mismatch(&name, fact, kind, (other, &shown), op) {
                found.push((problem.0, pos, problem.1));
            }
        }
    });
    found
}

/// What is wrong with comparing fact `name` (of type `kind`) with a constant using `op`, and
/// how to fix it: another type, a text outside its `allowed` values, a text that is no date.
fn fact_mismatch(
    name: &str,
    fact: &Fact,
    kind: crate::value::ValueKind,
    (other, shown): (crate::value::ValueKind, &str),
    op: &str,
) -> Option<(String, String)> {
    use crate::value::ValueKind as K;
    let text = shown.trim_matches('"');
    let allowed = fact
        .allowed
        .as_ref()
        .filter(|a| kind == K::Text && other == K::Text && !a.is_empty());
    if let Some(allowed) = allowed.filter(|_| ["==", "!="].contains(&op)) {
        return (!allowed.iter().any(|a| a == text)).then(|| {
            (
                format!(
                    "compares fact `{name}` with {shown}, which is not one of its allowed values"
                ),
                help_did_you_mean(text, allowed.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("`{name}` may be: {}", allowed.join(", "))),
            )
        });
    }
    if let Some(problem) = beyond_range(name, fact.range, shown, op) {
        return Some(problem);
    }
    if kind == K::Date
        && other == K::Text
        && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err()
    {
        return Some((
            format!("compares date fact `{name}` with {shown}, which is not a date"),
            format!("write the date as YYYY-MM-DD, e.g. facts.{name} <= \"2026-06-30\""),
        ));
    }
    (!fits(kind, other)).then(|| {
        (
            format!(
                "compares fact `{name}` ({}) with {shown} ({}) using `{op}`",
                kind.with_article(),
                other.with_article(),
            ),
            format!(
                "compare `{name}` with {}, e.g. {}",
                kind.with_article(),
                comparison_example(&format!("facts.{name}"), kind)
            ),
        )
    })
}

/// A comparison of a number fact with a number beyond its declared `min` or `max` that can
/// never hold (`facts.sessions >= 300` when at most 200 are allowed).
fn beyond_range(
    name: &str,
    (min, max): (Option<f64>, Option<f64>),
    shown: &str,
    op: &str,
) -> Option<(String, String)> {
    // Bounds that contradict each other are their declaration's error (E033).
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return None;
        }
    }
    let c: f64 = shown.parse().ok()?;
    let never = match op {
        ">=" => max.is_some_and(|m| c > m),
        ">" => max.is_some_and(|m| c >= m),
        "<=" => min.is_some_and(|m| c < m),
        "<" => min.is_some_and(|m| c <= m),
        "==" => max.is_some_and(|m| c > m) || min.is_some_and(|m| c < m),
        _ => false,
    };
    let bounds = match (min, max) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => return None,
    };
    never.then(|| {
        (
            format!("compares fact `{name}` with {shown} using `{op}`, which never holds: `{name}` is {bounds}"),
            format!("compare with a value `{name}` can take, or change its declared `min`/`max`"),
        )
    })
}

/// The fact an expression is, when it is exactly `facts.NAME` or `facts["NAME"]` (not a
/// method call or property of it, such as `facts.topics.len()`).
fn plain_fact(expr: &Expr) -> Option<String> {
    let (Expr::Dot(bin, ..) | Expr::Index(bin, ..)) = expr else {
        return None;
    };
    let Expr::Variable(var, ..) = &bin.lhs else {
        return None;
    };
    if var.1.as_str() != "facts" {
        return None;
    }
    match (&bin.rhs, expr) {
        (Expr::Property(p, _), Expr::Dot(..)) => Some(p.2.to_string()),
        (Expr::StringConstant(s, _), Expr::Index(..)) => Some(s.to_string()),
        _ => None,
    }
}

/// A script's value is its last statement. When that statement can be seen not to give a
/// bool (an assignment, a number, a string), say so now rather than at the first advance.
fn result_problem(ast: &rhai::AST) -> Option<Finding> {
    use rhai::Stmt;
    let last = ast.statements().last()?;
    let numeric = |f: &rhai::FnCallExpr| {
        f.is_operator_call() && ["+", "-", "*", "/", "%", "**"].contains(&f.name.as_str())
    };
    match last {
        Stmt::Assignment(..) => Some((
            "assigns a value instead of comparing it".into(),
            last.position(),
            "compare with `==` (and `!=`, `<`, `>=` ...): a guard must give true or false".into(),
        )),
        Stmt::FnCall(f, pos) if numeric(f) => Some((
            format!(
                "computes a number with `{}` instead of giving true or false",
                f.name
            ),
            *pos,
            "compare the result, e.g. facts.meetings + 1 >= 6".into(),
        )),
        Stmt::Expr(expr) => match expr.as_ref() {
            Expr::FnCall(f, pos) if numeric(f) => Some((
                format!(
                    "computes a number with `{}` instead of giving true or false",
                    f.name
                ),
                *pos,
                "compare the result, e.g. facts.meetings + 1 >= 6".into(),
            )),
            Expr::IntegerConstant(_, pos)
            | Expr::FloatConstant(_, pos)
            | Expr::StringConstant(_, pos)
            | Expr::InterpolatedString(_, pos)
            | Expr::Array(_, pos)
            | Expr::Map(_, pos)
            | Expr::Unit(pos) => Some((
                "gives a constant that is not true or false".into(),
                *pos,
                "a guard must give true or false, e.g. facts.meetings >= 6".into(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// A guard that gives a fact of another type than bool (`facts.sessions`), or nothing at all:
/// it fails at every evaluation.
fn non_bool_result(ast: &rhai::AST, facts: &Facts) -> Option<Finding> {
    use crate::value::ValueKind as K;
    let Some(last) = ast.statements().last() else {
        return Some((
            "is empty".into(),
            Position::NONE,
            "write a condition, e.g. facts.meetings >= 6 (a transition without a guard has no `guard` key)".into(),
        ));
    };
    let rhai::Stmt::Expr(expr) = last else {
        return None;
    };
    let name = plain_fact(expr)?;
    let kind = facts.get(&name)?.kind?;
    let example = match kind {
        K::Bool => return None,
        K::Int | K::Float => ">= 1",
        K::Date => "<= \"2026-06-30\"",
        K::List => "!= []",
        K::Text => "!= \"\"",
    };
    let at = match &**expr {
        Expr::Dot(bin, ..) | Expr::Index(bin, ..) => bin.lhs.position(),
        other => other.position(),
    };
    Some((
        format!(
            "gives fact `{name}` ({}) instead of true or false",
            kind.with_article()
        ),
        at,
        format!("compare it, e.g. facts.{name} {example}"),
    ))
}

/// The criteria (of `criteria`) a script reads as variables, in first-use order.
fn criteria_read(ast: &rhai::AST, criteria: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Variable(var, ..))) = path.last() {
            let name = var.1.as_str();
            if criteria.iter().any(|c| c == name) && !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
        }
        true
    });
    found
}

/// The script variables a compiled script uses, as a bit set over `SCRIPT_VARIABLES`.
/// Function bodies and closures are not walked, so a script with any gets every variable.
pub(crate) fn variables_used(ast: &rhai::AST) -> u32 {
    if ast.has_functions() {
        return u32::MAX;
    }
    let mut used = 0u32;
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Variable(var, ..))) = path.last() {
            if let Some(i) = crate::sandbox::SCRIPT_VARIABLES
                .iter()
                .position(|v| *v == var.1.as_str())
            {
                used |= 1 << i;
            }
        }
        true
    });
    used
}

/// Every `.NAME` the script reads from something other than `facts`: participants'
/// attributes, mostly (`mentors[0].years`), so a failure on a missing one can name it.
pub(crate) fn properties_read(ast: &rhai::AST) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Property(p, _))) = path.last() {
            let under_facts = path
                .iter()
                .any(|n| matches!(n, ASTNode::Expr(e) if key_access(e, "facts").is_some()));
            if !under_facts {
                found.insert(p.2.to_string());
            }
        }
        true
    });
    found
}

/// Every `facts.NAME` and `facts["NAME"]` the script reads, with the position of the name.
pub(crate) fn facts_read(ast: &rhai::AST) -> Vec<(String, Position)> {
    keys_read(ast, "facts")
}

/// Every `VARIABLE.NAME` and `VARIABLE["NAME"]` in the script, by name, first place each.
fn keys_read(ast: &rhai::AST, variable: &str) -> Vec<(String, Position)> {
    let mut found = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(expr)) = path.last() {
            if let Some(read) = key_access(expr, variable) {
                found.push(read);
            }
        }
        true
    });
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

fn key_access(expr: &Expr, variable: &str) -> Option<(String, Position)> {
    let (Expr::Dot(bin, ..) | Expr::Index(bin, ..)) = expr else {
        return None;
    };
    let Expr::Variable(var, ..) = &bin.lhs else {
        return None;
    };
    if var.1.as_str() != variable {
        return None;
    }
    let name_of = |e: &Expr| match e {
        Expr::Property(p, pos) => Some((p.2.to_string(), *pos)),
        Expr::StringConstant(s, pos) if matches!(expr, Expr::Index(..)) => {
            Some((s.to_string(), *pos))
        }
        _ => None,
    };
    match &bin.rhs {
        Expr::Dot(inner, ..) | Expr::Index(inner, ..) => name_of(&inner.lhs),
        other => name_of(other),
    }
}

/// The source with `//` and `/* */` comments blanked out (strings respected): every comment
/// character becomes a space and line breaks stay, so what is left stands on the same line and
/// column as in the source.
pub(crate) fn strip_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let (mut out, mut i, mut kept) = (String::new(), 0usize, 0usize);
    let blank = |text: &str| -> String {
        text.chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect()
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' | b'`' => i = skip_quoted(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                out.push_str(&source[kept..i]);
                let end = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push_str(&blank(&source[i..end]));
                i = end;
                kept = i;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                out.push_str(&source[kept..i]);
                let end = source[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.push_str(&blank(&source[i..end]));
                i = end;
                kept = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&source[kept.min(source.len())..]);
    out
}

/// Where the final expression of a comment-free script starts: after the last `;` or block
/// `}` at the top level (0 when there are no statements).
fn tail_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut i, mut cut) = (0i32, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth -= 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    cut = i + 1;
                }
            }
            b';' if depth == 0 => cut = i + 1,
            b'"' | b'\'' | b'`' => i = skip_quoted(bytes, i),
            _ => {}
        }
        i += 1;
    }
    cut.min(text.len())
}

/// The statements before a comment-free script's final expression, and that expression.
fn split_tail(text: &str) -> (&str, &str) {
    let (prefix, tail) = text.split_at(tail_start(text));
    (prefix.trim(), tail.trim())
}

/// A script on one line without its comments, for labels and listings.
pub fn one_line(source: &str) -> String {
    strip_comments(source)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line to show for a script: comments dropped, whitespace collapsed; for a script with
/// statements, `… ` and its final expression (the statements are in the program file).
pub(crate) fn summary(source: &str) -> String {
    let text = strip_comments(source);
    let (prefix, tail) = split_tail(&text);
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if prefix.is_empty() || tail.is_empty() {
        one_line(&text)
    } else {
        format!("… {}", one_line(tail))
    }
}

/// One top-level `&&` operand of a script's final expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operand {
    /// As shown: on one line, without comments.
    pub shown: String,
    /// As compiled: the script's statements, then blanks up to where the operand stands, then
    /// the operand; so an error in it points at its own line and column in the program file.
    pub compiled: String,
}

/// The top-level `&&` operands of a script's final expression (each compiled to run after the
/// script's statements); none when there is only one operand.
pub(crate) fn split_conjunction(source: &str) -> Vec<Operand> {
    let text = strip_comments(source);
    let cut = tail_start(&text);
    let tail = trimmed(&text, cut..text.len());
    let mut parts = split_top_level(&text, tail.clone());
    let inner = tail.start + 1..tail.end.saturating_sub(1);
    if parts.len() == 1
        && text[tail.clone()].starts_with('(')
        && text[tail.clone()].ends_with(')')
        && balanced(&text[inner.clone()])
    {
        parts = split_top_level(&text, inner);
    }
    if parts.len() < 2 {
        return Vec::new();
    }
    let blank = |range: std::ops::Range<usize>| -> String {
        text[range]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect()
    };
    parts
        .into_iter()
        .map(|part| Operand {
            shown: text[part.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            compiled: format!("{}{}{}", &text[..cut], blank(cut..part.start), &text[part]),
        })
        .collect()
}

/// `range` without the whitespace at its ends.
fn trimmed(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// The `&&` operands of `text[range]` at its top level, each trimmed; the whole range when a
/// looser operator stands at the top level or an operand would be empty.
fn split_top_level(text: &str, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let (mut depth, mut i, mut start) = (0i32, range.start, range.start);
    let whole = vec![range.clone()];
    let mut parts = Vec::new();
    while i < range.end {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'"' | b'\'' | b'`' => i = skip_quoted(bytes, i),
            // `||`, `|`, `^` and `??` bind more loosely than `&&`: splitting at `&&` would then
            // misquote the parts, so such an expression is explained whole.
            b'|' | b'^' if depth == 0 => return whole,
            b'?' if depth == 0 && bytes.get(i + 1) == Some(&b'?') => return whole,
            b'&' if depth == 0 && bytes.get(i + 1) == Some(&b'&') => {
                parts.push(trimmed(text, start..i));
                i += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(trimmed(text, start..range.end));
    if parts.iter().any(|p| p.is_empty()) {
        return whole;
    }
    parts
}

fn skip_quoted(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() && bytes[i] != quote {
        if bytes[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(source: &str) -> rhai::AST {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        engine
            .compile_with_scope(&crate::sandbox::compile_scope(), source)
            .expect("compiles")
    }

    #[test]
    fn only_the_variables_a_script_uses_are_marked() {
        assert_eq!(variables_used(&compiled("facts.a >= 6")), 1);
        assert_eq!(
            variables_used(&compiled("mentors[0].x > mentees[0].x && cycle < 3")),
            0b1000_1100
        );
        assert_eq!(
            variables_used(&compiled("fn f(x) { x } f(facts.a) > 1")),
            u32::MAX
        );
        assert_eq!(
            variables_used(&compiled("facts.a.filter(|x| x == stage).len() > 0")),
            u32::MAX
        );
    }

    fn shown(source: &str) -> Vec<String> {
        split_conjunction(source)
            .into_iter()
            .map(|o| o.shown)
            .collect()
    }

    #[test]
    fn top_level_conjunction_is_split_into_parts() {
        assert_eq!(
            shown("facts.a >= 6 && (facts.b || facts.c) && facts.d == \"x && y\""),
            vec![
                "facts.a >= 6",
                "(facts.b || facts.c)",
                "facts.d == \"x && y\""
            ]
        );
    }

    #[test]
    fn disjunction_statements_and_single_operands_are_not_split() {
        assert!(shown("facts.a && facts.b | facts.c").is_empty());
        assert!(shown("facts.a || facts.b && facts.c").is_empty());
        assert!(shown("facts.a").is_empty());
    }

    #[test]
    fn each_operand_runs_after_the_statements_where_it_stands() {
        let parts = split_conjunction(
            "// who is who\nlet b = mentors[0];\nif b == () { return false; }\nb.x > 1\n  && b.y < 2 // end",
        );
        let shown: Vec<&str> = parts.iter().map(|p| p.shown.as_str()).collect();
        assert_eq!(shown, ["b.x > 1", "b.y < 2"]);
        // The second operand keeps its line (5) and column (6), after the statements.
        assert_eq!(
            parts[1].compiled,
            "             \nlet b = mentors[0];\nif b == () { return false; }\n       \n     b.y < 2"
        );
    }

    #[test]
    fn summary_drops_comments_and_shows_the_final_expression() {
        assert_eq!(summary("// c\nfacts.a  &&\n facts.b"), "facts.a && facts.b");
        assert_eq!(summary("let x = 1; // one\nx > 0"), "… x > 0");
        assert_eq!(
            summary("\"a // not a comment\" == facts.t"),
            "\"a // not a comment\" == facts.t"
        );
    }

    #[test]
    fn outer_parentheses_are_looked_through() {
        assert_eq!(shown("(facts.a && facts.b)"), vec!["facts.a", "facts.b"]);
    }
}
