//! `match --json`: the proposal, pair by pair.

use schemars::JsonSchema;
use serde::Serialize;

/// A proposed matching.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Proposal {
    /// The pairs, by mentor then mentee.
    pub pairs: Vec<Pair>,
    /// Who got no partner, and why.
    pub unmatched: Vec<Unmatched>,
    /// Who was left out because running pairings take all their capacity (already paired).
    pub at_capacity: Vec<AtCapacity>,
    /// The proposal's total score.
    pub total: f64,
    /// What a greedy matching (best pair first) reaches, for comparison.
    pub greedy: Greedy,
    /// Candidate pairs judged.
    pub judged: u64,
    /// Script evaluations (rules, allow, criteria).
    pub evaluations: u64,
    /// Whether the type makes groups: the pairs with one mentor form one pairing.
    pub groups: bool,
}

/// Someone left out of a proposal: already paired up to their capacity.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AtCapacity {
    /// Person id.
    pub person: String,
    /// Their name in the people registry, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role they were a candidate for.
    pub role: String,
}

/// A proposed pair.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Pair {
    /// The mentor's id.
    pub mentor: String,
    /// The mentor's name in the people registry, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentor_name: Option<String>,
    /// The mentee's id.
    pub mentee: String,
    /// The mentee's name in the people registry, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentee_name: Option<String>,
    /// The pair's score (the sum of the weighted parts).
    pub score: f64,
    /// Each criterion's part.
    pub parts: Vec<Part>,
}

/// One criterion's part of a score.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Part {
    /// The criterion's name.
    pub criterion: String,
    /// Its value for the pair.
    pub value: f64,
    /// The value times the criterion's weight.
    pub weighted: f64,
}

/// Someone left without a partner.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unmatched {
    /// Person id.
    pub person: String,
    /// Their name in the people registry, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// mentor or mentee.
    pub role: String,
    /// Why, in words.
    pub reason: String,
}

/// A greedy matching's result.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Greedy {
    /// Pairs made.
    pub pairs: u64,
    /// Total score.
    pub total: f64,
}
