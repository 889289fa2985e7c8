//! What a stage's actions return: effects as data. A script calls `set_fact(NAME, VALUE)`,
//! `notify(NAME)` or `notify(NAME, ROLES)`, `start_schedule(NAME)` and `stop_schedule(NAME)`,
//! each giving a map the engine reads; an action's
//! result is one effect, a list of them, or nothing (`()`). Effects change nothing by
//! themselves: the engine applies them as events, in the same command as the move.

use rhai::{Array, Dynamic, Engine, ImmutableString, Map};

/// The key naming an effect's kind in its map.
pub const KIND: &str = "effect";

/// Registers the effect helpers.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("set_fact", |name: ImmutableString, value: Dynamic| {
            effect("set_fact", [("fact", name.into()), ("value", value)])
        })
        .register_fn("notify", |name: ImmutableString| {
            effect("notify", [("notification", name.into())])
        })
        .register_fn("start_schedule", |name: ImmutableString| {
            effect("start_schedule", [("schedule", name.into())])
        })
        .register_fn("stop_schedule", |name: ImmutableString| {
            effect("stop_schedule", [("schedule", name.into())])
        })
        .register_fn("notify", |name: ImmutableString, roles: Array| {
            effect(
                "notify",
                [("notification", name.into()), ("to", roles.into())],
            )
        });
}

/// The effects a script names with a literal (`set_fact("ramp_started", ...)`,
/// `notify("welcome")`): the helper and the name, in the order written.
pub fn named(ast: &rhai::AST) -> Vec<(&'static str, String, rhai::Position)> {
    use rhai::{ASTNode, Expr, Stmt};
    let mut named = Vec::new();
    ast.walk(&mut |path: &[ASTNode<'_>]| {
        let call = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, pos))) => Some((call, *pos)),
            Some(ASTNode::Stmt(Stmt::FnCall(call, pos))) => Some((call, *pos)),
            _ => None,
        };
        if let Some((call, pos)) = call {
            let kind = match call.name.as_str() {
                "set_fact" => Some("set_fact"),
                "notify" => Some("notify"),
                "start_schedule" => Some("start_schedule"),
                "stop_schedule" => Some("stop_schedule"),
                _ => None,
            };
            if let (Some(kind), Some(Expr::StringConstant(name, _))) = (kind, call.args.first()) {
                named.push((kind, name.to_string(), pos));
            }
        }
        true
    });
    named
}

/// The roles a `notify(NAME, [ROLE, ...])` names as literals, and the values a
/// `set_fact(NAME, VALUE)` gives as constants: (helper, fact or notification name, each
/// literal role or the value's kind and text).
pub fn literals(ast: &rhai::AST) -> Vec<(&'static str, String, Literal, rhai::Position)> {
    use rhai::{ASTNode, Expr, Stmt};
    let mut found = Vec::new();
    ast.walk(&mut |path: &[ASTNode<'_>]| {
        let (call, pos) = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, pos))) => (call, *pos),
            Some(ASTNode::Stmt(Stmt::FnCall(call, pos))) => (call, *pos),
            _ => return true,
        };
        let (Some(Expr::StringConstant(name, _)), Some(value)) =
            (call.args.first(), call.args.get(1))
        else {
            return true;
        };
        match (call.name.as_str(), value) {
            ("notify", Expr::Array(items, _)) => {
                for item in items.iter() {
                    if let Expr::StringConstant(role, _) = item {
                        found.push((
                            "notify",
                            name.to_string(),
                            Literal::Role(role.to_string()),
                            pos,
                        ));
                    }
                }
            }
            // A list of constants is folded into one constant when the script is compiled.
            ("notify", Expr::DynamicConstant(list, _)) => {
                if let Some(items) = list.read_lock::<rhai::Array>() {
                    for role in items
                        .iter()
                        .filter_map(|i| i.read_lock::<rhai::ImmutableString>())
                    {
                        found.push((
                            "notify",
                            name.to_string(),
                            Literal::Role(role.to_string()),
                            pos,
                        ));
                    }
                }
            }
            ("set_fact", value) => {
                if let Some((kind, shown)) = crate::value::constant(value) {
                    found.push((
                        "set_fact",
                        name.to_string(),
                        Literal::Value(kind, shown),
                        pos,
                    ));
                }
            }
            _ => {}
        }
        true
    });
    found
}

/// A literal an effect is given.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A role `notify` sends to.
    Role(String),
    /// A constant `set_fact` sets, with its kind and how it is written.
    Value(crate::value::ValueKind, String),
}

fn effect<const N: usize>(kind: &str, fields: [(&str, Dynamic); N]) -> Map {
    let mut map = Map::new();
    map.insert(KIND.into(), kind.into());
    for (k, v) in fields {
        map.insert(k.into(), v);
    }
    map
}
