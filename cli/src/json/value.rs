//! Fact and attribute values as plain JSON, the same everywhere: a bool, a number, a text, a
//! date as `"YYYY-MM-DD"`, or a list of texts.

use std::borrow::Cow;

use mentorflow_dsl::value::Plain;
use mentorflow_dsl::Value;
use schemars::JsonSchema;
use serde::Serialize;

/// Values by name, in the order given (a pairing's facts by name, an event's as recorded).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Values(pub serde_json::Map<String, serde_json::Value>);

impl Values {
    /// From name-value pairs, in their order.
    pub fn of<'a, K: AsRef<str> + 'a>(
        pairs: impl IntoIterator<Item = (&'a K, &'a Value)>,
    ) -> Values {
        Values(
            pairs
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_string(), plain(v)))
                .collect(),
        )
    }

    /// From a list of pairs, as events keep them.
    pub fn of_list<K: AsRef<str>>(pairs: &[(K, Value)]) -> Values {
        Values::of(pairs.iter().map(|(k, v)| (k, v)))
    }
}

impl JsonSchema for Values {
    fn schema_name() -> Cow<'static, str> {
        "Values".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<Plain<'_>>();
        schemars::json_schema!({
            "description": "Values by name.",
            "type": "object",
            "additionalProperties": value
        })
    }
}

/// One value as plain JSON.
pub fn plain(v: &Value) -> serde_json::Value {
    // Only a float that is not a number fails; stores never hold one.
    serde_json::to_value(Plain(v)).unwrap_or_default()
}
