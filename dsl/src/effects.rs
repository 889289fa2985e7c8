//! What a stage's actions return: effects as data. A script calls `set_fact(NAME, VALUE)` and
//! `notify(NAME)` or `notify(NAME, ROLES)`, each giving a map the engine reads; an action's
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
        .register_fn("notify", |name: ImmutableString, roles: Array| {
            effect(
                "notify",
                [("notification", name.into()), ("to", roles.into())],
            )
        });
}

fn effect<const N: usize>(kind: &str, fields: [(&str, Dynamic); N]) -> Map {
    let mut map = Map::new();
    map.insert(KIND.into(), kind.into());
    for (k, v) in fields {
        map.insert(k.into(), v);
    }
    map
}
