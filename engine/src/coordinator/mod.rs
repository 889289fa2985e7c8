//! The embedding API: a [`Coordinator`] is opened on a store and does what a coordinator does
//! (enrol, record, advance, withdraw, tick, and the reads), each command one atomic step that
//! returns typed outcomes or a typed [`Error`]. It owns the store, the program versions and the
//! time-order rule; a front end (the CLI) only parses, calls and renders.
//!
//! The coordinator layer, the facade: may import every layer below (base, model, rules,
//! decide, store).

pub(crate) mod capacity;
mod enrol;
pub mod error;
mod facts;
pub mod ledger;
mod membership;
mod moves;
pub mod outbox;
mod person_records;
pub mod privacy;
mod proposals;
mod reads;
pub mod registry;
pub mod successor;
mod versions;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Program, Value};

use crate::base::clock::Clock;
use crate::coordinator::error::{EngineError, Error};
use crate::coordinator::ledger::{BulkReport, Ledger, PeopleReport, Writer};
use crate::coordinator::registry::Registry;
use crate::decide::attention::Attention;
use crate::decide::engine::{Actor, Engine, FactChange};
use crate::decide::health::Health;
use crate::decide::matching::Candidate as MatchPerson;
use crate::model::directory::Directory;
use crate::model::event::{Event, EventKind, Move, Participant};
use crate::model::pairing::Pairing;
use crate::model::person::PersonEdit;
use crate::rules::explain::Candidate;
use crate::rules::people::Person;
use crate::store::verify::VerifyReport;
use crate::store::{Filter, Location, OutcomeFilter, ProgramVersion, Store, StoreError};

/// Pairings per transaction in bulk commands: large enough to amortise commits, small enough
/// that other coordinators wait only briefly for the write lock.
const BATCH: usize = 500;

/// Who acts and on which clock.
pub struct Options {
    /// The name that goes into the audit log.
    pub actor: String,
    /// Act at this time instead of the clock's (it must not be before a pairing's latest event).
    pub at: Option<DateTime<Utc>>,
    /// The clock read when no time is given.
    pub clock: Arc<dyn Clock>,
    /// The most time a bulk command (advance all, tick) may spend deciding, which is mostly
    /// running scripts: once spent, it stops after the batch it is in, so a slow guard on many
    /// pairings cannot keep the command (and the store's write lock) busy for long.
    pub script_budget: Duration,
    /// How long a write waits for another command holding the store before it gives up
    /// ([`crate::store::LOCK_WAIT`] unless told otherwise).
    pub lock_wait: Duration,
}

/// The script budget of a bulk command unless another is given.
pub const SCRIPT_BUDGET: Duration = Duration::from_secs(60);

/// One pairing to enrol: its type, participants and the facts known from the start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Enrolment {
    /// Mentoring type.
    pub type_id: String,
    /// Who takes part.
    pub participants: Vec<Participant>,
    /// The label it is imported under (a roster's `pairing` cell): another name for it.
    pub label: Option<String>,
    /// Facts recorded with the enrolment, in the same command (before its stage's actions
    /// and automatic transitions run).
    pub facts: Vec<(String, Value)>,
}

/// The pairings an import enrols, made one at a time as they are stored: a long roster is
/// never held in memory as participants or pairings, only in the caller's compact form.
pub trait Roster {
    /// How many pairings the roster holds.
    fn pairings(&self) -> usize;
    /// The `i`th pairing's enrolment (`i` below [`Roster::pairings`]).
    fn enrolment(&self, i: usize) -> Enrolment;
}

impl Roster for [Enrolment] {
    fn pairings(&self) -> usize {
        self.len()
    }

    fn enrolment(&self, i: usize) -> Enrolment {
        self[i].clone()
    }
}

impl Roster for Vec<Enrolment> {
    fn pairings(&self) -> usize {
        self.len()
    }

    fn enrolment(&self, i: usize) -> Enrolment {
        self[i].clone()
    }
}

/// One row of a bulk record: the pairing, the person (for facts kept per person), the changes.
pub type FactRow = (String, Option<String>, Vec<(String, FactChange)>);

/// How `continue` makes the new pairing; what is not given comes from the stage's successor
/// declaration, else from the pairing that ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Continue {
    /// Its type.
    pub type_id: Option<String>,
    /// Who takes part.
    pub participants: Option<Vec<Participant>>,
    /// Facts carried over besides those the successor declaration names.
    pub carry: Vec<String>,
    /// The stage it starts in.
    pub stage: Option<String>,
}

