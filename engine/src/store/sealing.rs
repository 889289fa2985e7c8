//! Sealing: a person's personal values (their registry entry, what a pairing holds of them,
//! facts recorded for them) are stored in an event sealed with that person's own key, an
//! XChaCha20-Poly1305 box bound to their id. The chain hashes the sealed text, so it verifies
//! with or without the key; the keys live beside the chain (`person_keys`), and destroying
//! one (`people erase`) leaves what was sealed with it unreadable by anyone.
//!
//! Free text that may name anyone of a pairing (a reason's details, a notice's subject and
//! body) is sealed for the group: with a key derived from every one of their keys, so it is
//! unreadable as soon as any of them is erased.
//!
//! In the stored text a sealed part is `"sealed":{"for":ID,"box":BASE64}` (for a group,
//! `"for":[ID, ...]`) inside the object whose fields it holds, those fields left in their
//! clear form beside it: empty, or a reason's code. Opening is the same for every kind: each
//! box is opened with its keys and its fields put back; a box whose key is gone leaves the
//! clear form. Which fields are personal is said once, in [`personal`] and [`texts`].

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::{Map, Value};

use crate::model::event::{Event, EventKind};
use crate::store::{StoreError, Tx};

/// Where keys are looked up when events are opened: a person's encoded key, or none when
/// they have none (their values were erased).
pub type Keys<'a> = dyn FnMut(&str) -> Result<Option<String>, StoreError> + 'a;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A new key, encoded as the key table keeps it.
fn new_key() -> String {
    BASE64.encode(XChaCha20Poly1305::generate_key(&mut OsRng))
}

fn cipher(key: &str) -> Result<XChaCha20Poly1305, StoreError> {
    let bytes = BASE64
        .decode(key)
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| StoreError::Corrupt("a person's key is not a 32-byte key".into()))?;
    Ok(XChaCha20Poly1305::new(bytes.as_slice().into()))
}

/// The cipher of a box for `ids` with their `keys` (in the same order), and what it is bound
/// to: one person's key and id, or for a group a key derived from all their keys (in id
/// order), bound to the list of ids, so that it opens only while every one of them is kept.
fn lock(
    ids: &[String],
    keys: &[String],
    group: bool,
) -> Result<(XChaCha20Poly1305, Vec<u8>), StoreError> {
    use sha2::Digest as _;
    if !group {
        let (Some(id), Some(key)) = (ids.first(), keys.first()) else {
            return Err(StoreError::Corrupt("a sealed part names nobody".into()));
        };
        return Ok((cipher(key)?, id.as_bytes().to_vec()));
    }
    let mut derived = sha2::Sha256::new();
    derived.update(b"mentorflow: sealed for a group\0");
    for (id, key) in ids.iter().zip(keys) {
        let key = BASE64
            .decode(key)
            .map_err(|_| StoreError::Corrupt(format!("the key of {id} is not base64")))?;
        derived.update((id.len() as u64).to_le_bytes());
        derived.update(id.as_bytes());
        derived.update(&key);
    }
    let bound = serde_json::to_vec(ids).map_err(|e| StoreError::Database(e.to_string()))?;
    Ok((XChaCha20Poly1305::new(&derived.finalize()), bound))
}

/// A nonce never used before: 16 random bytes drawn once per process, then a count. An
/// XChaCha20 nonce has 24 bytes, so processes never share one, and a process asks the
/// operating system once rather than at every box.
fn fresh_nonce() -> XNonce {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static PREFIX: OnceLock<[u8; 16]> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| {
        let drawn = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut prefix = [0u8; 16];
        prefix.copy_from_slice(&drawn[..16]);
        prefix
    });
    let mut nonce = [0u8; 24];
    nonce[..16].copy_from_slice(prefix);
    nonce[16..].copy_from_slice(&COUNT.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    XNonce::from(nonce)
}

