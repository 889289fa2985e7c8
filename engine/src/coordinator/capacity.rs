//! Rules across pairings, checked by the store under its write lock so that two coordinators
//! can never both pass them: a person's capacity per role (`[capacity]`), and no second
//! running pairing of a program with the same participants (an import run twice).

use std::collections::BTreeSet;

use mentorflow_dsl::Program;

use crate::coordinator::ledger::Writer;
use crate::model::event::Participant;
use crate::model::pairing::Pairing;
use crate::rules::enrolment::EnrolmentProblem;
use crate::store::{Membership, StoreError};

/// Every capacity `people` (joining `joined`, a pairing of `program`) would exceed, naming the
/// running pairings that already use it (those in `skip` aside: the pairing itself, one that
/// ends): the program's `[capacity]` (when `joined` counts already), and each person's own
/// (the registry's `capacity`).
pub(crate) fn exceeded(
    program: &Program,
    joined: &Pairing,
    skip: &[&str],
    people: &[&Participant],
    writer: &mut Writer<'_>,
) -> Result<Vec<EnrolmentProblem>, StoreError> {
    let mut problems = own_capacity(skip, people, writer)?;
    if program.capacity.is_empty() || !counts(program, joined) {
        return Ok(problems);
    }
    for person in people {
        let memberships = others(program, skip, &person.id, writer)?;
        let memberships = counting(program, memberships, writer)?;
        for capacity in &program.capacity {
            if capacity.role.as_ref().is_some_and(|r| *r != person.role) {
                continue;
            }
            let taken: Vec<String> = memberships
                .iter()
                .filter(|m| capacity.role.as_ref().is_none_or(|r| *r == m.role))
                .map(|m| m.pairing.clone())
                .collect();
            if taken.len() >= capacity.limit as usize {
                problems.push(EnrolmentProblem::Capacity {
                    person: person.id.clone(),
                    role: capacity.role.clone(),
                    limit: capacity.limit,
                    pairings: taken,
                });
            }
        }
    }
    Ok(problems)
}

/// Each of `people` whose own capacity (the registry's `capacity` attribute, a whole number)
/// the running pairings they are in, of any program, already take.
fn own_capacity(
    skip: &[&str],
    people: &[&Participant],
    writer: &mut Writer<'_>,
) -> Result<Vec<EnrolmentProblem>, StoreError> {
    let mut problems = Vec::new();
    for person in people {
        let limit = writer.person(&person.id)?.and_then(|p| p.capacity());
        let Some(limit) = limit else { continue };
        let taken: Vec<String> = writer
            .memberships(&person.id)?
            .into_iter()
            .filter(|m| !skip.contains(&m.pairing.as_str()))
            .map(|m| m.pairing)
            .collect();
        if taken.len() >= limit as usize {
            problems.push(EnrolmentProblem::OwnCapacity {
                person: person.id.clone(),
                limit,
                pairings: taken,
            });
        }
    }
    Ok(problems)
}

/// `problems` without those of people's own capacity when a coordinator overrides it for
/// `reason`: then the words the command's event is logged with (`over capacity: e002 (2 of
/// 2): REASON`).
pub(crate) fn overridden(
    problems: &mut Vec<EnrolmentProblem>,
    reason: Option<&str>,
) -> Option<String> {
    let reason = reason?;
    let over: Vec<String> = problems
        .iter()
        .filter_map(|p| match p {
            EnrolmentProblem::OwnCapacity { person, limit, .. } => {
                Some(format!("{person} (capacity {limit})"))
            }
            _ => None,
        })
        .collect();
    if over.is_empty() {
        return None;
    }
    problems.retain(|p| !matches!(p, EnrolmentProblem::OwnCapacity { .. }));
    Some(format!("over capacity: {}: {reason}", over.join(", ")))
}

/// Whether `pairing` counts for its program's `[capacity]`: always, or with `counted_from`,
/// once it has entered that stage (a pending request does not).
pub(crate) fn counts(program: &Program, pairing: &Pairing) -> bool {
    match program
        .capacity
        .iter()
        .find_map(|c| c.counted_from.as_deref())
    {
        None => true,
        Some(stage) => {
            *pairing.stage == *stage
                || pairing
                    .history
                    .as_ref()
                    .is_some_and(|h| h.entries(stage) > 0)
        }
    }
}

