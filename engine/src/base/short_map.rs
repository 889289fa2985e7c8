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
pub type Attributes = ShortMap<mentorflow_dsl::Name, Value>;

/// A pairing's recorded facts by name (interned, as the program's declarations are).
pub type Facts = ShortMap<mentorflow_dsl::Name, Value>;

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
        // A key given as an interned name's own text (the engine's fact names, the names a
        // compiled guard reads) is found by its address, without comparing any text.
        if let Some(i) = self
            .0
            .iter()
            .position(|(k, _)| std::ptr::eq(k.borrow(), key))
        {
            return Ok(i);
        }
        self.0
            .binary_search_by(|(k, _)| mentorflow_dsl::name::text_order(k.borrow(), key))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.position(key).ok().map(|i| self.0.remove(i).1)
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

/// Keys may be given as anything that makes one (names as text).
impl<K: Ord, Q: Into<K>, V> FromIterator<(Q, V)> for ShortMap<K, V> {
    /// A key given twice keeps its last value, as inserting one after the other would.
    fn from_iter<I: IntoIterator<Item = (Q, V)>>(pairs: I) -> Self {
        let mut all: Vec<(K, V)> = pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Given in order already (as a map or a program lists them): nothing to sort.
        if all.is_sorted_by(|a, b| a.0 < b.0) {
            return ShortMap(all);
        }
        // Stable: the values of one name stay in the order given; reversed, the last comes
        // first and is the one `dedup` keeps.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.reverse();
        all.dedup_by(|later, kept| later.0 == kept.0);
        all.reverse();
        ShortMap(all)
    }
}

impl<K: Ord, Q: Into<K>, V, const N: usize> From<[(Q, V); N]> for ShortMap<K, V> {
    fn from(pairs: [(Q, V); N]) -> Self {
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

/// A short set: a list kept sorted, for the stages a pairing visited in its cycle (a
/// handful; a B-tree's node would take more than the whole list). Written as a list, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortSet<T>(Vec<T>);

impl<T> Default for ShortSet<T> {
    fn default() -> Self {
        ShortSet(Vec::new())
    }
}

impl<T: Ord> ShortSet<T> {
    /// An empty set with room for `n` items.
    pub fn with_capacity(n: usize) -> Self {
        ShortSet(Vec::with_capacity(n))
    }

    /// Empties the set, keeping its room.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Adds `item`; false when it was already there.
    pub fn insert(&mut self, item: T) -> bool {
        // Equal items are often one (interned names): look for it before ordering.
        if self.0.contains(&item) {
            return false;
        }
        match self.0.binary_search(&item) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, item);
                true
            }
        }
    }

    /// Whether `item` is there.
    pub fn contains(&self, item: &T) -> bool {
        self.0.binary_search(item).is_ok()
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Ord> FromIterator<T> for ShortSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut all: Vec<T> = items.into_iter().collect();
        all.sort();
        all.dedup();
        ShortSet(all)
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for ShortSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<'a, T> IntoIterator for &'a ShortSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Serialize> Serialize for ShortSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Ord> Deserialize<'de> for ShortSet<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(deserializer)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_stays_in_order_and_is_written_as_the_set_it_replaces() {
        let mut visited: ShortSet<String> = ["orientation".to_string()].into();
        assert!(visited.insert("evaluation".into()));
        assert!(!visited.insert("orientation".into()));
        assert!(visited.contains(&"evaluation".to_string()));
        let as_set: std::collections::BTreeSet<&str> = ["orientation", "evaluation"].into();
        let json = serde_json::to_string(&visited).unwrap();
        assert_eq!(json, serde_json::to_string(&as_set).unwrap());
        let back: ShortSet<String> = serde_json::from_str(r#"["b", "a", "b"]"#).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn attributes_stay_in_name_order_and_replace_by_name() {
        let mut a: Attributes = [
            ("grade".to_string(), Value::Int(3)),
            ("dept".to_string(), Value::Text("ops".into())),
        ]
        .into();
        assert_eq!(a.insert("grade".into(), Value::Int(4)), Some(Value::Int(3)));
        assert_eq!(a.insert("active".into(), Value::Bool(true)), None);
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
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
