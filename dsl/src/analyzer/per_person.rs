//! Facts kept per person (`per = "mentee"`): `per` must name a role a type has, or
//! `"participant"` for everyone.

use super::*;
use crate::value::EVERY_PARTICIPANT;

impl Analyzer<'_> {
    pub(super) fn per_person(&mut self, facts: &[Declaration], types: &[MentoringType]) {
        if types.is_empty() {
            return;
        }
        let mut roles: Vec<&str> = types
            .iter()
            .flat_map(|t| t.roles.iter().map(|r| r.name.as_str()))
            .collect();
        roles.sort_unstable();
        roles.dedup();
        for fact in facts {
            let Some(per) = fact.per.as_deref() else {
                continue;
            };
            if per == EVERY_PARTICIPANT || roles.contains(&per) {
                continue;
            }
            let help = help_did_you_mean(per, roles.iter().copied().chain([EVERY_PARTICIPANT]))
                .unwrap_or_else(|| {
                    format!(
                        "name a role of a type ({}), or \"{EVERY_PARTICIPANT}\" for everyone",
                        roles.join(", ")
                    )
                });
            let span = fact.per_span.unwrap_or(fact.span);
            let span = span.start..span.end;
            self.reader()
                .error(
                    Code::E036,
                    format!(
                        "fact `{}` is kept per `{per}`, which is no role of any type",
                        fact.name
                    ),
                    span,
                )
                .help = Some(help);
        }
    }
}
