//! Rules over the model: the script runtime, schedules, timers, explanations, enrolment checks,
//! migration, the people registry, and the errors of a command on one pairing (which the
//! decide layer returns too). May import base and model.

pub mod candidate_pair;
pub mod engine_error;
pub(crate) mod enrolment;
pub mod explain;
pub mod migration;
pub mod people;
pub(crate) mod relations;
pub mod runtime;
pub mod schedules;
pub mod timers;
