//! Running a scenario: its people, pairings and steps, each step one of the coordinator's own
//! commands over a store in memory, on a fixed clock; the program's invariants checked after
//! every step.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Due, Program, ValueKind};

use crate::base::clock::FixedClock;
use crate::coordinator::error::{EngineError, Error};
use crate::coordinator::{Advance, Coordinator, Enrolment, Options, SCRIPT_BUDGET};
use crate::decide::engine::FactChange;
use crate::model::event::{Event, EventKind};
use crate::model::pairing::Pairing;
use crate::store::Filter;

use super::files::Files;
use super::scenario::{
    toml_to_value, typed, MatchStep, PairingSpec, People, Refused, Scenario, ScenarioParticipant,
    ScenarioPerson, Step,
};
use super::transcript::{Entry, Problem, StepKind, Transcript};

/// Runs a scenario on `program` (read from `source`) on a fixed clock, through a coordinator
/// over a store in memory: every step is exactly the store's command, with the same checks,
/// automatic moves, successors, capacity and notifications. `files` reads the files it names.
pub fn run(program: &Program, source: &str, scenario: &Scenario, files: &dyn Files) -> Transcript {
    match Run::start(program, source, scenario, files) {
        Ok(mut run) => {
            for (i, step) in scenario.steps.iter().enumerate() {
                if let Err(problem) = run.checked_step(step) {
                    run.t.fail(Some(i + 1), problem);
                    break;
                }
            }
            run.finish()
        }
        Err(t) => *t,
    }
}

/// A scenario as it runs: its coordinator, its pairings, its clock and what it has shown.
pub(crate) struct Run<'s> {
    program: &'s Program,
    source: &'s str,
    scenario: &'s Scenario,
    files: &'s dyn Files,
    pub(crate) coordinator: Coordinator,
    /// The pairing written at the top of the scenario, as the store named it.
    first: Option<String>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) t: Transcript,
}

/// A command's outcome: its events, or the coordinator's refusal.
type Outcome = Result<Vec<Event>, Error>;

