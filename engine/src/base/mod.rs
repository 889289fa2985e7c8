//! The base: the clock, small maps, memory accounting, work spread over cores. Imports nothing
//! of the crate.

pub mod clock;
pub mod memory;
pub mod parallel;
pub mod short_map;
pub mod stamp;
