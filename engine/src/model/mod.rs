//! The model: events, a pairing and its one fold, and the data they carry. May import base.

pub mod directory;
pub mod event;
pub mod history;
pub mod mapping;
pub mod pairing;
pub mod person;
pub mod schedule_state;
pub(crate) mod view;
