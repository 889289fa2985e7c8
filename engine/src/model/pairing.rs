//! A pairing's state, and the one function that folds events into it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::{Program, Value};
use serde::{Deserialize, Serialize};

use crate::model::event::{Event, EventKind, Participant};
use crate::model::view::ScriptView;
// The history a pairing keeps, by the path it always had.
pub use super::history::History;
use mentorflow_dsl::Name;

/// The current state of one enrolment, always equal to the fold of its events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pairing {
    /// Short id, e.g. `p-12`.
    pub id: std::sync::Arc<str>,
    /// Program id (a name: interned, one text for every pairing).
    pub program_id: Name,
    /// Program version (content hash) it was enrolled with.
    pub program_hash: Name,
    /// Mentoring type (a name likewise).
    pub type_id: Name,
    /// Who takes part now (shared with the enrolment event until it changes).
    pub participants: std::sync::Arc<Vec<Participant>>,
    /// Who took part and left (or was replaced), in the order they left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former: Vec<Former>,
    /// The people whose values were erased (`people erase`), in the order erased: they keep
    /// their place, id and role here, and nothing else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<String>,
    /// The label it was imported under, another name for it (`status r07`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The pairing it continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predecessor: Option<String>,
    /// The pairing it continued as, once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// Current stage (a name, as the events name it).
    pub stage: Name,
    /// When the current stage was entered.
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub entered_at: DateTime<Utc>,
    /// When the current stage is due, if it has a due duration.
    #[serde(
        default,
        serialize_with = "crate::base::stamp::serialize_option",
        deserialize_with = "crate::base::stamp::deserialize_option"
    )]
    pub due: Option<DateTime<Utc>>,
    /// Recorded facts (declared defaults are not stored here), by name shared with the
    /// events that record them.
    pub facts: crate::base::short_map::Facts,
    /// Goal cycle, from 1; grows each time a transition returns to a stage already visited.
    pub cycle: u32,
    /// Stages visited in the current cycle.
    pub visited: crate::base::short_map::ShortSet<Name>,
    /// When the pairing was enrolled.
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub enrolled_at: DateTime<Utc>,
    /// Time of the last activity: every event but `became_overdue` (for idle timers).
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub last_event_at: DateTime<Utc>,
    /// Time of the latest event of any kind: a new event may not be dated before it.
    #[serde(
        default,
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub latest_at: DateTime<Utc>,
    /// Sequence number of the last event.
    pub last_seq: u64,
    /// Set once the pairing is in a terminal stage.
    pub outcome: Option<Name>,
    /// Whether a tick already logged that the current stage went overdue.
    pub overdue_logged: bool,
    /// Timer warnings logged, by transition number: the time each warned the timer fires. A
    /// timer warns again only once it is due at another time (a new stage entry, activity).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub warned: BTreeMap<usize, DateTime<Utc>>,
    /// What each schedule's occurrences came to, by schedule name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schedules: BTreeMap<String, crate::model::schedule_state::ScheduleState>,
    /// Schedules a stage's action started (when) or stopped (`None`), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub switched: BTreeMap<String, Option<DateTime<Utc>>>,
    /// The stage it paused (entering a `pause = true` stage), and how it stood there: what
    /// going back to that stage resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<Paused>,
    /// What happened so far, for scripts and timers. `None` in a state stored before it was
    /// kept: the ledger then folds it from the pairing's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// What scripts see, kept up to date instead of rebuilt per evaluation.
    #[serde(skip)]
    /// Boxed: most pairings never run a guard in Rhai, and every pairing in memory carries
    /// the cell.
    pub(crate) view: std::sync::OnceLock<Box<ScriptView>>,
    /// The values scripts worked out from the participants alone, kept until they change.
    #[serde(skip)]
    pub(crate) memo: mentorflow_dsl::native::Keeper,
    /// Moves (and the enrolment) of the command under way whose stage actions have not run
    /// yet; never stored.
    #[serde(skip)]
    pub(crate) pending: Vec<crate::model::event::Event>,
}

impl PartialEq for Pairing {
    fn eq(&self, other: &Self) -> bool {
        // The script view is a cache derived from the fields compared here.
        fn key(p: &Pairing) -> impl PartialEq + '_ {
            (
                (
                    &p.id,
                    &p.program_id,
                    &p.program_hash,
                    &p.type_id,
                    &p.participants,
                    (&p.former, &p.erased),
                    &p.label,
                    (&p.predecessor, &p.successor),
                ),
                (&p.stage, p.entered_at, p.due, &p.facts, p.cycle, &p.visited),
                (
                    p.enrolled_at,
                    p.last_event_at,
                    p.latest_at,
                    p.last_seq,
                    &p.outcome,
                    p.overdue_logged,
                    &p.warned,
                    &p.schedules,
                    &p.switched,
                    &p.history,
                    &p.paused,
                ),
            )
        }
        key(self) == key(other)
    }
}