impl<'s> Run<'s> {
    /// The store with the scenario's people and pairings, its invariants checked; or the
    /// transcript of why it could not start.
    pub(crate) fn start(
        program: &'s Program,
        source: &'s str,
        scenario: &'s Scenario,
        files: &'s dyn Files,
    ) -> Result<Run<'s>, Box<Transcript>> {
        let mut t = Transcript::default();
        let now = match start_time(scenario) {
            Ok(now) => now,
            Err(e) => {
                t.fail(None, Problem::BadStart(e));
                return Err(Box::new(t));
            }
        };
        t.entries.push(Entry::Start {
            program: program.id.clone(),
            hash: program.hash.clone(),
            type_id: scenario.type_id.clone(),
            at: now,
        });
        if let Some(problem) = before_start(program, scenario) {
            t.fail(None, problem);
            return Err(Box::new(t));
        }
        let store = match crate::store::in_memory() {
            Ok(store) => store,
            Err(e) => {
                t.fail(None, Problem::Store(e.to_string()));
                return Err(Box::new(t));
            }
        };
        let options = Options {
            actor: scenario.actor.clone(),
            at: Some(now),
            clock: Arc::new(FixedClock::new(now)),
            script_budget: SCRIPT_BUDGET,
            lock_wait: crate::store::LOCK_WAIT,
        };
        let mut run = Run {
            program,
            source,
            scenario,
            files,
            coordinator: Coordinator::with_store(store, options),
            first: None,
            now,
            t,
        };
        match run.set_up() {
            Ok(true) => Ok(run),
            Ok(false) => Err(Box::new(run.t)),
            Err(problem) => {
                run.t.fail(None, problem);
                Err(Box::new(run.t))
            }
        }
    }

    /// The people, the pairing at the top and the `[[pairings]]`; whether the steps run.
    fn set_up(&mut self) -> Result<bool, Problem> {
        let scenario = self.scenario;
        match &scenario.people {
            Some(People::File(path)) => {
                let edits = self
                    .files
                    .people(&scenario.file(path))
                    .map_err(Problem::File)?;
                self.register_edits(&edits)?;
            }
            Some(People::Written(people)) => self.register(people)?,
            None => {}
        }
        if let Some(type_id) = &scenario.type_id {
            let top = PairingSpec {
                // The store names pairings p-1, p-2 ...: another name is kept as a label.
                id: (scenario.pairing != "p-1").then(|| scenario.pairing.clone()),
                type_id: type_id.clone(),
                participants: scenario.participants.clone(),
            };
            match self.enrol_top(&top)? {
                Some(id) => self.first = Some(id),
                None => return Ok(false),
            }
        }
        for spec in &scenario.pairings {
            let enrolled = self.enrol(spec);
            self.printed();
            self.refusable(StepKind::Enrol, enrolled, None)?;
        }
        self.invariants()?;
        Ok(true)
    }

    /// Enrols the pairing written at the top: its id, or `None` when it was refused (as
    /// `expect_enrolment` expects, or as a failure already noted).
    fn enrol_top(&mut self, top: &PairingSpec) -> Result<Option<String>, Problem> {
        let refused_expected = self.scenario.expect_enrolment.is_some();
        let enrolled = self.enrol(top);
        self.printed();
        let error = match enrolled {
            Ok(events) => {
                let id = events.first().map(|e| e.pairing.to_string());
                if refused_expected {
                    self.t.fail(None, Problem::EnrolmentAccepted);
                }
                self.note_all(events);
                return Ok(id);
            }
            Err(e) => e,
        };
        let mut errors = engine_errors(error)?;
        let e = errors.remove(0);
        self.t.entries.push(Entry::Refused(e.clone()));
        match (refused_expected, enrolment_refusal(&e)) {
            (true, Ok(())) => {}
            (true, Err(problem)) => self.t.fail(None, problem),
            (false, _) => self.t.fail(None, Problem::EnrolmentRefused(e)),
        }
        Ok(None)
    }

    /// Runs one step, then checks the invariants.
    pub(crate) fn checked_step(&mut self, step: &Step) -> Result<(), Problem> {
        let actor = step.actor.as_deref().unwrap_or(&self.scenario.actor);
        self.coordinator.act_as(actor);
        let done = self.step(step);
        self.printed();
        done?;
        self.invariants()
    }

    /// Runs one step: one command, applied whole or not at all, as in the store.
    fn step(&mut self, step: &Step) -> Result<(), Problem> {
        let kind = shape(step)?;
        if let Some(Refused::Kind(k)) = &step.refused {
            if !REFUSALS.contains(&k.as_str()) {
                return Err(Problem::UnknownRefusal(k.clone()));
            }
        }
        let outcome = match kind {
            Shape::Cohort(cohort) => return self.cohort(cohort, step),
            Shape::Expect => return super::expect::expect(self, step),
            Shape::One(one) => {
                let id = self.target(step)?;
                self.one(one, &id, step)
            }
        }?;
        match outcome {
            Some((kind, outcome)) => self.refusable(kind, outcome, step.refused.as_ref()),
            None => Ok(()),
        }
    }

    /// A step on one pairing: the command's kind and outcome (none: a force, which nothing
    /// can expect to be refused, noted already).
    fn one(
        &mut self,
        one: One<'_>,
        id: &str,
        step: &Step,
    ) -> Result<Option<(StepKind, Outcome)>, Problem> {
        let c = &mut self.coordinator;
        let person = step.person.as_deref();
        Ok(Some(match one {
            One::Record(facts) => {
                let changes = fact_changes(self.program, facts);
                let recorded = c.record_for(id, person, &changes);
                (StepKind::Record, recorded.map(|r| r.events))
            }
            One::Add(amounts) => {
                let changes: Vec<(String, FactChange)> = amounts
                    .iter()
                    .map(|(name, n)| {
                        // A duration for a date (`end_date = "6w"`) is a string: its text.
                        let amount = n.as_str().map_or_else(|| n.to_string(), str::to_string);
                        (name.clone(), FactChange::Add(amount))
                    })
                    .collect();
                let recorded = c.record_for(id, person, &changes);
                (StepKind::Record, recorded.map(|r| r.events))
            }
            One::Advance(to) => (StepKind::Advance, c.advance(id, &to)),
            One::Withdraw(reason) => (StepKind::Withdraw, c.withdraw(id, reason)),
            One::Join(who) => {
                undeclared(self.program, std::slice::from_ref(who)).map_err(Problem::Engine)?;
                let joined = c.join(id, &who.participant(self.program));
                (StepKind::Participants, joined)
            }
            One::Leave(who) => {
                let reason = step.reason.as_deref().unwrap_or_default();
                (StepKind::Participants, c.leave(id, who, reason))
            }
            One::Replace(who, by) => {
                undeclared(self.program, std::slice::from_ref(by)).map_err(Problem::Engine)?;
                let by = by.participant(self.program);
                let replaced = c.replace(id, who, &by, step.reason.as_deref());
                (StepKind::Participants, replaced)
            }
            One::Force(to) => {
                let force = Advance::Force {
                    to: to.clone(),
                    reason: step.reason.clone().unwrap_or_default(),
                };
                let events = c.advance(id, &force).map_err(failed)?;
                self.note_all(events);
                return Ok(None);
            }
            One::Done(schedule) => {
                let facts = fact_changes(self.program, step.with.iter().flatten());
                (StepKind::Done, c.done(id, schedule, None, &facts, person))
            }
        }))
    }

    /// A step on the whole cohort (or its registry, or a new pairing).
    fn cohort(&mut self, cohort: Cohort<'_>, step: &Step) -> Result<(), Problem> {
        let refused = step.refused.as_ref();
        match cohort {
            Cohort::Wait(wait) => {
                self.now = Due::parse(wait).map_err(Problem::BadWait)?.after(self.now);
                self.coordinator.set_time(Some(self.now));
                self.t.entries.push(Entry::Wait {
                    wait: wait.clone(),
                    now: self.now,
                });
                Ok(())
            }
            Cohort::At(at) => self.at(at),
            Cohort::Tick => self.tick(),
            Cohort::AdvanceAll => {
                let mut events = Vec::new();
                let advanced = self.coordinator.advance_all(&mut |s| {
                    if let crate::coordinator::BulkStep::Stored(e) = s {
                        events.push(e.clone());
                    }
                });
                advanced.map_err(failed)?;
                self.note_all(events);
                Ok(())
            }
            Cohort::Enrol(spec) => {
                let enrolled = self.enrol(spec);
                self.refusable(StepKind::Enrol, enrolled, refused)
            }
            Cohort::Import(path) => {
                let file = self.scenario.file(path);
                let roster = self
                    .files
                    .roster(&file, self.program)
                    .map_err(Problem::File)?;
                let imported = self.import(&roster);
                self.refusable(StepKind::Enrol, imported, refused)
            }
            Cohort::Match(how) => {
                let matched = self.matched(how)?;
                self.refusable(StepKind::Enrol, matched, refused)
            }
            Cohort::Register(people) => self.register(people),
            Cohort::Active(id, active) => self.activity(id, active, step.reason.as_deref()),
            Cohort::Sheet(path) => self.sheet(path),
            Cohort::Deliver(how) => self.deliver(how, step.reason.as_deref()),
        }
    }

    /// Moves the clock to a time, or by `+DURATION`; never back.
    fn at(&mut self, at: &toml::Value) -> Result<(), Problem> {
        let text = at.as_str().map_or_else(|| at.to_string(), str::to_string);
        let to = match text.strip_prefix('+') {
            Some(by) => Due::parse(by).map_err(Problem::BadWait)?.after(self.now),
            None => parse_time(&text).map_err(|_| {
                Problem::Written(format!(
                    "at = {at}: write a time (2026-04-01T09:00:00Z), a date (2026-04-01) or a duration from now (\"+3w\")"
                ))
            })?,
        };
        if to < self.now {
            return Err(Problem::Backwards {
                at: to,
                now: self.now,
            });
        }
        self.now = to;
        self.coordinator.set_time(Some(self.now));
        self.t.entries.push(Entry::At {
            at: text,
            now: self.now,
        });
        Ok(())
    }

    /// Runs the timers of every pairing in the store.
    fn tick(&mut self) -> Result<(), Problem> {
        let mut events = Vec::new();
        let ticked = self.coordinator.tick(&mut |step| {
            if let crate::coordinator::BulkStep::Stored(e) = step {
                events.push(e.clone());
            }
        });
        ticked.map_err(failed)?;
        if events.is_empty() {
            let next = self.next_timer()?;
            self.t.entries.push(Entry::NothingDue(next));
        }
        self.note_all(events);
        Ok(())
    }

    /// The timer that fires next among the running pairings.
    fn next_timer(&mut self) -> Result<Option<crate::rules::timers::Upcoming>, Problem> {
        let mut soonest: Option<crate::rules::timers::Upcoming> = None;
        for p in self.pairings()? {
            let timers = self.coordinator.timers(&p).map_err(store_problem)?;
            if let Some(next) = timers.into_iter().next() {
                if soonest.as_ref().is_none_or(|s| fires_before(&next, s)) {
                    soonest = Some(next);
                }
            }
        }
        Ok(soonest)
    }

    /// Enrols a pairing: its events.
    fn enrol(&mut self, spec: &PairingSpec) -> Outcome {
        if let Err(e) = undeclared(self.program, &spec.participants) {
            return Err(Error::Engine(Box::new(e)));
        }
        let enrolment = Enrolment {
            type_id: spec.type_id.clone(),
            participants: spec
                .participants
                .iter()
                .map(|p| p.participant(self.program))
                .collect(),
            label: spec.id.clone(),
            facts: Vec::new(),
        };
        self.import(std::slice::from_ref(&enrolment))
    }

    /// Enrols pairings all or none: the events of each.
    fn import(&mut self, enrolments: &[Enrolment]) -> Outcome {
        let ids = self
            .coordinator
            .import(self.program, self.source, enrolments)?;
        self.logs(&ids)
    }

    /// The events of the pairings `ids`, in order.
    fn logs(&self, ids: &[Arc<str>]) -> Outcome {
        let mut events = Vec::new();
        for id in ids {
            events.extend(self.coordinator.log(Some(id))?);
        }
        Ok(events)
    }

    /// `match`: the registry's mentors and mentees paired and enrolled, or a new mentor for
    /// an ended pairing's mentee.
    fn matched(&mut self, how: &MatchStep) -> Result<Outcome, Problem> {
        let excluded = how
            .exclude
            .iter()
            .map(|pair| {
                crate::decide::matching::exclusion(pair).ok_or_else(|| {
                    Problem::Written(format!(
                        "exclude `{pair}`: write MENTOR:MENTEE, e.g. ana:bo"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let c = &mut self.coordinator;
        let candidates = c.registered_candidates().map_err(failed)?;
        let (program, source) = (self.program, self.source);
        let proposal = match &how.rematch {
            Some(ended) => {
                c.propose_rematch(program, &how.type_id, ended, &candidates, &mut |_, _| {})
            }
            None => {
                let asked = (candidates.as_slice(), excluded.as_slice());
                c.propose_matches(program, &how.type_id, asked, &mut |_, _| {})
            }
        };
        let proposal = match proposal {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        self.t.entries.push(Entry::Proposed {
            pairs: proposal
                .pairs
                .iter()
                .map(|p| (p.mentor.clone(), p.mentee.clone(), p.score))
                .collect(),
            unmatched: proposal
                .unmatched
                .iter()
                .map(|(id, role, _)| (id.clone(), role.clone()))
                .collect(),
        });
        let c = &mut self.coordinator;
        Ok(match &how.rematch {
            Some(ended) => {
                let made = (program, source);
                match c.continue_with_proposal(ended, made, &how.type_id, &candidates, &proposal) {
                    Ok(Some(_)) => c
                        .log(Some(ended))
                        .map(|mut e| e.split_off(e.len().saturating_sub(1))),
                    Ok(None) => return Err(Problem::NoRematch(ended.clone())),
                    Err(e) => Err(e),
                }
            }
            None => match c.enrol_proposal(program, source, &how.type_id, &candidates, &proposal) {
                Ok(ids) => self.logs(&ids),
                Err(e) => Err(e),
            },
        })
    }

    /// Adds or changes people of the registry.
    fn register(&mut self, people: &[ScenarioPerson]) -> Result<(), Problem> {
        let edits: Vec<_> = people.iter().map(ScenarioPerson::edit).collect();
        self.register_edits(&edits)
    }

    fn register_edits(
        &mut self,
        edits: &[crate::model::person::PersonEdit],
    ) -> Result<(), Problem> {
        let report = self
            .coordinator
            .record_people(edits, false)
            .map_err(failed)?;
        self.t.entries.push(Entry::Registered {
            added: report.added.len(),
            changed: report.changed.len(),
        });
        Ok(())
    }

    /// Deactivates someone for a reason, or reactivates them, as `people deactivate` and
    /// `people reactivate` do.
    fn activity(&mut self, id: &str, active: bool, reason: Option<&str>) -> Result<(), Problem> {
        use crate::model::person::Change;
        let change = match (active, reason.map(str::trim)) {
            (true, _) => Change::Unset,
            (false, Some(reason)) if !reason.is_empty() => Change::Set(reason.to_string()),
            (false, _) => {
                return Err(Problem::Written(format!(
                    "deactivate = \"{id}\" needs a reason: say why they are inactive (reason = \"left\")"
                )))
            }
        };
        self.coordinator.registered(id).map_err(failed)?;
        let edit = crate::model::person::PersonEdit {
            id: id.to_string(),
            inactive: Some(change),
            ..Default::default()
        };
        self.register_edits(&[edit])
    }

    /// Records a fact sheet, all rows or none.
    fn sheet(&mut self, path: &std::path::Path) -> Result<(), Problem> {
        let known = self.coordinator.fact_names().map_err(failed)?;
        let rows = self
            .files
            .sheet(&self.scenario.file(path), &known)
            .map_err(Problem::File)?;
        let recorded = self
            .coordinator
            .record_many(&rows, &mut |_, _| {})
            .map_err(failed)?;
        self.note_all(recorded.into_iter().flatten().collect());
        Ok(())
    }

    /// Hands every pending notification to a stand-in deliverer: `delivers`, or `fails` with
    /// the step's `reason`.
    fn deliver(&mut self, how: &str, reason: Option<&str>) -> Result<(), Problem> {
        let outcome: Result<(), String> = match how {
            "delivers" => Ok(()),
            "fails" => Err(reason.unwrap_or("the deliverer failed").to_string()),
            other => {
                return Err(Problem::Written(format!(
                    "deliver = \"{other}\": write deliver = \"delivers\", or deliver = \"fails\" with a reason"
                )))
            }
        };
        let lease = chrono::Duration::minutes(5);
        let report = self
            .coordinator
            .deliver(lease, usize::MAX, &mut |_| outcome.clone())
            .map_err(failed)?;
        self.t.entries.push(Entry::Delivered {
            delivered: report.delivered.len(),
            failed: report.failed.len(),
        });
        Ok(())
    }

    /// The outcome of a step that `refused` may expect to be refused.
    fn refusable(
        &mut self,
        kind: StepKind,
        outcome: Outcome,
        refused: Option<&Refused>,
    ) -> Result<(), Problem> {
        let must = matches!(refused, Some(Refused::Any(true) | Refused::Kind(_)));
        let errors = match (outcome, must) {
            (Ok(events), false) => {
                self.note_all(events);
                return Ok(());
            }
            (Ok(events), true) => {
                let Some(first) = events.first().cloned() else {
                    return Ok(());
                };
                self.note_all(events);
                return Err(Problem::Taken(kind, Box::new(first)));
            }
            (Err(e), _) => engine_errors(e)?,
        };
        let first = errors[0].clone();
        let tested = errors.iter().all(|e| testable(kind, e));
        match (must, tested) {
            (true, true) => {
                if let Some(Refused::Kind(expected)) = refused {
                    let actual: Vec<&'static str> = errors.iter().flat_map(refusal_kinds).collect();
                    if !actual.contains(&expected.as_str()) {
                        self.t
                            .entries
                            .extend(errors.into_iter().map(Entry::Refused));
                        return Err(Problem::RefusedOtherwise {
                            expected: expected.clone(),
                            actual,
                        });
                    }
                }
                let entries = errors.into_iter().map(Entry::RefusedAsExpected);
                self.t.entries.extend(entries);
                Ok(())
            }
            (true, false) => {
                self.t.entries.extend(errors.into_iter().map(Entry::Error));
                Err(Problem::FailedOtherwise(kind))
            }
            // Guards that do not hold: `refused = true` would test this.
            (false, true) if kind == StepKind::Advance => {
                self.t.entries.push(Entry::Refused(first));
                Err(Problem::AdvanceRefused)
            }
            (false, _) if kind == StepKind::Record => Err(Problem::Record(first)),
            (false, _) => {
                if errors.len() > 1 {
                    self.t
                        .entries
                        .extend(errors.into_iter().map(Entry::Refused));
                }
                Err(Problem::Engine(first))
            }
        }
    }

    /// The program's invariants over every pairing: the first that does not hold fails.
    fn invariants(&mut self) -> Result<(), Problem> {
        if self.program.invariants.is_empty() {
            return Ok(());
        }
        let broken = self.coordinator.broken_invariants().map_err(failed)?;
        match broken.into_iter().next() {
            Some((p, broken)) => Err(Problem::Invariant {
                pairing: p.id.to_string(),
                broken,
            }),
            None => Ok(()),
        }
    }

    /// The pairing a step is for: the one it names (id or label), else the pairing written at
    /// the top, else the only one.
    pub(crate) fn target(&mut self, step: &Step) -> Result<String, Problem> {
        if let Some(name) = &step.pairing {
            return match self.coordinator.pairing(name) {
                Ok(p) => Ok(p.id.to_string()),
                Err(Error::Store(e)) => Err(Problem::Store(e.to_string())),
                Err(_) => Err(Problem::UnknownPairing(name.clone())),
            };
        }
        if let Some(first) = &self.first {
            return Ok(first.clone());
        }
        let all = self.pairings()?;
        match all.as_slice() {
            [one] => Ok(one.id.to_string()),
            _ => Err(Problem::WhichPairing(
                all.iter()
                    .map(|p| p.label.clone().unwrap_or_else(|| p.id.to_string()))
                    .collect(),
            )),
        }
    }

    /// Every pairing of the store, in its order.
    pub(crate) fn pairings(&mut self) -> Result<Vec<Pairing>, Problem> {
        self.coordinator
            .list(&Filter::default())
            .map_err(store_problem)
    }

    /// Notes a command's events; a successor it enrolled is shown as stored.
    fn note_all(&mut self, events: Vec<Event>) {
        for event in events {
            let successor = match &event.kind {
                EventKind::Continued { successor } => self.coordinator.pairing(successor).ok(),
                _ => None,
            };
            self.t.note(event);
            if let Some(next) = successor {
                self.t.entries.push(Entry::Continues(Box::new(next)));
            }
        }
    }

    /// What the scripts printed during the last command.
    fn printed(&mut self) {
        let printed = self.coordinator.take_prints();
        self.t
            .entries
            .extend(printed.into_iter().map(Entry::Printed));
    }

    /// Every pairing's final state.
    pub(crate) fn finish(mut self) -> Transcript {
        match self.pairings() {
            Ok(pairings) => {
                for p in &pairings {
                    self.t.entries.push(Entry::Final {
                        pairing: Box::new(p.clone()),
                        now: self.now,
                    });
                }
                let first = self.first.as_deref();
                self.t.pairing = pairings
                    .iter()
                    .find(|p| first.is_none_or(|id| *p.id == *id))
                    .cloned();
                self.t.pairings = pairings;
            }
            Err(problem) => self.t.fail(None, problem),
        }
        self.t
    }

    pub(crate) fn program(&self) -> &Program {
        self.program
    }
}

/// Whether timer `a` fires before `b` (one that cannot fire yet comes last).
fn fires_before(a: &crate::rules::timers::Upcoming, b: &crate::rules::timers::Upcoming) -> bool {
    match (a.fires, b.fires) {
        (Some(a), Some(b)) => a < b,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The kinds of refusal `refused = "KIND"` names.
pub const REFUSALS: [&str; 7] = [
    "guards",
    "reason",
    "capacity",
    "same-people",
    "rules",
    "value",
    "occurrence",
];

/// The kinds of refusal an engine error is (empty: none a scenario can expect).
fn refusal_kinds(e: &EngineError) -> Vec<&'static str> {
    use crate::rules::enrolment::EnrolmentProblem as P;
    let of_problems = |problems: &[P]| -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = problems
            .iter()
            .map(|p| match p {
                P::Capacity { .. } | P::OwnCapacity { .. } => "capacity",
                P::SameParticipants { .. } => "same-people",
                _ => "rules",
            })
            .collect();
        kinds.dedup();
        kinds
    };
    match e {
        EngineError::Refused(_) => vec!["guards"],
        EngineError::ReasonNeeded { .. }
        | EngineError::ReasonRequired(_)
        | EngineError::UnknownReason { .. } => vec!["reason"],
        EngineError::CapacityOnEntering { .. } => vec!["capacity"],
        EngineError::EnrolmentRefused { problems, .. }
        | EngineError::ParticipantsRefused { problems, .. } => of_problems(problems),
        EngineError::NoOpenOccurrence { .. } => vec!["occurrence"],
        EngineError::BadValue { .. }
        | EngineError::FactTwice(_)
        | EngineError::NoFacts
        | EngineError::DoneNeeds { .. }
        | EngineError::DoneFor { .. }
        | EngineError::FactPerPerson { .. }
        | EngineError::FactOfThePairing { .. }
        | EngineError::FactNotKeptFor { .. } => vec!["value"],
        _ => Vec::new(),
    }
}

/// What a step does, its shape checked: exactly one action key, and the keys that go with it.
enum Shape<'s> {
    One(One<'s>),
    Cohort(Cohort<'s>),
    Expect,
}

/// A step on one pairing.
enum One<'s> {
    Record(&'s toml::Table),
    Add(&'s toml::Table),
    Advance(Advance),
    Force(&'s String),
    Withdraw(&'s String),
    Done(&'s String),
    Join(&'s ScenarioParticipant),
    Leave(&'s String),
    Replace(&'s String, &'s ScenarioParticipant),
}

/// A step on the cohort.
enum Cohort<'s> {
    Wait(&'s String),
    At(&'s toml::Value),
    Tick,
    AdvanceAll,
    Enrol(&'s PairingSpec),
    Import(&'s std::path::PathBuf),
    Match(&'s MatchStep),
    Register(&'s [ScenarioPerson]),
    /// Someone deactivated (false) or reactivated (true).
    Active(&'s String, bool),
    Sheet(&'s std::path::PathBuf),
    Deliver(&'s String),
}

fn shape(step: &Step) -> Result<Shape<'_>, Problem> {
    let expects = step.expects();
    let one = [
        step.record.is_some(),
        step.add.is_some(),
        step.advance.is_some(),
        step.force.is_some(),
        step.withdraw.is_some(),
        step.done.is_some(),
        step.join.is_some(),
        step.leave.is_some(),
        step.replace.is_some(),
    ];
    let cohort = [
        step.wait.is_some(),
        step.at.is_some(),
        step.tick,
        step.advance_all,
        step.enrol.is_some(),
        step.import.is_some(),
        step.match_.is_some(),
        step.register.is_some(),
        step.deactivate.is_some(),
        step.reactivate.is_some(),
        step.sheet.is_some(),
        step.deliver.is_some(),
    ];
    let count = |a: &[bool]| a.iter().filter(|a| **a).count();
    if count(&one) + count(&cohort) + usize::from(expects) != 1 {
        return Err(Problem::StepShape);
    }
    let refusable = count(&one) == 1 && step.force.is_none()
        || step.enrol.is_some()
        || step.import.is_some()
        || step.match_.is_some();
    if step.refused.is_some() && !refusable {
        return Err(Problem::RefusedOnOtherStep);
    }
    let by_person = step.record.is_some() || step.add.is_some() || step.done.is_some();
    // A cohort step is for every pairing: naming one would mean nothing.
    if (step.with.is_some() && step.done.is_none())
        || (step.by.is_some() != step.replace.is_some())
        || (step.person.is_some() && !by_person)
        || (step.pairing.is_some() && count(&cohort) == 1 && step.deliver.is_none())
    {
        return Err(Problem::StepShape);
    }
    Ok(match step {
        Step { wait: Some(w), .. } => Shape::Cohort(Cohort::Wait(w)),
        Step { at: Some(at), .. } => Shape::Cohort(Cohort::At(at)),
        Step { tick: true, .. } => Shape::Cohort(Cohort::Tick),
        Step {
            advance_all: true, ..
        } => Shape::Cohort(Cohort::AdvanceAll),
        Step { enrol: Some(e), .. } => Shape::Cohort(Cohort::Enrol(e)),
        Step {
            import: Some(i), ..
        } => Shape::Cohort(Cohort::Import(i)),
        Step {
            match_: Some(m), ..
        } => Shape::Cohort(Cohort::Match(m)),
        Step {
            register: Some(r), ..
        } => Shape::Cohort(Cohort::Register(r)),
        Step {
            deactivate: Some(id),
            ..
        } => Shape::Cohort(Cohort::Active(id, false)),
        Step {
            reactivate: Some(id),
            ..
        } => Shape::Cohort(Cohort::Active(id, true)),
        Step { sheet: Some(s), .. } => Shape::Cohort(Cohort::Sheet(s)),
        Step {
            deliver: Some(d), ..
        } => Shape::Cohort(Cohort::Deliver(d)),
        Step {
            record: Some(f), ..
        } => Shape::One(One::Record(f)),
        Step { add: Some(f), .. } => Shape::One(One::Add(f)),
        Step {
            advance: Some(to), ..
        } => Shape::One(One::Advance(advance(to, step.reason.as_ref())?)),
        Step {
            force: Some(to), ..
        } => Shape::One(One::Force(to)),
        Step {
            withdraw: Some(r), ..
        } => Shape::One(One::Withdraw(r)),
        Step { done: Some(s), .. } => Shape::One(One::Done(s)),
        Step { join: Some(p), .. } => Shape::One(One::Join(p)),
        Step { leave: Some(p), .. } => Shape::One(One::Leave(p)),
        Step {
            replace: Some(p),
            by: Some(by),
            ..
        } => Shape::One(One::Replace(p, by)),
        _ => Shape::Expect,
    })
}

/// `advance = true` or a stage, with a reason or not.
fn advance(to: &toml::Value, reason: Option<&String>) -> Result<Advance, Problem> {
    Ok(match (to, reason) {
        (toml::Value::Boolean(true), None) => Advance::Next,
        (toml::Value::String(s), None) => Advance::To(s.clone()),
        (toml::Value::Boolean(true), Some(reason)) => Advance::Because {
            to: None,
            reason: reason.clone(),
        },
        (toml::Value::String(s), Some(reason)) => Advance::Because {
            to: Some(s.clone()),
            reason: reason.clone(),
        },
        (other, _) => return Err(Problem::AdvanceValue(other.to_string())),
    })
}

/// A time as a scenario writes it: with its offset, or a date (midnight UTC).
fn parse_time(text: &str) -> Result<DateTime<Utc>, ()> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| ())
}

fn start_time(s: &Scenario) -> Result<DateTime<Utc>, String> {
    let text = s.start.to_string();
    parse_time(&text).map_err(|_| {
        format!("start `{text}` must be a date-time with offset (2026-01-05T09:00:00Z) or a date")
    })
}

/// What is wrong with the scenario before anything is stored: an empty pairing id, a pairing
/// at the top half written, an unknown `expect_enrolment`.
fn before_start(program: &Program, scenario: &Scenario) -> Option<Problem> {
    if scenario.pairing.trim().is_empty() {
        return Some(Problem::BadStart(
            "`pairing` is empty: give the pairing an id (pairing = \"p-1\"), or leave the key out"
                .into(),
        ));
    }
    if scenario.type_id.is_some() == scenario.participants.is_empty() {
        return Some(Problem::TopPairing);
    }
    if let Err(e) = undeclared(program, &scenario.participants) {
        return Some(Problem::Engine(e));
    }
    match scenario.expect_enrolment.as_deref() {
        None | Some("refused") => None,
        Some(other) => Some(Problem::UnknownExpectEnrolment(other.into())),
    }
}

/// A participant's attribute the program does not declare, refused as `enrol` refuses it.
fn undeclared(program: &Program, people: &[ScenarioParticipant]) -> Result<(), EngineError> {
    let undeclared = people.iter().find_map(|p| {
        p.attributes
            .keys()
            .find(|k| !program.attributes.iter().any(|a| &a.name == *k))
    });
    match undeclared {
        Some(name) => Err(crate::decide::engine::unknown_attribute(program, name)),
        None => Ok(()),
    }
}

/// The engine's refusals inside a coordinator's error (one per refused row); any other
/// error as a problem of its own.
fn engine_errors(e: Error) -> Result<Vec<EngineError>, Problem> {
    match e {
        Error::Engine(e) => Ok(vec![*e]),
        Error::Rows(rows) if !rows.is_empty() => {
            let mut all = Vec::new();
            for (_, e) in rows {
                all.extend(engine_errors(e)?);
            }
            Ok(all)
        }
        other => Err(store_problem(other)),
    }
}

/// A command that `refused` cannot test failed: why.
fn failed(e: Error) -> Problem {
    match engine_errors(e) {
        Ok(mut errors) => Problem::Engine(errors.remove(0)),
        Err(problem) => problem,
    }
}

/// A coordinator's error that is not the engine's: the store's own, or the command's.
fn store_problem(e: Error) -> Problem {
    match e {
        Error::Store(e) => Problem::Store(e.to_string()),
        other => Problem::Command(Box::new(other)),
    }
}

/// Whether `refused` tests this refusal of a step of `kind`: guards that do not hold, the
/// type's rules or a capacity, or a value its declaration refuses. A typo in a stage or fact
/// name, or a failing script, must fail the scenario.
fn testable(kind: StepKind, e: &EngineError) -> bool {
    match kind {
        StepKind::Advance | StepKind::Withdraw => {
            matches!(
                e,
                EngineError::Refused(_)
                    | EngineError::ReasonNeeded { .. }
                    | EngineError::CapacityOnEntering { .. }
            )
        }
        StepKind::Participants => matches!(e, EngineError::ParticipantsRefused { .. }),
        StepKind::Enrol => enrolment_refusal(e).is_ok(),
        StepKind::Done => matches!(
            e,
            EngineError::NoOpenOccurrence { .. }
                | EngineError::BadValue { .. }
                | EngineError::DoneNeeds { .. }
                | EngineError::DoneFor { .. }
        ),
        StepKind::Record => matches!(
            e,
            EngineError::BadValue { .. }
                | EngineError::FactTwice(_)
                | EngineError::NoFacts
                | EngineError::FactPerPerson { .. }
                | EngineError::FactOfThePairing { .. }
                | EngineError::FactNotKeptFor { .. }
        ),
    }
}

/// Whether an enrolment error is what `expect_enrolment = "refused"` tests: the type's rules
/// refusing the participants, not a rule that fails to run or a typo in the scenario.
fn enrolment_refusal(e: &EngineError) -> Result<(), Problem> {
    let EngineError::EnrolmentRefused { problems, .. } = e else {
        return Err(Problem::EnrolmentFailed(e.clone()));
    };
    let crashed = problems.iter().any(|p| {
        matches!(p, crate::rules::enrolment::EnrolmentProblem::Rule { report, .. }
            if matches!(report.verdict, crate::rules::explain::Verdict::Failed(_)))
    });
    if crashed {
        return Err(Problem::RuleFailed);
    }
    Ok(())
}

/// A scenario's facts as changes, each read as [`fact_change`] reads it.
fn fact_changes<'t>(
    program: &Program,
    facts: impl IntoIterator<Item = (&'t String, &'t toml::Value)>,
) -> Vec<(String, FactChange)> {
    facts
        .into_iter()
        .map(|(name, value)| (name.clone(), fact_change(program, name, value)))
        .collect()
}

/// A scenario's TOML value as a change of fact `name`: a string is read as the command line
/// reads it (unless the fact is text), any other value is typed as the fact declares, and
/// the store checks it as any value.
fn fact_change(program: &Program, name: &str, value: &toml::Value) -> FactChange {
    let kind = program.fact(name).map(|d| d.kind);
    match (value, kind) {
        (toml::Value::String(text), Some(kind)) if kind != ValueKind::Text => {
            FactChange::Set(text.clone())
        }
        // Not of the declared kind: as it looks, for the declaration to refuse by its kind.
        _ => FactChange::Value(
            kind.and_then(|k| toml_to_value(value, k))
                .unwrap_or_else(|| typed(value, None)),
        ),
    }
}
