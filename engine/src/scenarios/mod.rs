//! Scenarios: one pairing driven through a program on a fixed clock. May import base, model, rules and decide.

pub mod scenario;