/// The capacity problems of a move that made `pairing` count (it entered `[capacity]
/// counted_from`): its people must have room for it now.
pub(crate) fn on_entering(
    program: &Program,
    pairing: &Pairing,
    counted_before: bool,
    writer: &mut Writer<'_>,
) -> Result<Vec<EnrolmentProblem>, StoreError> {
    if counted_before || pairing.outcome.is_some() || !counts(program, pairing) {
        return Ok(Vec::new());
    }
    let people: Vec<&Participant> = pairing.participants.iter().collect();
    let mut problems = exceeded(program, pairing, &[&pairing.id], &people, writer)?;
    // A person's own capacity was checked when they joined: a move changes none of it.
    problems.retain(|p| matches!(p, EnrolmentProblem::Capacity { .. }));
    Ok(problems)
}

/// Of `memberships` (running pairings of `program`), those its `[capacity]` counts: all, or
/// with `counted_from`, those that have entered that stage (a request still pending is no
/// active relation).
pub(crate) fn counting(
    program: &Program,
    memberships: Vec<Membership>,
    writer: &mut Writer<'_>,
) -> Result<Vec<Membership>, StoreError> {
    let Some(stage) = program
        .capacity
        .iter()
        .find_map(|c| c.counted_from.as_deref())
    else {
        return Ok(memberships);
    };
    let mut out = Vec::with_capacity(memberships.len());
    for m in memberships {
        if writer.entered(&m.pairing, stage)? {
            out.push(m);
        }
    }
    Ok(out)
}

/// How many more running pairings of `program` a person in `role` may take, given the ones
/// they are in (`u32::MAX` when no capacity applies).
pub(crate) fn room(program: &Program, role: &str, memberships: &[Membership]) -> u32 {
    program
        .capacity
        .iter()
        .filter(|c| c.role.as_deref().is_none_or(|r| r == role))
        .map(|c| {
            let used = memberships
                .iter()
                .filter(|m| c.role.as_ref().is_none_or(|r| *r == m.role))
                .count() as u32;
            c.limit.saturating_sub(used)
        })
        .min()
        .unwrap_or(u32::MAX)
}

/// The running pairings of `program` with exactly the people of `participants` (those in
/// `skip` aside).
pub(crate) fn same_participants(
    program: &Program,
    skip: &[&str],
    participants: &[Participant],
    writer: &mut Writer<'_>,
) -> Result<Option<EnrolmentProblem>, StoreError> {
    let Some((first, rest)) = participants.split_first() else {
        return Ok(None);
    };
    let size = participants.len() as u32;
    let mut shared: BTreeSet<String> = others(program, skip, &first.id, writer)?
        .into_iter()
        .filter(|m| m.members == size)
        .map(|m| m.pairing)
        .collect();
    for person in rest {
        if shared.is_empty() {
            break;
        }
        let theirs: BTreeSet<String> = others(program, skip, &person.id, writer)?
            .into_iter()
            .map(|m| m.pairing)
            .collect();
        shared.retain(|p| theirs.contains(p));
    }
    Ok(
        (!shared.is_empty()).then(|| EnrolmentProblem::SameParticipants {
            pairings: sorted_by_number(shared),
        }),
    )
}

/// `person`'s running pairings of `program`, those in `skip` aside.
fn others(
    program: &Program,
    skip: &[&str],
    person: &str,
    writer: &mut Writer<'_>,
) -> Result<Vec<Membership>, StoreError> {
    let mut memberships = writer.memberships(person)?;
    memberships.retain(|m| m.program_id == program.id && !skip.contains(&m.pairing.as_str()));
    Ok(memberships)
}

/// Pairing ids in number order (`p-9` before `p-10`).
fn sorted_by_number(ids: BTreeSet<String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort_by_key(|id| {
        let n = id.strip_prefix("p-").and_then(|n| n.parse::<u64>().ok());
        (n.unwrap_or(u64::MAX), id.clone())
    });
    ids
}