/// How to advance.
#[derive(Debug, Clone, PartialEq)]
pub enum Advance {
    /// The first transition whose guards hold.
    Next,
    /// The transition to this stage; its guards must hold.
    To(String),
    /// The first transition whose guards hold (to `to` when given) with a reason code: stored
    /// with the move, and needed by a transition that lists `reasons`.
    Because {
        /// The stage, when one is asked for.
        to: Option<String>,
        /// Why: a reason code, alone or with `: details`.
        reason: String,
    },
    /// Straight to this stage without guards, logged as forced with the reason.
    Force {
        /// The stage.
        to: String,
        /// Why (required).
        reason: String,
    },
}

/// One pairing moved (or, in a dry run, that would move) to a new version.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// Its state on the new version.
    pub pairing: Pairing,
    /// The stage it was in.
    pub from_stage: String,
    /// The version it ran on.
    pub from_version: String,
    /// What it waits on in the new version.
    pub attention: Attention,
}

/// What `record` stored, and what the coordinator should know about it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The event stored.
    pub events: Vec<Event>,
    /// Facts that belong to a later stage's guard while the pairing waits in its own.
    pub early: Vec<crate::decide::attention::EarlyFact>,
    /// What the pairing waits on, when some facts were early.
    pub waiting: Option<crate::decide::attention::Waiting>,
    /// The stage it is in.
    pub stage: String,
}

/// One person of the registry, as `people show` reads it.
#[derive(Debug, Clone)]
pub struct PersonStatus {
    /// Their entry.
    pub person: Person,
    /// Their managers, nearest first.
    pub reporting_line: Vec<String>,
    /// Who reports to them directly.
    pub reports: Vec<String>,
    /// The pairings they take or took part in, in number order.
    pub pairings: Vec<Pairing>,
    /// The edits of their entry, oldest first.
    pub edits: Vec<Event>,
}

/// Someone to match: a mentor or a mentee, and for a mentor how many mentees they may take.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchCandidate {
    /// Who (role `mentor` or `mentee`), with attributes given for this matching.
    pub participant: Participant,
    /// How many pairings this matching may give them.
    pub capacity: Option<u32>,
}

/// One pairing and what it needs to move on.
#[derive(Debug)]
pub struct Status {
    /// Its state.
    pub pairing: Pairing,
    /// The program version it runs on.
    pub program: Arc<Program>,
    /// Every transition advance would consider, explained (empty once it has ended).
    pub candidates: Vec<Candidate>,
    /// Every automatic transition from its stage, explained: what the engine waits for.
    pub automatic: Vec<Candidate>,
    /// Whether it is past its stage's due time.
    pub overdue: bool,
    /// The timers that leave its stage, soonest first.
    pub timers: Vec<crate::rules::timers::Upcoming>,
    /// The program version's file, as it stands today.
    pub file: (String, crate::coordinator::registry::FileState),
    /// How it is doing (none once ended).
    pub health: Option<crate::decide::health::Health>,
}

/// One row of the board: pairings of one type in one stage of one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    /// Program id.
    pub program: String,
    /// Stage.
    pub stage: String,
    /// Type.
    pub type_id: String,
    /// Pairings.
    pub pairings: u64,
    /// Of which overdue.
    pub overdue: u64,
    /// Of which running and waiting (no advance transition can be taken).
    pub blocked: u64,
    /// What most of the waiting ones wait on (the guard part), and how many.
    pub waiting_on: Option<(String, u64)>,
    /// Of the ended ones, how many ended with each reason code (`other`: a reason that is
    /// not one of the program's codes, such as a timer's).
    pub reasons: BTreeMap<String, u64>,
}

/// What a bulk command is doing, as it does it.
#[derive(Debug)]
pub enum BulkStep<'a> {
    /// How many pairings run, before the first batch: what the command goes through.
    Total(u64),
    /// An event was stored.
    Stored(&'a Event),
    /// This many pairings have been looked at (after each committed batch).
    Seen(u64),
}

/// What `tick` did.
#[derive(Debug, Clone, Default)]
pub struct TickReport {
    /// The bulk command's report.
    pub bulk: BulkReport,
    /// Timer transitions taken.
    pub timed_out: u64,
    /// Automatic transitions taken after the timers.
    pub automatic: u64,
    /// Timer warnings logged.
    pub warned: u64,
    /// Schedule occurrences newly logged as missed.
    pub missed: u64,
    /// Stages newly logged as overdue.
    pub overdue: u64,
    /// The timer that fires soonest after this tick among the pairings it saw, and whose.
    pub next: Option<(String, crate::rules::timers::Upcoming)>,
}

