//! A native evaluator for the guards most programs are made of: facts and people's attributes
//! compared with constants, joined by `&&`, `||` and `!`, with `len()` of a group and `all` /
//! `some` over it. It answers only when it is sure to agree with Rhai (both sides of a
//! comparison have the types it knows, every person read exists); otherwise it says "don't
//! know" and the guard runs in Rhai as usual. The engine's tests check the two agree on many
//! fact values and many sets of participants.

use std::sync::LazyLock;

use rhai::{Expr, Stmt, AST};

use crate::value::Value;
use crate::Name;

/// What a guard reads: the pairing's recorded facts and who takes part.
pub trait Subject {
    /// A participant.
    type Person: Person;
    /// A recorded fact (the declared default is the guard's to know).
    fn fact(&self, name: &str) -> Option<&Value>;
    /// Everyone who takes part, in the order scripts see them.
    fn people(&self) -> &[Self::Person];
}

/// One participant as a script sees them: a map of `id`, `role` and the attributes.
pub trait Person {
    /// Person id.
    fn id(&self) -> &str;
    /// Role in the pairing.
    fn role(&self) -> &str;
    /// An attribute's value.
    fn attribute(&self, name: &str) -> Option<&Value>;
}

/// A guard compiled to a tree the engine can evaluate without Rhai.
#[derive(Debug, Clone, PartialEq)]
pub enum FastGuard {
    /// All must hold (short-circuit, left to right).
    And(Vec<FastGuard>),
    /// One must hold (short-circuit, left to right).
    Or(Vec<FastGuard>),
    /// Negation.
    Not(Box<FastGuard>),
    /// `left op right`.
    Compare(Operand, Comparison, Operand),
    /// A bare bool: `facts.video_ready`, `true`.
    Truth(Operand),
    /// `GROUP.all(|p| ...)`: the body holds for every member (binding the next person).
    All(Group, Box<FastGuard>),
    /// `GROUP.some(|p| ...)`: the body holds for a member.
    Some(Group, Box<FastGuard>),
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `facts.NAME`, with the declared default used when nothing is recorded.
    Fact {
        /// Fact name (interned: the engine's facts are found by its address).
        name: Name,
        /// Declared default.
        default: Option<Value>,
    },
    /// A literal.
    Constant(Value),
    /// `left op right` on numbers (`+ - * /`).
    Arithmetic(Box<Operand>, Arithmetic, Box<Operand>),
    /// `x.to_float()`.
    ToFloat(Box<Operand>),
    /// `GROUP.len()`.
    Count(Group),
    /// `GROUP.filter(|p| ...).len()`: how many members the body holds for.
    CountWhere(Group, Box<FastGuard>),
    /// `TEXT.len()`: its characters (as Rhai counts a string).
    Length(Box<Operand>),
    /// `TEXT.contains("...")`.
    Contains(Box<Operand>, String),
    /// A property of a person: `mentors[0].grade`, `m.department`.
    Property(Who, Name),
}

/// A script variable holding people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `participants`: everyone.
    Participants,
    /// `mentors`.
    Mentors,
    /// `mentees`.
    Mentees,
}

/// Which person a property is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// `GROUP[i]`.
    At(Group, usize),
    /// The person bound by the enclosing `all` / `some` (0 = outermost).
    Bound(usize),
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arithmetic {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (integer division on two ints, as in Rhai)
    Div,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Group {
    fn of(variable: &str) -> Option<Group> {
        match variable {
            "participants" => Some(Group::Participants),
            "mentors" => Some(Group::Mentors),
            "mentees" => Some(Group::Mentees),
            _ => None,
        }
    }

    /// Whether someone with `role` is in the group.
    fn has(self, role: &str) -> bool {
        static MENTOR: LazyLock<Name> = LazyLock::new(|| Name::new("mentor"));
        static MENTEE: LazyLock<Name> = LazyLock::new(|| Name::new("mentee"));
        let (wanted, other) = match self {
            Group::Participants => return true,
            Group::Mentors => (*MENTOR, *MENTEE),
            Group::Mentees => (*MENTEE, *MENTOR),
        };
        // The engine's roles are interned names: most are told apart by address.
        if std::ptr::eq(role, wanted.as_str()) {
            return true;
        }
        if std::ptr::eq(role, other.as_str()) {
            return false;
        }
        role == wanted.as_str()
    }

    /// The group's members, as indices into everyone, in order.
    fn members<S: Subject>(self, subject: &S) -> impl Iterator<Item = usize> + '_ {
        subject
            .people()
            .iter()
            .enumerate()
            .filter(move |(_, p)| self.has(p.role()))
            .map(|(i, _)| i)
    }
}

