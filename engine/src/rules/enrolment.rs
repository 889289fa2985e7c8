//! Enrolment checks: counts per role, required attributes, attribute values, the type's rule.

use chrono::{DateTime, Utc};
use mentorflow_dsl::{MentoringType, Program, Script};

use crate::model::event::Participant;
use crate::model::pairing::Pairing;
use crate::rules::explain::{self, GuardKind, GuardReport, Verdict};
use crate::rules::runtime::Runtime;

/// One reason an enrolment is refused, with the values involved.
#[derive(Debug, Clone, PartialEq)]
pub enum EnrolmentProblem {
    /// A participant's id is empty or has control characters.
    BadId {
        /// Their role.
        role: String,
    },
    /// A role the type does not have.
    UnknownRole {
        /// Person id.
        person: String,
        /// The role given.
        role: String,
        /// The type.
        type_id: String,
        /// The type's roles.
        roles: Vec<String>,
    },
    /// An attribute the type requires is missing.
    MissingAttribute {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
        /// The attribute.
        attribute: String,
        /// The type.
        type_id: String,
    },
    /// A participant whose values were erased (`people erase`): the type's checks cannot
    /// read them.
    Erased {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
        /// The pairing.
        pairing: String,
    },
    /// An attribute value breaks its declaration.
    BadAttribute {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
        /// What is wrong, as the program language says it.
        problem: String,
    },
    /// The same person is listed twice.
    Duplicate {
        /// Person id.
        person: String,
    },
    /// Too few or too many participants in a role.
    RoleCount {
        /// The type.
        type_id: String,
        /// The role.
        role: String,
        /// At least.
        min: u32,
        /// At most.
        max: u32,
        /// How many were given.
        got: u32,
    },
    /// The person already takes part in as many running pairings of the program as
    /// `[capacity]` allows.
    Capacity {
        /// Person id.
        person: String,
        /// The role counted (`None`: any role).
        role: Option<String>,
        /// How many running pairings it allows.
        limit: u32,
        /// The running pairings they take part in.
        pairings: Vec<String>,
    },
    /// Someone's own capacity (the people registry's `capacity`) is taken by the running
    /// pairings they are in, of any program.
    OwnCapacity {
        /// Person id.
        person: String,
        /// How many running pairings they take.
        limit: u32,
        /// The running pairings they take part in.
        pairings: Vec<String>,
    },
    /// The same people already take part in running pairings of the program.
    SameParticipants {
        /// Those pairings.
        pairings: Vec<String>,
    },
    /// The type's rule does not hold for these participants.
    Rule {
        /// The type.
        type_id: String,
        /// The rule's evaluation, part by part.
        report: Box<GuardReport>,
        /// The participants it was evaluated on.
        participants: Vec<Participant>,
    },
}

/// The participants with each declared attribute they do not carry set to its default, so
/// rules read the default and the enrolment event records the values used.
pub(crate) fn with_defaults(
    program: &Program,
    mut participants: Vec<Participant>,
) -> Vec<Participant> {
    for p in &mut participants {
        apply_defaults(program, p);
    }
    participants
}

/// Sets each declared attribute `p` does not carry to its default.
pub(crate) fn apply_defaults(program: &Program, p: &mut Participant) {
    for decl in &program.attributes {
        if let Some(default) = &decl.default {
            if !p.attributes.contains_key(&decl.name) {
                p.attributes
                    .insert(decl.name.as_str().into(), default.clone());
            }
        }
    }
}

/// Every problem with the participants for type `ty`, each with the values involved.
pub(crate) fn check_participants(
    program: &Program,
    ty: &MentoringType,
    participants: &[Participant],
) -> Vec<EnrolmentProblem> {
    let mut problems = Vec::new();
    // Counted by looking, not in maps: a pairing has a handful of people, and an enrolment
    // is checked on every enrol and import, where allocating cost more than the checks.
    for (i, p) in participants.iter().enumerate() {
        if p.id.trim().is_empty() || p.id.chars().any(char::is_control) {
            problems.push(EnrolmentProblem::BadId {
                role: p.role.to_string(),
            });
        }
        if ty.roles.iter().all(|r| r.name != p.role) {
            problems.push(EnrolmentProblem::UnknownRole {
                person: p.id.clone(),
                role: p.role.to_string(),
                type_id: ty.id.to_string(),
                roles: ty.roles.iter().map(|r| r.name.to_string()).collect(),
            });
        }
        if participants[..i].iter().any(|q| q.id == p.id) {
            problems.push(EnrolmentProblem::Duplicate {
                person: p.id.clone(),
            });
        }
        for name in &ty.requires {
            if !p.attributes.contains_key(name) {
                problems.push(EnrolmentProblem::MissingAttribute {
                    person: p.id.clone(),
                    role: p.role.to_string(),
                    attribute: name.clone(),
                    type_id: ty.id.to_string(),
                });
            }
        }
        for (name, value) in &p.attributes {
            if let Some(decl) = program.attributes.iter().find(|a| &a.name == name) {
                if let Err(problem) = decl.check(value) {
                    problems.push(EnrolmentProblem::BadAttribute {
                        person: p.id.clone(),
                        role: p.role.to_string(),
                        problem,
                    });
                }
            }
        }
    }
    for role in &ty.roles {
        let got = participants.iter().filter(|p| p.role == role.name).count();
        let got = u32::try_from(got).unwrap_or(u32::MAX);
        if got < role.min || got > role.max {
            problems.push(EnrolmentProblem::RoleCount {
                type_id: ty.id.to_string(),
                role: role.name.to_string(),
                min: role.min,
                max: role.max,
                got,
            });
        }
    }
    problems
}

/// Evaluates the type's rule on a freshly enrolled pairing; a failure is explained part by
/// part with the participants' attributes.
pub(crate) fn check_rule(
    program: &Program,
    runtime: &Runtime,
    pairing: &mut Pairing,
    rule: &Script,
    now: DateTime<Utc>,
) -> Option<EnrolmentProblem> {
    // The rule usually holds: only a refusal is worth the explanation's work.
    if let Ok(true) = runtime.eval(
        rule,
        &crate::rules::runtime::Context::of(program, pairing, now),
    ) {
        return None;
    }
    let report = explain::report(program, runtime, pairing, GuardKind::Rule, rule, now);
    (report.verdict != Verdict::Holds).then(|| EnrolmentProblem::Rule {
        type_id: pairing.type_id.to_string(),
        report: Box::new(report),
        participants: pairing.participants.to_vec(),
    })
}
