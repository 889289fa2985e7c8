//! Mentor load: for each person in the mentoring role, how many pairings they run now against
//! what they may take (their own capacity, else the program's), how many they have ended, and
//! how many of theirs need a call. Scarce senior mentors are what a cohort runs out of first.

use std::collections::HashMap;

use mentorflow_dsl::{Name, Program};

use crate::decide::health::State;
use crate::model::person::Person;
use crate::reports::breakdown::Counted;

/// The role the load is counted for, where a program's types have it; programs without one
/// (peers) count every role.
pub const MENTOR: &str = "mentor";

/// One person's load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    /// Person id.
    pub person: String,
    /// Their role.
    pub role: Name,
    /// Running pairings they are in.
    pub running: u64,
    /// Ended pairings they were in at the end.
    pub ended: u64,
    /// How many running pairings they may take: their own capacity, else the program's for the
    /// role; none when neither limits them.
    pub capacity: Option<u32>,
    /// Their running pairings that are not on track.
    pub needing_a_call: u64,
}

/// A person's counts while pairings are counted: [`Load`] without the names, which the map's
/// key holds once (a cohort can have a million mentors).
#[derive(Debug, Clone, Copy)]
struct Tally {
    running: u64,
    ended: u64,
    capacity: Option<u32>,
    needing_a_call: u64,
}

/// The load of each person in the mentoring role of a program (its newest version), counted
/// one pairing at a time.
#[derive(Debug, Clone, Default)]
pub struct Loads(HashMap<(String, Name), Tally>);

impl Loads {
    /// Counts the pairing `c` of `program`; `person` looks up a registry entry.
    pub fn add<'a>(
        &mut self,
        program: &Program,
        c: &Counted<'_>,
        person: impl Fn(&str) -> Option<&'a Person>,
    ) {
        let has_mentors = program
            .types
            .iter()
            .any(|t| t.roles.iter().any(|r| &*r.name == MENTOR));
        let counted = c
            .pairing
            .participants
            .iter()
            .filter(|x| !has_mentors || x.role == MENTOR);
        for x in counted {
            let l = self
                .0
                .entry((x.id.clone(), x.role))
                .or_insert_with(|| Tally {
                    running: 0,
                    ended: 0,
                    capacity: person(&x.id).and_then(Person::capacity).or_else(|| {
                        program
                            .capacity
                            .iter()
                            .filter(|k| k.role.as_deref().is_none_or(|r| r == &*x.role))
                            .map(|k| k.limit)
                            .min()
                    }),
                    needing_a_call: 0,
                });
            match c.pairing.outcome {
                None => l.running += 1,
                Some(_) => l.ended += 1,
            }
            l.needing_a_call += u64::from(c.state.is_some_and(|s| s != State::OnTrack));
        }
    }

    /// Everyone's load, the busiest first (then by person and role).
    pub fn busiest_first(self) -> Vec<Load> {
        let mut out: Vec<Load> = self
            .0
            .into_iter()
            .map(|((person, role), t)| Load {
                person,
                role,
                running: t.running,
                ended: t.ended,
                capacity: t.capacity,
                needing_a_call: t.needing_a_call,
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            (b.running, b.ended)
                .cmp(&(a.running, a.ended))
                .then_with(|| a.person.cmp(&b.person))
                .then_with(|| a.role.cmp(&b.role))
        });
        out
    }
}
