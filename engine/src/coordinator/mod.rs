//! The embedding API: a [`Coordinator`] is opened on a store and does what a coordinator does
//! (enrol, record, advance, withdraw, tick, and the reads), each command one atomic step that
//! returns typed outcomes or a typed [`Error`]. It owns the store, the program versions and the
//! time-order rule; a front end (the CLI) only parses, calls and renders.
//!
//! The coordinator layer, the facade: may import every layer below (base, model, rules,
//! decide, store).

pub(crate) mod capacity;
pub mod error;
pub mod ledger;
pub mod outbox;
pub mod registry;
pub mod successor;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Program, Value};

use crate::attention::Attention;
use crate::clock::Clock;
use crate::engine::{Actor, Engine, FactChange};
use crate::error::{EngineError, Error};
use crate::event::{Event, EventKind, Move, Participant};
use crate::explain::Candidate;
use crate::ledger::{BulkReport, Ledger, PeopleReport, Writer};
use crate::matching::Candidate as MatchPerson;
use crate::pairing::Pairing;
use crate::people::Person;
use crate::registry::Registry;
use crate::store::{Filter, Location, OutcomeFilter, ProgramVersion, Store, StoreError};
use crate::verify::VerifyReport;

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
    pub early: Vec<crate::attention::EarlyFact>,
    /// What the pairing waits on, when some facts were early.
    pub waiting: Option<crate::attention::Waiting>,
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
    pub timers: Vec<crate::timers::Upcoming>,
    /// The program version's file, as it stands today.
    pub file: (String, crate::registry::FileState),
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
    pub next: Option<(String, crate::timers::Upcoming)>,
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
    Ok(crate::people::complete(program, p, person.as_ref(), line)?)
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
    let mut events = decide(engine, p, actor)?;
    events.extend(engine.settle(p, actor)?);
    if !events.is_empty() {
        events.extend(follow(engine, p, actor, writer)?);
    }
    Ok(events)
}

