//! `[notifications.NAME]` and a stage's actions (`on_enter`, `on_exit`, `on_timeout`): the
//! templates checked, each action compiled, and every effect it names (`set_fact`, `notify`)
//! checked against the facts and notifications the program declares.

use super::{keys, Analyzer, Table};
use crate::code::Code;
use crate::model::{Notification, Script, Stage, COORDINATOR};
use crate::suggest::help_did_you_mean;

impl Analyzer<'_> {
    /// The notifications actions may send.
    /// W013 for each sensitive attribute `template` (written at `span`, named `what`) reads.
    fn sensitive_in_template(&mut self, template: &str, span: &std::ops::Range<usize>, what: &str) {
        let found: Vec<String> = self
            .sensitive_attributes
            .iter()
            .filter(|a| crate::templates::mentions(template, a))
            .cloned()
            .collect();
        for attribute in found {
            let span = self.reader().span(span.clone());
            self.diagnostics.push(
                crate::diagnostic::Diagnostic::warning(
                    Code::W013,
                    format!("{what} reads sensitive attribute `{attribute}`: notifications are never given it, so it renders empty"),
                    span,
                )
                .with_help(format!("leave `{attribute}` out of the template: sensitive values never travel by notification")),
            );
        }
    }

    pub(super) fn notifications(
        &mut self,
        top: &Table<'_, '_>,
        graph: (
            &[Stage],
            &[crate::model::Transition],
            &[crate::model::MentoringType],
            &[crate::model::Schedule],
        ),
    ) -> Vec<Notification> {
        let mut r = self.reader();
        let Some(table) = r.table(top, "notifications", "[notifications]".into()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            let what = format!("notification `{name}`");
            let mut r = self.reader();
            super::check_id(&mut r, &name, key.span(), "notification name");
            let Some(t) = r.as_table(value, &name, "[notifications]", what.clone()) else {
                continue;
            };
            r.unknown_keys(&t, &keys::NOTIFICATION);
            let subject = r.string(&t, "subject", true);
            let body = r.string(&t, "body", true);
            let to = r.strings(&t, "to").unwrap_or_default();
            let on = r.strings(&t, "on").unwrap_or_default();
            let (Some(subject), Some(body)) = (subject, body) else {
                continue;
            };
            let kinds: Vec<&str> = on
                .iter()
                .map(|(t, _)| t.split(':').next().unwrap_or_default())
                .collect();
            let mut reads_trigger = false;
            for (part, (text, span)) in [("subject", &subject), ("body", &body)] {
                let reads = crate::templates::reads(text);
                reads_trigger |= reads.iter().any(|n| n.split('.').next() == Some("trigger"));
                for name in reads {
                    if let Some((problem, help)) = self.template_read_problem(&name, &kinds) {
                        let mut r = self.reader();
                        let d = r.error(
                            Code::E044,
                            format!("the {part} of {what} reads `{name}`, {problem}"),
                            span.clone(),
                        );
                        d.help = Some(help);
                        // Newer than some stored versions: such a notice never renders.
                        d.tolerated_when_stored = true;
                    }
                }
                self.sensitive_in_template(text, span, &format!("the {part} of {what}"));
                if let Err((problem, line)) = crate::templates::check(text) {
                    let at = line.map_or(String::new(), |l| format!(" (line {l} of the template)"));
                    self.reader()
                        .error(
                            Code::E044,
                            format!("the {part} of {what} is not a valid template{at}: {problem}"),
                            span.clone(),
                        )
                        .help = Some(match problem.contains(" more than ") {
                            true => "keep a template under 32 KiB, each expression to a few operators and blocks nested at most 32 deep".into(),
                            false => "write values as {{ pairing.id }}, {{ facts.NAME }}, {{ today }}; loops as {% for p in mentees %}...{% endfor %}".into(),
                        });
                }
            }
            for (trigger, span) in &on {
                if let Err(help) = self.trigger_known(top, trigger) {
                    self.reader()
                        .error(
                            Code::E044,
                            format!("{what} is sent on `{trigger}`, which never happens"),
                            span.clone(),
                        )
                        .help = Some(help);
                } else if let Some((why, help)) = never_fires(trigger, graph) {
                    let span = self.reader().span(span.clone());
                    self.diagnostics.push(
                        crate::diagnostic::Diagnostic::warning(
                            Code::W012,
                            format!("{what} is sent on `{trigger}`, which can never happen: {why}"),
                            span,
                        )
                        .with_help(help),
                    );
                }
            }
            for (role, span) in &to {
                if !self.goes_to(role) {
                    let help = self.role_help(role);
                    // A check newer than some stored versions: such a notice reaches nobody.
                    let mut r = self.reader();
                    let d = r.error(
                        Code::E044,
                        format!("{what} goes to `{role}`, which is no role of any type"),
                        span.clone(),
                    );
                    d.help = Some(help);
                    d.tolerated_when_stored = true;
                }
            }
            // Kept even with an error (the program is refused for it anyway), so an action
            // sending it is not also told the notification is undeclared.
            out.push(Notification {
                name,
                subject: subject.0,
                body: body.0,
                to: to.into_iter().map(|(role, _)| role).collect(),
                on: on.into_iter().map(|(t, _)| t).collect(),
                reads_trigger,
            });
        }
        out
    }

    /// What is wrong with a name a notification's template reads (`facts.goal`), given the
    /// kinds of trigger it is sent on (`overdue` ...): why it has no value, and the fix.
    fn template_read_problem(&self, name: &str, kinds: &[&str]) -> Option<(String, String)> {
        use crate::templates::{trigger_fields, CONTEXT, PAIRING_FIELDS};
        let mut parts = name.split('.');
        let root = parts.next().unwrap_or_default();
        let field = parts.next();
        let unknown = |what: &str, known: &[&str], name: &str| {
            let help = help_did_you_mean(name, known.iter().copied())
                .unwrap_or_else(|| format!("{what} are: {}", known.join(", ")));
            Some(("which a notice is not given".to_string(), help))
        };
        match (root, field) {
            (root, _) if !CONTEXT.contains(&root) => {
                unknown("the values a template reads", &CONTEXT, root)
            }
            ("pairing", Some(f)) if !PAIRING_FIELDS.contains(&f) => {
                unknown("the fields of pairing", &PAIRING_FIELDS, f)
            }
            ("facts", Some(f)) => match self.fact_names.get(f) {
                None => Some((
                    "which is no fact of the program".into(),
                    help_did_you_mean(f, self.fact_names.keys().map(String::as_str))
                        .unwrap_or_else(|| format!("declare [facts.{f}]")),
                )),
                Some(d) if d.per.is_some() => Some((
                    "which is kept per person".into(),
                    "a template reads the pairing's facts; per-person facts are not in `facts`".into(),
                )),
                Some(_) => None,
            },
            ("trigger", _) if kinds.is_empty() => Some((
                "but it is sent by actions only, which give no trigger".into(),
                "read trigger only in a notification sent on = [\"overdue\"], [\"missed\"], [\"due\"] or [\"warned\"]".into(),
            )),
            ("trigger", Some(f)) => kinds
                .iter()
                .find(|k| !trigger_fields(k).contains(&f))
                .map(|k| {
                    let known = trigger_fields(k);
                    (
                        format!("which the `{k}` trigger does not give"),
                        help_did_you_mean(f, known.iter().copied())
                            .unwrap_or_else(|| format!("a {k} trigger gives: {}", known.join(", "))),
                    )
                }),
            _ => None,
        }
    }

    /// Whether `trigger` names something a tick can notice; otherwise how to fix it.
    fn trigger_known(&self, top: &Table<'_, '_>, trigger: &str) -> Result<(), String> {
        let names = |key: &str| -> Vec<String> {
            match top.table.get(key).map(toml::Spanned::get_ref) {
                Some(toml::de::DeValue::Table(t)) => {
                    t.keys().map(|k| k.get_ref().to_string()).collect()
                }
                _ => Vec::new(),
            }
        };
        let (kind, name) = match trigger.split_once(':') {
            Some((kind, name)) => (kind, Some(name)),
            None => (trigger, None),
        };
        let known =
            match kind {
                "missed" | "due" => names("schedules"),
                "overdue" => names("stages"),
                "warned" => self.history_names.labels.clone(),
                _ => return Err(
                    "write missed, missed:SCHEDULE, due, due:SCHEDULE, warned, warned:LABEL, overdue or overdue:STAGE"
                        .into(),
                ),
            };
        match name {
            None => Ok(()),
            Some(n) if known.iter().any(|k| k == n) => Ok(()),
            Some(n) => Err(
                help_did_you_mean(n, known.iter().map(String::as_str)).unwrap_or_else(|| {
                    format!("the {kind} triggers name one of: {}", known.join(", "))
                }),
            ),
        }
    }

    /// Compiles each stage's actions, and each type's own, and checks the effects they name.
    pub(super) fn actions(
        &mut self,
        top: &Table<'_, '_>,
        stages: &mut [Stage],
        types: &mut [crate::model::MentoringType],
        notifications: &[Notification],
        schedules: &[crate::model::Schedule],
    ) {
        for stage in stages.iter_mut() {
            let Some(t) = self.subtable(top, &["stages", &stage.id]) else {
                continue;
            };
            let what = format!("of stage `{}`", stage.id);
            stage.actions = self.hooks(&t, &what, notifications, schedules);
        }
        for ty in types.iter_mut() {
            for o in ty.stages.iter_mut() {
                let path = ["types", ty.id.as_str(), "stages", o.stage.as_str()];
                let Some(t) = self.subtable(top, &path) else {
                    continue;
                };
                let what = format!("of stage `{}` in type `{}`", o.stage, ty.id);
                o.actions = self.hooks(&t, &what, notifications, schedules);
            }
        }
        self.library_effects(notifications, schedules);
    }

    /// The table at `path` under `top`, when every step is a table.
    fn subtable<'t, 'i>(&self, top: &Table<'t, 'i>, path: &[&str]) -> Option<Table<'t, 'i>> {
        let mut table = top.table;
        let mut span = top.span.clone();
        for key in path {
            let value = table.get(*key)?;
            span = value.span();
            match value.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
        Some(Table {
            table,
            span,
            what: path.join("."),
        })
    }

    /// A table's `on_enter`, `on_exit` and `on_timeout`, compiled and checked.
    fn hooks(
        &mut self,
        t: &Table<'_, '_>,
        what: &str,
        notifications: &[Notification],
        schedules: &[crate::model::Schedule],
    ) -> crate::model::Actions {
        let mut actions = crate::model::Actions::default();
        for hook in ["on_enter", "on_exit", "on_timeout"] {
            let Some((source, span)) = self.reader().string(t, hook, false) else {
                continue;
            };
            let what = format!("{hook} {what}");
            let Some(script) = self.compile_inline(&source, span.clone(), &what, false) else {
                continue;
            };
            if !self.effects_known(&script, &what, span, notifications, schedules) {
                continue;
            }
            match hook {
                "on_enter" => actions.on_enter = Some(script),
                "on_exit" => actions.on_exit = Some(script),
                _ => actions.on_timeout = Some(script),
            }
        }
        actions
    }

    /// E044 for each `set_fact` of a fact the program does not declare (or keeps per person)
    /// and each `notify` of a notification it does not declare, when named by a literal.
    fn effects_known(
        &mut self,
        script: &Script,
        what: &str,
        span: std::ops::Range<usize>,
        notifications: &[Notification],
        schedules: &[crate::model::Schedule],
    ) -> bool {
        // The action's own calls: a library's are checked once, at its lines
        // (`library_effects`), not again for every action, whether it calls them or not.
        let mut own = script.ast.clone();
        own.retain_functions(|_, _, name, _| !self.functions.defines(name));
        let named = crate::effects::named(&own);
        let literals = crate::effects::literals(&own);
        let positions: Vec<rhai::Position> = named
            .iter()
            .map(|n| n.2)
            .chain(literals.iter().map(|l| l.3))
            .collect();
        let mut spans = self.call_spans(script, &span, &positions).into_iter();
        let mut ok = true;
        for (kind, name, _) in named {
            let at = spans.next().unwrap_or_else(|| span.clone());
            let problem = self.effect_problem(kind, &name, what, notifications, schedules);
            if let Some((message, help, tolerated)) = problem {
                ok &= tolerated;
                let mut r = self.reader();
                let d = r.error(Code::E044, message, at);
                d.help = Some(help);
                d.tolerated_when_stored = tolerated;
            }
        }
        // Checks newer than some stored versions: what they find never works, but runs.
        for (kind, name, literal, _) in literals {
            let at = spans.next().unwrap_or_else(|| span.clone());
            if let Some((message, help)) = self.literal_problem(kind, &name, &literal, what) {
                let mut r = self.reader();
                let d = r.error(Code::E044, message, at);
                d.help = Some(help);
                d.tolerated_when_stored = true;
            }
        }
        ok
    }

    /// What is wrong with a `set_fact`, `notify`, `start_schedule` or `stop_schedule` naming
    /// `name`, how to fix it, and whether a stored version may have it (it never works, but
    /// the check came after versions were stored).
    pub(super) fn effect_problem(
        &mut self,
        kind: &str,
        name: &str,
        what: &str,
        notifications: &[Notification],
        schedules: &[crate::model::Schedule],
    ) -> Option<(String, String, bool)> {
        let name = name.to_string();
        // A notice reading `trigger` never renders from an action: tolerated when stored.
        if kind == "notify"
            && notifications
                .iter()
                .any(|n| n.name == name && n.reads_trigger)
        {
            return Some((
                format!("{what} sends notification `{name}`, whose template reads `trigger`, which an action does not give"),
                "send it on a trigger only (on = [...]), or read pairing and facts instead of trigger".into(),
                true,
            ));
        }
        let problem = match kind {
            "set_fact" => match self.fact_names.get(&name) {
                None => Some((
                    format!("{what} sets undeclared fact `{name}`"),
                    help_did_you_mean(&name, self.fact_names.keys().map(String::as_str))
                        .unwrap_or_else(|| format!("declare [facts.{name}]")),
                )),
                Some(f) if f.per.is_some() => Some((
                    format!("{what} sets `{name}`, which is kept per person"),
                    "an action sets facts of the pairing; record per-person facts with `mentorflow record --person`".into(),
                )),
                Some(_) => None,
            },
            // A schedule declared with an error has its own message.
            "start_schedule" | "stop_schedule"
                if schedules.iter().all(|s| s.name != name)
                    && self.history_names.schedules.contains(&name) =>
            {
                None
            }
            "start_schedule" | "stop_schedule" => schedule_problem(schedules, kind, &name, what),
            _ if notifications.iter().all(|n| n.name != name) => Some((
                format!("{what} sends undeclared notification `{name}`"),
                help_did_you_mean(&name, notifications.iter().map(|n| n.name.as_str()))
                    .unwrap_or_else(|| format!("declare [notifications.{name}] with a subject, a body and the roles it goes to")),
            )),
            _ => None,
        };
        problem.map(|(message, help)| (message, help, false))
    }

    /// Where in the file each of `positions` in an action's script is: the call's name under
    /// the caret, or the whole action when the script's text is not the file's (a string with
    /// escapes).
    fn call_spans(
        &self,
        script: &Script,
        whole: &std::ops::Range<usize>,
        positions: &[rhai::Position],
    ) -> Vec<std::ops::Range<usize>> {
        let Some(file) = self.sources.file(self.file) else {
            return vec![whole.clone(); positions.len()];
        };
        let placement = crate::scripts::Placement {
            file,
            file_index: self.file,
            content_start: super::verbatim_start(&file.text[whole.clone()], &script.source)
                .map(|o| whole.start + o),
            whole: whole.clone(),
        };
        positions
            .iter()
            .map(|pos| {
                let at = placement.span_at(*pos);
                at.start..at.end
            })
            .collect()
    }

    /// Whether a notice may go to `role`: a role of a type, or `coordinator` when the program
    /// names its coordinators.
    fn goes_to(&self, role: &str) -> bool {
        self.role_names.iter().any(|r| r == role)
            || (role == COORDINATOR && !self.coordinators.is_empty())
    }

    /// How to fix a role that no type has: the one meant, or every role.
    fn role_help(&self, role: &str) -> String {
        if role == COORDINATOR {
            return "name who that is: [program] coordinators = [\"mentoring-office@example.com\"]"
                .into();
        }
        help_did_you_mean(role, self.role_names.iter().map(String::as_str)).unwrap_or_else(|| {
            format!(
                "the roles are: {}, or coordinator with [program] coordinators",
                self.role_names.join(", ")
            )
        })
    }

    /// A role `notify` names that no type has, or a constant `set_fact` gives that is not of
    /// the fact's type: at run time the notice reaches nobody, or the command is refused.
    fn literal_problem(
        &self,
        kind: &str,
        name: &str,
        literal: &crate::effects::Literal,
        what: &str,
    ) -> Option<(String, String)> {
        use crate::effects::Literal;
        use crate::value::ValueKind as K;
        match literal {
            Literal::Role(role) if !self.goes_to(role) => Some((
                format!("{what} sends `{name}` to `{role}`, which is no role of any type"),
                self.role_help(role),
            )),
            Literal::Value(given, shown) if kind == "set_fact" => {
                let declared = self.fact_names.get(name)?.kind?;
                let fits = match declared {
                    K::Int => *given == K::Int,
                    K::Float => matches!(given, K::Int | K::Float),
                    K::Bool => *given == K::Bool,
                    K::Text | K::Date => *given == K::Text,
                    K::List => false,
                };
                (!fits).then(|| {
                    (
                        format!(
                            "{what} sets `{name}` ({}) to {shown} ({})",
                            declared.with_article(),
                            given.with_article()
                        ),
                        format!("give `{name}` {}", declared.with_article()),
                    )
                })
            }
            _ => None,
        }
    }
}

