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
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
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
                Some(limit) if limit >= 1 => out.push(Capacity { role, limit }),
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

/// A TOML value as a message shows it: the number itself, else its type.
fn shown(value: &DeValue<'_>) -> String {
    match reader::integer(value) {
        Some(n) => n.to_string(),
        None => reader::type_name(value).to_string(),
    }
}
