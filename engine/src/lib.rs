//! mentorflow's engine: pairings move through a checked program's stages under sandboxed Rhai
//! guards; every change is an [`Event`], and a pairing's state is the fold of its events.

pub mod clock;
pub mod engine;
mod enrolment;
pub mod error;
pub mod event;
pub mod explain;
pub mod pairing;
pub mod runtime;
pub mod scenario;
pub mod sqlite;
pub mod store;
mod view;

pub use clock::{Clock, FixedClock, SystemClock};
pub use engine::{Actor, Engine};
pub use error::EngineError;
pub use event::{Event, EventKind, Participant};
pub use pairing::Pairing;
pub use runtime::{Runtime, ScriptError};
pub use view::to_dynamic;
