//! From Rhai's syntax tree to the native tree: statements, expressions, closures over people
//! and lists, calls of the script's and the libraries' functions (each compiled once) and of
//! the built-in functions the native run implements. Whatever else a script holds (maps,
//! `switch`, `try`, a name it cannot resolve, recursion) makes the whole script Rhai's.

use rhai::{ASTNode, Expr, FnCallExpr, Stmt, AST};

use crate::Name;

use super::tree::{Block, Builtin, Constant, Each, Function, Group, Node, Statement, FRAME};
use super::val::{Arithmetic, Comparison};
use super::Clock;

/// What a name stands for while compiling.
#[derive(Debug, Clone, Copy)]
enum Binding {
    /// A local: its slot, and whether it may be assigned.
    Local(usize, bool),
}

/// What a chain of `.` and `[]` has reached so far.
enum Base {
    Value(Node),
    /// The `facts` variable.
    Facts,
    /// `X.facts` of a person.
    PersonFacts(Node),
    /// The `entries` variable.
    Entries,
    /// The `taken` variable.
    Taken,
    /// The `schedules` variable, then one schedule of it.
    Schedules,
    Schedule(Name),
}

/// A declared fact's default, and whether it is kept per person.
pub(crate) type FactOf<'a> = &'a dyn Fn(&str) -> Option<(Option<crate::value::Value>, bool)>;

/// What the compiler knows of the program.
pub(crate) struct Program<'a> {
    /// A declared fact: its default, and whether it is kept per person.
    pub facts: FactOf<'a>,
    /// The program's libraries, merged (their functions, none of their statements).
    pub library: Option<&'a AST>,
    /// The program's criteria (a script reads them as variables; they stand over the
    /// script variables of the same name, as in Rhai's scope).
    pub criteria: &'a [String],
    /// Whether `mentor` and `mentee` are the script's people (a matching script).
    pub pair: bool,
}

/// The compiler of one script, with every function it calls.
pub(crate) struct Compiler<'a> {
    script: &'a AST,
    program: &'a Program<'a>,
    /// Functions compiled so far, and those being compiled (by name and arity) to refuse
    /// recursion.
    pub functions: Vec<Option<Function>>,
    /// The texts written in the script and its functions.
    pub literals: Vec<String>,
    /// The names it reads (facts, properties).
    pub reads: Vec<super::tree::Read>,
    names: Vec<(String, usize, usize)>,
    compiling: Vec<(String, usize)>,
}

/// One frame being compiled: the bindings in scope (innermost last) and the slots used.
struct Frame {
    scope: Vec<(String, Binding)>,
    used: usize,
    /// Whether the script's variables are visible (the script and its closures, not a
    /// function's body).
    script: bool,
}

impl Frame {
    fn slot(&mut self) -> Option<usize> {
        let slot = self.used;
        self.used += 1;
        (slot < FRAME).then_some(slot)
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }
}