/// A stage paused: how the pairing stood in it when it went into a pause stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paused {
    /// The stage paused.
    pub stage: Name,
    /// When it had entered that stage (the start of its clock).
    pub entered_at: DateTime<Utc>,
    /// Its due time there.
    pub due: Option<DateTime<Utc>>,
    /// Whether a tick had logged it overdue there.
    pub overdue_logged: bool,
    /// When the pause began.
    pub since: DateTime<Utc>,
    /// When it went back to the stage and resumed it; none while paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed: Option<DateTime<Utc>>,
}

/// Someone who took part in a pairing and left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Former {
    /// Who, with the role and attributes they had.
    pub participant: Participant,
    /// When they left.
    pub left: DateTime<Utc>,
    /// Why, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a list of events cannot be folded into a pairing.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FoldError {
    /// The first event must be an enrolment.
    #[error("the first event of a pairing must be `enrolled`, found `{0}`")]
    NotEnrolledFirst(&'static str),
    /// Sequence numbers must count up from 1 with no gap.
    #[error("event #{found} follows #{previous}: events are missing or repeated")]
    Gap {
        /// Last seq applied.
        previous: u64,
        /// The seq found.
        found: u64,
    },
    /// There were no events.
    #[error("no events")]
    Empty,
    /// An edit of the people registry among a pairing's events.
    #[error("an edit of the people registry is among the pairing's events")]
    PersonEdit,
}

impl Pairing {
    /// This fold as a state stored by an earlier version keeps it, for comparing with
    /// `stored`: without history when it has none, without occurrence values where it kept
    /// none (everything else is the same).
    pub fn as_stored_like(mut self, stored: &Pairing) -> Pairing {
        match (&stored.history, &mut self.history) {
            (None, _) => self.history = None,
            (Some(kept), Some(folded)) if kept.joined.is_none() => folded.joined = None,
            _ => {}
        }
        for (name, state) in &mut self.schedules {
            if stored.schedules.get(name).is_some_and(|s| !s.values_kept()) {
                state.values.clear();
            }
        }
        self
    }

    /// The fold: a pairing's state from its events, in order.
    pub fn fold(program: &Program, events: &[Event]) -> Result<Pairing, FoldError> {
        let (first, rest) = events.split_first().ok_or(FoldError::Empty)?;
        let mut pairing = Pairing::enrolled(program, first)?;
        for event in rest {
            pairing.apply(program, event)?;
        }
        Ok(pairing)
    }

    fn enrolled(program: &Program, event: &Event) -> Result<Pairing, FoldError> {
        let EventKind::Enrolled {
            program_id,
            type_id,
            participants,
            stage,
            label,
            predecessor,
        } = &event.kind
        else {
            return Err(FoldError::NotEnrolledFirst(event.kind.name()));
        };
        if event.seq != 1 {
            return Err(FoldError::Gap {
                previous: 0,
                found: event.seq,
            });
        }
        let mut pairing = Pairing {
            id: event.pairing.clone(),
            program_id: *program_id,
            program_hash: event.program,
            type_id: *type_id,
            participants: participants.clone(),
            former: Vec::new(),
            erased: Vec::new(),
            label: label.clone(),
            predecessor: predecessor.clone(),
            successor: None,
            stage: *stage,
            entered_at: event.at,
            due: None,
            facts: Default::default(),
            cycle: 1,
            visited: crate::base::short_map::ShortSet::with_capacity(program.stages.len()),
            enrolled_at: event.at,
            last_event_at: event.at,
            latest_at: event.at,
            last_seq: 1,
            outcome: None,
            overdue_logged: false,
            warned: BTreeMap::new(),
            schedules: BTreeMap::new(),
            switched: BTreeMap::new(),
            paused: None,
            // Sized once: a pairing visits at most every stage, each list grows no further.
            history: Some(History {
                stages: Vec::with_capacity(program.stages.len()),
                taken: Vec::with_capacity(program.transitions.len()),
                reason: None,
                joined: Some(Vec::new()),
            }),
            view: std::sync::OnceLock::new(),
            memo: Default::default(),
            pending: Vec::new(),
        };
        pairing.visited.insert(*stage);
        pairing.enter(program, stage, event.at);
        if let Some(history) = &mut pairing.history {
            history.apply(event);
        }
        Ok(pairing)
    }

