//! mentorflow's engine: pairings move through a checked program's stages under sandboxed Rhai
//! guards; every change is an [`Event`], and a pairing's state is the fold of its events.
//!
//! Embed it through [`Coordinator`]: open a store, then enrol, record, advance, withdraw, tick,
//! and read status, lists, logs and verification, each returning typed outcomes or a typed
//! [`Error`]. [`Engine`] is the per-program decision core underneath, for simulations and
//! benchmarks that need no store.

pub mod actions;
pub mod attention;
mod capacity;
pub mod clock;
pub mod coordinator;
pub mod copy;
pub mod engine;
mod enrolment;
pub mod error;
pub mod event;
pub mod explain;
pub mod ledger;
mod location;
pub mod matching;
pub mod memory;
pub mod migration;
pub mod notifications;
pub mod outbox;
pub mod pairing;
mod participants;
pub mod people;
pub mod postgres;
pub mod registry;
pub mod replay;
pub mod report;
pub mod runtime;
pub mod scenario;
pub mod schedules;
pub mod selection;
pub mod short_map;
pub mod sqlite;
pub mod store;
mod store_sql;
pub mod successor;
pub mod timers;
pub mod verify;
mod view;

pub use attention::{Attention, EarlyFact, Waiting};
pub use clock::{Clock, FixedClock, SystemClock};
pub use coordinator::{
    Advance, BoardRow, BulkStep, Continue, Coordinator, Enrolment, FactRow, MatchCandidate,
    Migrated, Options, PersonStatus, Recorded, Roster, Status, TickReport, SCRIPT_BUDGET,
};
pub use copy::{copy, CopyReport};
pub use engine::{parse_attribute, parse_fact, Actor, Engine, FactChange};
pub use enrolment::EnrolmentProblem;
pub use error::{Command, CopyProblem, EngineError, Error, Refusal};
pub use event::{Event, EventKind, Move, Participant};
pub use explain::{Candidate, GuardKind, GuardReport, PersonFact, Verdict};
pub use ledger::{stamp, BulkReport, PeopleReport};
pub use mentorflow_dsl::Name;
pub use pairing::Pairing;
pub use people::Person;
pub use registry::FileState;
pub use report::Report;
pub use runtime::{Limit, Runtime, ScriptError, ScriptProblem};
pub use selection::Selection;
pub use short_map::{Attributes, Facts};
pub use store::LOCK_WAIT;
pub use store::{
    Filter, Location, LocationError, Membership, OutcomeFilter, ProgramVersion, StoreError,
};
pub use verify::{Breach, EventRef, VerifyReport};
pub use view::to_dynamic;
