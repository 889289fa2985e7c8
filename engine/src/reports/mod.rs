//! Reports over a store's pairings (the cohort report, which pairings a command asks about).
//! May import every layer below, through the coordinator facade.

pub mod breakdown;
pub mod life;
pub mod load;
pub mod measures;
pub mod rate;
pub mod report;
pub mod selection;
pub mod trend;