/// `fields` sealed with `lock` (from [`lock`]): the nonce then the box, in base64.
fn seal_fields(
    lock: (XChaCha20Poly1305, Vec<u8>),
    fields: &Map<String, Value>,
) -> Result<String, StoreError> {
    let plain = serde_json::to_vec(fields).map_err(|e| StoreError::Database(e.to_string()))?;
    let nonce = fresh_nonce();
    let (cipher, bound) = lock;
    let payload = Payload {
        msg: &plain,
        aad: &bound,
    };
    let sealed = cipher
        .encrypt(&nonce, payload)
        .map_err(|_| StoreError::Database("sealing a person's values failed".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(BASE64.encode(bytes))
}

/// The fields a box holds, opened with `lock`; none when it does not open (altered, or
/// sealed for someone else).
fn open_fields(lock: (XChaCha20Poly1305, Vec<u8>), sealed: &str) -> Option<Map<String, Value>> {
    let bytes = BASE64.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    let (cipher, bound) = lock;
    let payload = Payload {
        msg: body,
        aad: &bound,
    };
    let plain = cipher.decrypt(XNonce::from_slice(nonce), payload).ok()?;
    serde_json::from_slice(&plain).ok()
}

/// `person`'s key, made and kept in `tx` when they have none yet.
fn key_of(tx: &mut dyn Tx, person: &str) -> Result<String, StoreError> {
    if let Some(key) = tx.person_key(person)? {
        return Ok(key);
    }
    let key = new_key();
    tx.add_person_key(person, &key)?;
    Ok(key)
}

/// Who a box is for: one person, or a group (a text that may name any of them).
enum For<'a> {
    One(&'a str),
    Group(&'a [&'a str]),
}

/// Moves `fields` of `object` into a box for `whom` (made with their keys from `tx`),
/// leaving each field's clear form in its place so the object still reads without the keys:
/// empty, or a reason's code. Nothing is sealed when every field is wholly in clear.
fn seal_object(
    tx: &mut dyn Tx,
    whom: For<'_>,
    object: &mut Value,
    fields: &[&str],
) -> Result<(), StoreError> {
    let Some(object) = object.as_object_mut() else {
        return Ok(());
    };
    let mut taken = Map::new();
    for field in fields {
        if let Some(value) = object.get_mut(*field) {
            let clear = in_clear(field, value);
            if clear != *value {
                taken.insert(field.to_string(), std::mem::replace(value, clear));
            }
        }
    }
    if taken.is_empty() {
        return Ok(());
    }
    let (ids, group): (Vec<String>, bool) = match whom {
        For::One(person) => (vec![person.to_string()], false),
        For::Group(people) => (people.iter().map(|p| p.to_string()).collect(), true),
    };
    let keys = ids
        .iter()
        .map(|id| key_of(tx, id))
        .collect::<Result<Vec<_>, _>>()?;
    let sealed = seal_fields(lock(&ids, &keys, group)?, &taken)?;
    let whom = match group {
        true => serde_json::json!(ids),
        false => serde_json::json!(ids[0]),
    };
    object.insert(
        "sealed".into(),
        serde_json::json!({ "for": whom, "box": sealed }),
    );
    Ok(())
}

/// What of `value` (field `field`) stays in clear: a reason keeps its code (see
/// [`crate::model::event::reason_in_clear`]), anything else its empty form.
fn in_clear(field: &str, value: &Value) -> Value {
    match value {
        Value::String(text) if field == "reason" => {
            Value::String(crate::model::event::reason_in_clear(text).to_string())
        }
        Value::Object(_) => Value::Object(Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::String(_) => Value::String(String::new()),
        _ => Value::Null,
    }
}

/// The personal fields of a participant as events carry them.
const PARTICIPANT: [&str; 3] = ["attributes", "facts", "managers"];
/// The personal fields of a registry entry.
const PERSON: [&str; 4] = ["name", "manager", "attributes", "inactive"];

/// Where an event's kind holds someone's values: the field naming the object (none: the
/// kind itself), its index when the field is a list, and that object's personal fields.
type Place = (Option<&'static str>, Option<usize>, &'static [&'static str]);

/// Whose values `event` carries, and where: the one list of which kinds carry whose.
fn personal(event: &Event) -> Vec<(&str, Place)> {
    match &event.kind {
        EventKind::Enrolled { participants, .. } => participants
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    p.id.as_str(),
                    (Some("participants"), Some(i), &PARTICIPANT[..]),
                )
            })
            .collect(),
        EventKind::Joined { participant } | EventKind::Replaced { participant, .. } => {
            vec![(
                participant.id.as_str(),
                (Some("participant"), None, &PARTICIPANT[..]),
            )]
        }
        EventKind::PersonRecorded { person } => {
            vec![(person.id.as_str(), (Some("person"), None, &PERSON[..]))]
        }
        EventKind::FactsRecorded {
            person: Some(p), ..
        }
        | EventKind::Done {
            person: Some(p), ..
        } => vec![(p.as_str(), (None, None, &["facts"][..]))],
        _ => Vec::new(),
    }
}

/// The free texts of `event` that may name anyone of its pairing, as (whether the field is
/// the event's own rather than its kind's, fields): its reason, and a notice's subject and
/// body. An erasure's own reason stays in clear: it is the record of why, kept after the key
/// of the person it names is gone.
fn texts(event: &Event) -> Vec<(bool, &'static [&'static str])> {
    let mut texts = Vec::new();
    if matches!(event.kind, EventKind::Erased { .. }) {
        return texts;
    }
    if event.reason.is_some() {
        texts.push((true, &["reason"][..]));
    }
    if let EventKind::Notified { .. } = event.kind {
        texts.push((false, &["subject", "body"][..]));
    }
    texts
}

