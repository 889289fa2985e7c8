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
mod coordinator;
mod decide;
mod model;
mod reports;
mod rules;
mod scenarios;
pub mod store;

// Inside the crate each module keeps a short path (`crate::event`, `crate::pairing`); outside it
// only the facade below is seen, with the scenario runner and the store seam (for backends and
// their conformance suite).
pub(crate) use base::{clock, memory, short_map};
pub(crate) use coordinator::{capacity, error, ledger, outbox, registry, successor};
pub(crate) use decide::{actions, attention, engine, matching, notifications, replay};
pub(crate) use model::{event, pairing, view};
pub(crate) use reports::{report, selection};
pub(crate) use rules::{
    engine_error, enrolment, explain, migration, people, runtime, schedules, timers,
};
pub use scenarios::scenario;
pub(crate) use store::{codec, copy, location, store_error, verify};

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
pub use event::{Event, EventKind, Move, Participant, Recipient};
pub use explain::{Candidate, GuardKind, GuardReport, PersonFact, Verdict};
pub use ledger::{stamp, BulkReport, Ledger, PeopleReport};
pub use mentorflow_dsl::Name;
pub use pairing::Pairing;
pub use people::Person;
pub use registry::FileState;
pub use report::Report;
pub use runtime::{Context, Limit, Runtime, ScriptError, ScriptProblem};
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
pub use schedules::Standing;
pub use timers::Upcoming;
pub use view::to_dynamic;
