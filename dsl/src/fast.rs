//! A native evaluator for the guards most programs are made of: facts compared with constants,
//! joined by `&&`, `||` and `!`. It answers only when it is sure to agree with Rhai (both sides
//! of a comparison have the types it knows); otherwise it says "don't know" and the guard runs
//! in Rhai as usual. The engine's tests check the two agree on many fact values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rhai::{Expr, Stmt, AST};

use crate::value::Value;

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
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `facts.NAME`, with the declared default used when nothing is recorded.
    Fact {
        /// Fact name.
        name: String,
        /// Declared default.
        default: Option<Value>,
    },
    /// A literal.
    Constant(Value),
    /// `left op right` on numbers (`+ - * /`).
    Arithmetic(Box<Operand>, Arithmetic, Box<Operand>),
    /// `x.to_float()`.
    ToFloat(Box<Operand>),
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

impl FastGuard {
    /// The fast form of a compiled script, if the whole script is such an expression.
    /// `default` gives a declared fact's default value.
    pub fn from_ast(ast: &AST, default: &dyn Fn(&str) -> Option<Value>) -> Option<FastGuard> {
        if ast.has_functions() {
            return None;
        }
        match ast.statements() {
            [Stmt::Expr(expr)] => from_expr(expr, default),
            [Stmt::FnCall(call, _)] => from_call(call, default),
            _ => None,
        }
    }