/// `event` as stored: its text with every person's values sealed with their key from `tx`,
/// and its free texts sealed for `group` (who took part in its pairing and was not erased;
/// the person themself for their registry entry), keys made for people who have none yet.
/// Kinds that carry nobody's values and no free text are written as they are.
pub fn seal(tx: &mut dyn Tx, event: &Event, group: &[&str]) -> Result<String, StoreError> {
    let places = personal(event);
    let texts = match group.is_empty() {
        true => Vec::new(),
        false => texts(event),
    };
    if places.is_empty() && texts.is_empty() {
        return encoded(event);
    }
    let mut value = serde_json::to_value(event).map_err(|e| StoreError::Database(e.to_string()))?;
    for (person, (field, index, fields)) in places {
        let mut object = &mut value["kind"];
        if let Some(field) = field {
            object = &mut object[field];
        }
        if let Some(i) = index {
            object = &mut object[i];
        }
        seal_object(tx, For::One(person), object, fields)?;
    }
    for (own, fields) in texts {
        let object = match own {
            true => &mut value,
            false => &mut value["kind"],
        };
        seal_object(tx, For::Group(group), object, fields)?;
    }
    serde_json::to_string(&value).map_err(|e| StoreError::Database(e.to_string()))
}

fn encoded(event: &Event) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::Database(e.to_string()))
}

/// Whether stored text holds a sealed part (an event written with nobody's values does not,
/// and is read without being parsed twice).
pub fn is_sealed(body: &str) -> bool {
    body.contains("\"sealed\":{\"for\":")
}

/// A stored event with its boxes opened, as JSON.
#[derive(Debug)]
pub struct Opened {
    /// The event's text with every box it could open put back.
    pub value: Value,
    /// Whether a box stayed shut (a key it needs is gone): its fields read in their clear
    /// form.
    pub shut: bool,
}

/// A stored event with its boxes opened (each with its people's keys from `keys`); a box
/// whose key is gone leaves its fields in their clear form. None for text with no box, which
/// reads as it is.
pub fn open(body: &str, keys: &mut Keys<'_>) -> Result<Option<Opened>, StoreError> {
    if !is_sealed(body) {
        return Ok(None);
    }
    let mut value: Value =
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("event: {e}")))?;
    let mut shut = false;
    open_value(&mut value, keys, &mut shut)?;
    Ok(Some(Opened { value, shut }))
}

