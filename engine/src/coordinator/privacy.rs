//! A person's data through the facade: everything the store holds about one person, for the
//! copy they may ask for, without anyone else's values.

use super::*;
use crate::coordinator::outbox::Queued;

/// Everything the store holds about one person (`people export`).
#[derive(Debug, Clone)]
pub struct PersonExport {
    /// Their id.
    pub id: String,
    /// Their entry in the people registry; none when they took part without one.
    pub registered: Option<Person>,
    /// The edits of their entry, oldest first.
    pub edits: Vec<Event>,
    /// Each pairing they take or took part in, in number order.
    pub pairings: Vec<PartTaken>,
    /// The notifications addressed to them, in queue order, each naming them alone.
    pub notices: Vec<Queued>,
}

/// One person's part in one pairing.
#[derive(Debug, Clone)]
pub struct PartTaken {
    /// The pairing id.
    pub pairing: String,
    /// Its program id.
    pub program_id: String,
    /// Its mentoring type.
    pub type_id: String,
    /// Its current stage.
    pub stage: String,
    /// Its outcome once ended.
    pub outcome: Option<String>,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Them, as the pairing holds them: role, attributes, facts kept for them, managers.
    pub participant: Participant,
    /// When they left, and why, if they did.
    pub left: Option<(DateTime<Utc>, Option<String>)>,
    /// The pairing's events as they concern them ([`Event::about`]), in order.
    pub events: Vec<Event>,
}

impl Coordinator {
    /// Everything stored about `id`: their registry entry and its edits, each pairing they
    /// take or took part in with the events that concern them, and the notifications sent to
    /// them. An id the store knows nothing of is an error naming the registered ids.
    pub fn export_person(&self, id: &str) -> Result<PersonExport, Error> {
        let people = self.ledger.people()?;
        let registered = people.iter().find(|p| p.id == id).cloned();
        let mut pairings = Vec::new();
        for pairing in self.ledger.list(&Filter::default())? {
            if let Some(part) = self.part_taken(&pairing, id)? {
                pairings.push(part);
            }
        }
        let notices: Vec<Queued> = self
            .outbox(true)?
            .into_iter()
            .filter_map(|q| {
                let event = q.event.about(id)?;
                Some(Queued { event, row: q.row })
            })
            .collect();
        if registered.is_none() && pairings.is_empty() && notices.is_empty() {
            return Err(Error::UnknownPerson {
                id: id.into(),
                known: people.into_iter().map(|p| p.id).collect(),
            });
        }
        let edits = match registered {
            Some(_) => self
                .ledger
                .events(Some(&crate::rules::people::subject(id)))?,
            None => Vec::new(),
        };
        Ok(PersonExport {
            id: id.to_string(),
            registered,
            edits,
            pairings,
            notices,
        })
    }

    /// `person`'s part in `pairing`, if they took one.
    fn part_taken(&self, pairing: &Pairing, person: &str) -> Result<Option<PartTaken>, Error> {
        let now = pairing.participants.iter().find(|p| p.id == person);
        let former = pairing
            .former
            .iter()
            .rev()
            .find(|f| f.participant.id == person);
        let (participant, left) = match (now, former) {
            (Some(p), _) => (p.clone(), None),
            (None, Some(f)) => (f.participant.clone(), Some((f.left, f.reason.clone()))),
            (None, None) => return Ok(None),
        };
        let events = self
            .ledger
            .events(Some(&pairing.id))?
            .iter()
            .filter_map(|e| e.about(person))
            .collect();
        Ok(Some(PartTaken {
            pairing: pairing.id.to_string(),
            program_id: pairing.program_id.to_string(),
            type_id: pairing.type_id.to_string(),
            stage: pairing.stage.to_string(),
            outcome: pairing.outcome.as_ref().map(|o| o.to_string()),
            enrolled_at: pairing.enrolled_at,
            participant,
            left,
            events,
        }))
    }
}