impl<'a> Compiler<'a> {
    pub fn new(script: &'a AST, program: &'a Program<'a>) -> Compiler<'a> {
        Compiler {
            script,
            program,
            functions: Vec::new(),
            literals: Vec::new(),
            reads: Vec::new(),
            names: Vec::new(),
            compiling: Vec::new(),
        }
    }

    /// The script's own statements, as the function all runs start from.
    pub fn script(&mut self) -> Option<Function> {
        let mut frame = Frame {
            scope: Vec::new(),
            used: 0,
            script: true,
        };
        let body = self.block(self.script.statements(), &mut frame)?;
        Some(Function {
            body,
            params: 0,
            slots: frame.used,
        })
    }

    fn block(&mut self, statements: &[Stmt], frame: &mut Frame) -> Option<Block> {
        let depth = frame.scope.len();
        let mut out = Vec::with_capacity(statements.len());
        for (i, stmt) in statements.iter().enumerate() {
            let last = i + 1 == statements.len();
            match stmt {
                // Closures' captured variables are shared first: nothing to do natively.
                Stmt::Share(..) => {}
                Stmt::Noop(..) if !last => {}
                other => out.push(self.statement(other, frame)?),
            }
        }
        frame.scope.truncate(depth);
        Some(Block(out.into_boxed_slice()))
    }

    fn statement(&mut self, stmt: &Stmt, frame: &mut Frame) -> Option<Statement> {
        Some(match stmt {
            Stmt::Var(var, flags, _) => {
                let (ident, value, _) = &**var;
                let value = self.expr(value, frame)?;
                let slot = frame.slot()?;
                let constant = flags.contains(rhai::ASTFlags::CONSTANT);
                frame
                    .scope
                    .push((ident.name.to_string(), Binding::Local(slot, !constant)));
                Statement::Set(slot, value)
            }
            Stmt::Assignment(assignment) => {
                let (op, bin) = &**assignment;
                let var = match &bin.lhs {
                    Expr::Variable(var, ..) => var,
                    Expr::Index(index, flags, _) if op.get_op_assignment_info().is_none() => {
                        return self.set_key(index, *flags, &bin.rhs, frame);
                    }
                    _ => return None,
                };
                let Some(Binding::Local(slot, true)) = frame.lookup(var.1.as_str()) else {
                    return None;
                };
                let value = self.expr(&bin.rhs, frame)?;
                let value = match op.get_op_assignment_info() {
                    None => value,
                    Some((.., syntax)) => {
                        let op = arithmetic(syntax)?;
                        Node::Arithmetic(Box::new(Node::Local(slot)), op, Box::new(value))
                    }
                };
                Statement::Set(slot, value)
            }
            Stmt::Expr(expr) => Statement::Expr(self.expr(expr, frame)?),
            Stmt::FnCall(call, _) => Statement::Expr(self.call(call, frame)?),
            Stmt::If(flow, _) => Statement::Expr(Node::If(
                Box::new(self.expr(&flow.expr, frame)?),
                self.block(flow.body.statements(), frame)?,
                self.block(flow.branch.statements(), frame)?,
            )),
            Stmt::Block(block) => {
                Statement::Expr(Node::Block(self.block(block.statements(), frame)?))
            }
            Stmt::For(parts, _) => {
                let (var, counter, flow) = &**parts;
                if counter.is_some() {
                    return None;
                }
                let range = self.range(&flow.expr, frame);
                let list = match range {
                    Some(_) => None,
                    None => Some(self.expr(&flow.expr, frame)?),
                };
                let slot = frame.slot()?;
                frame
                    .scope
                    .push((var.name.to_string(), Binding::Local(slot, true)));
                let body = self.block(flow.body.statements(), frame);
                frame.scope.pop();
                match (range, list) {
                    (Some((from, to, inclusive)), _) => {
                        Statement::Range(slot, from, to, inclusive, body?)
                    }
                    (None, Some(list)) => Statement::For(slot, list, body?),
                    (None, None) => return None,
                }
            }
            Stmt::While(flow, _) => Statement::While(
                self.expr(&flow.expr, frame)?,
                false,
                self.block(flow.body.statements(), frame)?,
            ),
            Stmt::BreakLoop(None, flags, _) => {
                if flags.contains(rhai::ASTFlags::BREAK) {
                    Statement::Break
                } else {
                    Statement::Continue
                }
            }
            Stmt::Return(value, flags, _) if !flags.contains(rhai::ASTFlags::BREAK) => {
                Statement::Return(match value {
                    Some(v) => self.expr(v, frame)?,
                    None => Node::Constant(Constant::Unit),
                })
            }
            _ => return None,
        })
    }

    /// `MAP[KEY] = VALUE` on a local variable (that holds a map when it runs).
    fn set_key(
        &mut self,
        index: &rhai::BinaryExpr,
        flags: rhai::ASTFlags,
        value: &Expr,
        frame: &mut Frame,
    ) -> Option<Statement> {
        let Expr::Variable(var, ..) = &index.lhs else {
            return None;
        };
        let Some(Binding::Local(slot, true)) = frame.lookup(var.1.as_str()) else {
            return None;
        };
        if !flags.contains(rhai::ASTFlags::BREAK) || flags.contains(rhai::ASTFlags::NEGATED) {
            return None;
        }
        let key = self.expr(&index.rhs, frame)?;
        let value = self.expr(value, frame)?;
        Some(Statement::SetKey(slot, key, value))
    }

    /// `a..b` or `a..=b`, as a `for` loop's range.
    fn range(&mut self, expr: &Expr, frame: &mut Frame) -> Option<(Node, Node, bool)> {
        let int = |i: i64| Node::Constant(Constant::Int(i));
        let call = match expr {
            Expr::FnCall(call, _) => call,
            // A range of constants is folded into a value.
            Expr::DynamicConstant(d, _) => {
                if let Some(r) = d.read_lock::<std::ops::Range<i64>>() {
                    return Some((int(r.start), int(r.end), false));
                }
                let r = d.read_lock::<std::ops::RangeInclusive<i64>>()?;
                return Some((int(*r.start()), int(*r.end()), true));
            }
            _ => return None,
        };
        let inclusive = match call.name.as_str() {
            ".." => false,
            "..=" => true,
            _ => return None,
        };
        match (call.is_operator_call(), call.args.as_slice()) {
            (true, [from, to]) => Some((self.expr(from, frame)?, self.expr(to, frame)?, inclusive)),
            _ => None,
        }
    }

    fn expr(&mut self, expr: &Expr, frame: &mut Frame) -> Option<Node> {
        Some(match expr {
            Expr::IntegerConstant(i, _) => Node::Constant(Constant::Int(*i)),
            Expr::FloatConstant(f, _) => Node::Constant(Constant::Float(**f)),
            Expr::BoolConstant(b, _) => Node::Constant(Constant::Bool(*b)),
            Expr::StringConstant(s, _) => Node::Constant(self.literal(s.as_str())),
            Expr::Unit(_) => Node::Constant(Constant::Unit),
            // `#{}`, folded into a constant.
            Expr::DynamicConstant(d, _)
                if d.read_lock::<rhai::Map>().is_some_and(|m| m.is_empty()) =>
            {
                Node::EmptyMap
            }
            Expr::DynamicConstant(d, _) => Node::Constant(match constant(d)? {
                Ok(c) => c,
                Err(text) => self.literal(&text),
            }),
            Expr::Variable(var, ..) => match self.variable(var.1.as_str(), frame)? {
                Base::Value(node) => node,
                _ => return None,
            },
            Expr::And(parts, _) => Node::And(
                parts
                    .iter()
                    .map(|p| self.expr(p, frame))
                    .collect::<Option<_>>()?,
            ),
            Expr::Or(parts, _) => Node::Or(
                parts
                    .iter()
                    .map(|p| self.expr(p, frame))
                    .collect::<Option<_>>()?,
            ),
            Expr::FnCall(call, _) => self.call(call, frame)?,
            Expr::Map(map, _) if map.0.is_empty() => Node::EmptyMap,
            Expr::Stmt(block) => Node::Block(self.block(block.statements(), frame)?),
            Expr::Dot(bin, ..) => {
                let base = self.base(&bin.lhs, frame)?;
                self.dotted(base, &bin.rhs, frame)?
            }
            Expr::Index(bin, flags, _) => {
                let base = self.base(&bin.lhs, frame)?;
                self.indexed(base, &bin.rhs, *flags, frame)?
            }
            _ => return None,
        })
    }

    /// The index of a name the script reads, kept once.
    fn read(&mut self, name: &str, default: Option<crate::value::Value>) -> usize {
        let name = Name::new(name);
        if let Some(at) = self
            .reads
            .iter()
            .position(|r| r.name == name && r.default == default)
        {
            return at;
        }
        self.reads.push(super::tree::Read { name, default });
        self.reads.len() - 1
    }

    /// A text literal, kept once.
    fn literal(&mut self, text: &str) -> Constant {
        let at = match self.literals.iter().position(|l| l == text) {
            Some(at) => at,
            None => {
                self.literals.push(text.to_string());
                self.literals.len() - 1
            }
        };
        Constant::Text(at)
    }

    /// What a chain starts from: a variable (which may be `facts`), or any expression.
    fn base(&mut self, expr: &Expr, frame: &mut Frame) -> Option<Base> {
        match expr {
            Expr::Variable(var, ..) => self.variable(var.1.as_str(), frame),
            other => Some(Base::Value(self.expr(other, frame)?)),
        }
    }

    fn variable(&mut self, name: &str, frame: &Frame) -> Option<Base> {
        if let Some(Binding::Local(slot, _)) = frame.lookup(name) {
            return Some(Base::Value(Node::Local(slot)));
        }
        if !frame.script {
            return None;
        }
        let pair = self.program.pair;
        if !pair && self.program.criteria.iter().any(|c| c == name) {
            return Some(Base::Value(Node::Criterion(Name::new(name))));
        }
        Some(Base::Value(match name {
            "facts" if !pair => return Some(Base::Facts),
            "entries" if !pair => return Some(Base::Entries),
            "taken" if !pair => return Some(Base::Taken),
            "schedules" if !pair => return Some(Base::Schedules),
            "participants" => Node::Group(Group::Participants),
            "mentors" if !pair => Node::Group(Group::Mentors),
            "mentees" if !pair => Node::Group(Group::Mentees),
            "mentor" if pair => Node::PairPerson(0),
            "mentee" if pair => Node::PairPerson(1),
            other if !pair => Node::Clock(Clock::of(other)?),
            _ => return None,
        }))
    }

    /// `BASE.rest`: a property, a method call, or more of the chain.
    fn dotted(&mut self, base: Base, rhs: &Expr, frame: &mut Frame) -> Option<Node> {
        match rhs {
            Expr::Dot(bin, ..) => {
                let next = self.step(base, &bin.lhs, frame)?;
                self.dotted(next, &bin.rhs, frame)
            }
            Expr::Index(bin, flags, _) => {
                let next = self.step(base, &bin.lhs, frame)?;
                self.indexed(next, &bin.rhs, *flags, frame)
            }
            other => match self.step(base, other, frame)? {
                Base::Value(node) => Some(node),
                _ => None,
            },
        }
    }

    /// `BASE[...]`: with the chain's end marked, `rhs` is the index; otherwise it starts with
    /// the index and goes on.
    fn indexed(
        &mut self,
        base: Base,
        rhs: &Expr,
        flags: rhai::ASTFlags,
        frame: &mut Frame,
    ) -> Option<Node> {
        if flags.contains(rhai::ASTFlags::NEGATED) {
            return None;
        }
        let Base::Value(object) = base else {
            return None;
        };
        if flags.contains(rhai::ASTFlags::BREAK) {
            let index = self.expr(rhs, frame)?;
            return Some(index_of(object, index));
        }
        match rhs {
            Expr::Dot(bin, ..) => {
                let index = self.expr(&bin.lhs, frame)?;
                let next = Base::Value(index_of(object, index));
                self.dotted(next, &bin.rhs, frame)
            }
            Expr::Index(bin, flags, _) => {
                let index = self.expr(&bin.lhs, frame)?;
                let next = Base::Value(index_of(object, index));
                self.indexed(next, &bin.rhs, *flags, frame)
            }
            _ => None,
        }
    }

    /// One `.property` or `.method(...)` applied to what the chain reached.
    fn step(&mut self, base: Base, item: &Expr, frame: &mut Frame) -> Option<Base> {
        match (base, item) {
            (Base::Facts, Expr::Property(prop, _)) => {
                let name = prop.2.as_str();
                let declared = (self.program.facts)(name);
                // A fact kept per person is not in `facts`: Rhai says so.
                if declared.as_ref().is_some_and(|(_, per)| *per) {
                    return None;
                }
                let default = declared.and_then(|(default, _)| default);
                Some(Base::Value(Node::Fact(self.read(name, default))))
            }
            (Base::Taken, Expr::Property(prop, _)) => {
                Some(Base::Value(Node::Taken(Name::new(prop.2.as_str()))))
            }
            (Base::Entries, Expr::Property(prop, _)) => {
                Some(Base::Value(Node::Entries(Name::new(prop.2.as_str()))))
            }
            (Base::Schedules, Expr::Property(prop, _)) => {
                Some(Base::Schedule(Name::new(prop.2.as_str())))
            }
            (Base::Schedule(name), Expr::Property(prop, _)) => Some(Base::Value(Node::Schedule(
                name,
                super::Standing::of(prop.2.as_str())?,
            ))),
            (Base::PersonFacts(person), Expr::Property(prop, _)) => {
                let read = self.read(prop.2.as_str(), None);
                Some(Base::Value(Node::PersonFact(Box::new(person), read)))
            }
            (Base::Value(object), Expr::Property(prop, _)) => Some(match prop.2.as_str() {
                "facts" => Base::PersonFacts(object),
                name => Base::Value(property(object, self.read(name, None))),
            }),
            (Base::Value(object), Expr::MethodCall(call, _)) => {
                Some(Base::Value(self.method(object, call, frame)?))
            }
            _ => None,
        }
    }

    /// `OBJECT.name(args)`: a closure method, or a function with the object first.
    fn method(&mut self, object: Node, call: &FnCallExpr, frame: &mut Frame) -> Option<Node> {
        let each = match call.name.as_str() {
            "all" => Some(Each::All),
            "some" => Some(Each::Some),
            "filter" => Some(Each::Filter),
            "map" => Some(Each::Map),
            _ => None,
        };
        if let (Some(each), [closure]) = (each, call.args.as_slice()) {
            if !self.defines(call.name.as_str(), 2) {
                let (slot, body) = self.closure(closure, frame)?;
                return Some(Node::Each(Box::new(object), each, slot, body));
            }
        }
        let mut args = vec![object];
        for a in call.args.iter() {
            args.push(self.expr(a, frame)?);
        }
        self.function(call.name.as_str(), args)
    }

    /// `|p| body`, inlined: `p` gets a slot of the frame, captured variables stay the
    /// enclosing ones (Rhai shares them).
    fn closure(&mut self, arg: &Expr, frame: &mut Frame) -> Option<(usize, Block)> {
        let (name, captured) = closure_parts(arg)?;
        let ast = self.owner(&name, captured.len() + 1)?;
        let def = ast
            .iter_fn_def()
            .find(|f| f.name.as_str() == name && f.params.len() == captured.len() + 1)?;
        let (own, curried) = def.params.split_last()?;
        let depth = frame.scope.len();
        for (param, outer) in curried.iter().zip(&captured) {
            // Captured by name: the closure's parameter is the enclosing variable.
            if param.as_str() != *outer {
                return None;
            }
            // A script variable (`mentors`) is captured too: it resolves as in the script.
            match frame.lookup(outer) {
                Some(binding) => frame.scope.push((param.to_string(), binding)),
                None if frame.script => {}
                None => return None,
            }
        }
        let slot = frame.slot()?;
        frame
            .scope
            .push((own.to_string(), Binding::Local(slot, true)));
        let statements = body_of(ast, &name, captured.len() + 1);
        let body = self.block(&statements, frame);
        frame.scope.truncate(depth);
        Some((slot, body?))
    }

    /// The AST that defines function `name` of `arity`: the script's own, else a library's.
    fn owner(&self, name: &str, arity: usize) -> Option<&'a AST> {
        let has = |ast: &AST| {
            ast.iter_fn_def()
                .any(|f| f.name.as_str() == name && f.params.len() == arity)
        };
        if has(self.script) {
            return Some(self.script);
        }
        self.program.library.filter(|l| has(l))
    }

