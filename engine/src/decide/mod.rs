//! Decisions of one program: the per-program `Engine`, stage actions, participants, matching, replay, attention, health, notices. May import base, model and rules.

pub mod actions;
mod assignment;
pub mod attention;
pub mod engine;
pub mod health;
pub mod invariants;
pub mod matching;
pub mod notifications;
pub(crate) mod participants;
pub mod replay;
