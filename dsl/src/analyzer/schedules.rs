//! The `[schedules]` section: recurring or one-off activities with their cadence and anchor.

use super::*;
use crate::model::{Anchor, Cadence, MentoringType, Schedule};

/// How long a duration is, roughly, for comparing durations of different units.
fn hours(d: Due) -> u64 {
    match d {
        Due::Hours(n) => u64::from(n),
        Due::Days(n) => u64::from(n) * 24,
        Due::Weeks(n) => u64::from(n) * 24 * 7,
        Due::Months(n) => u64::from(n) * 24 * 30,
        Due::Years(n) => u64::from(n) * 24 * 365,
    }
}

impl Analyzer<'_> {
    pub(super) fn schedules(
        &mut self,
        top: &Table<'_, '_>,
        stages: &[Stage],
        types: &[MentoringType],
    ) -> Vec<Schedule> {
        let mut out = Vec::new();
        if let Some(table) = self.reader().table(top, "schedules", "[schedules]".into()) {
            self.read_schedules(&table, "[schedules]", stages, types, &mut out);
        }
        // A type's own schedules: only for that type, and in place of the program's of the
        // same name.
        let Some(DeValue::Table(declared)) = top.table.get("types").map(Spanned::get_ref) else {
            return out;
        };
        for (key, value) in declared {
            let type_id = key.get_ref().to_string();
            let DeValue::Table(t) = value.get_ref() else {
                continue;
            };
            let Some(own) = t.get("schedules") else {
                continue;
            };
            let where_ = format!("[types.{type_id}.schedules]");
            let DeValue::Table(inner) = own.get_ref() else {
                self.reader()
                    .error(
                        Code::E004,
                        format!("`schedules` of type `{type_id}` must be a table of schedules"),
                        own.span(),
                    )
                    .help = Some(format!("write them as [types.{type_id}.schedules.NAME]"));
                continue;
            };
            let table = Table {
                table: inner,
                span: own.span(),
                what: where_.clone(),
            };
            let mut theirs = Vec::new();
            self.read_schedules(&table, &where_, stages, types, &mut theirs);
            for mut schedule in theirs {
                if !schedule.types.is_empty() {
                    self.reader()
                        .error(
                            Code::E029,
                            format!(
                                "schedule `{}` of type `{type_id}` lists `types`",
                                schedule.name
                            ),
                            own.span(),
                        )
                        .help = Some(
                        "a type's own schedule applies to that type only: remove `types`".into(),
                    );
                    continue;
                }
                let replaced =
                    |s: &&mut Schedule| s.name == schedule.name && s.applies_to(&type_id);
                for program_wide in out.iter_mut().filter(replaced) {
                    program_wide.except.push(type_id.clone());
                }
                schedule.types = vec![type_id.clone()];
                out.push(schedule);
            }
        }
        out
    }

    fn read_schedules(
        &mut self,
        table: &Table<'_, '_>,
        section: &str,
        stages: &[Stage],
        types: &[MentoringType],
        out: &mut Vec<Schedule>,
    ) {
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            check_id(&mut self.reader(), &name, key.span(), "schedule name");
            let what = format!("schedule `{name}`");
            let Some(spec) = self.reader().as_table(value, &name, section, what) else {
                continue;
            };
            if let Some(schedule) = self.schedule(name, &spec, stages, types) {
                out.push(schedule);
            }
        }
    }

    fn schedule(
        &mut self,
        name: String,
        spec: &Table<'_, '_>,
        stages: &[Stage],
        types: &[MentoringType],
    ) -> Option<Schedule> {
        let mut r = self.reader();
        r.unknown_keys(spec, &super::keys::SCHEDULE);
        let title = r
            .string(spec, "title", false)
            .map_or_else(|| name.clone(), |t| t.0);
        let cadence = self.cadence(spec)?;
        let mut r = self.reader();
        let end = r.string(spec, "end", false).and_then(|d| due(&mut r, d));
        let grace = r.string(spec, "grace", false).and_then(|d| due(&mut r, d));
        let anchor = match r.string(spec, "anchor", false) {
            None => Anchor::Enrolment,
            Some((text, span)) => self.anchor(&spec.what, text, span, stages)?,
        };
        let mut r = self.reader();
        let during = match r.string(spec, "during", false) {
            Some((stage, span)) => {
                let known = stages.iter().any(|s| s.id == stage && !s.is_terminal());
                if !known {
                    let running: Vec<&str> = stages
                        .iter()
                        .filter(|s| !s.is_terminal())
                        .map(|s| s.id.as_str())
                        .collect();
                    let terminal = stages.iter().any(|s| s.id == stage);
                    let help = help_did_you_mean(&stage, running.iter().copied())
                        .filter(|_| !terminal)
                        .unwrap_or_else(|| {
                            format!(
                                "pairings never run in a terminal stage; name a running one: {}",
                                running.join(", ")
                            )
                        });
                    r.error(
                        Code::E029,
                        format!(
                            "{} runs `during` `{stage}`, which is not a running stage",
                            spec.what
                        ),
                        span,
                    )
                    .help = Some(help);
                    return None;
                }
                Some(stage)
            }
            None => None,
        };
        let type_ids: Vec<&str> = types.iter().map(|t| t.id.as_str()).collect();
        let mut applies = Vec::new();
        for (id, span) in r.strings(spec, "types").unwrap_or_default() {
            if !type_ids.contains(&id.as_str()) && !types.is_empty() {
                let help = help_did_you_mean(&id, type_ids.iter().copied())
                    .unwrap_or_else(|| format!("the types are: {}", type_ids.join(", ")));
                r.error(
                    Code::E029,
                    format!("{} names unknown type `{id}`", spec.what),
                    span,
                )
                .help = Some(help);
                return None;
            }
            applies.push(id);
        }
        let listed = r.strings(spec, "facts").unwrap_or_default();
        let rotate = self.role_of(spec, types, "rotate")?;
        let per = self.role_of(spec, types, "per")?;
        if let (Some(_), Some(_)) = (&rotate, &per) {
            self.reader()
                .error(
                    Code::E029,
                    format!("{} both rotates and is kept per person", spec.what),
                    spec.span.clone(),
                )
                .help = Some("keep one: `rotate` hands each occurrence to one person in turn; `per` gives each person occurrences of their own".into());
            return None;
        }
        let mut facts = Vec::new();
        for (fact, span) in listed {
            if !self.fact_names.contains_key(&fact) {
                let help = help_did_you_mean(&fact, self.fact_names.keys().map(String::as_str))
                    .unwrap_or_else(|| format!("declare it as [facts.{fact}]"));
                self.reader()
                    .error(
                        Code::E029,
                        format!("{} records undeclared fact `{fact}`", spec.what),
                        span,
                    )
                    .help = Some(help);
                return None;
            }
            if !self.kept_alike(&fact, per.as_deref(), &spec.what, span.clone()) {
                return None;
            }
            facts.push(fact);
        }
        let required = self.required(spec, &facts)?;
        let require = self.require(spec, &facts, per.is_some())?;
        let span = self.reader().span(spec.span.clone());
        let schedule = Schedule {
            name,
            title,
            cadence,
            anchor,
            end,
            grace,
            during,
            types: applies,
            except: Vec::new(),
            facts,
            required,
            require,
            rotate,
            per,
            span,
        };
        self.never_falls(&schedule, spec);
        Some(schedule)
    }

    /// Whether `fact` is kept where a done of the schedule records it: on the pairing for a
    /// schedule of the pairing, for the person for one kept `per` person (E029 otherwise).
    fn kept_alike(
        &mut self,
        fact: &str,
        per: Option<&str>,
        what: &str,
        span: std::ops::Range<usize>,
    ) -> bool {
        let kept = self.fact_names.get(fact).and_then(|f| f.per.clone());
        let (message, help) = match (per, kept.as_deref()) {
            (None, None) => return true,
            (Some(role), Some(k)) if k == role || k == crate::value::EVERY_PARTICIPANT => {
                return true
            }
            (Some(role), _) => (
                format!("{what} is kept per {role}, and records `{fact}`, which is not kept for each {role}"),
                format!("declare `{fact}` with per = \"{role}\" (or \"participant\"): a done --person records it for that person"),
            ),
            (None, Some(k)) => (
                format!("{what} records `{fact}`, which is kept per person (per = \"{k}\"): a `done` records its facts on the pairing"),
                format!("keep the schedule per person too (per = \"{k}\"), or keep `{fact}` on the pairing (remove its `per`)"),
            ),
        };
        self.reader().error(Code::E029, message, span).help = Some(help);
        false
    }

    /// `rotate` (whose people take turns) or `per` (whose people each have their own): a
    /// role of a type, or `participant`.
    fn role_of(
        &mut self,
        spec: &Table<'_, '_>,
        types: &[MentoringType],
        key: &str,
    ) -> Option<Option<String>> {
        let Some((role, span)) = self.reader().string(spec, key, false) else {
            return Some(None);
        };
        let roles: Vec<&str> = types
            .iter()
            .flat_map(|t| t.roles.iter().map(|r| r.name.as_str()))
            .collect();
        if role == crate::value::EVERY_PARTICIPANT
            || roles.contains(&role.as_str())
            || types.is_empty()
        {
            return Some(Some(role));
        }
        let help = help_did_you_mean(
            &role,
            roles
                .iter()
                .copied()
                .chain([crate::value::EVERY_PARTICIPANT]),
        )
        .unwrap_or_else(|| {
            format!(
                "name a role ({}) or \"participant\" for everyone",
                roles.join(", ")
            )
        });
        self.reader()
            .error(
                Code::E029,
                format!(
                    "{} has {key} = `{role}`, which is no role of any type",
                    spec.what
                ),
                span,
            )
            .help = Some(help);
        None
    }

    /// `required`: facts of the schedule's own `facts` every done must give.
    fn required(&mut self, spec: &Table<'_, '_>, facts: &[String]) -> Option<Vec<String>> {
        let listed = self.reader().strings(spec, "required").unwrap_or_default();
        let mut out = Vec::new();
        for (fact, span) in listed {
            if !facts.contains(&fact) {
                let help = help_did_you_mean(&fact, facts.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("list it in `facts` too: facts = [\"{fact}\"]"));
                self.reader()
                    .error(
                        Code::E029,
                        format!("{} requires `{fact}`, which it does not record", spec.what),
                        span,
                    )
                    .help = Some(help);
                return None;
            }
            out.push(fact);
        }
        Some(out)
    }

    /// `require`: a script over the values a done recorded (`facts.hours >= 4`), reading no
    /// fact the schedule does not record.
    fn require(
        &mut self,
        spec: &Table<'_, '_>,
        facts: &[String],
        per_person: bool,
    ) -> Option<Option<crate::model::Script>> {
        let Some((source, span)) = self.reader().string(spec, "require", false) else {
            return Some(None);
        };
        // Its values are a person's facts, which scripts read per person, not as `facts.NAME`.
        if per_person {
            self.reader()
                .error(
                    Code::E029,
                    format!("{} is kept per person and has a `require`, which only a schedule of the pairing takes", spec.what),
                    span,
                )
                .help = Some("check the values in a guard instead: mentees.all(|p| p.facts.hours >= 4)".into());
            return None;
        }
        let what = format!("require of {}", spec.what);
        let script = self.compile_inline(&source, span.clone(), &what, true)?;
        if let Some(other) = script.facts_read.iter().find(|f| !facts.contains(f)) {
            self.reader()
                .error(
                    Code::E029,
                    format!("{what} reads `facts.{other}`, which a done of it does not record"),
                    span,
                )
                .help = Some(format!(
                "read the values it records ({}), or add `{other}` to its `facts`",
                if facts.is_empty() {
                    "none yet".to_string()
                } else {
                    facts.join(", ")
                }
            ));
            return None;
        }
        Some(Some(script))
    }

    /// `every` (with `until` and `then`) or `at`; exactly one.
    fn cadence(&mut self, spec: &Table<'_, '_>) -> Option<Cadence> {
        let mut r = self.reader();
        let every = r.string(spec, "every", false).and_then(|d| due(&mut r, d));
        let until = r.string(spec, "until", false).and_then(|d| due(&mut r, d));
        let then = r.string(spec, "then", false).and_then(|d| due(&mut r, d));
        let at = r.strings(spec, "at");
        let wrong = |r: &mut Reader<'_>, message: String, help: &str| {
            r.error(
                Code::E029,
                format!("{} {message}", spec.what),
                spec.span.clone(),
            )
            .help = Some(help.to_string());
            None
        };
        // An `every` whose duration is wrong has been reported (E005): it is no missing cadence.
        let every_given = spec.table.get("every").is_some();
        match (every, at) {
            (None, None) if every_given => None,
            (None, None) => wrong(&mut r, "has no cadence".into(), "give `every = \"1w\"` (recurring) or `at = [\"14d\", \"45d\", \"90d\"]` (at fixed offsets)"),
            (Some(_), Some(_)) => wrong(&mut r, "has both `every` and `at`".into(), "keep one: `every` recurs, `at` lists fixed offsets"),
            (Some(every), None) => match (until, then) {
                (None, None) => Some(Cadence::Every { every, until, then }),
                (Some(_), Some(_)) => Some(Cadence::Every { every, until, then }),
                _ => wrong(&mut r, "has only one of `until` and `then`".into(), "a cadence that changes needs both: every = \"1w\", until = \"8w\", then = \"2w\""),
            },
            (None, Some(offsets)) => {
                if until.is_some() || then.is_some() {
                    return wrong(&mut r, "has `until` or `then` with `at`".into(), "`until` and `then` change an `every` cadence; with `at`, list every offset");
                }
                let mut dues = Vec::new();
                for (text, span) in offsets {
                    dues.push(due(&mut r, (text, span))?);
                }
                if dues.is_empty() {
                    return wrong(&mut r, "has an empty `at`".into(), "list the offsets, e.g. at = [\"14d\", \"45d\", \"90d\"]");
                }
                if dues.windows(2).any(|w| hours(w[0]) >= hours(w[1])) {
                    return wrong(&mut r, "lists its `at` offsets out of order".into(), "list them from the earliest: at = [\"14d\", \"45d\", \"90d\"]");
                }
                Some(Cadence::At(dues))
            }
        }
    }

    /// `enrolment`, a stage id, or `facts.NAME` of a date fact.
    fn anchor(
        &mut self,
        what: &str,
        text: String,
        span: Range<usize>,
        stages: &[Stage],
    ) -> Option<Anchor> {
        if text == "enrolment" {
            return Some(Anchor::Enrolment);
        }
        if text == "started" {
            return Some(Anchor::Started);
        }
        if let Some(fact) = text.strip_prefix("facts.") {
            let is_date = self
                .fact_names
                .get(fact)
                .is_some_and(|f| f.kind == Some(ValueKind::Date));
            if !is_date {
                self.reader()
                    .error(Code::E029, format!("{what} is anchored to `{text}`, which is not a declared date fact"), span)
                    .help = Some(format!("declare [facts.{fact}] with type = \"date\", or anchor to \"enrolment\" or a stage"));
                return None;
            }
            return Some(Anchor::Fact(fact.to_string()));
        }
        if stages.iter().any(|s| s.id == text) {
            return Some(Anchor::Stage(text));
        }
        let help =
            help_did_you_mean(&text, stages.iter().map(|s| s.id.as_str())).unwrap_or_else(|| {
                format!(
                    "write \"enrolment\", \"started\" (by an action), a stage ({}), or facts.NAME of a date fact",
                    stage_list(stages)
                )
            });
        self.reader()
            .error(
                Code::E029,
                format!("{what} is anchored to unknown `{text}`"),
                span,
            )
            .help = Some(help);
        None
    }

    /// W009 when no occurrence can fall before the schedule's end.
    fn never_falls(&mut self, schedule: &Schedule, spec: &Table<'_, '_>) {
        let Some(end) = schedule.end else {
            return;
        };
        let first = match &schedule.cadence {
            Cadence::Every { every, .. } => *every,
            Cadence::At(offsets) => offsets[0],
        };
        if hours(first) > hours(end) {
            let span = self.reader().span(spec.span.clone());
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::W009,
                    format!(
                        "{} can never fall: its first occurrence ({first}) comes after its end ({end})",
                        spec.what
                    ),
                    span,
                )
                .with_help("make `end` later, or the cadence shorter".to_string()),
            );
        }
    }
}
