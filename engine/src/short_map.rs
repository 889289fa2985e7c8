//! A short map: a list kept sorted by key, for the small maps every pairing in memory carries
//! (a participant's attributes, the pairing's facts). A B-tree's node takes about 600 bytes
//! however few entries it holds, and most of a pairing's memory was such nodes.

use std::borrow::Borrow;

use mentorflow_dsl::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Entries in key order (as a B-tree map's), written as a map.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortMap<K, V>(Vec<(K, V)>);

/// A participant's attributes by name.
pub type Attributes = ShortMap<String, Value>;

/// A pairing's recorded facts by name (names shared with the program's declarations).
pub type Facts = ShortMap<crate::name::Name, Value>;

impl<K, V> Default for ShortMap<K, V> {
    fn default() -> Self {
        ShortMap(Vec::new())
    }
}

impl<K: Borrow<str> + Ord, V> ShortMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        ShortMap(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(key.borrow()) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Room for `more` entries.
    pub fn reserve(&mut self, more: usize) {
        self.0.reserve(more);
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for ShortMap<K, V> {
    /// A key given twice keeps its last value, as inserting one after the other would.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut all: Vec<(K, V)> = pairs.into_iter().collect();
        // Stable: the values of one name stay in the order given; reversed, the last comes
        // first and is the one `dedup` keeps.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.reverse();
        all.dedup_by(|later, kept| later.0 == kept.0);
        all.reverse();
        ShortMap(all)
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for ShortMap<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<'a, K, V> IntoIterator for &'a ShortMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Serialize, V: Serialize> Serialize for ShortMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for ShortMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<K, V>::deserialize(deserializer)?;
        Ok(ShortMap(map.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_stay_in_name_order_and_replace_by_name() {
        let mut a: Attributes = [
            ("grade".to_string(), Value::Int(3)),
            ("dept".to_string(), Value::Text("ops".into())),
        ]
        .into();
        assert_eq!(a.insert("grade".into(), Value::Int(4)), Some(Value::Int(3)));
        assert_eq!(a.insert("active".into(), Value::Bool(true)), None);
        let names: Vec<&String> = a.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["active", "dept", "grade"]);
        assert_eq!(a.get("grade"), Some(&Value::Int(4)));
        assert!(!a.contains_key("level"));
        assert_eq!(a.len(), 3);
        let twice: Attributes = [
            ("b".to_string(), Value::Int(1)),
            ("a".to_string(), Value::Int(2)),
            ("b".to_string(), Value::Int(3)),
        ]
        .into();
        assert_eq!(twice.get("b"), Some(&Value::Int(3)), "the last value given");
        assert_eq!(twice.len(), 2);
    }

    #[test]
    fn attributes_are_written_and_read_as_a_map() {
        let a: Attributes = [("grade".to_string(), Value::Int(3))].into();
        let json = serde_json::to_string(&a).expect("writes");
        assert_eq!(json, r#"{"grade":{"int":3}}"#);
        let back: Attributes = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, a);
    }
}