    fn defines(&self, name: &str, arity: usize) -> bool {
        self.owner(name, arity).is_some()
    }

    fn call(&mut self, call: &FnCallExpr, frame: &mut Frame) -> Option<Node> {
        if call.capture_parent_scope {
            return None;
        }
        let name = call.name.as_str();
        if call.is_operator_call() {
            return self.operator(name, &call.args, frame);
        }
        let args = call
            .args
            .iter()
            .map(|a| self.expr(a, frame))
            .collect::<Option<Vec<_>>>()?;
        self.function(name, args)
    }

    fn operator(&mut self, name: &str, args: &[Expr], frame: &mut Frame) -> Option<Node> {
        match args {
            [only] => {
                let inner = Box::new(self.expr(only, frame)?);
                match name {
                    "!" => Some(Node::Not(inner)),
                    "-" => Some(Node::Negate(inner)),
                    "+" => Some(*inner),
                    _ => None,
                }
            }
            [left, right] => {
                let (l, r) = (
                    Box::new(self.expr(left, frame)?),
                    Box::new(self.expr(right, frame)?),
                );
                if let Some(op) = arithmetic(name) {
                    return Some(Node::Arithmetic(l, op, r));
                }
                let op = match name {
                    "==" => Comparison::Eq,
                    "!=" => Comparison::Ne,
                    "<" => Comparison::Lt,
                    "<=" => Comparison::Le,
                    ">" => Comparison::Gt,
                    ">=" => Comparison::Ge,
                    _ => return None,
                };
                Some(match *r {
                    Node::Constant(c) => Node::CompareConstant(l, op, c),
                    r => Node::Compare(l, op, Box::new(r)),
                })
            }
            _ => None,
        }
    }

