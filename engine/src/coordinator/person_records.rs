//! The people registry through the facade: recording people, listing them, one person.

use super::*;

impl Coordinator {
    /// Adds or changes people of the registry, all or none: each edit is merged into the
    /// stored entry under the write lock (what it does not name stays), then every manager
    /// must be in the registry or among them, and no one may be in their own reporting line.
    /// Each changed entry is logged; an entry already as given stores nothing. A dry run
    /// reports what would change, field by field, and stores nothing.
    pub fn record_people(
        &mut self,
        edits: &[PersonEdit],
        dry_run: bool,
    ) -> Result<PeopleReport, Error> {
        let now = self.now();
        let actor = self.actor.clone();
        self.ledger
            .record_people(now, &actor, !dry_run, &mut |writer| {
                let people = edits
                    .iter()
                    .map(|e| Ok(e.applied_to(writer.person(&e.id)?.as_ref())))
                    .collect::<Result<Vec<Person>, Error>>()?;
                let refused =
                    crate::rules::people::check(&people, &mut |id| -> Result<_, Error> {
                        Ok(writer.person(id)?)
                    })?;
                match refused.is_empty() {
                    true => Ok(people),
                    false => Err(Error::Rows(
                        refused.into_iter().map(|(i, e)| (i, e.into())).collect(),
                    )),
                }
            })
    }

    /// Every person of the registry, by id.
    pub fn people(&self) -> Result<Vec<Person>, Error> {
        self.ledger.people()
    }

    /// The registry's display names and e-mail addresses, for views that name people.
    pub fn directory(&self) -> Result<Directory, Error> {
        Ok(Directory::of(self.ledger.people()?))
    }

    /// The registry's entry of `id`, without the pairings [`Coordinator::person`] reads too;
    /// an id the registry does not have is an error naming the ids it has.
    pub fn registered(&self, id: &str) -> Result<Person, Error> {
        let mut people = self.ledger.people()?;
        match people.iter().position(|p| p.id == id) {
            Some(i) => Ok(people.swap_remove(i)),
            None => Err(Error::UnknownPerson {
                id: id.into(),
                known: people.into_iter().map(|p| p.id).collect(),
            }),
        }
    }

    /// One person of the registry: their entry, reporting line, direct reports, the pairings
    /// they take or took part in, and the edits of their entry.
    pub fn person(&self, id: &str) -> Result<PersonStatus, Error> {
        let people = self.ledger.people()?;
        let by_id: BTreeMap<&str, &Person> = people.iter().map(|p| (p.id.as_str(), p)).collect();
        let Some(person) = by_id.get(id) else {
            return Err(Error::UnknownPerson {
                id: id.into(),
                known: people.iter().map(|p| p.id.clone()).collect(),
            });
        };
        let reporting_line = crate::rules::people::reporting_line::<Error>(id, &mut |p| {
            Ok(by_id.get(p).and_then(|p| p.manager.clone()))
        })?;
        let reports = people
            .iter()
            .filter(|p| p.manager.as_deref() == Some(id))
            .map(|p| p.id.clone())
            .collect();
        let pairings = self.ledger.pairings_of(id)?;
        Ok(PersonStatus {
            person: (*person).clone(),
            reporting_line,
            reports,
            pairings,
            edits: self
                .ledger
                .events(Some(&crate::rules::people::subject(id)))?,
        })
    }
}
