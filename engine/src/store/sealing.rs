//! Sealing: a person's personal values (their registry entry, what a pairing holds of them,
//! facts recorded for them) are stored in an event sealed with that person's own key, an
//! XChaCha20-Poly1305 box bound to their id. The chain hashes the sealed text, so it verifies
//! with or without the key; the keys live beside the chain (`person_keys`), and destroying
//! one (`people erase`) leaves what was sealed with it unreadable by anyone.
//!
//! In the stored text a sealed part is `"sealed":{"for":ID,"box":BASE64}` inside the object
//! whose fields it holds, those fields left empty beside it. Opening is the same for every
//! kind: each box is opened with its person's key and its fields put back; a box whose key is
//! gone leaves the fields empty. Which fields are personal is said once, in [`seal`].

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

/// `fields` sealed for `person` with `key`: the nonce then the box, in base64.
fn seal_fields(key: &str, person: &str, fields: &Map<String, Value>) -> Result<Value, StoreError> {
    let plain = serde_json::to_vec(fields).map_err(|e| StoreError::Database(e.to_string()))?;
    let nonce = fresh_nonce();
    let payload = Payload {
        msg: &plain,
        aad: person.as_bytes(),
    };
    let sealed = cipher(key)?
        .encrypt(&nonce, payload)
        .map_err(|_| StoreError::Database("sealing a person's values failed".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(serde_json::json!({ "for": person, "box": BASE64.encode(bytes) }))
}

/// The fields a box holds, opened with `key`; none when it does not open (altered, or
/// sealed for someone else).
fn open_fields(key: &str, person: &str, sealed: &str) -> Option<Map<String, Value>> {
    let bytes = BASE64.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    let payload = Payload {
        msg: body,
        aad: person.as_bytes(),
    };
    let plain = cipher(key)
        .ok()?
        .decrypt(XNonce::from_slice(nonce), payload)
        .ok()?;
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

/// Moves `fields` of `object` into a box for `person` (made with their key from `tx`),
/// leaving each field's empty form in its place so the object still reads without the key.
fn seal_object(
    tx: &mut dyn Tx,
    person: &str,
    object: &mut Value,
    fields: &[&str],
) -> Result<(), StoreError> {
    let Some(object) = object.as_object_mut() else {
        return Ok(());
    };
    let mut taken = Map::new();
    for field in fields {
        if let Some(value) = object.get_mut(*field) {
            let empty = match value {
                Value::Object(_) => Value::Object(Map::new()),
                Value::Array(_) => Value::Array(Vec::new()),
                Value::String(_) => Value::String(String::new()),
                _ => Value::Null,
            };
            taken.insert(field.to_string(), std::mem::replace(value, empty));
        }
    }
    let key = key_of(tx, person)?;
    object.insert("sealed".into(), seal_fields(&key, person, &taken)?);
    Ok(())
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

/// `event` as stored: its text with every person's values sealed with their key from `tx`
/// (keys made for people who have none yet). Kinds that carry nobody's values are written
/// as they are.
pub fn seal(tx: &mut dyn Tx, event: &Event) -> Result<String, StoreError> {
    let places = personal(event);
    if places.is_empty() {
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
        seal_object(tx, person, object, fields)?;
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

/// A stored event with its boxes opened (each with its person's key from `keys`), as JSON;
/// a box whose key is gone leaves its fields empty. None for text with no box, which reads
/// as it is.
pub fn open(body: &str, keys: &mut Keys<'_>) -> Result<Option<Value>, StoreError> {
    if !is_sealed(body) {
        return Ok(None);
    }
    let mut value: Value =
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("event: {e}")))?;
    open_value(&mut value, keys)?;
    Ok(Some(value))
}

/// Opens every box in `value`, depth first.
fn open_value(value: &mut Value, keys: &mut Keys<'_>) -> Result<(), StoreError> {
    match value {
        Value::Object(object) => {
            if let Some((person, sealed)) = boxed(object) {
                object.remove("sealed");
                if let Some(key) = keys(&person)? {
                    let fields = open_fields(&key, &person, &sealed).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "values sealed for {person} do not open with their key: altered"
                        ))
                    })?;
                    object.extend(fields);
                }
            }
            for v in object.values_mut() {
                open_value(v, keys)?;
            }
        }
        Value::Array(items) => {
            for v in items {
                open_value(v, keys)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The person and box of an object's sealed part, if it has one.
fn boxed(object: &Map<String, Value>) -> Option<(String, String)> {
    let sealed = object.get("sealed")?.as_object()?;
    let person = sealed.get("for")?.as_str()?;
    let text = sealed.get("box")?.as_str()?;
    (sealed.len() == 2).then(|| (person.to_string(), text.to_string()))
}

/// Whether `event` (decoded from `body`) carries `person`'s values in clear: written before
/// values were sealed, so destroying their key would not erase them.
pub fn holds_in_clear(body: &str, event: &Event, person: &str) -> bool {
    let theirs = personal(event).iter().any(|(p, _)| *p == person);
    let sealed_for = format!("\"sealed\":{{\"for\":{}", Value::String(person.into()));
    theirs && !body.contains(&sealed_for)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_opens_with_its_key_for_its_person_only() {
        let key = new_key();
        let mut fields = Map::new();
        fields.insert("name".into(), Value::String("Bo Lim".into()));
        let sealed = seal_fields(&key, "bo", &fields).expect("sealed");
        let text = sealed["box"].as_str().expect("box");
        assert!(!text.contains("Bo Lim"));
        assert_eq!(open_fields(&key, "bo", text), Some(fields));
        assert_eq!(open_fields(&key, "cy", text), None, "bound to bo");
        assert_eq!(open_fields(&new_key(), "bo", text), None, "another key");
        let mut altered = BASE64.decode(text).expect("base64");
        altered[30] ^= 1;
        assert_eq!(open_fields(&key, "bo", &BASE64.encode(altered)), None);
    }

    #[test]
    fn opening_puts_fields_back_or_leaves_them_empty_without_the_key() {
        let key = new_key();
        let mut fields = Map::new();
        fields.insert("attributes".into(), serde_json::json!({"grade": 5}));
        let sealed = seal_fields(&key, "bo", &fields).expect("sealed");
        let body = serde_json::json!({"id": "bo", "attributes": {}, "sealed": sealed}).to_string();
        assert!(is_sealed(&body));
        let opened = open(&body, &mut |_| Ok(Some(key.clone()))).expect("opens");
        let expected = serde_json::json!({"id": "bo", "attributes": {"grade": 5}});
        assert_eq!(opened, Some(expected));
        let erased = open(&body, &mut |_| Ok(None)).expect("opens");
        assert_eq!(
            erased,
            Some(serde_json::json!({"id": "bo", "attributes": {}}))
        );
        assert_eq!(
            open("{\"plain\":1}", &mut |_| Ok(None)).expect("reads"),
            None
        );
    }

    #[test]
    fn no_two_boxes_share_a_nonce() {
        let nonces: std::collections::BTreeSet<Vec<u8>> =
            (0..1000).map(|_| fresh_nonce().to_vec()).collect();
        assert_eq!(nonces.len(), 1000);
    }
}