/// Opens every box in `value`, depth first; `shut` is set when one stays shut.
fn open_value(value: &mut Value, keys: &mut Keys<'_>, shut: &mut bool) -> Result<(), StoreError> {
    match value {
        Value::Object(object) => {
            if let Some((ids, group, sealed)) = boxed(object) {
                object.remove("sealed");
                let kept = ids
                    .iter()
                    .map(|id| keys(id))
                    .collect::<Result<Option<Vec<String>>, _>>()?;
                match kept {
                    Some(kept) => {
                        let fields =
                            open_fields(lock(&ids, &kept, group)?, &sealed).ok_or_else(|| {
                                StoreError::Corrupt(format!(
                                    "values sealed for {} do not open with their keys: altered",
                                    ids.join(", ")
                                ))
                            })?;
                        object.extend(fields);
                    }
                    None => *shut = true,
                }
            }
            for v in object.values_mut() {
                open_value(v, keys, shut)?;
            }
        }
        Value::Array(items) => {
            for v in items {
                open_value(v, keys, shut)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Who an object's sealed part is for (whether a group), and its box, if it has one.
fn boxed(object: &Map<String, Value>) -> Option<(Vec<String>, bool, String)> {
    let sealed = object.get("sealed")?.as_object()?;
    let text = sealed.get("box")?.as_str()?;
    if sealed.len() != 2 {
        return None;
    }
    match sealed.get("for")? {
        Value::String(person) => Some((vec![person.clone()], false, text.to_string())),
        Value::Array(ids) => {
            let ids = ids
                .iter()
                .map(|id| id.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()?;
            Some((ids, true, text.to_string()))
        }
        _ => None,
    }
}

/// Everyone whose key a box in `body` needs, once each in the order found: read from the
/// text without parsing it whole (verify asks it of every event).
pub fn sealed_for(body: &str) -> Vec<String> {
    let mut people = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("\"sealed\":{\"for\":") {
        rest = &rest[at + "\"sealed\":{\"for\":".len()..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let ids = match values.next() {
            Some(Ok(Value::String(id))) => vec![id],
            Some(Ok(Value::Array(ids))) => ids
                .into_iter()
                .filter_map(|id| id.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        for id in ids {
            if !people.contains(&id) {
                people.push(id);
            }
        }
    }
    people
}

/// Whether `body` holds a box for a group that `person` is one of (a free text that may
/// name them).
pub fn sealed_with(body: &str, person: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let mut found = false;
    visit_boxes(&value, &mut |ids, group| {
        found |= group && ids.iter().any(|id| id == person);
    });
    found
}

fn visit_boxes(value: &Value, seen: &mut dyn FnMut(&[String], bool)) {
    match value {
        Value::Object(object) => {
            if let Some((ids, group, _)) = boxed(object) {
                seen(&ids, group);
            }
            object.values().for_each(|v| visit_boxes(v, seen));
        }
        Value::Array(items) => items.iter().for_each(|v| visit_boxes(v, seen)),
        _ => {}
    }
}

/// Whether `event` (decoded from `body`) carries `person`'s values, or free text, in clear:
/// written before values (or texts) were sealed, so destroying their key would not erase
/// them. A field in its clear form (empty, a reason's code) holds nothing to erase.
pub fn holds_in_clear(body: &str, event: &Event, person: &str) -> bool {
    let places: Vec<Place> = personal(event)
        .into_iter()
        .filter(|(p, _)| *p == person)
        .map(|(_, place)| place)
        .collect();
    let texts = texts(event);
    if places.is_empty() && texts.is_empty() {
        return false;
    }
    // Text with no box holds everything in clear: read in today's form, whichever version
    // wrote it; sealed text is today's form already.
    let stored = match is_sealed(body) {
        true => serde_json::from_str::<Value>(body).ok(),
        false => serde_json::to_value(event).ok(),
    };
    let Some(stored) = stored else {
        return false;
    };
    let holds = |object: &Value, fields: &[&str]| {
        fields
            .iter()
            .any(|f| object.get(*f).is_some_and(|v| in_clear(f, v) != *v))
    };
    let values = places.iter().any(|(field, index, fields)| {
        let mut object = &stored["kind"];
        if let Some(field) = field {
            object = &object[*field];
        }
        if let Some(i) = index {
            object = &object[*i];
        }
        holds(object, fields)
    });
    let text = texts.iter().any(|(own, fields)| match own {
        true => holds(&stored, fields),
        false => holds(&stored["kind"], fields),
    });
    values || text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_opens_with_its_key_for_its_person_only() {
        let key = new_key();
        let one = |id: &str, key: &str| lock(&[id.into()], &[key.into()], false).expect("lock");
        let mut fields = Map::new();
        fields.insert("name".into(), Value::String("Bo Lim".into()));
        let text = seal_fields(one("bo", &key), &fields).expect("sealed");
        assert!(!text.contains("Bo Lim"));
        assert_eq!(open_fields(one("bo", &key), &text), Some(fields));
        assert_eq!(open_fields(one("cy", &key), &text), None, "bound to bo");
        assert_eq!(
            open_fields(one("bo", &new_key()), &text),
            None,
            "another key"
        );
        let mut altered = BASE64.decode(&text).expect("base64");
        altered[30] ^= 1;
        assert_eq!(open_fields(one("bo", &key), &BASE64.encode(altered)), None);
    }

    #[test]
    fn opening_puts_fields_back_or_leaves_them_empty_without_the_key() {
        let key = new_key();
        let mut fields = Map::new();
        fields.insert("attributes".into(), serde_json::json!({"grade": 5}));
        let lock = lock(&["bo".into()], std::slice::from_ref(&key), false).expect("lock");
        let sealed =
            serde_json::json!({"for": "bo", "box": seal_fields(lock, &fields).expect("sealed")});
        let body = serde_json::json!({"id": "bo", "attributes": {}, "sealed": sealed}).to_string();
        assert!(is_sealed(&body));
        let opened = open(&body, &mut |_| Ok(Some(key.clone())))
            .expect("opens")
            .expect("a box");
        let expected = serde_json::json!({"id": "bo", "attributes": {"grade": 5}});
        assert_eq!((opened.value, opened.shut), (expected, false));
        let erased = open(&body, &mut |_| Ok(None))
            .expect("opens")
            .expect("a box");
        let empty = serde_json::json!({"id": "bo", "attributes": {}});
        assert_eq!((erased.value, erased.shut), (empty, true));
        assert!(open("{\"plain\":1}", &mut |_| Ok(None))
            .expect("reads")
            .is_none());
    }

    #[test]
    fn a_group_box_opens_only_while_every_key_of_the_group_is_kept() {
        let (ana, bo) = (new_key(), new_key());
        let ids: Vec<String> = vec!["ana".into(), "bo".into()];
        let keys = [ana.clone(), bo.clone()];
        let mut fields = Map::new();
        fields.insert(
            "reason".into(),
            Value::String("no-time: Ana moved to Oslo".into()),
        );
        let text = seal_fields(lock(&ids, &keys, true).expect("lock"), &fields).expect("sealed");
        assert!(!text.contains("Oslo"));
        let body = serde_json::json!({"reason": "no-time", "sealed": {"for": ids, "box": text}})
            .to_string();
        assert!(sealed_with(&body, "bo") && !sealed_with(&body, "cy"));
        let mut both = |id: &str| Ok(Some(if id == "ana" { ana.clone() } else { bo.clone() }));
        let opened = open(&body, &mut both).expect("opens").expect("a box");
        assert_eq!(opened.value["reason"], "no-time: Ana moved to Oslo");
        let mut without_bo = |id: &str| Ok((id == "ana").then(|| ana.clone()));
        let shut = open(&body, &mut without_bo).expect("opens").expect("a box");
        assert_eq!(
            (shut.value["reason"].as_str(), shut.shut),
            (Some("no-time"), true)
        );
        let swapped = [bo.clone(), ana.clone()];
        assert_eq!(
            open_fields(lock(&ids, &swapped, true).expect("lock"), &text),
            None
        );
    }

    #[test]
    fn the_people_a_body_needs_are_read_from_its_boxes() {
        let body = r#"{"reason":"","sealed":{"for":["ana","bo"],"box":"x"},"kind":{"participants":[{"id":"bo","sealed":{"for":"bo","box":"y"}},{"id":"cy","sealed":{"for":"cy","box":"z"}}]}}"#;
        assert_eq!(sealed_for(body), ["ana", "bo", "cy"]);
        assert!(sealed_for(r#"{"reason":"sealed"}"#).is_empty());
    }

    #[test]
    fn no_two_boxes_share_a_nonce() {
        let nonces: std::collections::BTreeSet<Vec<u8>> =
            (0..1000).map(|_| fresh_nonce().to_vec()).collect();
        assert_eq!(nonces.len(), 1000);
    }
}
