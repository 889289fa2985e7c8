//! A name: of a stage, a fact, a mentoring type, a role, an attribute, a program or its
//! version, or of an actor.
//!
//! Every event and pairing carries several of them, and the engine copies and compares them
//! on every command. As reference-counted strings each copy and each drop was an atomic
//! operation: a quarter of the in-memory engine's time. A `Name` is interned once per
//! process and then copied for free and compared by address. Interned text is never freed:
//! names come from programs, their versions, roster columns and the people who act, so a
//! process holds a few hundred at most (pairing and person ids, which grow without bound, are
//! not names).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Interned text: copying is free, equal names are the same address. One pointer wide (to
/// the interned text's own reference): a name is a field of every pairing, fact and event,
/// and a pointer with a length took twice the room.
#[derive(Clone, Copy)]
pub struct Name(&'static &'static str);

static NAMES: LazyLock<Mutex<HashMap<&'static str, Name>>> = LazyLock::new(Default::default);

thread_local! {
    /// The names this thread has met, in front of [`NAMES`].
    static SEEN: std::cell::RefCell<HashMap<&'static str, Name, foldhash::fast::RandomState>> =
        std::cell::RefCell::new(HashMap::default());
}

impl Name {
    /// The name with text `text`, interned on first use.
    pub fn new(text: &str) -> Name {
        // Each thread keeps the names it met: threads that decode side by side (verify, the
        // report) would otherwise queue on the one lock for every name of every event.
        if let Some(known) = SEEN.with_borrow(|seen| seen.get(text).copied()) {
            return known;
        }
        let name = Name::interned(text);
        SEEN.with_borrow_mut(|seen| seen.insert(name.0, name));
        name
    }

    /// The name with text `text` from the process's table, added on first use.
    fn interned(text: &str) -> Name {
        // A poisoned lock only means another thread panicked while inserting: the map still
        // holds leaked strings, every one valid.
        let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = names.get(text) {
            return *known;
        }
        let leaked: &'static str = Box::leak(text.into());
        let name = Name(Box::leak(Box::new(leaked)));
        names.insert(leaked, name);
        name
    }

    /// The text, for as long as the process lives.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // Interned: the same text is the same address.
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

// By text, as `Borrow<str>` requires: maps keyed by names look them up by `&str`.
impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        text_order(self.0, other.0)
    }
}

/// The order of two texts (the order of `str`), decided by their first bytes where they
/// differ there: the names of one program mostly do, and a call to compare whole texts cost
/// more than the rest of a short map's search.
pub fn text_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: a name in a table is padded to its column like any text.
        f.pad(self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(&text)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Name, E> {
                Ok(Name::new(text))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

// In the schema of a program's model, a name is its text.
impl schemars::JsonSchema for Name {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "String".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_is_one_name() {
        let a = Name::new("goal_setting");
        let b = Name::new(&String::from("goal_setting"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Name::new("goal"));
        assert!(Name::new("a") < Name::new("b"));
        assert_eq!(a, "goal_setting");
        // One pointer: every pairing, fact and event carries several.
        assert_eq!(std::mem::size_of::<Name>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn reads_and_writes_as_text() {
        let a: Name = serde_json::from_str("\"mentoring\"").unwrap();
        assert_eq!(a, Name::new("mentoring"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"mentoring\"");
        assert_eq!(format!("{a} {a:?}"), "mentoring \"mentoring\"");
        assert_eq!(format!("[{a:<11}]"), "[mentoring  ]");
    }
}