impl FastGuard {
    /// The fast form of a compiled script, if the whole script is such an expression.
    /// `default` gives a declared fact's default value; `shadowed` says whether the program's
    /// libraries define a function of that name (which would replace Rhai's own).
    pub fn from_ast(
        ast: &AST,
        default: &dyn Fn(&str) -> Option<Value>,
        shadowed: &dyn Fn(&str) -> bool,
    ) -> Option<FastGuard> {
        // Closures compile to anonymous functions; a function of the script's own could
        // replace a built-in one.
        if ast.iter_functions().any(|f| !f.name.starts_with("anon$"))
            || ["all", "some", "filter", "len", "contains", "to_float"]
                .iter()
                .any(|f| shadowed(f))
        {
            return None;
        }
        let mut compiler = Compiler {
            ast,
            default,
            scope: Vec::new(),
            depth: 0,
            bodies: closure_bodies(ast)?,
        };
        match ast.statements() {
            [Stmt::Expr(expr)] => compiler.guard(expr),
            [Stmt::FnCall(call, _)] => compiler.call(call),
            _ => None,
        }
    }

    /// The guard's value for `subject`, or `None` when Rhai must decide.
    pub fn eval<S: Subject>(&self, subject: &S) -> Option<bool> {
        self.eval_bound(subject, &[])
    }