    /// A call of `name` with `args`: the script's or a library's function (which stands over
    /// a built-in one), else a built-in.
    fn function(&mut self, name: &str, args: Vec<Node>) -> Option<Node> {
        if self.defines(name, args.len()) {
            let index = self.compiled(name, args.len())?;
            return Some(Node::Function(index, args.into_boxed_slice()));
        }
        let builtin = builtin(name, args.len())?;
        Some(Node::Call(builtin, args.into_boxed_slice()))
    }

    /// The index of function `name` of `arity`, compiling it the first time.
    fn compiled(&mut self, name: &str, arity: usize) -> Option<usize> {
        if let Some((.., i)) = self.names.iter().find(|(n, a, _)| n == name && *a == arity) {
            return Some(*i);
        }
        // Recursion (or nesting deeper than a guard needs) is Rhai's.
        if self.compiling.len() >= 8 || self.compiling.iter().any(|(n, a)| n == name && *a == arity)
        {
            return None;
        }
        let ast = self.owner(name, arity)?;
        let def = ast
            .iter_fn_def()
            .find(|f| f.name.as_str() == name && f.params.len() == arity)?;
        let mut frame = Frame {
            scope: Vec::new(),
            used: 0,
            script: false,
        };
        for p in def.params.iter() {
            let slot = frame.slot()?;
            frame
                .scope
                .push((p.to_string(), Binding::Local(slot, true)));
        }
        self.compiling.push((name.to_string(), arity));
        let body = self.block(&body_of(ast, name, arity), &mut frame);
        self.compiling.pop();
        let index = self.functions.len();
        self.functions.push(Some(Function {
            body: body?,
            params: arity,
            slots: frame.used,
        }));
        self.names.push((name.to_string(), arity, index));
        Some(index)
    }
}

