//! The base: the clock, small maps, memory accounting. Imports nothing of the crate.

pub mod clock;
pub mod memory;
pub mod short_map;
