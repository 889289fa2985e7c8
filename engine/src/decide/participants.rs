//! Who takes part changes after enrolment: a person joins, leaves or takes another's place.
//! Each is one event. Afterwards the type's role counts, attributes and rule are checked again
//! on who takes part now, unless the change ended the pairing through an automatic transition
//! (a group closes when fewer than its minimum remain): see [`Engine::check_participants`].

use crate::decide::engine::{Actor, Engine};
use crate::model::event::{Event, EventKind, Participant};
use crate::model::pairing::Pairing;
use crate::rules::engine_error::Command;
use crate::rules::engine_error::EngineError;
use crate::rules::enrolment::EnrolmentProblem;

impl Engine {
    /// `participant` joins the running pairing (the program's attribute defaults applied).
    pub fn join(
        &self,
        pairing: &mut Pairing,
        participant: Participant,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        let participant = self.with_defaults(participant);
        self.emit(pairing, actor, None, EventKind::Joined { participant })
    }

    /// `person` leaves the running pairing, for `reason` (one of the program's reason codes
    /// when it declares them).
    pub fn leave(
        &self,
        pairing: &mut Pairing,
        person: &str,
        reason: &str,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        self.check_reason(Command::Leave, reason)?;
        let role = self.participant(pairing, person)?.role;
        let kind = EventKind::Left {
            person: person.into(),
            role: role.to_string(),
        };
        self.emit(pairing, actor, Some(reason), kind)
    }

    /// `participant` takes the place of `person`, in the same role; `reason` is optional.
    pub fn replace(
        &self,
        pairing: &mut Pairing,
        person: &str,
        participant: Participant,
        reason: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        self.ensure_active(pairing)?;
        if let Some(reason) = reason {
            self.check_reason(Command::Leave, reason)?;
        }
        let role = &self.participant(pairing, person)?.role;
        if *role != participant.role {
            return Err(EngineError::ReplaceChangesRole {
                person: person.into(),
                role: role.to_string(),
                given: participant.role.to_string(),
            });
        }
        let kind = EventKind::Replaced {
            person: person.into(),
            participant: self.with_defaults(participant),
        };
        self.emit(pairing, actor, reason, kind)
    }

    /// The type's rules on who takes part now: role counts, attributes, no one twice, the
    /// type's rule. A pairing that has ended (an automatic transition closed it) has none.
    pub fn check_participants(&self, pairing: &mut Pairing) -> Result<(), EngineError> {
        if pairing.outcome.is_some() {
            return Ok(());
        }
        let program = &*self.program;
        let Some(ty) = program.mentoring_type(&pairing.type_id) else {
            return Ok(());
        };
        let mut problems =
            crate::rules::enrolment::check_participants(program, ty, &pairing.participants);
        erased_said_once(pairing, &mut problems);
        if problems.is_empty() {
            if let Some(rule) = &ty.rule {
                let now = pairing.latest_at;
                problems.extend(crate::rules::enrolment::check_rule(
                    program,
                    &self.runtime,
                    pairing,
                    rule,
                    now,
                ));
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(EngineError::ParticipantsRefused {
            pairing: pairing.id.to_string(),
            type_id: pairing.type_id.to_string(),
            problems,
        })
    }

    pub(crate) fn participant<'p>(
        &self,
        pairing: &'p Pairing,
        person: &str,
    ) -> Result<&'p Participant, EngineError> {
        pairing
            .participants
            .iter()
            .find(|p| p.id == person)
            .ok_or_else(|| EngineError::NotAParticipant {
                pairing: pairing.id.to_string(),
                person: person.into(),
                participants: pairing
                    .participants
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.role))
                    .collect(),
            })
    }

    fn with_defaults(&self, mut participant: Participant) -> Participant {
        crate::rules::enrolment::apply_defaults(&self.program, &mut participant);
        participant
    }
}

/// Someone erased lacks every value: said once each, as what it is, not as attributes to add.
fn erased_said_once(pairing: &Pairing, problems: &mut Vec<EnrolmentProblem>) {
    for p in pairing.participants.iter() {
        if !pairing.erased.contains(&p.id) {
            continue;
        }
        problems.retain(|problem| match problem {
            EnrolmentProblem::MissingAttribute { person, .. }
            | EnrolmentProblem::BadAttribute { person, .. } => *person != p.id,
            _ => true,
        });
        problems.push(EnrolmentProblem::Erased {
            person: p.id.clone(),
            role: p.role.to_string(),
            pairing: pairing.id.to_string(),
        });
    }
}
