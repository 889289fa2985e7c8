//! Rules over the model: the script runtime, schedules, timers, explanations, enrolment checks, migration, the people registry. May import base and model.

pub(crate) mod enrolment;
pub mod explain;
pub mod migration;
pub mod people;
pub mod runtime;
pub mod schedules;
pub mod timers;
