//! A stage's actions at work: when a pairing enters a stage (at enrolment too), leaves it, or
//! is moved out by a timer, the stage's action runs in the sandbox and its effects become
//! events of the same command: `set_fact` one `facts_recorded` event, `notify` a `notified`
//! event with the notification rendered. An action that fails refuses the whole command, with
//! the same explanation as a guard's error.

use mentorflow_dsl::{Script, Value, ValueKind};
use rhai::Dynamic;

use crate::decide::engine::{Actor, Engine};
use crate::model::event::{Event, EventKind, Move, Recipient};
use crate::model::pairing::Pairing;
use crate::rules::engine_error::EngineError;
use crate::rules::runtime::Context;

/// The reason an action's events carry: `action: on_enter of stage ramping`.
const PREFIX: &str = "action: ";

/// Whether `event` was made by a stage's action.
pub fn is_action(event: &Event) -> bool {
    event
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with(PREFIX))
}

/// What an action asked for.
#[derive(Debug, Clone)]
enum Effect {
    SetFact(String, Dynamic),
    Notify(String, Option<Vec<String>>),
    Start(String),
    Stop(String),
}

impl Engine {
    /// The events of the actions a move sets off: a timer's `on_timeout` and the `on_exit` of
    /// the stage left, then the `on_enter` of the stage entered. Nothing for another event.
    pub fn after_move(
        &self,
        pairing: &mut Pairing,
        event: &Event,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let EventKind::Moved { from, to, by, .. } = &event.kind else {
            return Ok(Vec::new());
        };
        let program = &*self.program;
        let ty = pairing.type_id;
        let mut hooks: Vec<(&str, &str, &Script)> = Vec::new();
        let mut add = |stage: &str, hook: &'static str| {
            if let Some((id, script)) = action(program, &ty, stage, hook) {
                hooks.push((hook, id, script));
            }
        };
        if *by == Move::Timer {
            add(from, "on_timeout");
        }
        add(from, "on_exit");
        // Going back from a pause resumes the stage: its entry actions ran when it began.
        let resumed = program.stage(from).is_some_and(|s| s.pause)
            && pairing
                .paused
                .as_ref()
                .is_some_and(|p| p.stage == *to && p.resumed == Some(event.at));
        if !resumed {
            add(to, "on_enter");
        }
        let mut events = Vec::new();
        for (hook, stage, script) in hooks {
            events.extend(self.act(pairing, hook, stage, script, actor)?);
        }
        Ok(events)
    }

    /// The events of the actions of every move (and enrolment) the pairing made since they
    /// last ran.
    pub(crate) fn run_pending(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let mut events = Vec::new();
        for event in std::mem::take(&mut pairing.pending) {
            match event.kind {
                EventKind::Enrolled { .. } => events.extend(self.after_enrolment(pairing, actor)?),
                _ => events.extend(self.after_move(pairing, &event, actor)?),
            }
        }
        Ok(events)
    }

    /// The events of the first stage's `on_enter`, for a pairing just enrolled.
    pub fn after_enrolment(
        &self,
        pairing: &mut Pairing,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let program = &*self.program;
        match action(program, &pairing.type_id, &pairing.stage, "on_enter") {
            Some((stage, script)) => self.act(pairing, "on_enter", stage, script, actor),
            None => Ok(Vec::new()),
        }
    }

    /// Runs one action and stores what it asks for.
    fn act(
        &self,
        pairing: &mut Pairing,
        hook: &str,
        stage: &str,
        script: &Script,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let what = format!("{hook} of stage `{stage}`");
        let value = {
            let ctx = Context::of(&self.program, pairing, actor.now);
            self.runtime.eval_value(script, &ctx)?
        };
        let effects =
            effects(value).map_err(|problem| self.action_error(pairing, &what, problem))?;
        let reason = format!("{PREFIX}{what}");
        let mut facts = Vec::new();
        let mut notices = Vec::new();
        let mut switches = Vec::new();
        for effect in effects {
            match effect {
                Effect::SetFact(name, value) => {
                    let value = self
                        .fact_value(&name, value)
                        .map_err(|problem| self.action_error(pairing, &what, problem))?;
                    facts.push((mentorflow_dsl::Name::new(&name), value));
                }
                Effect::Start(name) | Effect::Stop(name)
                    if self.program.schedules.iter().all(|s| s.name != name) =>
                {
                    return Err(self.action_error(
                        pairing,
                        &what,
                        format!("the program has no schedule `{name}`"),
                    ));
                }
                Effect::Start(schedule) => switches.push(EventKind::ScheduleStarted { schedule }),
                Effect::Stop(schedule) => switches.push(EventKind::ScheduleStopped { schedule }),
                Effect::Notify(name, roles) => notices.push((name, roles)),
            }
        }
        let mut events = Vec::new();
        if !facts.is_empty() {
            let kind = EventKind::FactsRecorded {
                facts,
                person: None,
            };
            events.push(self.emit(pairing, actor, Some(&reason), kind)?);
        }
        for kind in switches {
            events.push(self.emit(pairing, actor, Some(&reason), kind)?);
        }
        // Rendered after the facts the same action set: a template reads them as they are now.
        for (name, roles) in notices {
            let kind = self
                .notice(pairing, &name, roles, None, actor)
                .map_err(|problem| self.action_error(pairing, &what, problem))?;
            events.push(self.emit(pairing, actor, Some(&reason), kind)?);
        }
        Ok(events)
    }

    fn action_error(&self, pairing: &Pairing, what: &str, problem: String) -> EngineError {
        EngineError::Action {
            pairing: pairing.id.to_string(),
            what: what.to_string(),
            problem,
        }
    }

    /// An effect's value as the fact's declared type, within its bounds.
    fn fact_value(&self, name: &str, value: Dynamic) -> Result<Value, String> {
        let decl = self
            .program
            .fact(name)
            .ok_or_else(|| format!("set_fact names undeclared fact `{name}`"))?;
        if decl.per.is_some() {
            return Err(format!(
                "`{name}` is kept per person; an action sets facts of the pairing"
            ));
        }
        let date = value
            .clone()
            .try_cast::<mentorflow_dsl::dates::ScriptDate>();
        let given = match &date {
            Some(d) => d.0.to_string(),
            None => value.to_string(),
        };
        let typed = match decl.kind {
            ValueKind::Bool => value.as_bool().ok().map(Value::Bool),
            ValueKind::Int => value.as_int().ok().map(Value::Int),
            ValueKind::Float => value
                .as_float()
                .ok()
                .or_else(|| value.as_int().ok().map(|i| i as f64))
                .map(Value::Float),
            ValueKind::Text => value
                .into_immutable_string()
                .ok()
                .map(|s| Value::Text(s.to_string())),
            ValueKind::Date => match date {
                Some(d) => Some(Value::Date(d.0)),
                None => value
                    .into_immutable_string()
                    .ok()
                    .and_then(|s| decl.parse(&s).ok()),
            },
            ValueKind::List => value
                .into_typed_array::<rhai::ImmutableString>()
                .ok()
                .map(|items| Value::List(items.into_iter().map(|s| s.to_string()).collect())),
        };
        let typed = typed.ok_or_else(|| {
            format!(
                "set_fact(\"{name}\", {given}): `{name}` is {} fact",
                decl.kind.with_article()
            )
        })?;
        decl.check(&typed)
            .map_err(|e| format!("set_fact(\"{name}\", {given}): {e}"))?;
        Ok(typed)
    }

    /// The notifications sent by what a tick noticed (`event`: missed occurrences, a timer's
    /// warning, an overdue stage), for those declaring it in `on`.
    pub(crate) fn triggered(
        &self,
        pairing: &mut Pairing,
        event: &Event,
        actor: &Actor<'_>,
    ) -> Result<Vec<Event>, EngineError> {
        let Some((kind, name, about)) = self.trigger_of(event) else {
            return Ok(Vec::new());
        };
        let named = format!("{kind}:{name}");
        let program = &*self.program;
        let mut events = Vec::new();
        for n in program
            .notifications
            .iter()
            .filter(|n| n.on.iter().any(|t| *t == kind || *t == named))
        {
            let what = format!("notification `{}` on {named}", n.name);
            let notice = self
                .notice(pairing, &n.name, None, Some(about.clone()), actor)
                .map_err(|problem| self.action_error(pairing, &what, problem))?;
            let reason = format!("{PREFIX}on {named}");
            events.push(self.emit(pairing, actor, Some(&reason), notice)?);
        }
        Ok(events)
    }

    /// What a tick noticed, as a trigger: its kind, what it names, and what templates see of
    /// it (`trigger`).
    fn trigger_of(&self, event: &Event) -> Option<(&'static str, String, serde_json::Value)> {
        match &event.kind {
            EventKind::Missed {
                schedule,
                occurrences,
                person,
                ..
            } => Some((
                "missed",
                schedule.clone(),
                serde_json::json!({"kind": "missed", "schedule": schedule, "occurrences": occurrences, "person": person}),
            )),
            EventKind::Warned {
                transition,
                to,
                fires,
            } => {
                let label = self
                    .program
                    .transitions
                    .iter()
                    .find(|t| t.number() == *transition)
                    .map(|t| t.label.clone())
                    .unwrap_or_default();
                Some((
                    "warned",
                    label.clone(),
                    serde_json::json!({"kind": "warned", "label": label, "to": &**to, "fires": fires.to_rfc3339()}),
                ))
            }
            EventKind::ComesDue {
                schedule,
                occurrence,
                due,
                turn,
                ..
            } => Some((
                "due",
                schedule.clone(),
                serde_json::json!({"kind": "due", "schedule": schedule, "occurrence": occurrence, "due": due.to_rfc3339(), "turn": turn}),
            )),
            EventKind::BecameOverdue { stage, due } => Some((
                "overdue",
                stage.to_string(),
                serde_json::json!({"kind": "overdue", "stage": &**stage, "due": due.to_rfc3339()}),
            )),
            _ => None,
        }
    }

    /// The `notified` event for notification `name`, rendered for `pairing` now; `trigger`
    /// is what a tick noticed, for a notification it sent.
    fn notice(
        &self,
        pairing: &Pairing,
        name: &str,
        roles: Option<Vec<String>>,
        trigger: Option<serde_json::Value>,
        actor: &Actor<'_>,
    ) -> Result<EventKind, String> {
        let notification = self
            .program
            .notifications
            .iter()
            .find(|n| n.name == name)
            .ok_or_else(|| format!("notify names undeclared notification `{name}`"))?;
        let roles = roles.unwrap_or_else(|| notification.to.clone());
        let mut to: Vec<Recipient> = pairing
            .participants
            .iter()
            .filter(|p| roles.is_empty() || roles.iter().any(|r| *r == p.role))
            .map(|p| Recipient {
                id: p.id.clone(),
                role: p.role.to_string(),
            })
            .collect();
        // The people running the program, when it names them and the notice goes to them.
        if roles
            .iter()
            .any(|r| r == mentorflow_dsl::model::COORDINATOR)
        {
            to.extend(self.program.coordinators.iter().map(|c| Recipient {
                id: c.clone(),
                role: mentorflow_dsl::model::COORDINATOR.to_string(),
            }));
        }
        let mut context = crate::decide::notifications::context(&self.program, pairing, actor.now);
        if let (Some(trigger), Some(map)) = (trigger, context.as_object_mut()) {
            map.insert("trigger".into(), trigger);
        }
        let render = |part: &str, template: &str| {
            mentorflow_dsl::templates::render(template, &context)
                .map_err(|e| format!("the {part} of notification `{name}` cannot be rendered: {e}"))
        };
        Ok(EventKind::Notified {
            notification: name.to_string(),
            to,
            subject: render("subject", &notification.subject)?,
            body: render("body", &notification.body)?,
        })
    }
}