/// One change of participants, with the newcomer completed from the people registry.
type ParticipantChange<'a> = dyn FnMut(&Engine, &mut Pairing, &Actor<'_>, Option<Participant>) -> Result<Event, EngineError>
    + 'a;

/// `p` completed from the people registry as the transaction sees it: the attributes the
/// program declares that `p` does not carry, and their reporting line.
fn completed(
    program: &Program,
    writer: &mut Writer<'_>,
    p: Participant,
) -> Result<Participant, Error> {
    let person = writer.person(&p.id)?;
    let line = writer.reporting_line(&p.id)?;
    Ok(crate::rules::people::complete(
        program,
        p,
        person.as_ref(),
        line,
    )?)
}

/// One engine decision on one pairing: the events to store, or why not.
type Decide<'a> =
    dyn FnMut(&Engine, &mut Pairing, &Actor<'_>) -> Result<Vec<Event>, EngineError> + 'a;

/// A store with everything needed to run commands on it.
pub struct Coordinator {
    pub(crate) ledger: Ledger,
    registry: Registry,
    actor: String,
    at: Option<DateTime<Utc>>,
    clock: Arc<dyn Clock>,
    script_budget: Duration,
    /// Enrol even when the same people already take part in a running pairing of the program.
    allow_same_participants: bool,
    /// Take people past their own capacity, for this reason (logged with the command).
    over_capacity: Option<String>,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("actor", &self.actor)
            .field("at", &self.at)
            .finish()
    }
}

/// The time to act on `pairing` at, read under the store's write lock. A given time is used as
/// it is (the engine refuses it if it is before the pairing's latest event); the clock is never
/// allowed behind the latest event: another coordinator may have written one a moment ago, or
/// this machine's clock may be a little behind theirs.
fn act_at(at: Option<DateTime<Utc>>, clock: &dyn Clock, pairing: &Pairing) -> DateTime<Utc> {
    at.unwrap_or_else(|| clock.now().max(pairing.latest_at.max(pairing.entered_at)))
}

/// The reason code an ended pairing ended with, when its program declares codes: the code
/// its last reason starts with, or `other`.
pub fn ended_because(program: &Program, p: &Pairing) -> Option<String> {
    let reason = p
        .history
        .as_ref()?
        .reason
        .as_deref()
        .filter(|_| p.outcome.is_some())?;
    match program.reason_code(reason) {
        Ok(Some(r)) => Some(r.code.clone()),
        Ok(None) => None,
        Err(_) => Some("other".into()),
    }
}

/// Records `changes` on `p` (or on `person`'s facts) as one event, each value resolved
/// against the pairing as it is now (`meetings+=1` adds to the current count): the one way
/// `record` and `record_many` change facts.
fn record_changes(
    engine: &Engine,
    p: &mut Pairing,
    person: Option<&str>,
    changes: &[(String, FactChange)],
    actor: &Actor<'_>,
) -> Result<Vec<Event>, EngineError> {
    let typed = changes
        .iter()
        .map(|(n, change)| Ok((n.clone(), engine.resolve_change(p, person, n, change)?)))
        .collect::<Result<Vec<_>, EngineError>>()?;
    Ok(vec![engine.record(p, person, typed, actor)?])
}

/// Runs `decide` on `p`, then the automatic transitions its result lets through, then the
/// successor of the stage it ended in, if it declares one: every command is followed by them,
/// in the same transaction.
fn settled(
    engine: &Engine,
    p: &mut Pairing,
    actor: &Actor<'_>,
    decide: &mut Decide<'_>,
    writer: &mut Writer<'_>,
) -> Result<Vec<Event>, Error> {
    let counted = crate::coordinator::capacity::counts(&engine.program, p);
    let mut events = decide(engine, p, actor)?;
    events.extend(engine.settle(p, actor)?);
    // Entering the stage `[capacity]` counts from makes it an active relation: its people
    // must have room for it, checked under the same lock as an enrolment.
    let problems = crate::coordinator::capacity::on_entering(&engine.program, p, counted, writer)?;
    if !problems.is_empty() {
        return Err(EngineError::CapacityOnEntering {
            pairing: p.id.to_string(),
            stage: p.stage.to_string(),
            problems,
        }
        .into());
    }
    if !events.is_empty() {
        events.extend(follow(engine, p, actor, writer)?);
    }
    Ok(events)
}

