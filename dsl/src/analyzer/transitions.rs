//! The `[[transitions]]` array: stages, guards and timers of each edge.

use super::*;

impl Analyzer<'_> {
    pub(super) fn transitions(&mut self, top: &Table<'_, '_>, stages: &[Stage]) -> Vec<Transition> {
        let Some(value) = self.reader().get(top, "transitions", false) else {
            self.reader()
                .error(
                    Code::E003,
                    "the program declares no transitions".into(),
                    0..0,
                )
                .help = Some("add [[transitions]] with from, to and an optional guard".into());
            self.graph_incomplete = true;
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.reader().error(
                Code::E004,
                "`transitions` must be an array of tables: [[transitions]]".into(),
                value.span(),
            );
            self.graph_incomplete = true;
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let what = format!("transition #{}", index + 1);
            let Some(table) = self
                .reader()
                .as_table(item, "transitions", "the program", what)
            else {
                self.graph_incomplete = true;
                continue;
            };
            match self.transition(&table, index, stages) {
                Some(t) => out.push(t),
                // An edge left out would make its target look unreachable.
                None => self.graph_incomplete = true,
            }
        }
        out
    }

    pub(super) fn transition(
        &mut self,
        table: &Table<'_, '_>,
        index: usize,
        stages: &[Stage],
    ) -> Option<Transition> {
        let mut r = self.reader();
        r.unknown_keys(table, &super::keys::TRANSITION);
        let from = r.string(table, "from", true);
        let to = r.string(table, "to", true);
        let label = r
            .string(table, "label", false)
            .map(|l| l.0)
            .unwrap_or_default();
        let timer = self.timer(table, stages);
        let mut r = self.reader();
        let auto = r.bool(table, "auto");
        let guard_src = r.string(table, "guard", false);
        let reasons = r.strings(table, "reasons").unwrap_or_default();
        let (from, from_span) = from?;
        let from = if from == "*" {
            From::Any
        } else {
            From::Stage(from)
        };
        let to = to?;
        for (id, span) in [
            (
                match &from {
                    From::Stage(s) => Some(s.clone()),
                    From::Any => None,
                },
                from_span.clone(),
            ),
            (Some(to.0.clone()), to.1.clone()),
        ] {
            // With no stages at all, E003 already said so; naming each stage again is noise.
            if let Some(id) = id.filter(|_| !stages.is_empty()) {
                if !stages.iter().any(|s| s.id == id) {
                    let help = help_did_you_mean(&id, stages.iter().map(|s| s.id.as_str()));
                    self.reader()
                        .error(
                            Code::E010,
                            format!("{} names unknown stage `{id}`", table.what),
                            span,
                        )
                        .help = help.or(Some(format!("declared stages: {}", stage_list(stages))));
                }
            }
        }
        if let From::Stage(id) = &from {
            if let Some(stage) = stages.iter().find(|s| &s.id == id && s.is_terminal()) {
                self.reader().error(Code::E012, format!("terminal stage `{id}` has an outgoing transition"), from_span).help = Some(format!(
                    "a pairing never leaves `{id}` (outcome = \"{}\"): remove this transition or the stage's outcome",
                    stage.outcome.as_deref().unwrap_or("")
                ));
            }
        }
        if let (Some((true, span)), Some(_)) = (&auto, &timer) {
            self.reader().error(Code::E004, format!("{} has both `auto` and a timer", table.what), span.clone()).help = Some(
                "a timer transition is taken by tick when its time has come (and its guard holds); `auto = true` is taken as soon as its guard holds: keep one".into(),
            );
        }
        if let (Some((true, span)), None) = (&auto, &guard_src) {
            let span = self.reader().span(span.clone());
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::W008,
                    format!("{} is automatic and has no guard", table.what),
                    span,
                )
                .with_help("it is taken the moment its stage is entered: give it a guard, e.g. guard = \"facts.members < 3\"".to_string()),
            );
        }
        let trigger = match (timer, &from) {
            _ if auto.as_ref().is_some_and(|(a, _)| *a) => Trigger::Auto,
            (Some(timer), _) => Trigger::Timer(timer),
            (None, From::Any) => Trigger::Withdraw,
            (None, From::Stage(_)) => Trigger::Advance,
        };
        let mut t = Transition {
            index,
            from,
            to: to.0,
            guard: None,
            label,
            trigger,
            reasons: reasons.iter().map(|(code, _)| code.clone()).collect(),
            span: self.reader().span(table.span.clone()),
        };
        self.transition_reasons.push(reasons);
        let what = format!("guard of transition {}", t.describe());
        // A guard that fails to compile is reported and dropped; the edge stays for the graph checks.
        t.guard = guard_src.and_then(|(src, span)| self.guard(&src, span, &what));
        Some(t)
    }

    /// The transition's timer (`after` with an optional `since`, `idle`, or `at`, each with an
    /// optional `warn`), or none; every misuse reported.
    fn timer(&mut self, table: &Table<'_, '_>, stages: &[Stage]) -> Option<Timer> {
        let mut r = self.reader();
        let after = r.string(table, "after", false).and_then(|d| due(&mut r, d));
        let idle = r.string(table, "idle", false).and_then(|d| due(&mut r, d));
        let at = r.string(table, "at", false);
        let since = r.string(table, "since", false);
        let warn = r.string(table, "warn", false).and_then(|d| due(&mut r, d));
        let given: Vec<&str> = [
            ("after", after.is_some()),
            ("idle", idle.is_some()),
            ("at", at.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, on)| on.then_some(k))
        .collect();
        if given.len() > 1 {
            r.error(
                Code::E004,
                format!("{} has both `{}` and `{}`", table.what, given[0], given[1]),
                table.span.clone(),
            )
            .help = Some(
                "a transition has one timer: `after` counts from entering the stage (or from `since`), `idle` from the last event, `at` is the date in a fact; keep one".into(),
            );
            return None;
        }
        let misplaced = |key: &str, span: Range<usize>, help: &str, r: &mut Reader<'_>| {
            r.error(
                Code::E027,
                format!("{} has `{key}` without a timer it applies to", table.what),
                span,
            )
            .help = Some(help.to_string());
        };
        if let (Some((_, span)), None) = (&since, after) {
            misplaced(
                "since",
                span.clone(),
                "`since` says what `after` counts from: add `after = \"90d\"`, or remove `since`",
                &mut r,
            );
            return None;
        }
        if warn.is_some() && given.is_empty() {
            let span = r
                .get(table, "warn", false)
                .map(|v| v.span())
                .unwrap_or(table.span.clone());
            misplaced("warn", span, "`warn` is how long before a timer fires a tick warns: add `after`, `idle` or `at`, or remove `warn`", &mut r);
            return None;
        }
        let timeout = match (after, idle, at) {
            (Some(d), _, _) => match since {
                None => Timeout::After(d),
                Some((s, _)) if s == "enrolment" => Timeout::SinceEnrolment(d),
                Some((s, span)) => {
                    if !stages.is_empty() && !stages.iter().any(|st| st.id == s) {
                        let help = help_did_you_mean(&s, stages.iter().map(|st| st.id.as_str()))
                            .unwrap_or_else(|| {
                                format!("write \"enrolment\" or a stage: {}", stage_list(stages))
                            });
                        r.error(
                            Code::E027,
                            format!("{} counts `since` unknown stage `{s}`", table.what),
                            span,
                        )
                        .help = Some(help);
                        return None;
                    }
                    Timeout::SinceFirstEntered(s, d)
                }
            },
            (_, Some(d), _) => Timeout::Idle(d),
            (_, _, Some((fact, span))) => {
                let kind = self.fact_names.get(&fact).map(|f| f.kind);
                if kind != Some(Some(ValueKind::Date)) {
                    let dates: Vec<&str> = self
                        .fact_names
                        .iter()
                        .filter(|(_, f)| f.kind == Some(ValueKind::Date))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let message = match kind {
                        None => format!("{} fires `at` undeclared fact `{fact}`", table.what),
                        Some(_) => format!(
                            "{} fires `at` fact `{fact}`, which is not a date",
                            table.what
                        ),
                    };
                    let help =
                        help_did_you_mean(&fact, dates.iter().copied()).unwrap_or_else(|| {
                            match dates.is_empty() {
                                true => format!(
                                    "declare a date fact, e.g. [facts.{fact}] with type = \"date\""
                                ),
                                false => format!("the date facts are: {}", dates.join(", ")),
                            }
                        });
                    self.reader().error(Code::E027, message, span).help = Some(help);
                    return None;
                }
                Timeout::AtDate(fact)
            }
            (None, None, None) => return None,
        };
        Some(Timer { timeout, warn })
    }

    pub(super) fn guard(&mut self, source: &str, span: Range<usize>, what: &str) -> Option<Guard> {
        let name = source.trim();
        let is_reference = is_identifier(name)
            && !SCRIPT_VARIABLES.contains(&name)
            && !["true", "false"].contains(&name);
        if !is_reference {
            return self
                .inline_script(source, span, what)
                .map(|s| Guard::Script(Box::new(s)));
        }
        if self.criterion_names.iter().any(|c| c == name) {
            self.criteria_used.insert(name.to_string());
            return Some(Guard::Criterion(name.to_string()));
        }
        let help = help_did_you_mean(name, self.criterion_names.iter().map(String::as_str))
            .or_else(|| {
                Some(format!(
                    "declare it under [criteria] ({})",
                    if self.criterion_names.is_empty() {
                        "there are none yet".into()
                    } else {
                        self.criterion_names.join(", ")
                    }
                ))
            });
        self.reader()
            .error(
                Code::E022,
                format!("{what} names unknown criterion `{name}`"),
                span,
            )
            .help = help;
        None
    }
}
