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

// Outside the crate only this facade is seen, with the scenario runner and the store seam (for
// backends and their conformance suite); inside it, modules name each other by their layer's
// path (`crate::model::event`), so the layering shows in every import.
pub use base::clock::{Clock, FixedClock, SystemClock};
pub use base::short_map::{Attributes, Facts};
pub use coordinator::error::{Command, CopyProblem, EngineError, Error, Refusal};
pub use coordinator::ledger::{stamp, BulkReport, Ledger, PeopleReport};
pub use coordinator::registry::FileState;
pub use coordinator::{
    Advance, BoardRow, BulkStep, Continue, Coordinator, Enrolment, FactRow, MatchCandidate,
    Migrated, Options, PersonStatus, Recorded, Roster, Status, TickReport, SCRIPT_BUDGET,
};
pub use decide::attention::{Attention, EarlyFact, Waiting};
pub use decide::engine::{parse_attribute, parse_fact, Actor, Engine, FactChange};
pub use decide::health::{
    call_order, Health, Reason as HealthReason, State as HealthState, IDLE_DAYS,
};
pub use mentorflow_dsl::Name;
pub use model::directory::Directory;
pub use model::event::{Event, EventKind, Move, Participant, Recipient};
pub use model::pairing::Pairing;
pub use model::person::{Change, Difference, PersonEdit};
pub use reports::report::Report;
pub use reports::selection::Selection;
pub use rules::enrolment::EnrolmentProblem;
pub use rules::explain::{Candidate, GuardKind, GuardReport, PersonFact, Verdict};
pub use rules::people::Person;
pub use rules::runtime::{Context, Limit, Runtime, ScriptError, ScriptProblem};
pub use scenarios::scenario;
pub use store::copy::{copy, CopyReport};
pub use store::verify::{Breach, EventRef, OutboxProblem, VerifyReport};
pub use store::LOCK_WAIT;
pub use store::{
    Filter, Location, LocationError, Membership, OutcomeFilter, ProgramVersion, StoreError,
};
// What the CLI renders of matching, migration, the outbox, replay, reports and timers.
pub use base::memory::{allocated_here, Counting};
pub use coordinator::outbox::{Delivery, Queued};
pub use coordinator::privacy::{
    Erasure, Expired, PartTaken, PersonExport, RetentionReport, Sensitive,
};
pub use decide::matching::{exclusion, MatchError, Proposal, Proposed, Unmatched};
pub use decide::replay::Replayed;
pub use model::view::to_dynamic;
pub use reports::breakdown::Group;
pub use reports::load::Load;
pub use reports::measures::Measure;
pub use reports::report::{
    Call, Ending, ProgramReport, Rate, ScheduleReport, Spread, StageReport, TypeReport,
    VersionReport, STAY_BUCKETS,
};
pub use reports::trend::Week;
pub use rules::migration::{Mapping, MigrationProblem};
pub use rules::schedules::Standing;
pub use rules::timers::Upcoming;