    /// Applies one event; the engine uses this same function on the live state.
    pub fn apply(&mut self, program: &Program, event: &Event) -> Result<(), FoldError> {
        // Whether this event resumes a paused stage.
        let mut resumed = None;
        if event.seq != self.last_seq + 1 {
            return Err(FoldError::Gap {
                previous: self.last_seq,
                found: event.seq,
            });
        }
        match &event.kind {
            EventKind::Enrolled { .. } => {
                return Err(FoldError::Gap {
                    previous: self.last_seq,
                    found: event.seq,
                })
            }
            EventKind::PersonRecorded { .. } => return Err(FoldError::PersonEdit),
            EventKind::FactsRecorded {
                facts,
                person: None,
            } => self.set_facts(facts),
            EventKind::FactsRecorded {
                facts,
                person: Some(person),
            } => self.set_person_facts(person, facts),
            EventKind::Continued { successor } => self.successor = Some(successor.clone()),
            EventKind::Joined { participant } => {
                self.people().push(participant.clone());
            }
            EventKind::Left { person, .. } => self.leave(person, event),
            EventKind::Replaced {
                person,
                participant,
            } => {
                self.leave(person, event);
                self.people().push(participant.clone());
            }
            EventKind::BecameOverdue { .. } => self.overdue_logged = true,
            EventKind::Warned {
                transition, fires, ..
            } => {
                self.warned.insert(*transition, *fires);
            }
            EventKind::Done {
                schedule,
                occurrence,
                anchor,
                on,
                facts,
                short,
                turn,
                person,
            } => {
                let key = crate::model::schedule_state::key(schedule, person.as_deref());
                let state = self.schedule_state(&key, *anchor);
                state.done.insert(*occurrence, *on);
                state.values.insert(*occurrence, facts.clone());
                if *short {
                    state.short.insert(*occurrence);
                }
                if let Some(turn) = turn {
                    state
                        .turns
                        .entry(*occurrence)
                        .or_insert_with(|| turn.clone());
                }
                match person {
                    // A schedule kept per person records that person's facts.
                    Some(person) => {
                        let facts: Vec<_> = facts
                            .iter()
                            .map(|(n, v)| (Name::new(n), v.clone()))
                            .collect();
                        self.set_person_facts(person, &facts);
                    }
                    None => {
                        let facts: Vec<_> = facts
                            .iter()
                            .map(|(n, v)| (Name::new(n), v.clone()))
                            .collect();
                        self.set_facts(&facts);
                    }
                }
            }
            EventKind::ComesDue {
                schedule,
                anchor,
                occurrence,
                turn,
                ..
            } => {
                let state = self.schedule_state(schedule, *anchor);
                state.announced = state.announced.max(*occurrence);
                if let Some(turn) = turn {
                    state.turns.insert(*occurrence, turn.clone());
                }
            }
            EventKind::Missed {
                schedule,
                anchor,
                checked,
                person,
                ..
            } => {
                let key = crate::model::schedule_state::key(schedule, person.as_deref());
                let state = self.schedule_state(&key, *anchor);
                state.checked = state.checked.max(*checked);
            }
            EventKind::Migrated {
                to_program,
                stage,
                facts,
                mapping,
                ..
            } => self.migrate(program, to_program, stage, facts, mapping),
            EventKind::ScheduleStarted { schedule } => {
                self.switched.insert(schedule.clone(), Some(event.at));
            }
            EventKind::ScheduleStopped { schedule } => {
                self.switched.insert(schedule.clone(), None);
            }
            EventKind::Erased { person, .. } => self.erase(person),
            kind => {
                if let Some((from, to)) = kind.move_() {
                    let (from, to) = (*from, *to);
                    if self.resumes(program, &from, &to) {
                        resumed = self.resume(event.at);
                    } else {
                        if program.stage(&to).is_some_and(|s| s.pause) {
                            self.paused = Some(Paused {
                                stage: self.stage,
                                entered_at: self.entered_at,
                                due: self.due,
                                overdue_logged: self.overdue_logged,
                                since: event.at,
                                resumed: None,
                            });
                        }
                        if !self.visited.insert(to) {
                            self.cycle += 1;
                            self.visited.clear();
                            self.visited.insert(to);
                        }
                        self.enter(program, &to, event.at);
                    }
                }
            }
        }
        if let Some(history) = &mut self.history {
            history.apply(event);
            if resumed.is_some() {
                // A resume is the same stay going on: not another entry, and the stay's
                // start (what stage-anchored schedules count from) moved on by the pause.
                history.resumed(&self.stage, self.entered_at);
            }
        }
        self.last_seq = event.seq;
        self.latest_at = self.latest_at.max(event.at);
        if event.kind.is_activity() {
            self.last_event_at = event.at;
        }
        Ok(())
    }