/// The statements of function `name` of `arity` in `ast`, in order. Rhai does not export the
/// type of a function's body; a copy of the AST holding that function alone walks exactly
/// its statements. (`clone_functions_only_filtered` keeps every function when it starts from
/// none: Rhai 1.27's merge skips the filter then.)
fn body_of(ast: &AST, name: &str, arity: usize) -> Vec<Stmt> {
    let mut alone = ast.clone_functions_only();
    alone.retain_functions(|_, _, n, a| n == name && a == arity);
    let mut statements = Vec::new();
    alone.walk(&mut |path: &[ASTNode<'_>]| {
        if let [ASTNode::Stmt(stmt)] = path {
            statements.push((*stmt).clone());
        }
        true
    });
    statements
}

/// `OBJECT.NAME`, as one node where the object is a local or a group's member.
fn property(object: Node, name: usize) -> Node {
    match object {
        Node::Local(slot) => Node::LocalProperty(slot, name),
        Node::Member(group, i) => Node::MemberProperty(group, i, name),
        other => Node::Property(Box::new(other), name),
    }
}

/// `OBJECT[INDEX]`, as one node for a group's member by a constant.
fn index_of(object: Node, index: Node) -> Node {
    match (object, index) {
        (Node::Group(group), Node::Constant(Constant::Int(i))) => Node::Member(group, i),
        (object, index) => Node::Index(Box::new(object), Box::new(index)),
    }
}

