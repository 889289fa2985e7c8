//! The `[capacity]` section: how many running pairings of the program one person may take part
//! in, per role (`mentor = 2`) or in any role (`"*" = 1`). The store checks it under its write
//! lock when a pairing is enrolled or a person joins one.

use super::*;
use crate::model::Capacity;

impl Analyzer<'_> {
    pub(super) fn capacity(
        &mut self,
        top: &Table<'_, '_>,
        types: &[MentoringType],
        stages: &[Stage],
    ) -> Vec<Capacity> {
        let Some(table) = self.reader().table(top, "capacity", "[capacity]".into()) else {
            return Vec::new();
        };
        let mut roles: Vec<&str> = types
            .iter()
            .flat_map(|t| t.roles.iter().map(|r| r.name.as_str()))
            .collect();
        roles.sort_unstable();
        roles.dedup();
        let counted_from = self.counted_from(&table, stages);
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            if name == COUNTED_FROM {
                continue;
            }
            let role = (name != "*").then(|| name.clone());
            if let Some(role) = &role {
                if !roles.contains(&role.as_str()) && !types.is_empty() {
                    let help =
                        help_did_you_mean(role, roles.iter().copied()).unwrap_or_else(|| {
                            format!(
                                "the types' roles are: {}; write \"*\" for any role",
                                roles.join(", ")
                            )
                        });
                    self.reader()
                        .error(
                            Code::E035,
                            format!("capacity names role `{role}`, which no type has"),
                            key.span(),
                        )
                        .help = Some(help);
                    continue;
                }
            }
            let limit = reader::integer(value.get_ref()).and_then(|n| u32::try_from(n).ok());
            match limit {
                Some(limit) if limit >= 1 => out.push(Capacity {
                    role,
                    limit,
                    counted_from: counted_from.clone(),
                }),
                _ => {
                    self.reader()
                        .error(
                            Code::E035,
                            format!(
                                "capacity of `{name}` must be a whole number of at least 1, found {}",
                                shown(value.get_ref())
                            ),
                            value.span(),
                        )
                        .help = Some(format!(
                        "write {} = 2: at most 2 running pairings of this program per person",
                        if name == "*" { "\"*\"" } else { &name }
                    ));
                }
            }
        }
        out
    }
}

/// The key naming the stage pairings count from, among the roles' limits.
const COUNTED_FROM: &str = "counted_from";

impl Analyzer<'_> {
    /// `counted_from`: a running stage of the program, else E035.
    fn counted_from(&mut self, table: &Table<'_, '_>, stages: &[Stage]) -> Option<String> {
        let (stage, span) = self.reader().string(table, COUNTED_FROM, false)?;
        let known = stages.iter().find(|s| s.id == stage);
        let problem = match known {
            Some(s) if s.is_terminal() => Some(format!(
                "capacity is counted from `{stage}`, a terminal stage: an ended pairing never counts"
            )),
            Some(_) => None,
            None if stages.is_empty() => None,
            None => Some(format!("capacity is counted from `{stage}`, which is no stage")),
        };
        let Some(problem) = problem else {
            return Some(stage);
        };
        let running = stages.iter().filter(|s| !s.is_terminal());
        let help = help_did_you_mean(&stage, running.map(|s| s.id.as_str()))
            .filter(|_| known.is_none())
            .unwrap_or_else(|| {
                "name the running stage from which a pairing is an active relation, e.g. counted_from = \"mentoring\"".into()
            });
        self.reader().error(Code::E035, problem, span).help = Some(help);
        None
    }
}

/// A TOML value as a message shows it: the number itself, else its type.
fn shown(value: &DeValue<'_>) -> String {
    match reader::integer(value) {
        Some(n) => n.to_string(),
        None => reader::type_name(value).to_string(),
    }
}