    /// `bound`: the people the enclosing quantifiers bind, outermost first (indices into
    /// everyone).
    fn eval_bound<S: Subject>(&self, subject: &S, bound: &[usize]) -> Option<bool> {
        match self {
            FastGuard::And(parts) => {
                for p in parts {
                    if !p.eval_bound(subject, bound)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            FastGuard::Or(parts) => {
                for p in parts {
                    if p.eval_bound(subject, bound)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            FastGuard::Not(inner) => inner.eval_bound(subject, bound).map(|b| !b),
            FastGuard::Truth(operand) => match operand.value(subject, bound)? {
                Scalar::Bool(b) => Some(b),
                _ => None,
            },
            FastGuard::Compare(left, op, right) => compare(
                left.value(subject, bound)?,
                *op,
                right.value(subject, bound)?,
            ),
            // Rhai stops at the first member that decides, as here.
            FastGuard::All(group, body) => quantify(subject, bound, *group, body, false),
            FastGuard::Some(group, body) => quantify(subject, bound, *group, body, true),
        }
    }
}

/// `all` (`wanted` false: stop at the first member for whom the body is false) or `some`
/// (`wanted` true: stop at the first for whom it holds).
fn quantify<S: Subject>(
    subject: &S,
    bound: &[usize],
    group: Group,
    body: &FastGuard,
    wanted: bool,
) -> Option<bool> {
    // The people bound so far and this quantifier's, on the stack: a guard runs on every
    // advance, and a list on the heap cost an allocation each time. Deeper nesting than
    // this is left to Rhai.
    const DEEPEST: usize = 8;
    let depth = bound.len();
    if depth >= DEEPEST {
        return None;
    }
    let mut inner = [0usize; DEEPEST];
    inner[..depth].copy_from_slice(bound);
    for member in group.members(subject) {
        inner[depth] = member;
        let answer = body.eval_bound(subject, &inner[..=depth]);
        if answer? == wanted {
            return Some(wanted);
        }
    }
    Some(!wanted)
}

/// How many members of `group` `body` holds for (Rhai's `filter` calls it for every one); the
/// body's person bound after those `bound` already.
fn count_where<S: Subject>(
    subject: &S,
    bound: &[usize],
    group: Group,
    body: &FastGuard,
) -> Option<usize> {
    const DEEPEST: usize = 8;
    let depth = bound.len();
    if depth >= DEEPEST {
        return None;
    }
    let mut inner = [0usize; DEEPEST];
    inner[..depth].copy_from_slice(bound);
    let mut n = 0;
    for member in group.members(subject) {
        inner[depth] = member;
        n += usize::from(body.eval_bound(subject, &inner[..=depth])?);
    }
    Some(n)
}

/// A value as the fast path compares it: numbers and bools by value, text borrowed, and
/// anything else (a date, a list) only as something it leaves to Rhai. Small, so reading an
/// operand copies nothing and allocates nothing.
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    Other,
}

impl<'a> From<&'a Value> for Scalar<'a> {
    fn from(value: &'a Value) -> Scalar<'a> {
        match value {
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(x) => Scalar::Float(*x),
            Value::Text(t) => Scalar::Text(t),
            Value::Date(_) | Value::List(_) => Scalar::Other,
        }
    }
}

impl Operand {
    fn value<'a, S: Subject>(&'a self, subject: &'a S, bound: &[usize]) -> Option<Scalar<'a>> {
        match self {
            Operand::Fact { name, default } => {
                subject.fact(name).or(default.as_ref()).map(Scalar::from)
            }
            Operand::Constant(v) => Some(Scalar::from(v)),
            Operand::ToFloat(inner) => match inner.value(subject, bound)? {
                Scalar::Int(i) => Some(Scalar::Float(i as f64)),
                Scalar::Float(x) => Some(Scalar::Float(x)),
                _ => None,
            },
            Operand::Arithmetic(left, op, right) => arithmetic(
                left.value(subject, bound)?,
                *op,
                right.value(subject, bound)?,
            ),
            Operand::Count(group) => {
                let n = group.members(subject).count();
                Some(Scalar::Int(i64::try_from(n).ok()?))
            }
            Operand::Length(inner) => match inner.value(subject, bound)? {
                Scalar::Text(t) => Some(Scalar::Int(i64::try_from(t.chars().count()).ok()?)),
                _ => None,
            },
            Operand::Contains(inner, part) => match inner.value(subject, bound)? {
                Scalar::Text(t) => Some(Scalar::Bool(t.contains(part.as_str()))),
                _ => None,
            },
            Operand::CountWhere(group, body) => {
                let n = count_where(subject, bound, *group, body)?;
                Some(Scalar::Int(i64::try_from(n).ok()?))
            }
            Operand::Property(who, name) => {
                let index = match who {
                    Who::Bound(depth) => *bound.get(*depth)?,
                    // Out of range is Rhai's error to report.
                    Who::At(group, i) => group.members(subject).nth(*i)?,
                };
                property(subject.people().get(index)?, name)
            }
        }
    }
}

/// A person's property as the script's map of them gives it: attributes stand over `id` and
/// `role` (they are inserted after); one the person lacks is left to Rhai.
fn property<'a, P: Person>(person: &'a P, name: &str) -> Option<Scalar<'a>> {
    if let Some(v) = person.attribute(name) {
        return Some(Scalar::from(v));
    }
    match name {
        "id" => Some(Scalar::Text(person.id())),
        "role" => Some(Scalar::Text(person.role())),
        _ => None,
    }
}

/// Rhai's arithmetic where it is certain: checked integer operations (an overflow or a
/// division by zero is Rhai's error, so Rhai decides), finite float results.
fn arithmetic<'a>(left: Scalar<'_>, op: Arithmetic, right: Scalar<'_>) -> Option<Scalar<'a>> {
    match (left, right) {
        (Scalar::Int(a), Scalar::Int(b)) => Some(Scalar::Int(match op {
            Arithmetic::Add => a.checked_add(b)?,
            Arithmetic::Sub => a.checked_sub(b)?,
            Arithmetic::Mul => a.checked_mul(b)?,
            Arithmetic::Div => a.checked_div(b)?,
        })),
        (Scalar::Float(a), Scalar::Float(b)) => {
            let x = match op {
                Arithmetic::Add => a + b,
                Arithmetic::Sub => a - b,
                Arithmetic::Mul => a * b,
                Arithmetic::Div if b == 0.0 => return None,
                Arithmetic::Div => a / b,
            };
            x.is_finite().then_some(Scalar::Float(x))
        }
        _ => None,
    }
}

fn compare(left: Scalar<'_>, op: Comparison, right: Scalar<'_>) -> Option<bool> {
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        (Scalar::Int(a), Scalar::Int(b)) => a.cmp(&b),
        (Scalar::Float(a), Scalar::Float(b)) => return Some(float_compare(a, op, b)),
        (Scalar::Int(a), Scalar::Float(b)) => return Some(float_compare(a as f64, op, b)),
        (Scalar::Float(a), Scalar::Int(b)) => return Some(float_compare(a, op, b as f64)),
        (Scalar::Text(a), Scalar::Text(b)) => a.cmp(b),
        // Rhai compares bools for equality only here; anything else goes to Rhai.
        (Scalar::Bool(a), Scalar::Bool(b)) => {
            return match op {
                Comparison::Eq => Some(a == b),
                Comparison::Ne => Some(a != b),
                _ => None,
            }
        }
        _ => return None,
    };
    Some(match op {
        Comparison::Eq => ordering == Ordering::Equal,
        Comparison::Ne => ordering != Ordering::Equal,
        Comparison::Lt => ordering == Ordering::Less,
        Comparison::Le => ordering != Ordering::Greater,
        Comparison::Gt => ordering == Ordering::Greater,
        Comparison::Ge => ordering != Ordering::Less,
    })
}