/// The successor of the stage `p` just ended in, when it declares one that applies and nobody
/// in it is inactive in the people registry: its
/// `continued` event (the new pairing is created through `writer`).
fn follow(
    engine: &Engine,
    p: &mut Pairing,
    actor: &Actor<'_>,
    writer: &mut Writer<'_>,
) -> Result<Option<Event>, Error> {
    match crate::coordinator::successor::declared(engine, p, actor.now)? {
        Some(next) if !successor::anyone_inactive(&next.participants, writer)? => Ok(Some(
            successor::create(engine, engine, p, next, actor, writer, None)?,
        )),
        _ => Ok(None),
    }
}

/// Adds `why` to the reason `event` is logged with.
fn logged_with(event: &mut Event, why: String) {
    event.reason = Some(match event.reason.take() {
        Some(reason) => format!("{reason}; {why}"),
        None => why,
    });
}

/// Gives a new pairing and its enrolment event the label it was imported under.
fn label(pairing: &mut Pairing, event: &mut Event, label: Option<String>) {
    if let EventKind::Enrolled { label: l, .. } = &mut event.kind {
        l.clone_from(&label);
    }
    pairing.label = label;
}

impl Coordinator {
    /// Creates a new, empty store at `location` (never over an existing one) and opens it.
    pub fn create(location: &Location, options: Options) -> Result<Coordinator, Error> {
        let mut store = crate::store::open(location, true)?;
        store.set_lock_wait(options.lock_wait)?;
        Ok(Coordinator::with_store(store, options))
    }

    /// Opens the existing store at `location`, upgrading its schema if it is older.
    pub fn open(location: &Location, options: Options) -> Result<Coordinator, Error> {
        let mut store = crate::store::open(location, false)?;
        store.set_lock_wait(options.lock_wait)?;
        Ok(Coordinator::with_store(store, options))
    }

    /// A coordinator over any store (the conformance suite runs each adapter through this).
    pub fn with_store(store: Box<dyn Store>, options: Options) -> Coordinator {
        Coordinator {
            ledger: Ledger::new(store),
            registry: Registry::default(),
            actor: options.actor,
            at: options.at,
            clock: options.clock,
            script_budget: options.script_budget,
            allow_same_participants: false,
            over_capacity: None,
        }
    }

    /// Whether enrolments may repeat the participants of a running pairing of the same
    /// program (refused unless allowed: an import run twice would enrol everyone again).
    pub fn allow_same_participants(&mut self, allow: bool) {
        self.allow_same_participants = allow;
    }

    /// Lets enrolments and changes of participants take people past their own capacity (the
    /// registry's `capacity`), for `reason`, which is logged with each command that needed it;
    /// `None`: refused, as by default.
    pub fn allow_over_capacity(&mut self, reason: Option<String>) {
        self.over_capacity = reason;
    }

    /// Acts at `at` from now on (`None`: the clock's time), as a simulation moves its clock.
    pub fn set_time(&mut self, at: Option<DateTime<Utc>>) {
        self.at = at;
    }

    /// Acts as `actor` from now on: the name the audit log records.
    pub fn act_as(&mut self, actor: &str) {
        actor.clone_into(&mut self.actor);
    }

    /// What scripts printed (`print`, `debug`) since last asked, in order.
    pub fn take_prints(&self) -> Vec<String> {
        self.registry.take_prints()
    }

    /// The time commands act at: the time given, or the clock's.
    pub fn now(&self) -> DateTime<Utc> {
        self.at.unwrap_or_else(|| self.clock.now())
    }

    /// When no time was given and `events` were stamped later than the clock, the latest of
    /// them with the clock's time. A pairing's events never go back in time, so after one
    /// written with a time in the future the next ones are stamped then too; a minute's
    /// difference is two machines' clocks, not worth a word.
    pub fn stamped_ahead(&self, events: &[Event]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.at.is_some() {
            return None;
        }
        let latest = events.iter().map(|e| e.at).max()?;
        let now = self.clock.now();
        (latest - now > chrono::Duration::minutes(1)).then_some((latest, now))
    }

    /// Runs one engine decision on one pairing atomically, with its program version's engine.
    fn change(&mut self, id: &str, decide: &mut Decide<'_>) -> Result<Vec<Event>, Error> {
        self.change_to(id, decide, false).map(|(events, _)| events)
    }

