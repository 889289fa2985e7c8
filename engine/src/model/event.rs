//! Events: every change to a pairing is one, and a pairing's state is their fold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::Value;
use serde::{Deserialize, Serialize};

use mentorflow_dsl::Name;

/// A person in a pairing, with their role and attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Person id, e.g. an e-mail or staff number.
    pub id: String,
    /// Role in the type, e.g. mentor, mentee, peer.
    pub role: Name,
    /// Attributes such as experience_years, department, utc_offset.
    #[serde(default)]
    pub attributes: crate::base::short_map::Attributes,
    /// Facts recorded for this person (declared with `per`): attendance, a survey score.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Value>,
    /// Their managers, nearest first, from the people registry when they enrolled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<String>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The pairing it belongs to (`person:ID` for an edit of the people registry).
    pub pairing: std::sync::Arc<str>,
    /// Position in the pairing's history, from 1.
    pub seq: u64,
    /// When it happened (the injected clock).
    #[serde(
        serialize_with = "crate::base::stamp::serialize",
        deserialize_with = "crate::base::stamp::deserialize"
    )]
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Name,
    /// Why, when a reason was given or is required (force, withdraw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Content hash of the program version the pairing runs on (a name: not copied per event).
    pub program: Name,
    /// What happened.
    #[serde(deserialize_with = "tag_first::deserialize")]
    pub kind: EventKind,
}

/// How a pairing came to change stage: the trigger of the transition it took, or a forced move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// `advance` took a transition whose guards held.
    Advance,
    /// `withdraw` took a `from = "*"` transition.
    Withdraw,
    /// `tick` took a timer transition that was due.
    Timer,
    /// The engine took an automatic transition whose guard held after a command or a tick.
    Auto,
    /// A coordinator moved the pairing without guards, with a reason.
    Forced,
}

/// Someone a notification goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// Person id.
    pub id: String,
    /// Their role in the pairing.
    pub role: String,
}

/// The part of a reason kept in clear when the rest is sealed for the pairing's people (see
/// `store::sealing`): its code (`no-time` of `no-time: details`), a reason of one word (a
/// bare code) whole, and of free text nothing. What reads a reason without the keys (reports
/// counting codes, a pairing after someone's erasure) reads this.
pub fn reason_in_clear(reason: &str) -> &str {
    match reason.split_once(':') {
        Some(_) => mentorflow_dsl::model::reason_code_of(reason),
        None if !reason.trim().contains(char::is_whitespace) => reason,
        None => "",
    }
}