    /// `person` leaves: kept among the former participants with when and why.
    fn leave(&mut self, person: &str, event: &Event) {
        if let Some(i) = self.participants.iter().position(|p| p.id == person) {
            let participant = self.people().remove(i);
            self.former.push(Former {
                participant,
                left: event.at,
                reason: event.reason.clone(),
            });
        }
    }

    /// The participants, to change: what scripts worked out from them (the view, the memo)
    /// is dropped, so they see the participants as they are now.
    fn people(&mut self) -> &mut Vec<crate::model::event::Participant> {
        self.view = std::sync::OnceLock::new();
        self.memo = Default::default();
        std::sync::Arc::make_mut(&mut self.participants)
    }

    /// This pairing as one occurrence of a schedule sees it: of the schedule's `facts`, only
    /// the values `given` with that done (the others unrecorded), for its `require`.
    pub(crate) fn with_occurrence_values(
        &self,
        schedule_facts: &[String],
        given: &[(String, Value)],
    ) -> Pairing {
        let mut probe = self.clone();
        probe.view = std::sync::OnceLock::new();
        for name in schedule_facts {
            probe.facts.remove(name);
        }
        let given: Vec<(Name, Value)> = given
            .iter()
            .map(|(n, v)| (Name::new(n), v.clone()))
            .collect();
        probe.set_facts(&given);
        probe
    }

    /// Records facts kept per person for `person`.
    /// Who the pairing's free texts (reasons, notices) are sealed for: everyone who takes or
    /// took part and was not erased, in id order, once each.
    pub fn texts_sealed_for(&self) -> Vec<&str> {
        let mut people: Vec<&str> = self
            .participants
            .iter()
            .map(|p| p.id.as_str())
            .chain(self.former.iter().map(|f| f.participant.id.as_str()))
            .filter(|id| !self.erased.iter().any(|e| e == id))
            .collect();
        people.sort_unstable();
        people.dedup();
        people
    }

    /// Forgets every value of `person` the pairing holds (their key is gone): their entry
    /// keeps its id and role, their occurrences of a schedule kept per person their times,
    /// and every reason its code.
    fn erase(&mut self, person: &str) {
        fn clear(p: &mut Participant) {
            p.attributes = Default::default();
            p.facts.clear();
            p.managers.clear();
        }
        if self.participants.iter().any(|p| p.id == person) {
            self.people()
                .iter_mut()
                .filter(|p| p.id == person)
                .for_each(clear);
        }
        for f in self
            .former
            .iter_mut()
            .filter(|f| f.participant.id == person)
        {
            clear(&mut f.participant);
        }
        let theirs = format!("/{person}");
        for (key, state) in &mut self.schedules {
            if key.ends_with(&theirs) {
                // Each occurrence keeps its (now empty) entry: a state with an occurrence
                // done and no entry for it reads as one stored before values were kept.
                state.values.values_mut().for_each(Vec::clear);
            }
        }
        // Every reason was sealed for a group that may have held them: each keeps its code.
        let reasons = self.former.iter_mut().map(|f| &mut f.reason);
        let latest = self.history.iter_mut().map(|h| &mut h.reason);
        for reason in reasons.chain(latest).flatten() {
            *reason = crate::model::event::reason_in_clear(reason).to_string();
        }
        if !self.erased.iter().any(|e| e == person) {
            self.erased.push(person.to_string());
        }
    }

    fn set_person_facts(&mut self, person: &str, facts: &[(Name, Value)]) {
        // Scripts see each person's facts through the participants.
        if let Some(p) = self.people().iter_mut().find(|p| p.id == person) {
            p.facts
                .extend(facts.iter().map(|(n, v)| (n.to_string(), v.clone())));
        }
    }

    fn set_facts(&mut self, facts: &[(Name, Value)]) {
        if let Some(view) = self.view.get_mut() {
            for (name, value) in facts {
                view.set_fact(name, value);
            }
        }
        // The first record usually sets most of the facts: taken whole and sorted once
        // rather than each put in its place.
        if self.facts.is_empty() {
            self.facts = facts.iter().cloned().collect();
            return;
        }
        // Room for the new ones at once; a record that changes facts already set (most
        // later ones) needs none.
        let new = facts
            .iter()
            .filter(|(name, _)| !self.facts.contains_key(name))
            .count();
        self.facts.reserve(new);
        for (name, value) in facts {
            self.facts.insert(*name, value.clone());
        }
    }