    /// The guard's value on `facts` (recorded values), or `None` when Rhai must decide.
    pub fn eval(&self, facts: &BTreeMap<String, Value>) -> Option<bool> {
        match self {
            FastGuard::And(parts) => {
                for p in parts {
                    if !p.eval(facts)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            FastGuard::Or(parts) => {
                for p in parts {
                    if p.eval(facts)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            FastGuard::Not(inner) => inner.eval(facts).map(|b| !b),
            FastGuard::Truth(operand) => match operand.value(facts)?.as_ref() {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
            FastGuard::Compare(left, op, right) => compare(
                left.value(facts)?.as_ref(),
                *op,
                right.value(facts)?.as_ref(),
            ),
        }
    }
}

impl Operand {
    fn value<'a>(&'a self, facts: &'a BTreeMap<String, Value>) -> Option<Cow<'a, Value>> {
        match self {
            Operand::Fact { name, default } => {
                facts.get(name).or(default.as_ref()).map(Cow::Borrowed)
            }
            Operand::Constant(v) => Some(Cow::Borrowed(v)),
            Operand::ToFloat(inner) => match inner.value(facts)?.as_ref() {
                Value::Int(i) => Some(Cow::Owned(Value::Float(*i as f64))),
                Value::Float(x) => Some(Cow::Owned(Value::Float(*x))),
                _ => None,
            },
            Operand::Arithmetic(left, op, right) => arithmetic(
                left.value(facts)?.as_ref(),
                *op,
                right.value(facts)?.as_ref(),
            )
            .map(Cow::Owned),
        }
    }
}

/// Rhai's arithmetic where it is certain: checked integer operations (an overflow or a
/// division by zero is Rhai's error, so Rhai decides), finite float results.
fn arithmetic(left: &Value, op: Arithmetic, right: &Value) -> Option<Value> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => Some(Value::Int(match op {
            Arithmetic::Add => a.checked_add(*b)?,
            Arithmetic::Sub => a.checked_sub(*b)?,
            Arithmetic::Mul => a.checked_mul(*b)?,
            Arithmetic::Div => a.checked_div(*b)?,
        })),
        (Value::Float(a), Value::Float(b)) => {
            let x = match op {
                Arithmetic::Add => a + b,
                Arithmetic::Sub => a - b,
                Arithmetic::Mul => a * b,
                Arithmetic::Div if *b == 0.0 => return None,
                Arithmetic::Div => a / b,
            };
            x.is_finite().then_some(Value::Float(x))
        }
        _ => None,
    }
}

fn compare(left: &Value, op: Comparison, right: &Value) -> Option<bool> {
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Float(a), Value::Float(b)) => return Some(float_compare(*a, op, *b)),
        (Value::Int(a), Value::Float(b)) => return Some(float_compare(*a as f64, op, *b)),
        (Value::Float(a), Value::Int(b)) => return Some(float_compare(*a, op, *b as f64)),
        (Value::Text(a), Value::Text(b)) => a.cmp(b),
        // Rhai compares bools for equality only here; anything else goes to Rhai.
        (Value::Bool(a), Value::Bool(b)) => {
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

fn from_expr(expr: &Expr, default: &dyn Fn(&str) -> Option<Value>) -> Option<FastGuard> {
    match expr {
        Expr::And(parts, _) => parts
            .iter()
            .map(|p| from_expr(p, default))
            .collect::<Option<_>>()
            .map(FastGuard::And),
        Expr::Or(parts, _) => parts
            .iter()
            .map(|p| from_expr(p, default))
            .collect::<Option<_>>()
            .map(FastGuard::Or),
        Expr::FnCall(call, _) => from_call(call, default),
        other => operand(other, default).map(FastGuard::Truth),
    }
}

fn from_call(
    call: &rhai::FnCallExpr,
    default: &dyn Fn(&str) -> Option<Value>,
) -> Option<FastGuard> {
    if !call.is_operator_call() {
        return None;
    }
    let op = match call.name.as_str() {
        "!" if call.args.len() == 1 => {
            return from_expr(&call.args[0], default).map(|g| FastGuard::Not(Box::new(g)))
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
            operand(left, default)?,
            op,
            operand(right, default)?,
        )),
        _ => None,
    }
}

fn operand(expr: &Expr, default: &dyn Fn(&str) -> Option<Value>) -> Option<Operand> {
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
                Box::new(operand(&call.args[0], default)?),
                op,
                Box::new(operand(&call.args[1], default)?),
            )
        }
        Expr::Dot(bin, ..) => match (&bin.lhs, &bin.rhs) {
            // facts.NAME, and facts.NAME.to_float() (Rhai nests the chain to the right)
            (Expr::Variable(var, ..), rhs) if var.1.as_str() == "facts" => match rhs {
                Expr::Property(prop, _) => fact(&prop.2, default),
                Expr::Dot(inner, ..) => match (&inner.lhs, &inner.rhs) {
                    (Expr::Property(prop, _), Expr::MethodCall(call, _)) if to_float(call) => {
                        Operand::ToFloat(Box::new(fact(&prop.2, default)))
                    }
                    _ => return None,
                },
                _ => return None,
            },
            (lhs, Expr::MethodCall(call, _)) if to_float(call) => {
                Operand::ToFloat(Box::new(operand(lhs, default)?))
            }
            _ => return None,
        },
        _ => return None,
    })
}

fn fact(name: &str, default: &dyn Fn(&str) -> Option<Value>) -> Operand {
    Operand::Fact {
        default: default(name),
        name: name.to_string(),
    }
}

fn to_float(call: &rhai::FnCallExpr) -> bool {
    call.name.as_str() == "to_float" && call.args.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(source: &str) -> Option<FastGuard> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let ast = engine
            .compile_with_scope(&crate::sandbox::compile_scope(), source)
            .expect("compiles");
        FastGuard::from_ast(&ast, &|name| (name == "d").then_some(Value::Int(5)))
    }

    #[test]
    fn comparisons_of_facts_and_constants_are_fast() {
        let facts = BTreeMap::from([
            ("a".to_string(), Value::Int(6)),
            ("b".to_string(), Value::Bool(true)),
        ]);
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
        let facts = BTreeMap::from([
            ("a".to_string(), Value::Int(3)),
            ("z".to_string(), Value::Int(0)),
        ]);
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
    fn anything_else_is_left_to_rhai() {
        assert!(fast("facts.a.len() >= 6").is_none());
        assert!(fast("facts.a.to_int() >= 6").is_none());
        assert!(fast("let x = facts.a; x >= 6").is_none());
        assert!(fast("mentors[0].grade > 1").is_none());
        assert!(fast("cycle < 3").is_none());
    }
}