/// What an event did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The pairing was created in the initial stage.
    Enrolled {
        /// Program id (a name, as the pairing it makes has it).
        program_id: Name,
        /// Mentoring type (a name likewise).
        type_id: Name,
        /// Who takes part (shared with the pairing it makes, not copied).
        participants: std::sync::Arc<Vec<Participant>>,
        /// The initial stage.
        stage: Name,
        /// The label it was imported under (its roster's `pairing` cell).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The pairing it continues (it ended in a stage with a successor, or `continue`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        predecessor: Option<String>,
    },
    /// A person of the people registry was added or changed (the pairing column is
    /// `person:ID`): their whole entry as it is now.
    PersonRecorded {
        /// The entry.
        person: crate::model::person::Person,
    },
    /// The ended pairing continues as a new one.
    Continued {
        /// The new pairing.
        successor: String,
    },
    /// A person joined the running pairing.
    Joined {
        /// Who, with their role and attributes.
        participant: Participant,
    },
    /// A person left the running pairing (the event's reason says why).
    Left {
        /// Person id.
        person: String,
        /// Their role.
        role: String,
    },
    /// A person took another's place in the running pairing, in the same role.
    Replaced {
        /// Who left.
        person: String,
        /// Who took their place.
        participant: Participant,
    },
    /// Facts were set by one command, in the order given: the pairing's, or one person's.
    FactsRecorded {
        /// Fact names (names, as the program's declarations are interned) and their new values.
        facts: Vec<(Name, Value)>,
        /// The person they were recorded for (facts declared with `per`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// The pairing changed stage: every stage change is this one kind, saying how it happened.
    Moved {
        /// Stage left.
        from: Name,
        /// Stage entered.
        to: Name,
        /// What moved it.
        by: Move,
        /// The transition's number ([`mentorflow_dsl::Transition::number`]); none when forced.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transition: Option<usize>,
    },
    /// A tick found the pairing past its stage's due time (logged once per stage entry).
    BecameOverdue {
        /// The stage.
        stage: Name,
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// A tick warned that a timer will fire (its `warn` lead time had come): logged once per
    /// time the timer is due, not activity.
    Warned {
        /// The timer transition's number.
        transition: usize,
        /// The stage it would move the pairing to.
        to: Name,
        /// When it fires (if its guard holds then).
        fires: DateTime<Utc>,
    },
    /// An occurrence of a schedule was done (a check-in held, a survey answered), possibly
    /// recording facts with it.
    Done {
        /// The schedule.
        schedule: String,
        /// Which occurrence, from 1.
        occurrence: u32,
        /// What its occurrences count from (they start afresh when it changes).
        anchor: DateTime<Utc>,
        /// When it was done.
        on: DateTime<Utc>,
        /// Facts recorded with it, in the order given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        facts: Vec<(String, Value)>,
        /// Its values fell short of the schedule's `require`: it counts as missed.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        short: bool,
        /// Whose turn it was (a schedule that rotates).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn: Option<String>,
        /// The person it was done for (a schedule kept per person); its facts are theirs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// A tick found occurrences of a schedule missed (logged once each; not activity).
    Missed {
        /// The schedule.
        schedule: String,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// The occurrences missed, from 1.
        occurrences: Vec<u32>,
        /// The last occurrence looked at.
        checked: u32,
        /// The person who missed them (a schedule kept per person).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<String>,
    },
    /// A tick found the next occurrence of a schedule come due (its period began): logged
    /// once each, only for a schedule a notification announces (`on = ["due:NAME"]`); not
    /// activity.
    ComesDue {
        /// The schedule.
        schedule: String,
        /// What its occurrences count from.
        anchor: DateTime<Utc>,
        /// The occurrence, from 1.
        occurrence: u32,
        /// When it is due.
        due: DateTime<Utc>,
        /// Whose turn it is (`rotate`), if it rotates and someone is in the role.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn: Option<String>,
    },
    /// A stage's action started a schedule (anchored `started`, it counts from now), or
    /// started it again after a stop.
    ScheduleStarted {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action stopped a schedule: no occurrence falls until it is started again.
    ScheduleStopped {
        /// The schedule.
        schedule: String,
    },
    /// A stage's action sent a notification: rendered once, for everyone it goes to.
    Notified {
        /// The notification's name in the program.
        notification: String,
        /// Who it goes to.
        to: Vec<Recipient>,
        /// The rendered subject.
        subject: String,
        /// The rendered body.
        body: String,
    },
    /// The pairing moved to another version of its program, under a mapping.
    Migrated {
        /// The version it ran on.
        from_program: Name,
        /// The version it runs on from now.
        to_program: Name,
        /// Its stage in the new version.
        stage: Name,
        /// Its recorded facts in the new version (all of them, replacing the old ones).
        facts: Vec<(String, Value)>,
        /// The mapping applied.
        mapping: crate::model::mapping::Mapping,
    },
    /// A person's values were erased (`people erase`, the event's reason says why): their key
    /// was destroyed, so what was sealed with it is unreadable. Logged under `person:ID` and
    /// in each pairing they took part in, which keeps their id and role and nothing else.
    Erased {
        /// Whose.
        person: String,
        /// The destroyed key's fingerprint (the first 16 hex digits of its SHA-256), which
        /// names the key without revealing it; empty when they had none.
        key: String,
    },
}

mod tag_first {
    //! Reading an event's kind with its tag first. An event's kind is stored as one object whose
    //! `event` field names it (`{"event":"moved","from":...}`); serde's derive for such an enum
    //! first copies every field into a buffer of its own, then reads the variant from that
    //! buffer, and `verify` reads every event of a store. Today's events carry the tag first, so
    //! the kinds nearly every store is made of (enrolments, moves, facts recorded) are read
    //! here field by field as they come. Everything else (other kinds, a tag further on) goes
    //! through the derive, handed the fields already read: one reading of the stored form, the
    //! derive's, which a test holds these to.

    use std::borrow::Cow;
    use std::fmt;

    use serde::de::value::{MapAccessDeserializer, StrDeserializer};
    use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor};
    use serde::Deserialize;

    use super::{EventKind, Move};

    /// For `#[serde(deserialize_with)]` on an event's kind.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EventKind, D::Error> {
        d.deserialize_map(KindVisitor)
    }

    struct KindVisitor;

    impl<'de> Visitor<'de> for KindVisitor {
        type Value = EventKind;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an event kind: an object with its `event`")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventKind, A::Error> {
            let Some(key) = map.next_key::<Text<'de>>()?.map(|t| t.0) else {
                return derived(Ahead::default(), map);
            };
            if key != "event" {
                return derived(Ahead::key(key), map);
            }
            let tag = map.next_value::<Text<'de>>()?.0;
            match &*tag {
                "moved" => moved(map),
                "facts_recorded" => facts_recorded(map),
                "enrolled" => enrolled(map),
                _ => derived(Ahead::tag(tag), map),
            }
        }
    }

    /// The rest of a `moved` kind.
    fn moved<'de, A: MapAccess<'de>>(mut map: A) -> Result<EventKind, A::Error> {
        let (mut from, mut to, mut by, mut transition) = (None, None, None, None);
        while let Some(key) = map.next_key::<Text<'de>>()?.map(|t| t.0) {
            match &*key {
                "from" => once(&mut from, "from", map.next_value()?)?,
                "to" => once(&mut to, "to", map.next_value()?)?,
                "by" => once(&mut by, "by", map.next_value::<Move>()?)?,
                "transition" => once(&mut transition, "transition", map.next_value()?)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(EventKind::Moved {
            from: from.ok_or_else(|| A::Error::missing_field("from"))?,
            to: to.ok_or_else(|| A::Error::missing_field("to"))?,
            by: by.ok_or_else(|| A::Error::missing_field("by"))?,
            transition: transition.flatten(),
        })
    }

    /// The rest of a `facts_recorded` kind.
    fn facts_recorded<'de, A: MapAccess<'de>>(mut map: A) -> Result<EventKind, A::Error> {
        let (mut facts, mut person) = (None, None);
        while let Some(key) = map.next_key::<Text<'de>>()?.map(|t| t.0) {
            match &*key {
                "facts" => once(&mut facts, "facts", map.next_value()?)?,
                "person" => once(&mut person, "person", map.next_value()?)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(EventKind::FactsRecorded {
            facts: facts.ok_or_else(|| A::Error::missing_field("facts"))?,
            person: person.flatten(),
        })
    }

    /// A key or the tag: borrowed from the stored text where it can be (no escapes in it).
    struct Text<'de>(Cow<'de, str>);

    impl<'de> Deserialize<'de> for Text<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
            struct TextVisitor;
            impl<'de> Visitor<'de> for TextVisitor {
                type Value = Text<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Borrowed(v)))
                }
                fn visit_str<E: Error>(self, v: &str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Owned(v.to_string())))
                }
            }
            d.deserialize_str(TextVisitor)
        }
    }

    /// The rest of an `enrolled` kind.
    fn enrolled<'de, A: MapAccess<'de>>(mut map: A) -> Result<EventKind, A::Error> {
        let (mut program_id, mut type_id, mut participants) = (None, None, None);
        let (mut stage, mut label, mut predecessor) = (None, None, None);
        while let Some(key) = map.next_key::<Text<'de>>()?.map(|t| t.0) {
            match &*key {
                "program_id" => once(&mut program_id, "program_id", map.next_value()?)?,
                "type_id" => once(&mut type_id, "type_id", map.next_value()?)?,
                "participants" => once(&mut participants, "participants", map.next_value()?)?,
                "stage" => once(&mut stage, "stage", map.next_value()?)?,
                "label" => once(&mut label, "label", map.next_value()?)?,
                "predecessor" => once(&mut predecessor, "predecessor", map.next_value()?)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let missing = A::Error::missing_field;
        Ok(EventKind::Enrolled {
            program_id: program_id.ok_or_else(|| missing("program_id"))?,
            type_id: type_id.ok_or_else(|| missing("type_id"))?,
            participants: participants.ok_or_else(|| missing("participants"))?,
            stage: stage.ok_or_else(|| missing("stage"))?,
            label: label.flatten(),
            predecessor: predecessor.flatten(),
        })
    }

    /// Sets a field read, refusing it twice as the derive does.
    fn once<T, E: Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
        if slot.is_some() {
            return Err(E::duplicate_field(name));
        }
        *slot = Some(value);
        Ok(())
    }

    /// What was read of the object before handing it to the derive.
    #[derive(Default)]
    struct Ahead<'de> {
        /// A key whose value is still in the map.
        key: Option<Cow<'de, str>>,
        /// The tag, read with its key.
        tag: Option<Cow<'de, str>>,
    }

    impl<'de> Ahead<'de> {
        fn key(key: Cow<'de, str>) -> Ahead<'de> {
            Ahead {
                key: Some(key),
                tag: None,
            }
        }

        fn tag(tag: Cow<'de, str>) -> Ahead<'de> {
            Ahead {
                key: Some("event".into()),
                tag: Some(tag),
            }
        }
    }

    /// The derive's reading of the whole object: the fields read ahead, then the rest.
    fn derived<'de, A: MapAccess<'de>>(ahead: Ahead<'de>, map: A) -> Result<EventKind, A::Error> {
        EventKind::deserialize(MapAccessDeserializer::new(Replayed { ahead, map }))
    }

    /// A map that yields the fields read ahead before the rest of `map`.
    struct Replayed<'de, A> {
        ahead: Ahead<'de>,
        map: A,
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replayed<'de, A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            match self.ahead.key.take() {
                Some(key) => seed
                    .deserialize(StrDeserializer::<A::Error>::new(&key))
                    .map(Some),
                None => self.map.next_key_seed(seed),
            }
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, A::Error> {
            match self.ahead.tag.take() {
                Some(tag) => seed.deserialize(StrDeserializer::<A::Error>::new(&tag)),
                None => self.map.next_value_seed(seed),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use mentorflow_dsl::Value;

        /// The kind read here and by the derive alone, from the same text.
        fn both(text: &str) -> (Option<EventKind>, Option<EventKind>) {
            let ours = deserialize(&mut serde_json::Deserializer::from_str(text)).ok();
            let derive = serde_json::from_str::<EventKind>(text).ok();
            (ours, derive)
        }

        #[test]
        fn kinds_read_as_the_derive_reads_them() {
            let kinds = [
                EventKind::Moved {
                    from: "a".into(),
                    to: "b".into(),
                    by: Move::Advance,
                    transition: Some(3),
                },
                EventKind::Moved {
                    from: "a".into(),
                    to: "b".into(),
                    by: Move::Forced,
                    transition: None,
                },
                EventKind::FactsRecorded {
                    facts: vec![
                        ("meetings".into(), Value::Int(3)),
                        ("note".into(), Value::Text("a \"b\"".into())),
                    ],
                    person: Some("mentee-1".into()),
                },
                EventKind::FactsRecorded {
                    facts: Vec::new(),
                    person: None,
                },
                EventKind::Continued {
                    successor: "p-2".into(),
                },
                EventKind::Left {
                    person: "m".into(),
                    role: "mentor".into(),
                },
            ];
            for kind in kinds {
                let text = serde_json::to_string(&kind).expect("encodes");
                let (ours, derive) = both(&text);
                assert_eq!(ours.as_ref(), Some(&kind), "{text}");
                assert_eq!(ours, derive, "{text}");
            }
        }

        #[test]
        fn odd_objects_read_or_fail_as_the_derive_does() {
            for text in [
                r#"{"from":"a","to":"b","by":"forced","event":"moved"}"#,
                r#"{"event":"moved","from":"a","to":"b","by":"advance","extra":[1,{"x":2}]}"#,
                r#"{"event":"moved","from":"a","to":"b","by":"advance","transition":null}"#,
                r#"{"event":"moved","fr\u006fm":"a","to":"b","by":"timer"}"#,
                r#"{"ev\u0065nt":"moved","from":"a","to":"b","by":"timer"}"#,
                r#"{"event":"facts_recorded","person":null,"facts":[]}"#,
                r#"{"event":"continued","successor":"p-2"}"#,
                r#"{"successor":"p-2","event":"continued"}"#,
            ] {
                let (ours, derive) = both(text);
                assert!(ours.is_some(), "{text}");
                assert_eq!(ours, derive, "{text}");
            }
            for text in [
                r#"{"event":"moved","from":"a","by":"advance"}"#,
                r#"{"event":"moved","from":"a","from":"c","to":"b","by":"advance"}"#,
                r#"{"event":"moved","from":"a","to":"b","by":"sideways"}"#,
                r#"{"event":"facts_recorded"}"#,
                r#"{"event":"enrolled","program_id":"c","type_id":"t","stage":"s"}"#,
                r#"{"event":"enrolled","program_id":"c","type_id":"t","participants":{},"stage":"s"}"#,
                r#"{"event":"teleported"}"#,
                r#"{"from":"a"}"#,
                r#"{}"#,
                r#"["moved"]"#,
            ] {
                let (ours, derive) = both(text);
                assert_eq!((ours.is_none(), derive.is_none()), (true, true), "{text}");
            }
        }
    }
}

/// Events as stores hold them: today's kinds, and the kinds only earlier versions wrote, read
/// as today's (their stored text is never rewritten: the hash chain covers it). A new kind is
/// declared once, in [`EventKind`]; only a kind that stops being written comes here.
mod legacy {
    use super::*;

    /// An event as an earlier version stored it: the same fields, an earlier kind.
    #[derive(Deserialize)]
    struct Stored {
        pairing: std::sync::Arc<str>,
        seq: u64,
        at: DateTime<Utc>,
        actor: Name,
        #[serde(default)]
        reason: Option<String>,
        program: Name,
        kind: Before,
    }

    /// Kinds written by 0.1.0: one per way of moving, now all `moved`.
    #[derive(Deserialize)]
    #[serde(tag = "event", rename_all = "snake_case")]
    enum Before {
        Transitioned {
            from: Name,
            to: Name,
            transition: usize,
        },
        Forced {
            from: Name,
            to: Name,
        },
        Withdrawn {
            from: Name,
            to: Name,
            transition: usize,
        },
        TimedOut {
            from: Name,
            to: Name,
            transition: usize,
        },
    }

    /// A stored event in today's form, else an earlier version's; when it is neither, why it
    /// is not today's.
    pub(super) fn read(body: &str) -> Result<Event, serde_json::Error> {
        let today = match serde_json::from_str::<Event>(body) {
            Ok(event) => return Ok(event),
            Err(e) => e,
        };
        let Ok(old) = serde_json::from_str::<Stored>(body) else {
            return Err(today);
        };
        let (from, to, by, transition) = match old.kind {
            Before::Transitioned {
                from,
                to,
                transition,
            } => (from, to, Move::Advance, Some(transition)),
            Before::Forced { from, to } => (from, to, Move::Forced, None),
            Before::Withdrawn {
                from,
                to,
                transition,
            } => (from, to, Move::Withdraw, Some(transition)),
            Before::TimedOut {
                from,
                to,
                transition,
            } => (from, to, Move::Timer, Some(transition)),
        };
        Ok(Event {
            pairing: old.pairing,
            seq: old.seq,
            at: old.at,
            actor: old.actor,
            reason: old.reason,
            program: old.program,
            kind: EventKind::Moved {
                from,
                to,
                by,
                transition,
            },
        })
    }
}

impl Event {
    /// An event from its stored text, in today's form or an earlier version's.
    pub fn from_stored(body: &str) -> Result<Event, serde_json::Error> {
        legacy::read(body)
    }

    /// This event as it concerns `person`, for a copy of their data: what happened to their
    /// pairing as a whole as it is, what happened to them alone, and nothing of anyone else's
    /// values (an enrolment keeps only their entry; the person they replaced, or who replaced
    /// them, only an id and role). None when it is about others only. Matched whole: a new
    /// kind must say whose it is.
    pub fn about(&self, person: &str) -> Option<Event> {
        let is = |id: &str| id == person;
        let kind = match &self.kind {
            EventKind::Enrolled { participants, .. } => {
                let theirs: Vec<Participant> =
                    participants.iter().filter(|p| is(&p.id)).cloned().collect();
                if theirs.is_empty() {
                    return None;
                }
                let mut kind = self.kind.clone();
                if let EventKind::Enrolled { participants, .. } = &mut kind {
                    *participants = std::sync::Arc::new(theirs);
                }
                kind
            }
            EventKind::PersonRecorded { person: p } if is(&p.id) => self.kind.clone(),
            EventKind::Joined { participant } if is(&participant.id) => self.kind.clone(),
            EventKind::Left { person: p, .. } if is(p) => self.kind.clone(),
            EventKind::Replaced {
                person: p,
                participant,
            } if is(p) || is(&participant.id) => {
                let mut participant = participant.clone();
                if !is(&participant.id) {
                    participant.attributes = Default::default();
                    participant.facts.clear();
                    participant.managers.clear();
                }
                EventKind::Replaced {
                    person: p.clone(),
                    participant,
                }
            }
            EventKind::FactsRecorded { person: p, .. }
            | EventKind::Done { person: p, .. }
            | EventKind::Missed { person: p, .. }
                if p.as_deref().is_none_or(is) =>
            {
                self.kind.clone()
            }
            EventKind::Erased { person: p, .. } if is(p) => self.kind.clone(),
            EventKind::Notified { to, .. } if to.iter().any(|r| is(&r.id)) => {
                let mut kind = self.kind.clone();
                if let EventKind::Notified { to, .. } = &mut kind {
                    to.retain(|r| is(&r.id));
                }
                kind
            }
            EventKind::Continued { .. }
            | EventKind::Moved { .. }
            | EventKind::BecameOverdue { .. }
            | EventKind::Warned { .. }
            | EventKind::ComesDue { .. }
            | EventKind::ScheduleStarted { .. }
            | EventKind::ScheduleStopped { .. }
            | EventKind::Migrated { .. } => self.kind.clone(),
            EventKind::PersonRecorded { .. }
            | EventKind::Joined { .. }
            | EventKind::Left { .. }
            | EventKind::Replaced { .. }
            | EventKind::FactsRecorded { .. }
            | EventKind::Done { .. }
            | EventKind::Missed { .. }
            | EventKind::Erased { .. }
            | EventKind::Notified { .. } => return None,
        };
        Some(Event {
            pairing: self.pairing.clone(),
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            reason: self.reason.clone(),
            program: self.program,
            kind,
        })
    }
}

/// The kinds 0.1.0 stored for what is a `moved` event today (the store's kind column keeps
/// them as written).
pub const MOVED_BEFORE: [&str; 4] = ["transitioned", "forced", "withdrawn", "timed_out"];

impl EventKind {
    /// Whether `column` (an event's stored kind column) names this kind: its name, or for a
    /// move a name an earlier version gave it.
    pub fn stored_as(&self, column: &str) -> bool {
        column == self.name()
            || matches!(self, EventKind::Moved { .. }) && MOVED_BEFORE.contains(&column)
    }

    /// The stage change this event makes, if any.
    pub fn move_(&self) -> Option<(&Name, &Name)> {
        match self {
            EventKind::Moved { from, to, .. } => Some((from, to)),
            _ => None,
        }
    }

    /// The number of the program transition this event took, if any.
    pub fn transition(&self) -> Option<usize> {
        match self {
            EventKind::Moved { transition, .. } => *transition,
            _ => None,
        }
    }

    /// Whether it changes who takes part (after enrolment).
    pub fn changes_participants(&self) -> bool {
        match self {
            EventKind::Joined { .. } | EventKind::Left { .. } | EventKind::Replaced { .. } => true,
            EventKind::Enrolled { .. }
            | EventKind::PersonRecorded { .. }
            | EventKind::Continued { .. }
            | EventKind::FactsRecorded { .. }
            | EventKind::Moved { .. }
            | EventKind::BecameOverdue { .. }
            | EventKind::Warned { .. }
            | EventKind::Done { .. }
            | EventKind::Missed { .. }
            | EventKind::ComesDue { .. }
            | EventKind::ScheduleStarted { .. }
            | EventKind::ScheduleStopped { .. }
            | EventKind::Notified { .. }
            | EventKind::Erased { .. }
            | EventKind::Migrated { .. } => false,
        }
    }

    /// Whether it is the pairing's own activity, which resets idle timers. What a tick notices
    /// (overdue, a warning, a missed occurrence) and what a stage's action sends or starts is
    /// not. Matched whole: a new kind must say which it is.
    pub fn is_activity(&self) -> bool {
        match self {
            EventKind::Enrolled { .. }
            | EventKind::PersonRecorded { .. }
            | EventKind::Continued { .. }
            | EventKind::Joined { .. }
            | EventKind::Left { .. }
            | EventKind::Replaced { .. }
            | EventKind::FactsRecorded { .. }
            | EventKind::Moved { .. }
            | EventKind::Done { .. }
            | EventKind::Migrated { .. } => true,
            EventKind::BecameOverdue { .. }
            | EventKind::Warned { .. }
            | EventKind::Missed { .. }
            | EventKind::ComesDue { .. }
            | EventKind::Notified { .. }
            | EventKind::ScheduleStarted { .. }
            | EventKind::ScheduleStopped { .. }
            | EventKind::Erased { .. } => false,
        }
    }

    /// Short name: enrolled, facts_recorded, moved, became_overdue.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Enrolled { .. } => "enrolled",
            EventKind::Joined { .. } => "joined",
            EventKind::Left { .. } => "left",
            EventKind::Replaced { .. } => "replaced",
            EventKind::Continued { .. } => "continued",
            EventKind::PersonRecorded { .. } => "person_recorded",
            EventKind::FactsRecorded { .. } => "facts_recorded",
            EventKind::Moved { .. } => "moved",
            EventKind::BecameOverdue { .. } => "became_overdue",
            EventKind::Warned { .. } => "warned",
            EventKind::Done { .. } => "done",
            EventKind::Missed { .. } => "missed",
            EventKind::ComesDue { .. } => "comes_due",
            EventKind::Notified { .. } => "notified",
            EventKind::ScheduleStarted { .. } => "schedule_started",
            EventKind::ScheduleStopped { .. } => "schedule_stopped",
            EventKind::Migrated { .. } => "migrated",
            EventKind::Erased { .. } => "erased",
        }
    }
}