    /// The record of `schedule` for `anchor`, started afresh when the anchor changed.
    fn schedule_state(
        &mut self,
        schedule: &str,
        anchor: DateTime<Utc>,
    ) -> &mut crate::model::schedule_state::ScheduleState {
        let state = self.schedules.entry(schedule.to_string()).or_default();
        if state.anchor != anchor {
            *state = crate::model::schedule_state::ScheduleState {
                anchor,
                ..Default::default()
            };
        }
        state
    }

    /// Whether moving from `from` to `to` goes back from a pause to the stage paused.
    pub fn resumes(&self, program: &Program, from: &Name, to: &Name) -> bool {
        program.stage(from).is_some_and(|s| s.pause)
            && self
                .paused
                .as_ref()
                .is_some_and(|p| p.stage == *to && p.resumed.is_none())
    }

    /// Resumes the paused stage at `at`: its clock and due time moved on by the pause, stage
    /// schedules counted from a start moved on alike; no new goal cycle. None when nothing
    /// was paused.
    fn resume(&mut self, at: DateTime<Utc>) -> Option<()> {
        let paused = self.paused.as_mut()?;
        let shift = at - paused.since;
        paused.resumed = Some(at);
        self.stage = paused.stage;
        self.entered_at = paused.entered_at + shift;
        self.due = paused.due.map(|d| d + shift);
        self.overdue_logged = paused.overdue_logged;
        self.outcome = None;
        let before = paused.entered_at;
        for state in self.schedules.values_mut().filter(|s| s.anchor == before) {
            state.anchor += shift;
        }
        Some(())
    }

    fn enter(&mut self, program: &Program, stage_id: &Name, at: DateTime<Utc>) {
        self.stage = *stage_id;
        self.entered_at = at;
        self.overdue_logged = false;
        let stage = program.stage(stage_id);
        self.due = stage
            .and_then(|s| program.due(s, &self.type_id))
            .filter(|_| stage.is_some_and(|s| !s.is_terminal()))
            .map(|d| d.after(at));
        self.outcome = stage.and_then(|s| s.outcome);
    }

    /// Moves the pairing onto another version: its stage and facts as mapped, the stages it
    /// visited renamed, and due and outcome as the new version has them for its stage (the
    /// time it entered the stage stays).
    fn migrate(
        &mut self,
        program: &Program,
        to: &Name,
        stage: &Name,
        facts: &[(String, Value)],
        mapping: &crate::model::mapping::Mapping,
    ) {
        let renames = &mapping.stages;
        self.program_hash = *to;
        self.stage = *stage;
        self.facts = facts
            .iter()
            .map(|(n, v)| (Name::new(n), v.clone()))
            .collect();
        self.visited = self
            .visited
            .iter()
            .map(|s| match renames.get(&**s) {
                Some(new) => Name::new(new),
                None => *s,
            })
            .collect();
        // The cached script view holds the old facts.
        self.view = std::sync::OnceLock::new();
        let at = self.entered_at;
        let overdue_logged = self.overdue_logged;
        self.enter(program, stage, at);
        self.overdue_logged = overdue_logged;
    }

    /// Whether the pairing is past its stage's due time at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.outcome.is_none() && self.due.is_some_and(|due| now > due)
    }

    /// The value of fact `name`: recorded, else the declared default.
    pub fn fact<'a>(&'a self, program: &'a Program, name: &str) -> Option<&'a Value> {
        self.facts.get(name).or_else(|| {
            program
                .fact(name)
                .filter(|f| f.per.is_none())
                .and_then(|f| f.default.as_ref())
        })
    }

    /// The value of fact `name` kept for `person`: recorded, else the declared default.
    pub fn person_fact<'a>(
        &'a self,
        program: &'a Program,
        person: &Participant,
        name: &str,
    ) -> Option<&'a Value> {
        self.participants
            .iter()
            .find(|p| p.id == person.id)
            .and_then(|p| p.facts.get(name))
            .or_else(|| program.fact(name).and_then(|f| f.default.as_ref()))
    }

    /// Whether `person` takes part, or took part and left.
    pub fn has_taken_part(&self, person: &str) -> bool {
        self.participants.iter().any(|p| p.id == person)
            || self.former.iter().any(|f| f.participant.id == person)
    }

    /// The participants with role `role`.
    pub fn with_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Participant> + 'a {
        self.participants.iter().filter(move |p| p.role == role)
    }
}