/// Rhai's float comparison (checked build): relative to the larger magnitude, within
/// `f64::EPSILON`, so that `0.1 + 0.2 <= 0.3` holds in both.
fn float_compare(x: f64, op: Comparison, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    if max == 0.0 {
        return matches!(op, Comparison::Eq | Comparison::Ge | Comparison::Le);
    }
    let eps = f64::EPSILON;
    match op {
        Comparison::Eq => (x - y).abs() / max <= eps,
        Comparison::Ne => (x - y).abs() / max > eps,
        Comparison::Gt => (x - y) / max > eps,
        Comparison::Ge => (x - y) / max > -eps,
        Comparison::Lt => (y - x) / max > eps,
        Comparison::Le => (y - x) / max > -eps,
    }
}

/// What a name in the script stands for.
#[derive(Debug, Clone, Copy)]
enum Binding {
    Group(Group),
    /// The person a quantifier binds, at this depth.
    Person(usize),
}

/// Compiles a script's expression into its fast form, tracking the names closures bind.
struct Compiler<'a> {
    ast: &'a AST,
    default: &'a dyn Fn(&str) -> Option<Value>,
    /// Closure parameters in scope, innermost last (they shadow the script's variables).
    scope: Vec<(String, Binding)>,
    depth: usize,
    /// The one statement of each closure's function, by name.
    bodies: std::collections::BTreeMap<String, Stmt>,
}

