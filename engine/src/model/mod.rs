//! The model: events, a pairing and its one fold, and the data they carry. May import base.

pub mod event;
pub mod pairing;
pub(crate) mod view;
