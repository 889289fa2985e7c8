//! The `[types]` section: roles, required attributes, rules and stage overrides.

use super::*;

impl Analyzer<'_> {
    pub(super) fn types(
        &mut self,
        top: &Table<'_, '_>,
        stages: &[Stage],
        attributes: &[Declaration],
    ) -> Vec<MentoringType> {
        let Some(table) = self.reader().table(top, "types", "[types]".into()) else {
            self.reader()
                .error(
                    Code::E003,
                    "the program declares no mentoring types".into(),
                    0..0,
                )
                .help = Some(
                "add at least one, e.g. [types.one-on-one] roles = { mentor = 1, mentee = 1 }"
                    .into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let id = key.get_ref().to_string();
            check_id(&mut self.reader(), &id, key.span(), "type id");
            let Some(t) = self
                .reader()
                .as_table(value, &id, "[types]", format!("type `{id}`"))
            else {
                continue;
            };
            if let Some(ty) = self.mentoring_type(&t, id, key.span(), stages, attributes) {
                out.push(ty);
            }
        }
        out
    }

    pub(super) fn mentoring_type(
        &mut self,
        t: &Table<'_, '_>,
        id: String,
        key: Range<usize>,
        stages: &[Stage],
        attributes: &[Declaration],
    ) -> Option<MentoringType> {
        let mut r = self.reader();
        r.unknown_keys(t, &super::keys::TYPE);
        let title = r
            .string(t, "title", false)
            .map_or_else(|| id.clone(), |x| x.0);
        let description = r
            .string(t, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let roles = match r.table(t, "roles", format!("roles of type `{id}`")) {
            Some(roles) => {
                let out = self.roles(&roles);
                if roles.table.is_empty() {
                    self.reader()
                        .error(
                            Code::E003,
                            format!("type `{id}` declares no roles"),
                            roles.span.clone(),
                        )
                        .help = Some(
                        "name each role with its count, e.g. roles = { mentor = 1, mentee = 1 }"
                            .into(),
                    );
                }
                out
            }
            None => {
                self.reader().get(t, "roles", true);
                Vec::new()
            }
        };
        let mut r = self.reader();
        let requires = r.strings(t, "requires").unwrap_or_default();
        for (name, span) in &requires {
            if !attributes.iter().any(|a| &a.name == name) {
                let help = help_did_you_mean(name, attributes.iter().map(|a| a.name.as_str()))
                    .unwrap_or_else(|| format!("declare it as [attributes.{name}] with type = \"int\", \"float\", \"bool\", \"text\", \"date\" or \"list\""));
                r.error(
                    Code::E032,
                    format!("type `{id}` requires undeclared attribute `{name}`"),
                    span.clone(),
                )
                .help = Some(help);
            }
        }
        let rule = r.string(t, "rule", false);
        let rule = rule.and_then(|(src, span)| {
            let rule =
                self.script_or_criterion(&src, span.clone(), &format!("rule of type `{id}`"));
            if let Some(script) = &rule {
                self.rule_reads_progress(script, &id, span);
            }
            rule
        });
        let overrides = self.overrides(t, &id, stages);
        let matching = self.matching_of(t, &format!("[types.{id}.matching]"));
        Some(MentoringType {
            matching,
            span: self.reader().span(key),
            id: crate::Name::new(&id),
            title,
            description,
            roles,
            requires: requires.into_iter().map(|r| r.0).collect(),
            rule,
            stages: overrides,
        })
    }

    /// Warns when a type rule reads what a pairing only has later (facts, stage, time in it,
    /// cycle): at enrolment those hold their starting values.
    fn rule_reads_progress(&mut self, rule: &Script, id: &str, span: Range<usize>) {
        if rule.variables == u32::MAX {
            return;
        }
        let read: Vec<&str> = crate::sandbox::PROGRESS_VARIABLES
            .into_iter()
            .filter(|v| {
                SCRIPT_VARIABLES
                    .iter()
                    .position(|n| n == v)
                    .is_some_and(|i| rule.variables & (1 << i) != 0)
            })
            .collect();
        if read.is_empty() {
            return;
        }
        let span = self.reader().span(span);
        self.diagnostics.push(
            Diagnostic::warning(
                Code::W006,
                format!(
                    "the rule of type `{id}` reads {}, which at enrolment only hold their starting values",
                    read.join(", ")
                ),
                span,
            )
            .with_help("the rule runs once, when a pairing is enrolled; check a pairing's progress in guards"),
        );
    }

    pub(super) fn roles(&mut self, roles: &Table<'_, '_>) -> Vec<Role> {
        let mut r = self.reader();
        let mut out = Vec::new();
        for (key, value) in roles.table {
            let name = key.get_ref().to_string();
            let (min, max) = if let Some(n) = reader::integer(value.get_ref()) {
                let Ok(n) = u32::try_from(n) else {
                    r.error(
                        Code::E004,
                        format!(
                            "role `{name}` has count {n}; a count is a whole number of at least 0"
                        ),
                        value.span(),
                    )
                    .help = Some(format!(
                        "write {name} = 1, or {name} = {{ min = 1, max = 3 }}"
                    ));
                    continue;
                };
                (Some((n, value.span())), Some((n, value.span())))
            } else if let Some(range) =
                r.as_table(value, &name, &roles.what, format!("role `{name}`"))
            {
                r.unknown_keys(&range, &super::keys::ROLE_RANGE);
                (r.count(&range, "min", true), r.count(&range, "max", true))
            } else {
                continue;
            };
            let (Some((min, _)), Some((max, max_span))) = (min, max) else {
                continue;
            };
            if min > max {
                r.error(
                    Code::E030,
                    format!(
                        "role `{name}` of {} has min {min} greater than max {max}",
                        roles.what.trim_start_matches("roles of ")
                    ),
                    max_span,
                )
                .help = Some(format!("swap them, or set max to at least {min}"));
            } else if max == 0 {
                r.error(
                    Code::E030,
                    format!(
                        "role `{name}` of {} allows no one (at most 0)",
                        roles.what.trim_start_matches("roles of ")
                    ),
                    max_span,
                )
                .help = Some(format!(
                    "remove the role, or let people take it: {name} = 1, or {name} = {{ min = 0, max = 2 }}"
                ));
            }
            out.push(Role {
                name: crate::Name::new(&name),
                min,
                max,
            });
        }
        out
    }

    pub(super) fn overrides(
        &mut self,
        t: &Table<'_, '_>,
        id: &str,
        stages: &[Stage],
    ) -> Vec<StageOverride> {
        let Some(table) =
            self.reader()
                .table(t, "stages", format!("stage overrides of type `{id}`"))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let stage = key.get_ref().to_string();
            if !stages.iter().any(|s| s.id == stage) {
                let help = help_did_you_mean(&stage, stages.iter().map(|s| s.id.as_str()))
                    .unwrap_or_else(|| format!("declared stages: {}", stage_list(stages)));
                self.reader()
                    .error(
                        Code::E031,
                        format!("type `{id}` overrides unknown stage `{stage}`"),
                        key.span(),
                    )
                    .help = Some(help);
            }
            let what = format!("override of stage `{stage}` in type `{id}`");
            let Some(o) = self
                .reader()
                .as_table(value, &stage, &table.what, what.clone())
            else {
                continue;
            };
            let mut r = self.reader();
            r.unknown_keys(&o, &super::keys::STAGE_OVERRIDE);
            let due = r.string(&o, "due", false).and_then(|d| due(&mut r, d));
            let guard = r.string(&o, "guard", false);
            let guard = guard.and_then(|(src, span)| {
                self.script_or_criterion(&src, span, &format!("extra guard of {what}"))
            });
            out.push(StageOverride {
                stage,
                due,
                guard,
                actions: Default::default(),
            });
        }
        out
    }
}
