//! mentorflow's engine: pairings move through a checked program's stages under sandboxed Rhai
//! guards; every change is an [`Event`], and a pairing's state is the fold of its events.
//!
//! Embed it through [`Coordinator`]: open a store, then enrol, record, advance, withdraw, tick,
//! and read status, lists, logs and verification, each returning typed outcomes or a typed
//! [`Error`]. [`Engine`] is the per-program decision core underneath, for simulations and
//! benchmarks that need no store.

// The layers, lowest first; each folder's module comment says what it may import, and
// `engine/tests/layers.rs` holds every import to that order.
mod base;
pub mod coordinator;
mod decide;
mod model;
mod reports;
mod rules;
mod scenarios;
pub mod store;

// Each module keeps the path it had before the layers (`mentorflow_engine::event`,
// `crate::pairing`): embedders and the CLI are unchanged.
pub use base::{clock, memory, short_map};
pub use coordinator::{error, ledger, outbox, registry, successor};
pub use decide::{actions, attention, engine, matching, notifications, replay};
pub use model::{event, pairing};
pub use reports::{report, selection};
pub use rules::{explain, migration, people, runtime, schedules, timers};
pub use scenarios::scenario;
pub use store::{codec, copy, postgres, sqlite, verify};

pub(crate) use coordinator::capacity;
pub(crate) use model::view;
pub(crate) use rules::engine_error;
pub(crate) use rules::enrolment;
pub(crate) use store::{location, store_error, store_sql};

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
pub use verify::{Breach, EventRef, OutboxProblem, VerifyReport};
// What the CLI renders of matching, migration, the outbox, replay, reports and timers.
pub use matching::{MatchError, Proposal, Proposed, Unmatched};
pub use memory::{allocated_here, Counting};
pub use migration::{Mapping, MigrationProblem};
pub use outbox::{Delivery, Queued};
pub use replay::Replayed;
pub use report::{ProgramReport, Rate, Spread, StageReport, TypeReport, STAY_BUCKETS};
pub use timers::Upcoming;
pub use view::to_dynamic;