    /// [`Coordinator::change`], with the pairing as the command left it when `keep` (read once
    /// more from the store it costs a query and a decoding; copied for every command it would
    /// cost the commands that do not look at it).
    fn change_to(
        &mut self,
        id: &str,
        decide: &mut Decide<'_>,
        keep: bool,
    ) -> Result<(Vec<Event>, Option<Pairing>), Error> {
        let pairing = self.ledger.pairing(id)?;
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let mut after = None;
        let events = self.ledger.update(&pairing.id, &mut |p, writer| {
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            let events = settled(&engine, p, &actor, decide, writer)?;
            after = keep.then(|| p.clone());
            Ok(events)
        })?;
        Ok((events, after))
    }

    /// Runs `decide` over every running pairing with its version's engine, in batches.
    fn bulk(
        &mut self,
        observe: &mut dyn FnMut(BulkStep<'_>),
        decide: &mut Decide<'_>,
    ) -> Result<BulkReport, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        observe(BulkStep::Total(self.ledger.store().running_count()?));
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        // Both closures report to the same observer; a cell lets them share it.
        let observe = std::cell::RefCell::new(observe);
        let (budget, spent) = (self.script_budget, std::cell::Cell::new(Duration::ZERO));
        self.ledger.update_all(
            &Filter::default(),
            BATCH,
            &mut |p, writer| {
                let Some(engine) = engines.get(&*p.program_hash) else {
                    return Ok(Vec::new());
                };
                let now = act_at(at, &*clock, p);
                let started = Instant::now();
                let decided = settled(engine, p, &Actor { name: &name, now }, decide, writer);
                spent.set(spent.get() + started.elapsed());
                let events = decided?;
                for e in &events {
                    (observe.borrow_mut())(BulkStep::Stored(e));
                }
                Ok(events)
            },
            &mut |n| {
                (observe.borrow_mut())(BulkStep::Seen(n));
                if spent.get() > budget {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
    }

    /// An unknown fact that the program's file declares today: the pairing is pinned to the
    /// version it was enrolled with, which says so.
    fn pinned(&self, id: &str, e: EngineError) -> Error {
        let EngineError::UnknownFact { name, .. } = &e else {
            return e.into();
        };
        let Ok(pairing) = self.ledger.pairing(id) else {
            return e.into();
        };
        let Ok((path, crate::coordinator::registry::FileState::Changed(now))) =
            self.file_of(&pairing.program_hash)
        else {
            return e.into();
        };
        let declares = mentorflow_dsl::load(std::path::Path::new(&path))
            .program
            .is_some_and(|p| p.fact(name).is_some());
        if !declares {
            return e.into();
        }
        Error::Pinned {
            pairing: id.into(),
            fact: name.clone(),
            version: pairing.program_hash.to_string(),
            file: path,
            file_version: now,
        }
    }

    pub(crate) fn check_filter(&mut self, filter: &Filter) -> Result<(), Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        let programs: Vec<&Program> = engines.values().map(|e| &*e.program).collect();
        let known = |what: &'static str, value: Option<&str>, names: Vec<&str>| {
            let value = value?;
            if names.contains(&value) {
                return None;
            }
            let mut known: Vec<String> = names.into_iter().map(String::from).collect();
            known.sort_unstable();
            known.dedup();
            Some(Error::UnknownFilter {
                what,
                value: value.into(),
                known,
            })
        };
        let stages = programs
            .iter()
            .flat_map(|p| p.stages.iter().map(|s| s.id.as_str()))
            .collect();
        let types = programs
            .iter()
            .flat_map(|p| p.types.iter().map(|t| t.id.as_str()))
            .collect();
        let ids = programs.iter().map(|p| p.id.as_str()).collect();
        let outcomes = programs
            .iter()
            .flat_map(|p| p.stages.iter().filter_map(|s| s.outcome.as_deref()))
            .chain(["active"])
            .collect();
        let outcome = match &filter.outcome {
            Some(OutcomeFilter::Is(o)) => Some(o.as_str()),
            _ => None,
        };
        let problem = known("stage", filter.stage.as_deref(), stages)
            .or_else(|| known("type", filter.type_id.as_deref(), types))
            .or_else(|| known("program", filter.program.as_deref(), ids))
            .or_else(|| known("outcome", outcome, outcomes));
        problem.map_or(Ok(()), Err)
    }
}