/// The script `hook` of `stage` runs for type `ty`, with the stage's id.
fn action<'p>(
    program: &'p mentorflow_dsl::Program,
    ty: &str,
    stage: &str,
    hook: &str,
) -> Option<(&'p str, &'p Script)> {
    let id = program.stage(stage)?.id.as_str();
    program.action(ty, stage, hook).map(|script| (id, script))
}

/// The effects an action's value asks for: one effect, a list of them, or nothing.
fn effects(value: Dynamic) -> Result<Vec<Effect>, String> {
    if value.is_unit() {
        return Ok(Vec::new());
    }
    let items = if value.is_array() {
        value.into_array().unwrap_or_default()
    } else {
        vec![value]
    };
    let effects: Vec<Dynamic> = items.into_iter().filter(|v| !v.is_unit()).collect();
    if effects.len() > MAX_EFFECTS {
        return Err(format!(
            "the action gave {} effects, more than the {MAX_EFFECTS} one action may give",
            effects.len()
        ));
    }
    effects.into_iter().map(effect).collect()
}

/// The most effects one action may give: an action sets a few facts and sends a few notices
/// (one enrolment queued 300 notices of a megabyte each).
const MAX_EFFECTS: usize = 50;

fn effect(value: Dynamic) -> Result<Effect, String> {
    let shown = value.to_string();
    let not_an_effect = || {
        format!("`{shown}` is not an effect; an action gives set_fact(NAME, VALUE), notify(NAME) or a list of them")
    };
    let map = value.try_cast::<rhai::Map>().ok_or_else(not_an_effect)?;
    let text = |key: &str| {
        map.get(key)
            .and_then(|v| v.clone().into_immutable_string().ok())
    };
    match text(mentorflow_dsl::effects::KIND).as_deref() {
        Some("set_fact") => Ok(Effect::SetFact(
            text("fact").ok_or_else(not_an_effect)?.to_string(),
            map.get("value").cloned().unwrap_or(Dynamic::UNIT),
        )),
        Some(kind @ ("start_schedule" | "stop_schedule")) => {
            let name = text("schedule").ok_or_else(not_an_effect)?.to_string();
            Ok(if kind == "start_schedule" {
                Effect::Start(name)
            } else {
                Effect::Stop(name)
            })
        }
        Some("notify") => {
            let roles = match map.get("to") {
                Some(v) if v.is_array() => Some(
                    v.clone()
                        .into_typed_array::<rhai::ImmutableString>()
                        .map_err(|_| {
                            "notify's roles are a list of texts, e.g. [\"mentor\"]".to_string()
                        })?
                        .into_iter()
                        .map(|s| s.to_string())
                        .collect(),
                ),
                _ => None,
            };
            Ok(Effect::Notify(
                text("notification").ok_or_else(not_an_effect)?.to_string(),
                roles,
            ))
        }
        _ => Err(not_an_effect()),
    }
}