/// The successor of the stage `p` just ended in, when it declares one that applies: its
/// `continued` event (the new pairing is created through `writer`).
fn follow(
    engine: &Engine,
    p: &mut Pairing,
    actor: &Actor<'_>,
    writer: &mut Writer<'_>,
) -> Result<Option<Event>, Error> {
    match crate::successor::declared(engine, p, actor.now)? {
        Some(next) => Ok(Some(crate::successor::create(
            engine, engine, p, next, actor, writer,
        )?)),
        None => Ok(None),
    }
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
        }
    }

    /// Whether enrolments may repeat the participants of a running pairing of the same
    /// program (refused unless allowed: an import run twice would enrol everyone again).
    pub fn allow_same_participants(&mut self, allow: bool) {
        self.allow_same_participants = allow;
    }

    /// Acts at `at` from now on (`None`: the clock's time), as a simulation moves its clock.
    pub fn set_time(&mut self, at: Option<DateTime<Utc>>) {
        self.at = at;
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

    /// Enrols one pairing in `program` (read from `source`); its version is stored with it.
    pub fn enrol(
        &mut self,
        program: &Program,
        source: &str,
        enrolment: &Enrolment,
    ) -> Result<Pairing, Error> {
        let created = self.import(program, source, std::slice::from_ref(enrolment));
        let mut created = created.map_err(|e| match e {
            Error::Rows(mut rows) if rows.len() == 1 => rows.remove(0).1,
            other => other,
        })?;
        let id = created.pop().ok_or_else(|| {
            Error::Store(crate::store::StoreError::Database(
                "the enrolment stored no pairing".into(),
            ))
        })?;
        self.ledger.pairing(&id)
    }

    /// Enrols many pairings in one transaction: all, or none when any is refused (then every
    /// refusal is returned, with its position). The ids of the pairings made, in order.
    pub fn import<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        source: &str,
        roster: &R,
    ) -> Result<Vec<Arc<str>>, Error> {
        self.enrol_roster(program, source, roster, true)
    }

    /// Enrols the roster's pairings in one transaction, checking the rules across pairings
    /// under the write lock; stores them when `keep`, else rolls back (a check).
    fn enrol_roster<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        source: &str,
        roster: &R,
        keep: bool,
    ) -> Result<Vec<Arc<str>>, Error> {
        let engine = self.registry.pin(program);
        let now = self.now();
        let actor = Actor {
            name: &self.actor,
            now,
        };
        let allow_same = self.allow_same_participants;
        let mut make = |i, id: String, writer: &mut Writer<'_>| {
            let e = roster.enrolment(i);
            let participants = e
                .participants
                .into_iter()
                .map(|p| completed(program, writer, p))
                .collect::<Result<Vec<_>, Error>>()?;
            let (mut pairing, mut event) = engine.enrol(&id, &e.type_id, participants, &actor)?;
            label(&mut pairing, &mut event, e.label);
            let mut problems = {
                let people: Vec<&Participant> = pairing.participants.iter().collect();
                crate::capacity::exceeded(program, &[&id], &people, writer)?
            };
            if !allow_same {
                problems.extend(crate::capacity::same_participants(
                    program,
                    &[&id],
                    &pairing.participants,
                    writer,
                )?);
            }
            if !problems.is_empty() {
                return Err(EngineError::EnrolmentRefused {
                    type_id: e.type_id,
                    problems,
                }
                .into());
            }
            let mut events = vec![event];
            if !e.facts.is_empty() {
                events.push(engine.record(&mut pairing, None, e.facts, &actor)?);
            }
            events.extend(engine.settle(&mut pairing, &actor)?);
            events.extend(follow(&engine, &mut pairing, &actor, writer)?);
            Ok((pairing, events))
        };
        self.ledger
            .enrol(program, source, now, roster.pairings(), keep, &mut make)
    }

    /// Checks enrolments as `import` would, without storing anything: every refusal, with its
    /// position, or how many would be enrolled.
    pub fn check_import<R: Roster + ?Sized>(
        &mut self,
        program: &Program,
        roster: &R,
    ) -> Result<usize, Error> {
        let made = self.enrol_roster(program, &program.id, roster, false)?;
        Ok(made.len())
    }

    /// Continues the ended pairing `id` as a new one, in one transaction (`mentorflow
    /// continue`): in `to` (a program and the path it was read from; its own version when
    /// none), as the type given, else the one its stage's successor declares, else its own;
    /// with the participants given, else the same people; carrying the facts its stage's
    /// successor declares and those in `how.carry`. Returns the new pairing's id.
    pub fn continue_pairing(
        &mut self,
        id: &str,
        to: Option<(&Program, &str)>,
        how: &Continue,
    ) -> Result<String, Error> {
        let pairing = self.ledger.pairing(id)?;
        let old = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let new = match to {
            Some((program, _)) => self.registry.pin(program),
            None => Arc::clone(&old),
        };
        let declared = old
            .program
            .stage(&pairing.stage)
            .and_then(|s| s.successor.clone());
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let now = self.now();
        let store_version = to.map(|(program, path)| (program, path, now));
        let ids = [pairing.id.to_string()];
        self.ledger
            .update_many(&ids, store_version, &mut |_, p, writer| {
                let actor = Actor {
                    name: &name,
                    now: act_at(at, &*clock, p),
                };
                let type_id = how
                    .type_id
                    .clone()
                    .or_else(|| declared.as_ref().and_then(|s| s.type_id.clone()))
                    .unwrap_or_else(|| p.type_id.to_string());
                let mut facts: Vec<String> =
                    declared.iter().flat_map(|s| s.facts.clone()).collect();
                facts.extend(how.carry.iter().cloned());
                // The declared start stage only when it stays in the same program.
                let stage = match to {
                    None => declared.as_ref().and_then(|s| s.stage.clone()),
                    Some(_) => how.stage.clone(),
                };
                let participants = match &how.participants {
                    Some(given) => given
                        .iter()
                        .map(|g| completed(&new.program, writer, g.clone()))
                        .collect::<Result<Vec<_>, Error>>()?,
                    None => p.participants.to_vec(),
                };
                let next = crate::successor::Continuation {
                    stage: how.stage.clone().or(stage),
                    type_id,
                    participants,
                    facts,
                };
                let event = crate::successor::create(&old, &new, p, next, &actor, writer)?;
                Ok(vec![event])
            })
            .map_err(|e| match e {
                Error::Rows(mut rows) if rows.len() == 1 => rows.remove(0).1,
                other => other,
            })?;
        let ended = self.ledger.pairing(&pairing.id)?;
        ended.successor.ok_or_else(|| {
            Error::Store(StoreError::Database(
                "the continuation stored no successor".into(),
            ))
        })
    }

    /// Adds or changes people of the registry, all or none: every manager must be in the
    /// registry or among `people`, and no one may be in their own reporting line. Each
    /// changed entry is logged; an entry already as given stores nothing.
    pub fn record_people(&mut self, people: &[Person]) -> Result<PeopleReport, Error> {
        let now = self.now();
        let actor = self.actor.clone();
        self.ledger
            .record_people(people, now, &actor, &mut |writer| {
                let refused = crate::people::check(people, &mut |id| -> Result<_, Error> {
                    Ok(writer.person(id)?)
                })?;
                if refused.is_empty() {
                    Ok(())
                } else {
                    Err(Error::Rows(
                        refused.into_iter().map(|(i, e)| (i, e.into())).collect(),
                    ))
                }
            })
    }

    /// Proposes pairs of `type_id` in `program` from `candidates` (role `mentor` or `mentee`;
    /// a mentor's capacity given, else their registry attribute `capacity`, else 1), each
    /// completed from the people registry and limited by the program's `[capacity]` and the
    /// running pairings they are in, as the store sees it under its write lock. Nothing is
    /// stored; `excluded` pairs (mentor, mentee) are never proposed.
    pub fn propose_matches(
        &mut self,
        program: &Program,
        type_id: &str,
        candidates: &[MatchCandidate],
        excluded: &[(String, String)],
    ) -> Result<crate::matching::Proposal, Error> {
        let engine = self.registry.pin(program);
        let mut sides: (Vec<MatchPerson>, Vec<MatchPerson>) = (Vec::new(), Vec::new());
        self.ledger.inspect(&mut |writer| {
            sides = (Vec::new(), Vec::new());
            for c in candidates {
                let person = writer.person(&c.participant.id)?;
                let p = completed(program, writer, c.participant.clone())?;
                let wanted = c
                    .capacity
                    .or_else(|| {
                        person
                            .as_ref()
                            .and_then(|p| p.attributes.get("capacity"))
                            .and_then(|t| t.trim().parse().ok())
                    })
                    .unwrap_or(1);
                let memberships: Vec<crate::store::Membership> = writer
                    .memberships(&p.id)?
                    .into_iter()
                    .filter(|m| m.program_id == program.id)
                    .collect();
                let room = crate::capacity::room(program, &p.role, &memberships);
                let candidate = MatchPerson {
                    capacity: wanted.min(room),
                    participant: p,
                };
                match candidate.participant.role.as_str() {
                    "mentor" => sides.0.push(candidate),
                    _ => sides.1.push(candidate),
                }
            }
            Ok(())
        })?;
        let budget = self.script_budget;
        crate::matching::propose(&engine, type_id, &sides.0, &sides.1, excluded, budget)
            .map_err(|e| Error::Match(Box::new(e)))
    }

    /// Proposes a new mentor for the mentee of the ended pairing `id` (a "not a fit"), from
    /// the mentors among `candidates` and never their previous mentor: the proposal
    /// [`Coordinator::continue_pairing`] makes a successor of.
    pub fn propose_rematch(
        &mut self,
        program: &Program,
        type_id: &str,
        id: &str,
        candidates: &[MatchCandidate],
    ) -> Result<crate::matching::Proposal, Error> {
        let ended = self.ledger.pairing(id)?;
        if ended.outcome.is_none() {
            return Err(EngineError::NotEnded(ended.id.to_string()).into());
        }
        if let Some(successor) = &ended.successor {
            return Err(EngineError::AlreadyContinued {
                pairing: ended.id.to_string(),
                successor: successor.clone(),
            }
            .into());
        }
        let mentees: Vec<&Participant> = ended.with_role("mentee").collect();
        if mentees.len() != 1 {
            return Err(Error::Match(Box::new(
                crate::matching::MatchError::RematchOneMentee {
                    pairing: ended.id.to_string(),
                    mentees: mentees.len(),
                },
            )));
        }
        let mut excluded = Vec::new();
        for mentor in ended.with_role("mentor") {
            for mentee in &mentees {
                excluded.push((mentor.id.clone(), mentee.id.clone()));
            }
        }
        let mut all: Vec<MatchCandidate> = candidates
            .iter()
            .filter(|c| c.participant.role == "mentor")
            .filter(|c| !mentees.iter().any(|m| m.id == c.participant.id))
            .cloned()
            .collect();
        all.extend(mentees.iter().map(|m| MatchCandidate {
            participant: Participant {
                facts: Default::default(),
                ..(*m).clone()
            },
            capacity: Some(1),
        }));
        self.propose_matches(program, type_id, &all, &excluded)
    }

    /// Every person of the registry, by id.
    pub fn people(&self) -> Result<Vec<Person>, Error> {
        self.ledger.people()
    }

    /// One person of the registry: their entry, reporting line, direct reports, the pairings
    /// they take or took part in, and the edits of their entry.
    pub fn person(&self, id: &str) -> Result<PersonStatus, Error> {
        let people = self.ledger.people()?;
        let by_id: BTreeMap<&str, &Person> = people.iter().map(|p| (p.id.as_str(), p)).collect();
        let Some(person) = by_id.get(id) else {
            return Err(Error::UnknownPerson {
                id: id.into(),
                known: people.iter().map(|p| p.id.clone()).collect(),
            });
        };
        let reporting_line = crate::people::reporting_line::<Error>(id, &mut |p| {
            Ok(by_id.get(p).and_then(|p| p.manager.clone()))
        })?;
        let reports = people
            .iter()
            .filter(|p| p.manager.as_deref() == Some(id))
            .map(|p| p.id.clone())
            .collect();
        let pairings = self
            .ledger
            .list(&Filter::default())?
            .into_iter()
            .filter(|p| p.has_taken_part(id))
            .collect();
        Ok(PersonStatus {
            person: (*person).clone(),
            reporting_line,
            reports,
            pairings,
            edits: self.ledger.events(Some(&crate::people::subject(id)))?,
        })
    }

    /// Someone joins a running pairing: the type's rules and the capacity across pairings
    /// are checked on who takes part afterwards.
    pub fn join(&mut self, id: &str, participant: &Participant) -> Result<Vec<Event>, Error> {
        self.change_participants(id, Some(participant), &mut |engine, p, actor, who| {
            engine.join(p, who.unwrap_or_else(|| participant.clone()), actor)
        })
    }

    /// Someone leaves a running pairing for a reason; if too few remain, an automatic
    /// transition must end it, or the leave is refused.
    pub fn leave(&mut self, id: &str, person: &str, reason: &str) -> Result<Vec<Event>, Error> {
        self.change_participants(id, None, &mut |engine, p, actor, _| {
            engine.leave(p, person, reason, actor)
        })
    }

    /// `participant` takes the place of `person` in a running pairing, in the same role.
    pub fn replace(
        &mut self,
        id: &str,
        person: &str,
        participant: &Participant,
        reason: Option<&str>,
    ) -> Result<Vec<Event>, Error> {
        self.change_participants(id, Some(participant), &mut |engine, p, actor, who| {
            let who = who.unwrap_or_else(|| participant.clone());
            engine.replace(p, person, who, reason, actor)
        })
    }

    /// Runs one change of participants, then the automatic moves it allows, then checks the
    /// type's rules and the capacity of whoever joined, all under the write lock.
    fn change_participants(
        &mut self,
        id: &str,
        newcomer: Option<&Participant>,
        change: &mut ParticipantChange<'_>,
    ) -> Result<Vec<Event>, Error> {
        let pairing = self.ledger.pairing(id)?;
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let allow_same = self.allow_same_participants;
        self.ledger.update(&pairing.id, &mut |p, writer| {
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            // Whoever joins is completed from the people registry, under the lock.
            let who = match newcomer {
                Some(n) => Some(completed(&engine.program, writer, n.clone())?),
                None => None,
            };
            let event = change(&engine, p, &actor, who)?;
            let joined: Vec<Participant> = match &event.kind {
                EventKind::Joined { participant } | EventKind::Replaced { participant, .. } => {
                    vec![participant.clone()]
                }
                _ => Vec::new(),
            };
            let mut events = vec![event];
            events.extend(engine.settle(p, &actor)?);
            engine.check_participants(p)?;
            let people: Vec<&Participant> = joined.iter().collect();
            let mut problems =
                crate::capacity::exceeded(&engine.program, &[&p.id], &people, writer)?;
            if !joined.is_empty() && !allow_same {
                problems.extend(crate::capacity::same_participants(
                    &engine.program,
                    &[&p.id],
                    &p.participants,
                    writer,
                )?);
            }
            // A change that ended the pairing (a group closed) continues it as its stage says.
            events.extend(follow(&engine, p, &actor, writer)?);
            if !problems.is_empty() {
                return Err(EngineError::ParticipantsRefused {
                    pairing: p.id.to_string(),
                    type_id: p.type_id.to_string(),
                    problems,
                }
                .into());
            }
            Ok(events)
        })
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

    /// Records facts given as text (set, add or subtract), checked against the program: all
    /// or none. Additions read the current value under the write lock. Says which facts were
    /// recorded for a later stage while the pairing still waits in its own.
    pub fn record(&mut self, id: &str, facts: &[(String, FactChange)]) -> Result<Recorded, Error> {
        self.record_for(id, None, facts)
    }

    /// [`Coordinator::record`] for the pairing (`person` none) or for one of its participants
    /// (facts declared with `per`).
    pub fn record_for(
        &mut self,
        id: &str,
        person: Option<&str>,
        facts: &[(String, FactChange)],
    ) -> Result<Recorded, Error> {
        let changed = self.change_to(
            id,
            &mut |engine, p, actor| record_changes(engine, p, person, facts, actor),
            true,
        );
        let (events, after) = match changed {
            Err(Error::Engine(e)) => return Err(self.pinned(id, *e)),
            other => other?,
        };
        let mut pairing = match after {
            Some(p) => p,
            None => self.ledger.pairing(id)?,
        };
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let names: Vec<String> = facts.iter().map(|(n, _)| n.clone()).collect();
        let early = crate::attention::early_facts(&engine.program, &pairing, &names);
        let waiting = match crate::attention::attention(&engine, &mut pairing, self.now()) {
            Attention::Waiting(w) if !early.is_empty() => Some(w),
            _ => None,
        };
        Ok(Recorded {
            events,
            early,
            waiting,
            stage: pairing.stage.to_string(),
        })
    }

    /// Records facts on many pairings (each row: a pairing, the person when the facts are
    /// kept per person, the changes) in one transaction: all, or none when any row is refused
    /// (every refusal is returned, with its row's position).
    pub fn record_many(&mut self, rows: &[FactRow]) -> Result<Vec<Vec<Event>>, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        // Rows may name a pairing by its label.
        let ids: Vec<String> = rows
            .iter()
            .map(|(id, _, _)| {
                self.ledger
                    .pairing(id)
                    .map_or_else(|_| id.clone(), |p| p.id.to_string())
            })
            .collect();
        self.ledger.update_many(&ids, None, &mut |i, p, writer| {
            let Some(engine) = engines.get(&*p.program_hash) else {
                return Ok(Vec::new());
            };
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            let (_, person, changes) = &rows[i];
            let person = person.as_deref();
            let mut record = |engine: &Engine, p: &mut Pairing, actor: &Actor<'_>| {
                record_changes(engine, p, person, changes, actor)
            };
            settled(engine, p, &actor, &mut record, writer)
        })
    }

    /// Every fact name the stored program versions declare, sorted.
    pub fn fact_names(&mut self) -> Result<Vec<String>, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
        let mut names: Vec<String> = engines
            .values()
            .flat_map(|e| e.program.facts.iter().map(|f| f.name.clone()))
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(names)
    }

    /// Advances one pairing.
    pub fn advance(&mut self, id: &str, how: &Advance) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            let event = match how {
                Advance::Next => engine.advance(p, None, actor),
                Advance::To(to) => engine.advance(p, Some(to), actor),
                Advance::Force { to, reason } => engine.force(p, to, reason, actor),
            };
            event.map(|e| vec![e])
        })
    }

    /// Records an occurrence of `schedule` done (at `on`, else now), with facts it records.
    pub fn done(
        &mut self,
        id: &str,
        schedule: &str,
        on: Option<DateTime<Utc>>,
        facts: &[(String, String)],
    ) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            let typed = facts
                .iter()
                .map(|(n, text)| Ok((n.clone(), engine.parse_fact(n, text)?)))
                .collect::<Result<Vec<_>, EngineError>>()?;
            let on = on.unwrap_or(actor.now);
            Ok(vec![engine.done(p, schedule, on, typed, actor)?])
        })
    }

    /// How each schedule stands for `pairing` now (those that apply).
    pub fn schedules(
        &mut self,
        pairing: &Pairing,
    ) -> Result<Vec<(mentorflow_dsl::model::Schedule, crate::schedules::Standing)>, Error> {
        let now = self.now();
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(engine
            .program
            .schedules
            .iter()
            .filter_map(|s| {
                crate::schedules::standing(&engine.program, s, pairing, now)
                    .map(|st| (s.clone(), st))
            })
            .collect())
    }

    /// Withdraws one pairing with a reason.
    pub fn withdraw(&mut self, id: &str, reason: &str) -> Result<Vec<Event>, Error> {
        self.change(id, &mut |engine, p, actor| {
            engine.withdraw(p, reason, actor).map(|e| vec![e])
        })
    }

    /// Runs `decide` over every running pairing with its version's engine, in batches.
    fn bulk(
        &mut self,
        observe: &mut dyn FnMut(BulkStep<'_>),
        decide: &mut Decide<'_>,
    ) -> Result<BulkReport, Error> {
        let engines = self.registry.all(self.ledger.store(), false)?;
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

    /// Advances every running pairing whose guards hold; the others wait (not an error).
    pub fn advance_all(
        &mut self,
        observe: &mut dyn FnMut(BulkStep<'_>),
    ) -> Result<BulkReport, Error> {
        self.bulk(
            observe,
            // No explanation in bulk: the pairings that wait are counted, not explained.
            &mut |engine, p, actor| Ok(engine.try_advance(p, actor)?.into_iter().collect()),
        )
    }

    /// Runs the timers of every running pairing: due timer transitions are taken, stages that
    /// went overdue are logged once.
    pub fn tick(&mut self, observe: &mut dyn FnMut(BulkStep<'_>)) -> Result<TickReport, Error> {
        let mut counts = [0u64; 5];
        // Counted as they are stored: the automatic moves after a timer are stored too.
        let mut counting = |step: BulkStep<'_>| {
            if let BulkStep::Stored(e) = &step {
                let i = match &e.kind {
                    EventKind::Moved {
                        by: Move::Timer, ..
                    } => Some(0),
                    EventKind::Moved { by: Move::Auto, .. } => Some(1),
                    EventKind::Warned { .. } => Some(2),
                    EventKind::BecameOverdue { .. } => Some(4),
                    _ => None,
                };
                if let Some(i) = i {
                    counts[i] += 1;
                }
                if let EventKind::Missed { occurrences, .. } = &e.kind {
                    counts[3] += occurrences.len() as u64;
                }
            }
            observe(step);
        };
        let mut next: Option<(String, crate::timers::Upcoming)> = None;
        let bulk = self.bulk(&mut counting, &mut |engine, p, actor| {
            let events = engine.tick(p, actor)?;
            let soonest = crate::timers::upcoming(&engine.program, p)
                .into_iter()
                .find(|u| u.fires.is_some());
            if let Some(u) = soonest {
                if next.as_ref().is_none_or(|(_, n)| u.fires < n.fires) {
                    next = Some((p.id.to_string(), u));
                }
            }
            Ok(events)
        })?;
        let [timed_out, automatic, warned, missed, overdue] = counts;
        Ok(TickReport {
            bulk,
            timed_out,
            automatic,
            warned,
            missed,
            overdue,
            next,
        })
    }

    /// The current state of one pairing.
    pub fn pairing(&self, id: &str) -> Result<Pairing, Error> {
        self.ledger.pairing(id)
    }

    /// One pairing, with every transition advance would consider explained.
    pub fn status(&mut self, id: &str) -> Result<Status, Error> {
        let now = self.now();
        let mut pairing = self.ledger.pairing(id)?;
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        let (candidates, automatic) = if pairing.outcome.is_none() {
            (
                engine.explain(&mut pairing, now),
                engine.explain_auto(&mut pairing, now),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let file = self.file_of(&pairing.program_hash)?;
        Ok(Status {
            file,
            overdue: pairing.is_overdue(now),
            timers: crate::timers::upcoming(&engine.program, &pairing),
            program: Arc::clone(&engine.program),
            candidates,
            automatic,
            pairing,
        })
    }

    /// Pairings per program, stage (in the program's order) and type, with how many are
    /// overdue and how many wait, and on what.
    pub fn board(&mut self) -> Result<(usize, Vec<BoardRow>), Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        let pairings = self.ledger.list(&Filter::default())?;
        let total = pairings.len();
        // Keyed by program, the stage's position in its program, and type: the funnel reads
        // top to bottom in stage order.
        type Key = (mentorflow_dsl::Name, usize, String, mentorflow_dsl::Name);
        let mut rows: BTreeMap<Key, (BoardRow, BTreeMap<String, u64>)> = BTreeMap::new();
        for mut p in pairings {
            let Some(engine) = engines.get(&*p.program_hash) else {
                continue;
            };
            let position = engine
                .program
                .stages
                .iter()
                .position(|s| *s.id == *p.stage)
                .unwrap_or(usize::MAX);
            let key = (p.program_id, position, p.stage.to_string(), p.type_id);
            let overdue = p.is_overdue(now);
            let attention = crate::attention::attention(engine, &mut p, now);
            let (row, waits) = rows.entry(key).or_insert_with(|| {
                let row = BoardRow {
                    program: p.program_id.to_string(),
                    stage: p.stage.to_string(),
                    type_id: p.type_id.to_string(),
                    pairings: 0,
                    overdue: 0,
                    blocked: 0,
                    waiting_on: None,
                    reasons: BTreeMap::new(),
                };
                (row, BTreeMap::new())
            });
            row.pairings += 1;
            row.overdue += u64::from(overdue);
            row.blocked += u64::from(attention.is_blocked());
            if let Attention::Waiting(w) = attention {
                *waits.entry(w.part).or_default() += 1;
            }
            if let Some(code) = ended_because(&engine.program, &p) {
                *row.reasons.entry(code).or_default() += 1;
            }
        }
        let rows = rows
            .into_values()
            .map(|(mut row, waits)| {
                row.waiting_on = waits
                    .into_iter()
                    .max_by_key(|(part, n)| (*n, std::cmp::Reverse(part.clone())));
                row
            })
            .collect();
        Ok((total, rows))
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
        let Ok((path, crate::registry::FileState::Changed(now))) =
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

    /// Each pairing matching `filter` replayed against `program` (its recorded commands at
    /// their times); nothing is written.
    pub fn replay(
        &mut self,
        program: &Program,
        filter: &Filter,
    ) -> Result<Vec<(String, crate::replay::Replayed)>, Error> {
        let engine = Engine::new(program.clone());
        let pairings = self.list(filter)?;
        let mut out = Vec::with_capacity(pairings.len());
        let new_stages = mentorflow_dsl::diff::stage_items(program);
        for p in pairings {
            let events = self.ledger.events(Some(&p.id))?;
            let old = self.registry.engine(self.ledger.store(), &p.program_hash)?;
            let renames = mentorflow_dsl::diff::renamed(
                mentorflow_dsl::diff::stage_items(&old.program),
                new_stages.clone(),
            );
            out.push((
                p.id.to_string(),
                crate::replay::replay(&engine, &events, &renames),
            ));
        }
        Ok(out)
    }

    /// Moves the running pairings of `program`'s other versions (those `filter` picks) onto
    /// it under `mapping`, in one transaction: all, or none with every refusal. A dry run
    /// stores nothing and says what each pairing would become.
    pub fn migrate(
        &mut self,
        program: &Program,
        source: &str,
        mapping: &crate::migration::Mapping,
        filter: &Filter,
        dry_run: bool,
    ) -> Result<Vec<Migrated>, Error> {
        let engine = self.registry.pin(program);
        let now = self.now();
        let filter = Filter {
            program: Some(program.id.clone()),
            outcome: Some(OutcomeFilter::Active),
            ..filter.clone()
        };
        let pairings: Vec<Pairing> = self
            .ledger
            .list(&filter)?
            .into_iter()
            .filter(|p| *p.program_hash != *program.hash)
            .collect();
        let (name, at, clock) = (self.actor.clone(), self.at, Arc::clone(&self.clock));
        let mut outcomes = Vec::new();
        let mut migrate_one = |p: &mut Pairing| -> Result<Vec<Event>, EngineError> {
            let before = (p.stage.to_string(), p.program_hash.to_string());
            let actor = Actor {
                name: &name,
                now: act_at(at, &*clock, p),
            };
            let event = engine.migrate(p, mapping, &actor)?;
            let mut after = p.clone();
            let attention = crate::attention::attention(&engine, &mut after, actor.now);
            outcomes.push(Migrated {
                from_stage: before.0,
                from_version: before.1,
                pairing: after,
                attention,
            });
            Ok(vec![event])
        };
        if dry_run {
            let mut refused = Vec::new();
            for (i, mut p) in pairings.into_iter().enumerate() {
                if let Err(e) = migrate_one(&mut p) {
                    refused.push((i, Error::from(e)));
                }
            }
            return if refused.is_empty() {
                Ok(outcomes)
            } else {
                Err(Error::Rows(refused))
            };
        }
        let ids: Vec<String> = pairings.iter().map(|p| p.id.to_string()).collect();
        self.ledger
            .update_many(&ids, Some((program, source, now)), &mut |_, p, _| {
                Ok(migrate_one(p)?)
            })?;
        Ok(outcomes)
    }

    /// The file a stored version was read from, and how it stands today.
    pub fn file_of(&self, hash: &str) -> Result<(String, crate::registry::FileState), Error> {
        // The stored versions without their pairing counts: counting reads every pairing.
        let Some(row) = self
            .ledger
            .store()
            .program_rows()?
            .into_iter()
            .find(|v| v.hash == hash)
        else {
            return Ok((String::new(), crate::registry::FileState::Missing));
        };
        let stored = crate::ledger::decode_sources(hash, &row.sources)?;
        let state = crate::registry::file_state(&row.path, hash, &stored);
        Ok((row.path, state))
    }

    /// Where each of `pairings` stands: ended, can move, or what it waits on.
    pub fn attention(
        &mut self,
        pairings: Vec<Pairing>,
    ) -> Result<Vec<(Pairing, Attention)>, Error> {
        let now = self.now();
        let engines = self.registry.all(self.ledger.store(), false)?;
        Ok(pairings
            .into_iter()
            .map(|mut p| {
                let a = match engines.get(&*p.program_hash) {
                    Some(engine) => crate::attention::attention(engine, &mut p, now),
                    None => Attention::NoAdvance,
                };
                (p, a)
            })
            .collect())
    }

    /// The reason code `pairing` ended with (see [`ended_because`]).
    pub fn ended_because(&mut self, pairing: &Pairing) -> Result<Option<String>, Error> {
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(ended_because(&engine.program, pairing))
    }

    /// The timers that leave `pairing`'s stage, soonest first, each with whether a tick warned.
    pub fn timers(&mut self, pairing: &Pairing) -> Result<Vec<crate::timers::Upcoming>, Error> {
        let engine = self
            .registry
            .engine(self.ledger.store(), &pairing.program_hash)?;
        Ok(crate::timers::upcoming(&engine.program, pairing))
    }

    /// Pairings matching `filter`; a filter value no stored program knows is refused (it would
    /// list nothing, silently).
    pub fn list(&mut self, filter: &Filter) -> Result<Vec<Pairing>, Error> {
        self.check_filter(filter)?;
        self.ledger.list(filter)
    }

    fn check_filter(&mut self, filter: &Filter) -> Result<(), Error> {
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

    /// The history of one pairing, or of all, in the order it was stored.
    pub fn log(&self, pairing: Option<&str>) -> Result<Vec<Event>, Error> {
        self.ledger.events(pairing)
    }

    /// Every stored program version with its pairing count.
    pub fn programs(&self) -> Result<Vec<ProgramVersion>, Error> {
        Ok(self.ledger.store().programs()?)
    }

    /// The program of a stored version.
    pub fn program(&mut self, hash: &str) -> Result<Arc<Program>, Error> {
        Ok(Arc::clone(
            &self.registry.engine(self.ledger.store(), hash)?.program,
        ))
    }

    /// Checks the hash chain and that every pairing equals the fold of its events; `expect`
    /// is a chain head published earlier, which must still be in the chain.
    pub fn verify(&mut self, expect: Option<&str>) -> Result<VerifyReport, Error> {
        // A version that no longer loads is reported as a breach, with why, not a failed verify.
        let (registry, store) = (&mut self.registry, self.ledger.store());
        Ok(crate::verify::verify(
            store,
            &mut |hash| match registry.engine(store, hash) {
                Ok(e) => Ok(Arc::clone(&e.program)),
                Err(StoreError::Corrupt(why)) => Err(why),
                Err(other) => Err(other.to_string()),
            },
            expect,
        )?)
    }
}
