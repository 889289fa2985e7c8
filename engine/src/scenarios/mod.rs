//! The scenario runner: a scenario's steps run through a coordinator over a store in memory,
//! so each step is the store's own command; property runs walk random steps through it. May
//! import every layer below.

mod expect;
mod explore;
mod files;
mod run;
pub mod scenario;
mod transcript;