/// What is wrong with an action starting or stopping schedule `name`, and how to fix it.
fn schedule_problem(
    schedules: &[crate::model::Schedule],
    kind: &str,
    name: &str,
    what: &str,
) -> Option<(String, String)> {
    let named: Vec<&crate::model::Schedule> = schedules.iter().filter(|s| s.name == name).collect();
    if named.is_empty() {
        return Some((
            format!(
                "{what} {} undeclared schedule `{name}`",
                if kind == "start_schedule" {
                    "starts"
                } else {
                    "stops"
                }
            ),
            help_did_you_mean(name, schedules.iter().map(|s| s.name.as_str()))
                .unwrap_or_else(|| format!("declare [schedules.{name}] with anchor = \"started\"")),
        ));
    }
    let startable = named
        .iter()
        .any(|s| s.anchor == crate::model::Anchor::Started);
    (kind == "start_schedule" && !startable).then(|| {
        (
            format!(
                "{what} starts schedule `{name}`, which counts from {} instead",
                named[0].anchor
            ),
            format!("write anchor = \"started\" in [schedules.{name}] so an action starts it"),
        )
    })
}

/// Why a known trigger can still never happen in this program, and the fix: a warning of a
/// timer with no `warn`, an overdue stage with no `due` or a terminal one.
fn never_fires(
    trigger: &str,
    (stages, transitions, types, schedules): (
        &[Stage],
        &[crate::model::Transition],
        &[crate::model::MentoringType],
        &[crate::model::Schedule],
    ),
) -> Option<(String, String)> {
    let (kind, name) = match trigger.split_once(':') {
        Some((kind, name)) => (kind, Some(name)),
        None => (trigger, None),
    };
    let has_due = |s: &Stage| {
        !s.is_terminal()
            && (s.due.is_some()
                || types
                    .iter()
                    .flat_map(|t| &t.stages)
                    .any(|o| o.stage == s.id && o.due.is_some()))
    };
    match (kind, name) {
        // A schedule kept per person comes due for each person on their own: not announced.
        ("due", Some(id)) if schedules.iter().any(|s| s.name == id && s.per.is_some()) => Some((
            format!("`{id}` is kept per person, and only a schedule of the pairing is announced when it comes due"),
            "send it on `missed:` instead, or announce a schedule of the pairing".into(),
        )),
        ("warned", _) => {
            let warns = transitions
                .iter()
                .filter(|t| name.is_none_or(|l| t.label == l))
                .any(|t| t.timer().is_some_and(|timer| timer.warn.is_some()));
            let whose = name.map_or("no timer".to_string(), |l| {
                format!("no timer labelled `{l}`")
            });
            (!warns).then(|| {
                (
                    format!("{whose} has a `warn`, so a tick never warns"),
                    "give the timer a lead time, e.g. warn = \"7d\", or send it on another trigger"
                        .into(),
                )
            })
        }
        ("overdue", Some(id)) => {
            let stage = stages.iter().find(|s| s.id == id)?;
            match (stage.is_terminal(), has_due(stage)) {
                (true, _) => Some((
                    format!("`{id}` is a terminal stage, which is never overdue"),
                    "send it on a running stage's overdue".into(),
                )),
                (false, false) => Some((
                    format!("stage `{id}` has no `due`, so it is never overdue"),
                    format!("give it one: [stages.{id}] due = \"14d\""),
                )),
                _ => None,
            }
        }
        ("overdue", None) => (!stages.iter().any(has_due)).then(|| {
            (
                "no running stage has a `due`, so none is ever overdue".to_string(),
                "give a stage one: due = \"14d\"".to_string(),
            )
        }),
        _ => None,
    }
}
