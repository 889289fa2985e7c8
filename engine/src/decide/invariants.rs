//! A program's invariants judged on one pairing: which do not hold, and why.

use chrono::{DateTime, Utc};

use crate::decide::engine::Engine;
use crate::model::pairing::Pairing;
use crate::rules::runtime::Context;

/// An invariant that does not hold of a pairing.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// The invariant's name.
    pub name: String,
    /// What it means, as the program says.
    pub description: String,
    /// Its script, on one line.
    pub script: String,
    /// The script failed instead of giving false: why.
    pub failed: Option<String>,
}

impl Engine {
    /// The invariants of the program that do not hold of `pairing` at `now`, in file order.
    /// A script that reads a fact not recorded yet cannot judge the pairing: it holds.
    pub fn broken_invariants(&self, pairing: &Pairing, now: DateTime<Utc>) -> Vec<Broken> {
        let program = &*self.program;
        let ctx = Context::of(program, pairing, now);
        program
            .invariants
            .iter()
            .filter_map(|invariant| {
                let script = &invariant.script;
                let failed = match self.runtime.eval(script, &ctx) {
                    Ok(true) => return None,
                    Ok(false) => None,
                    Err(_)
                        if script
                            .facts_read
                            .iter()
                            .any(|f| pairing.fact(program, f).is_none()) =>
                    {
                        return None
                    }
                    Err(e) => Some(e.to_string()),
                };
                Some(Broken {
                    name: invariant.name.clone(),
                    description: invariant.description.clone(),
                    script: script.summary.clone(),
                    failed,
                })
            })
            .collect()
    }
}
