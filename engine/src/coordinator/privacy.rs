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
    /// Their erasure (`people erase`), when their values were erased: what is left of them
    /// is their id, roles and times.
    pub erased: Option<Event>,
}

/// One person's part in one pairing.
#[derive(Debug, Clone)]
pub struct PartTaken {
    /// The pairing id.
    pub pairing: String,
    /// Its program id.
    pub program_id: String,
    /// The program version it runs on.
    pub program_version: String,
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
    /// them; sensitive attributes only with `include_sensitive`. An id the store knows
    /// nothing of is an error naming the registered ids.
    pub fn export_person(
        &mut self,
        id: &str,
        include_sensitive: bool,
    ) -> Result<PersonExport, Error> {
        let mut export = self.everything_of(id)?;
        if !include_sensitive {
            let sensitive = self.sensitive()?;
            if let Some(entry) = &mut export.registered {
                sensitive.hide_in_entry(entry);
            }
            for e in &mut export.edits {
                sensitive.hide_in_event(e);
            }
            for part in &mut export.pairings {
                part.events
                    .iter_mut()
                    .for_each(|e| sensitive.hide_in_event(e));
                sensitive.hide_in_participant(&part.program_version, &mut part.participant);
            }
        }
        Ok(export)
    }

    /// [`Coordinator::export_person`]'s whole copy, sensitive values included.
    fn everything_of(&self, id: &str) -> Result<PersonExport, Error> {
        let people = self.ledger.people()?;
        let registered = people.iter().find(|p| p.id == id).cloned();
        let mut pairings = Vec::new();
        for pairing in self.ledger.pairings_of(id)? {
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
        let edits = self
            .ledger
            .events(Some(&crate::rules::people::subject(id)))?;
        if registered.is_none() && pairings.is_empty() && notices.is_empty() && edits.is_empty() {
            return Err(Error::NothingStored {
                id: id.into(),
                known: people.into_iter().map(|p| p.id).collect(),
            });
        }
        let erased = edits
            .last()
            .filter(|e| matches!(e.kind, EventKind::Erased { .. }))
            .cloned();
        Ok(PersonExport {
            id: id.to_string(),
            registered,
            edits,
            pairings,
            notices,
            erased,
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
            program_version: pairing.program_hash.to_string(),
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

/// What `people erase` did.
#[derive(Debug, Clone)]
pub struct Erasure {
    /// Whose values were erased.
    pub person: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The destroyed key's fingerprint ("" when they had none: nothing of theirs was sealed).
    pub key: String,
    /// The pairings whose copies of their values were cleared (each logs the erasure).
    pub pairings: Vec<String>,
    /// Whether their registry entry was removed.
    pub registered: bool,
    /// The chain hash of the erasure's event: proof it is in the log (`verify --expect`).
    pub receipt: String,
    /// Why an old copy of the destroyed key may remain in the store's files until the
    /// database's next checkpoint or vacuum, if it may (see [`crate::store::Store::shred`]).
    pub lingers: Option<String>,
}

impl Coordinator {
    /// Erases `id`'s personal values for `reason`: destroys their key, so what was sealed
    /// with it (their registry entry, what pairings hold of them, facts recorded for them) is
    /// unreadable by anyone, logs the erasure with a receipt, clears every pairing's copy and
    /// removes their registry entry; pairings keep their id and role, and stay counted.
    /// `verify` passes afterwards.
    pub fn erase_person(&mut self, id: &str, reason: &str) -> Result<Erasure, Error> {
        let listed = self.ledger.pairings_of(id)?;
        let people = self.ledger.people()?;
        let subject = crate::rules::people::subject(id);
        let known = people.iter().any(|p| p.id == id)
            || !listed.is_empty()
            || !self.ledger.store().events(Some(&subject))?.is_empty();
        if !known {
            return Err(Error::NothingStored {
                id: id.into(),
                known: people.into_iter().map(|p| p.id).collect(),
            });
        }
        let pairings: Vec<(String, String)> = listed
            .iter()
            .map(|p| (p.id.to_string(), p.program_hash.to_string()))
            .collect();
        let mut erasure = self.erase_in(id, reason, &pairings)?;
        erasure.lingers = self.shred();
        Ok(erasure)
    }

    /// Erases `id`, who took part in `pairings` (each with its program version).
    fn erase_in(
        &mut self,
        id: &str,
        reason: &str,
        pairings: &[(String, String)],
    ) -> Result<Erasure, Error> {
        let mut programs = Vec::with_capacity(pairings.len());
        for (pairing, version) in pairings {
            let engine = self.registry.engine(self.ledger.store(), version)?;
            programs.push((pairing.clone(), Arc::clone(&engine.program)));
        }
        let now = self.now();
        let actor = self.actor.clone();
        self.ledger.erase(id, (now, &actor, reason), &programs)
    }

    /// Rewrites what of the store's files may still hold destroyed keys: why it could not,
    /// if it could not.
    fn shred(&mut self) -> Option<String> {
        self.ledger.store_mut().shred().err().map(|e| e.to_string())
    }
}

/// Someone past their program's retention: every pairing they took part in has ended, each
/// longer ago than its program's `retention`.
#[derive(Debug, Clone)]
pub struct Expired {
    /// Who.
    pub person: String,
    /// The pairings they took part in, in number order.
    pub pairings: Vec<String>,
    /// When the last of them ended.
    pub last_ended: DateTime<Utc>,
    /// When their values became due for erasure: the latest of each pairing's end plus its
    /// program's retention.
    pub due: DateTime<Utc>,
}

/// What `retention` found, and with `--apply` did.
#[derive(Debug, Clone, Default)]
pub struct RetentionReport {
    /// Who is past retention, by id.
    pub expired: Vec<Expired>,
    /// Those erased now (with `--apply`).
    pub erased: Vec<Erasure>,
    /// Those whose erasure was refused (values written before sealing), with why.
    pub refused: Vec<(String, Error)>,
    /// Why old copies of the destroyed keys may remain in the store's files until the
    /// database's next checkpoint or vacuum, if they may.
    pub lingers: Option<String>,
}

/// A pairing someone took part in: its id, when it ended (now, while it runs), and until
/// when it keeps their values (none: for good).
type Kept = (String, DateTime<Utc>, Option<DateTime<Utc>>);

/// Each pairing's program version, by pairing id.
type Versions = std::collections::HashMap<String, String>;

impl Coordinator {
    /// Who is past retention now: people whose every pairing has ended, each longer ago than
    /// its program's `retention` (a pairing whose program sets none keeps its people). With
    /// `apply`, each is erased (as [`Coordinator::erase_person`] does) in a transaction of its own;
    /// one refused does not stop the others.
    pub fn retention(&mut self, apply: bool) -> Result<RetentionReport, Error> {
        let now = self.now();
        let (expired, versions) = self.expired(now)?;
        let mut report = RetentionReport {
            expired,
            ..RetentionReport::default()
        };
        if !apply {
            return Ok(report);
        }
        // The pairings were read once, for everyone: each erasure is handed its own.
        for expired in &report.expired {
            let reason = format!(
                "retention: every pairing ended, the last on {}",
                expired.last_ended.date_naive()
            );
            let pairings: Vec<(String, String)> = expired
                .pairings
                .iter()
                .filter_map(|id| Some((id.clone(), versions.get(id)?.clone())))
                .collect();
            match self.erase_in(&expired.person, &reason, &pairings) {
                Ok(erasure) => report.erased.push(erasure),
                Err(e @ Error::NotErasable { .. }) => {
                    report.refused.push((expired.person.clone(), e));
                }
                Err(e) => return Err(e),
            }
        }
        // Once for all of them: PostgreSQL rewrites the whole key table each time.
        if !report.erased.is_empty() {
            report.lingers = self.shred();
        }
        Ok(report)
    }

    /// Everyone past retention at `now`, by id, with each pairing's program version.
    fn expired(&mut self, now: DateTime<Utc>) -> Result<(Vec<Expired>, Versions), Error> {
        // Per person: their pairings, and when each lets their values go (None: never).
        let mut people: BTreeMap<String, Vec<Kept>> = BTreeMap::new();
        let mut versions = Versions::new();
        let (ledger, registry) = (&self.ledger, &mut self.registry);
        // A page at a time: memory holds what is kept per person, not every pairing.
        ledger.each(&Filter::default(), &mut |p| {
            versions.insert(p.id.to_string(), p.program_hash.to_string());
            let retention = registry
                .engine(ledger.store(), &p.program_hash)?
                .program
                .retention;
            // A pairing that runs keeps its people; one that ended, until its retention.
            let ended = p.outcome.map(|_| p.entered_at);
            let until = ended.zip(retention).map(|(at, keep)| keep.after(at));
            let former = p.former.iter().map(|f| &f.participant);
            for person in p.participants.iter().chain(former) {
                if p.erased.contains(&person.id) {
                    continue;
                }
                let ended = ended.unwrap_or(now);
                people
                    .entry(person.id.clone())
                    .or_default()
                    .push((p.id.to_string(), ended, until));
            }
            Ok(())
        })?;
        let expired = people
            .into_iter()
            .filter_map(|(person, pairings)| {
                let due = pairings
                    .iter()
                    .map(|(_, _, until)| *until)
                    .collect::<Option<Vec<_>>>()?
                    .into_iter()
                    .max()?;
                let last_ended = pairings.iter().map(|(_, at, _)| *at).max()?;
                (due <= now).then(|| Expired {
                    person,
                    pairings: pairings.into_iter().map(|(id, _, _)| id).collect(),
                    last_ended,
                    due,
                })
            })
            .collect();
        Ok((expired, versions))
    }
}

/// The attributes stored programs declare `sensitive`, to leave out of reports and exports
/// that were not asked to include them.
#[derive(Debug, Clone, Default)]
pub struct Sensitive {
    /// By program version: its sensitive attributes.
    by_version: BTreeMap<String, Vec<String>>,
    /// Sensitive in any version (what a registry entry, which no program types, hides).
    anywhere: std::collections::BTreeSet<String>,
}

impl Sensitive {
    /// Whether attribute `name` is sensitive in program version `hash` (in any version, for
    /// an unknown one).
    fn is(&self, hash: &str, name: &str) -> bool {
        match self.by_version.get(hash) {
            Some(names) => names.iter().any(|n| n == name),
            None => self.anywhere.contains(name),
        }
    }

    /// Whether attribute `name` is sensitive in any stored version.
    pub fn contains(&self, name: &str) -> bool {
        self.anywhere.contains(name)
    }

    /// `p` without their sensitive attributes (those of program version `hash`).
    pub fn hide_in_participant(&self, hash: &str, p: &mut Participant) {
        let hidden: Vec<String> = p
            .attributes
            .iter()
            .map(|(name, _)| name.to_string())
            .filter(|name| self.is(hash, name))
            .collect();
        for name in hidden {
            p.attributes.remove(&name);
        }
    }

    /// `pairing` without its people's sensitive attributes.
    pub fn hide_in_pairing(&self, pairing: &mut Pairing) {
        let hash = pairing.program_hash.to_string();
        for p in std::sync::Arc::make_mut(&mut pairing.participants) {
            self.hide_in_participant(&hash, p);
        }
        for f in &mut pairing.former {
            self.hide_in_participant(&hash, &mut f.participant);
        }
    }

    /// `event` without the sensitive attributes of the people it carries (a registry
    /// entry's: those sensitive in any version).
    pub fn hide_in_event(&self, event: &mut Event) {
        let hash = event.program.to_string();
        match &mut event.kind {
            EventKind::Enrolled { participants, .. } => {
                for p in std::sync::Arc::make_mut(participants) {
                    self.hide_in_participant(&hash, p);
                }
            }
            EventKind::Joined { participant } | EventKind::Replaced { participant, .. } => {
                self.hide_in_participant(&hash, participant);
            }
            EventKind::PersonRecorded { person } => self.hide_in_entry(person),
            _ => {}
        }
    }

    /// A registry entry without the attributes sensitive in any version.
    pub fn hide_in_entry(&self, person: &mut Person) {
        person
            .attributes
            .retain(|name, _| !self.anywhere.contains(name));
    }
}

impl Coordinator {
    /// The attributes the stored program versions declare sensitive.
    pub fn sensitive(&mut self) -> Result<Sensitive, Error> {
        let mut sensitive = Sensitive::default();
        for (hash, engine) in self.registry.all(self.ledger.store(), true)? {
            let names: Vec<String> = engine
                .program
                .attributes
                .iter()
                .filter(|a| a.sensitive)
                .map(|a| a.name.clone())
                .collect();
            sensitive.anywhere.extend(names.iter().cloned());
            sensitive.by_version.insert(hash, names);
        }
        Ok(sensitive)
    }
}