fn arithmetic(name: &str) -> Option<Arithmetic> {
    Some(match name {
        "+" => Arithmetic::Add,
        "-" => Arithmetic::Sub,
        "*" => Arithmetic::Mul,
        "/" => Arithmetic::Div,
        "%" => Arithmetic::Rem,
        _ => return None,
    })
}

/// A constant the optimizer folded, or its text.
fn constant(d: &rhai::Dynamic) -> Option<Result<Constant, String>> {
    if d.is_unit() {
        return Some(Ok(Constant::Unit));
    }
    if let Ok(b) = d.as_bool() {
        return Some(Ok(Constant::Bool(b)));
    }
    if let Ok(i) = d.as_int() {
        return Some(Ok(Constant::Int(i)));
    }
    if let Ok(x) = d.as_float() {
        return Some(Ok(Constant::Float(x)));
    }
    d.read_lock::<rhai::ImmutableString>()
        .map(|s| Err(s.to_string()))
}

/// The built-in function of that name and number of arguments (a method's object counts).
fn builtin(name: &str, arity: usize) -> Option<Builtin> {
    Some(match (name, arity) {
        ("len", 1) => Builtin::Len,
        ("is_empty", 1) => Builtin::IsEmpty,
        ("contains", 2) => Builtin::Contains,
        ("starts_with", 2) => Builtin::StartsWith,
        ("ends_with", 2) => Builtin::EndsWith,
        ("to_float", 1) => Builtin::ToFloat,
        ("to_int", 1) => Builtin::ToInt,
        ("to_string", 1) => Builtin::ToString,
        ("abs", 1) => Builtin::Abs,
        ("min", 2) => Builtin::Min2,
        ("max", 2) => Builtin::Max2,
        ("min", 1) => Builtin::MinOf,
        ("max", 1) => Builtin::MaxOf,
        ("sum", 1) => Builtin::SumOf,
        ("average", 1) => Builtin::AverageOf,
        ("count", 1) => Builtin::CountOf,
        ("facts_of", 2) => Builtin::FactsOf,
        ("days_between", 2) => Builtin::DaysBetween,
        ("overlap_hours", 2) => Builtin::OverlapHours,
        ("in_reporting_line", 2) => Builtin::InReportingLine,
        ("levels_apart", 2) => Builtin::LevelsApart,
        _ => return None,
    })
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