impl Compiler<'_> {
    fn binding(&self, name: &str) -> Option<Binding> {
        match self.scope.iter().rev().find(|(n, _)| n == name) {
            Some((_, b)) => Some(*b),
            None => Group::of(name).map(Binding::Group),
        }
    }

    /// `facts` as the script's variable (not a closure parameter of that name).
    fn is_facts(&self, name: &str) -> bool {
        name == "facts" && self.scope.iter().all(|(n, _)| n != "facts")
    }

    fn guard(&mut self, expr: &Expr) -> Option<FastGuard> {
        match expr {
            Expr::And(parts, _) => parts
                .iter()
                .map(|p| self.guard(p))
                .collect::<Option<_>>()
                .map(FastGuard::And),
            Expr::Or(parts, _) => parts
                .iter()
                .map(|p| self.guard(p))
                .collect::<Option<_>>()
                .map(FastGuard::Or),
            Expr::FnCall(call, _) => self.call(call),
            Expr::Dot(bin, ..) => match (&bin.lhs, &bin.rhs) {
                (Expr::Variable(var, ..), Expr::MethodCall(call, _))
                    if matches!(call.name.as_str(), "all" | "some") && call.args.len() == 1 =>
                {
                    let Some(Binding::Group(group)) = self.binding(var.1.as_str()) else {
                        return None;
                    };
                    let body = Box::new(self.closure(&call.args[0])?);
                    Some(if call.name.as_str() == "all" {
                        FastGuard::All(group, body)
                    } else {
                        FastGuard::Some(group, body)
                    })
                }
                _ => self.operand(expr).map(FastGuard::Truth),
            },
            other => self.operand(other).map(FastGuard::Truth),
        }
    }

    /// The body of `|p| ...` (capturing variables or not), with `p` bound to the next person.
    fn closure(&mut self, arg: &Expr) -> Option<FastGuard> {
        let (name, captured) = closure_parts(arg)?;
        let def = self.ast.iter_fn_def().find(|f| f.name.as_str() == name)?;
        let body = self.bodies.get(&name)?.clone();
        // A captured variable becomes a parameter of the same name, before the closure's own.
        let (own, curried) = def.params.split_last()?;
        if curried.len() != captured.len()
            || curried.iter().zip(&captured).any(|(p, c)| p.as_str() != *c)
        {
            return None;
        }
        self.scope
            .push((own.to_string(), Binding::Person(self.depth)));
        self.depth += 1;
        let guard = match &body {
            Stmt::Expr(expr) => self.guard(expr),
            Stmt::FnCall(call, _) => self.call(call),
            _ => None,
        };
        self.depth -= 1;
        self.scope.pop();
        guard
    }

    fn call(&mut self, call: &rhai::FnCallExpr) -> Option<FastGuard> {
        if !call.is_operator_call() {
            return None;
        }
        let op = match call.name.as_str() {
            "!" if call.args.len() == 1 => {
                return self
                    .guard(&call.args[0])
                    .map(|g| FastGuard::Not(Box::new(g)))
            }
            "==" => Comparison::Eq,
            "!=" => Comparison::Ne,
            "<" => Comparison::Lt,
            "<=" => Comparison::Le,
            ">" => Comparison::Gt,
            ">=" => Comparison::Ge,
            _ => return None,
        };
        match call.args.as_slice() {
            [left, right] => Some(FastGuard::Compare(
                self.operand(left)?,
                op,
                self.operand(right)?,
            )),
            _ => None,
        }
    }

    fn operand(&mut self, expr: &Expr) -> Option<Operand> {
        Some(match expr {
            Expr::IntegerConstant(i, _) => Operand::Constant(Value::Int(*i)),
            Expr::FloatConstant(f, _) => Operand::Constant(Value::Float(**f)),
            Expr::BoolConstant(b, _) => Operand::Constant(Value::Bool(*b)),
            Expr::StringConstant(s, _) => Operand::Constant(Value::Text(s.to_string())),
            Expr::FnCall(call, _) if call.is_operator_call() && call.args.len() == 2 => {
                let op = match call.name.as_str() {
                    "+" => Arithmetic::Add,
                    "-" => Arithmetic::Sub,
                    "*" => Arithmetic::Mul,
                    "/" => Arithmetic::Div,
                    _ => return None,
                };
                Operand::Arithmetic(
                    Box::new(self.operand(&call.args[0])?),
                    op,
                    Box::new(self.operand(&call.args[1])?),
                )
            }
            // GROUP[i].NAME (Rhai nests the chain to the right: the index, then the rest)
            Expr::Index(bin, ..) => {
                let Expr::Variable(var, ..) = &bin.lhs else {
                    return None;
                };
                let Some(Binding::Group(group)) = self.binding(var.1.as_str()) else {
                    return None;
                };
                let Expr::Dot(rest, ..) = &bin.rhs else {
                    return None;
                };
                let Expr::IntegerConstant(i, _) = rest.lhs else {
                    return None;
                };
                // A negative index counts from the end in Rhai: left to it.
                let who = Who::At(group, usize::try_from(i).ok()?);
                self.chain(Base::Person(who), &rest.rhs)?
            }
            Expr::Dot(bin, ..) => match (&bin.lhs, &bin.rhs) {
                (Expr::Variable(var, ..), rhs) => {
                    let name = var.1.as_str();
                    match (self.is_facts(name), self.binding(name)) {
                        (true, _) => self.chain(Base::Facts, rhs)?,
                        (false, Some(Binding::Person(depth))) => {
                            self.chain(Base::Person(Who::Bound(depth)), rhs)?
                        }
                        (false, Some(Binding::Group(group))) => match rhs {
                            Expr::MethodCall(call, _)
                                if call.name.as_str() == "len" && call.args.is_empty() =>
                            {
                                Operand::Count(group)
                            }
                            // GROUP.filter(|p| ...).len()
                            Expr::Dot(inner, ..) => match (&inner.lhs, &inner.rhs) {
                                (Expr::MethodCall(filter, _), Expr::MethodCall(len, _))
                                    if filter.name.as_str() == "filter"
                                        && filter.args.len() == 1
                                        && len.name.as_str() == "len"
                                        && len.args.is_empty() =>
                                {
                                    let body = self.closure(&filter.args[0])?;
                                    Operand::CountWhere(group, Box::new(body))
                                }
                                _ => return None,
                            },
                            _ => return None,
                        },
                        (false, None) => return None,
                    }
                }
                (lhs, Expr::MethodCall(call, _)) if to_float(call) => {
                    Operand::ToFloat(Box::new(self.operand(lhs)?))
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// `.NAME` or `.NAME.to_float()` read from the facts or a person.
    fn chain(&self, base: Base, rhs: &Expr) -> Option<Operand> {
        let read = |name: &str| match base {
            Base::Facts => Some(Operand::Fact {
                default: (self.default)(name),
                name: Name::new(name),
            }),
            // Their facts and managers are not attributes: Rhai reads those.
            Base::Person(_) if matches!(name, "facts" | "managers") => None,
            Base::Person(who) => Some(Operand::Property(who, Name::new(name))),
        };
        match rhs {
            Expr::Property(prop, _) => read(prop.2.as_str()),
            Expr::Dot(inner, ..) => match (&inner.lhs, &inner.rhs) {
                (Expr::Property(prop, _), Expr::MethodCall(call, _)) if to_float(call) => {
                    Some(Operand::ToFloat(Box::new(read(prop.2.as_str())?)))
                }
                // Text's own methods; on anything else they are Rhai's to answer.
                (Expr::Property(prop, _), Expr::MethodCall(call, _))
                    if call.name.as_str() == "len" && call.args.is_empty() =>
                {
                    Some(Operand::Length(Box::new(read(prop.2.as_str())?)))
                }
                (Expr::Property(prop, _), Expr::MethodCall(call, _))
                    if call.name.as_str() == "contains" && call.args.len() == 1 =>
                {
                    let Expr::StringConstant(part, _) = &call.args[0] else {
                        return None;
                    };
                    let text = Box::new(read(prop.2.as_str())?);
                    Some(Operand::Contains(text, part.to_string()))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The one statement of each function's body, by function name; `None` when a body has
/// another number of statements. Rhai does not export the type of a function's body, but its
/// walk visits the script's statements and then each function's, in order; a statement is
/// matched with its function by where it stands in the text.
fn closure_bodies(ast: &AST) -> Option<std::collections::BTreeMap<String, Stmt>> {
    let mut top = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode<'_>]| {
        if let [rhai::ASTNode::Stmt(stmt)] = path {
            top.push((*stmt).clone());
        }
        true
    });
    let bodies = top.get(ast.statements().len()..)?;
    let defs: Vec<_> = ast.iter_fn_def().collect();
    if bodies.len() != defs.len() {
        return None;
    }
    let place = |p: rhai::Position| Some((p.line()?, p.position()?));
    defs.iter()
        .zip(bodies)
        .map(|(def, stmt)| {
            let at = place(stmt.position())?;
            let start = place(def.body.start_position())?;
            // A body without braces starts at its statement; one in braces holds it.
            let inside = match place(def.body.end_position()) {
                None => at == start,
                Some(end) => start <= at && at <= end,
            };
            inside.then(|| (def.name.to_string(), stmt.clone()))
        })
        .collect()
}

/// What a property chain starts from.
#[derive(Clone, Copy)]
enum Base {
    Facts,
    Person(Who),
}

/// The anonymous function a closure argument names, with the variables it captures: a
/// function pointer, or `curry(pointer, captured...)` after the statements that share them.
pub(crate) fn closure_parts(arg: &Expr) -> Option<(String, Vec<&str>)> {
    let pointer = |e: &Expr| match e {
        Expr::DynamicConstant(d, _) => d
            .read_lock::<rhai::FnPtr>()
            .map(|f| f.fn_name().to_string()),
        _ => None,
    };
    if let Some(name) = pointer(arg) {
        return Some((name, Vec::new()));
    }
    let Expr::Stmt(block) = arg else {
        return None;
    };
    let call = match block.statements() {
        [Stmt::Share(..), Stmt::FnCall(call, _)] => call,
        [Stmt::Share(..), Stmt::Expr(expr)] => match &**expr {
            Expr::FnCall(call, _) => call,
            _ => return None,
        },
        _ => return None,
    };
    let (first, rest) = call.args.split_first()?;
    if call.name.as_str() != "curry" {
        return None;
    }
    let captured = rest
        .iter()
        .map(|e| match e {
            Expr::Variable(var, ..) => Some(var.1.as_str()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((pointer(first)?, captured))
}

fn to_float(call: &rhai::FnCallExpr) -> bool {
    call.name.as_str() == "to_float" && call.args.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Facts and people for the tests.
    struct Pairing(BTreeMap<String, Value>, Vec<Someone>);

    struct Someone {
        id: String,
        role: &'static str,
        attributes: BTreeMap<String, Value>,
    }

    impl Subject for Pairing {
        type Person = Someone;
        fn fact(&self, name: &str) -> Option<&Value> {
            self.0.get(name)
        }
        fn people(&self) -> &[Someone] {
            &self.1
        }
    }

    impl Person for Someone {
        fn id(&self) -> &str {
            &self.id
        }
        fn role(&self) -> &str {
            self.role
        }
        fn attribute(&self, name: &str) -> Option<&Value> {
            self.attributes.get(name)
        }
    }

    fn facts(pairs: &[(&str, Value)]) -> Pairing {
        Pairing(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
            Vec::new(),
        )
    }

    fn someone(id: &str, role: &'static str, grade: i64) -> Someone {
        Someone {
            id: id.into(),
            role,
            attributes: BTreeMap::from([("grade".to_string(), Value::Int(grade))]),
        }
    }

    fn fast(source: &str) -> Option<FastGuard> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let ast = engine
            .compile_with_scope(&crate::sandbox::compile_scope(), source)
            .expect("compiles");
        FastGuard::from_ast(
            &ast,
            &|name| (name == "d").then_some(Value::Int(5)),
            &|_| false,
        )
    }

    #[test]
    fn comparisons_of_facts_and_constants_are_fast() {
        let facts = facts(&[("a", Value::Int(6)), ("b", Value::Bool(true))]);
        let eval = |s: &str| fast(s).and_then(|g| g.eval(&facts));
        assert_eq!(eval("facts.a >= 6 && facts.b"), Some(true));
        assert_eq!(eval("facts.a < 6 || !facts.b"), Some(false));
        assert_eq!(eval("facts.d == 5"), Some(true), "declared default");
        assert_eq!(eval("facts.a >= 5.5"), Some(true), "int against float");
        assert_eq!(eval("facts.missing >= 1"), None, "unrecorded: Rhai decides");
        assert_eq!(eval("facts.b > false"), None, "bool ordering: Rhai decides");
    }

    #[test]
    fn arithmetic_and_to_float_are_fast_when_certain() {
        let facts = facts(&[("a", Value::Int(3)), ("z", Value::Int(0))]);
        let eval = |s: &str| fast(s).and_then(|g| g.eval(&facts));
        assert_eq!(
            eval("facts.a.to_float() / facts.d.to_float() >= 0.6"),
            Some(true)
        );
        assert_eq!(eval("facts.a / 2 == 1"), Some(true), "integer division");
        assert_eq!(eval("facts.a * 2 + 1 > 6"), Some(true));
        assert_eq!(
            eval("facts.a / facts.z > 1"),
            None,
            "division by zero: Rhai decides"
        );
    }

    #[test]
    fn people_are_read_natively() {
        assert!(fast("mentees.filter(|m| m.grade >= 5).len() >= 2").is_some());
        assert!(fast("mentees.filter(|m| m.grade >= 5).len() >= mentors.len()").is_some());
        let mut pairing = facts(&[("a", Value::Int(3))]);
        pairing.1 = vec![
            someone("m1", "mentor", 12),
            someone("e1", "mentee", 3),
            someone("e2", "mentee", 7),
        ];
        let eval = |s: &str| fast(s).and_then(|g| g.eval(&pairing));
        assert_eq!(eval("mentees.len() >= 2"), Some(true));
        assert_eq!(eval("participants.len() == 3"), Some(true));
        assert_eq!(eval("mentors[0].grade > 10"), Some(true));
        assert_eq!(eval("mentees[1].grade == 7"), Some(true));
        assert_eq!(eval("mentees[1].id == \"e2\""), Some(true));
        assert_eq!(
            eval("mentees.all(|m| m.grade + 2 <= mentors[0].grade)"),
            Some(true)
        );
        assert_eq!(eval("mentees.all(|m| m.grade > facts.a)"), Some(false));
        assert_eq!(eval("mentees.some(|m| m.grade > facts.a)"), Some(true));
        assert_eq!(
            eval("mentees.all(|m| mentors.all(|x| x.grade > m.grade))"),
            Some(true),
            "nested closures capture the outer person"
        );
        assert_eq!(eval("mentors.all(|m| m.role == \"mentor\")"), Some(true));
        assert_eq!(
            eval("mentees.all(|m| { m.grade > 1 })"),
            Some(true),
            "braces"
        );
        assert_eq!(
            eval("mentees.all(|m| {}) || mentees.some(|m| { let g = m.grade; g > 5 })"),
            None,
            "bodies of another shape"
        );
        assert_eq!(
            eval("mentors[1].grade > 1"),
            None,
            "no second mentor: Rhai errs"
        );
        assert_eq!(
            eval("mentees.all(|m| m.level > 1)"),
            None,
            "no such attribute"
        );
        assert_eq!(
            eval("mentees.some(|m| m.grade > 5) || mentees.all(|m| m.nope > 1)"),
            Some(true),
            "short-circuits as Rhai does"
        );
    }

    #[test]
    fn anything_else_is_left_to_rhai() {
        assert!(fast("facts.a.sub_string(1) == \"x\"").is_none());
        assert!(
            fast("facts.a.contains(facts.b)").is_none(),
            "only a constant part"
        );
        assert!(fast("facts.a.to_int() >= 6").is_none());
        assert!(fast("let x = facts.a; x >= 6").is_none());
        assert!(fast("mentors[-1].grade > 1").is_none(), "from the end");
        assert!(
            fast("mentees.all(|m, i| i < 3)").is_none(),
            "with the index"
        );
        assert!(fast("mentees.all(|m| m.facts.score > 1)").is_none());
        assert!(fast("fn all(a, f) { true } mentees.all(|m| false)").is_none());
        assert!(fast("cycle < 3").is_none());
    }
}
