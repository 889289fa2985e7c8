//! A participant's attributes: a short list kept sorted by name. A person carries a handful of
//! attributes, and every pairing in memory carries its people: a map's node (about 600 bytes
//! however few entries it holds) was most of a participant's memory.

use mentorflow_dsl::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Attributes by name, in name order (as a map's were), written as a map.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes(Vec<(String, Value)>);

impl Attributes {
    /// No attributes.
    pub fn new() -> Attributes {
        Attributes(Vec::new())
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    /// Whether the person carries attribute `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets attribute `name`, returning the value it replaces.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// The attributes in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    /// How many attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, Value)> for Attributes {
    /// A name given twice keeps its last value, as inserting one after the other would.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Attributes {
        let mut all: Vec<(String, Value)> = pairs.into_iter().collect();
        // Stable: the values of one name stay in the order given; reversed, the last comes
        // first and is the one `dedup` keeps.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.reverse();
        all.dedup_by(|later, kept| later.0 == kept.0);
        all.reverse();
        Attributes(all)
    }
}

impl<const N: usize> From<[(String, Value); N]> for Attributes {
    fn from(pairs: [(String, Value); N]) -> Attributes {
        pairs.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        let map = std::collections::BTreeMap::<String, Value>::deserialize(deserializer)?;
        Ok(Attributes(map.into_iter().collect()))
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
