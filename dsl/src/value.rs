//! Typed values of facts and participant attributes, and their declarations.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::source::Span;

/// The type a fact or attribute is declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// A real number.
    Float,
    /// A string.
    Text,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A list of strings.
    List,
}

impl ValueKind {
    /// Every kind, by its name in a program.
    pub const ALL: [(&'static str, ValueKind); 6] = [
        ("bool", ValueKind::Bool),
        ("int", ValueKind::Int),
        ("float", ValueKind::Float),
        ("text", ValueKind::Text),
        ("date", ValueKind::Date),
        ("list", ValueKind::List),
    ];

    /// The kind named `name` in a program.
    pub fn from_name(name: &str) -> Option<ValueKind> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// The name with an article, for messages: "an int", "a date".
    pub fn with_article(self) -> String {
        match self {
            ValueKind::Int => "an int".into(),
            other => format!("a {}", other.name()),
        }
    }

    /// The name a program uses.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }
}

/// A typed value. Serialized externally tagged (`{"int": 4}`) so a stored value reads back
/// with its type.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    /// A bool.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
    /// A text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A list of text.
    List(Vec<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::List(items) => write!(f, "{items:?}"),
        }
    }
}

impl Value {
    /// The kind of this value.
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Bool(_) => ValueKind::Bool,
            Value::Int(_) => ValueKind::Int,
            Value::Float(_) => ValueKind::Float,
            Value::Text(_) => ValueKind::Text,
            Value::Date(_) => ValueKind::Date,
            Value::List(_) => ValueKind::List,
        }
    }
}

/// A value as plain data (`6`, `"2026-03-01"`, `["a", "b"]`), as the program file writes it;
/// [`Value`]'s own form, which tags the kind (`{"int": 6}`), is how stores keep it.
pub struct Plain<'a>(pub &'a Value);

impl Serialize for Plain<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(x) => s.serialize_f64(*x),
            Value::Text(t) => s.serialize_str(t),
            Value::Date(d) => s.collect_str(&d.format("%Y-%m-%d")),
            Value::List(items) => items.serialize(s),
        }
    }
}

impl schemars::JsonSchema for Plain<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Value".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A value: bool, int, float, text, a date as YYYY-MM-DD, or a list of texts.",
            "anyOf": [
                {"type": "boolean"},
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}}
            ]
        })
    }
}

fn plain_option<S: serde::Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(Plain).serialize(s)
}

/// A lower or upper bound on a number or a date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Bound {
    /// For int and float.
    Number(f64),
    /// For dates.
    Date(NaiveDate),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Number(n) => write!(f, "{n}"),
            Bound::Date(d) => write!(f, "{d}"),
        }
    }
}

/// A declared fact (recorded on a pairing) or participant attribute.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Declaration {
    /// The name scripts use: `facts.NAME` or `mentee.NAME`.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ValueKind,
    /// What it means, for people.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Smallest allowed value (numbers, dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    /// Largest allowed value (numbers, dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// The only values allowed (text; each item of a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The value before anything is recorded.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "plain_option"
    )]
    #[schemars(with = "Option<Plain>")]
    pub default: Option<Value>,
    /// A fact recorded per person, not on the pairing (`per = "mentee"`, or `"participant"`
    /// for everyone): whose value it is. `None` for pairing facts and attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Where `per` is written.
    #[serde(skip)]
    pub per_span: Option<Span>,
    /// Another fact of the pairing this one may never exceed (`goals_met` at most
    /// `goals_total`): a record that would break it is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_most: Option<String>,
    /// Another fact of the pairing this one may never be below (an end date at least the
    /// start date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_least: Option<String>,
    /// A sensitive attribute (`sensitive = true`: ERG membership, health, ratings): never
    /// shown in reports or exports unless asked for (`--include-sensitive`), never in a
    /// notification.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

/// `per` of a fact recorded for every participant, whatever their role.
pub const EVERY_PARTICIPANT: &str = "participant";

impl Declaration {
    /// Whether it is recorded per person for participants in `role`.
    pub fn is_kept_for(&self, role: &str) -> bool {
        self.per
            .as_deref()
            .is_some_and(|per| per == EVERY_PARTICIPANT || per == role)
    }

    /// Parses a value written as text (on the command line, in a CSV roster) and checks it:
    /// lists as `a,b` or as a TOML or JSON array of strings, `["a", "b"]`.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let value = self.parse_unchecked(text)?;
        self.check(&value)?;
        Ok(value)
    }

    /// Parses a value of the declared type without checking its bounds (an amount to add).
    pub fn parse_unchecked(&self, text: &str) -> Result<Value, String> {
        let text = text.trim();
        let value = match self.kind {
            ValueKind::Bool => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "on" | "1" => Value::Bool(true),
                "false" | "no" | "n" | "off" | "0" => Value::Bool(false),
                _ => {
                    return Err(format!(
                        "{} is not a bool; use true or false (or yes/no, on/off, 1/0)",
                        quoted(text)
                    ))
                }
            },
            ValueKind::Int => Value::Int(
                text.parse()
                    .map_err(|e: std::num::ParseIntError| match e.kind() {
                        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                            format!("`{text}` is too large for a whole number (at most 9223372036854775807)")
                        }
                        _ => format!("{} is not a whole number", quoted(text)),
                    })?,
            ),
            ValueKind::Float => {
                let x: f64 = text
                    .parse()
                    .map_err(|_| format!("{} is not a number", quoted(text)))?;
                if !x.is_finite() {
                    return Err(format!("`{text}` is not a finite number"));
                }
                Value::Float(x)
            }
            ValueKind::Text => Value::Text(text.to_string()),
            ValueKind::Date => Value::Date(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| format!("{} is not a date; write it as YYYY-MM-DD", quoted(text)))?,
            ),
            ValueKind::List if text.starts_with('[') => Value::List(list_literal(text)?),
            ValueKind::List => Value::List(
                text.split([',', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            ),
        };
        Ok(value)
    }

    /// Checks a value against the declared type, bounds and allowed values.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let value = match (self.kind, value) {
            (ValueKind::Float, Value::Int(i)) => &Value::Float(*i as f64),
            _ => value,
        };
        within_limits(value)?;
        if value.kind() != self.kind {
            return Err(format!(
                "{value} is {}, but `{}` is declared as {}",
                value.kind().with_article(),
                self.name,
                self.kind.name()
            ));
        }
        let position = match value {
            Value::Int(i) => Some(Bound::Number(*i as f64)),
            Value::Float(x) => Some(Bound::Number(*x)),
            Value::Date(d) => Some(Bound::Date(*d)),
            _ => None,
        };
        if let Some(v) = position {
            if let Some(min) = self.min.filter(|min| less(v, *min)) {
                return Err(format!(
                    "{value} is below the minimum {min} of `{}`",
                    self.name
                ));
            }
            if let Some(max) = self.max.filter(|max| less(*max, v)) {
                return Err(format!(
                    "{value} is above the maximum {max} of `{}`",
                    self.name
                ));
            }
        }
        if let Some(allowed) = &self.allowed {
            let items: Vec<&String> = match value {
                Value::Text(s) => vec![s],
                Value::List(items) => items.iter().collect(),
                _ => vec![],
            };
            if let Some(bad) = items.into_iter().find(|s| !allowed.contains(s)) {
                let hint = crate::suggest::did_you_mean(bad, allowed.iter().map(String::as_str))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "`{bad}` is not allowed for `{}`{hint}; allowed: {}",
                    self.name,
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }
}

fn less(a: Bound, b: Bound) -> bool {
    match (a, b) {
        (Bound::Number(a), Bound::Number(b)) => a < b,
        (Bound::Date(a), Bound::Date(b)) => a < b,
        _ => false,
    }
}

/// Text values and list items are bounded like strings in scripts, and lists like arrays: a
/// value too big for a script to read would leave every guard reading it failing.
pub const MAX_TEXT_CHARS: usize = 65_536;
/// Items in a list value.
pub const MAX_LIST_ITEMS: usize = 1_000;

fn within_limits(value: &Value) -> Result<(), String> {
    let too_long = |s: &String| s.chars().count() > MAX_TEXT_CHARS;
    match value {
        Value::Text(s) if too_long(s) => Err(format!(
            "{} is longer than {MAX_TEXT_CHARS} characters",
            quoted(s)
        )),
        Value::List(items) if items.len() > MAX_LIST_ITEMS => Err(format!(
            "the list has {} items; a list holds at most {MAX_LIST_ITEMS}",
            items.len()
        )),
        Value::List(items) if items.iter().any(too_long) => Err(format!(
            "an item of the list is longer than {MAX_TEXT_CHARS} characters"
        )),
        // Stored times are fixed-width text: a year past 9999 would not sort as time.
        Value::Date(d) if !(0..=9999).contains(&d.year()) => Err(format!(
            "{d} is out of range; dates are between 0000-01-01 and 9999-12-31"
        )),
        _ => Ok(()),
    }
}

/// `text` in backquotes, cut to a short prefix: an error never echoes a huge value.
pub fn quoted(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("`{}…` ({} characters)", &text[..cut], text.chars().count()),
        None => format!("`{text}`"),
    }
}

/// A list written as an array literal: `["a1", "a2"]` (TOML or JSON), strings only.
fn list_literal(text: &str) -> Result<Vec<String>, String> {
    let wrapped = format!("v = {text}");
    let table: toml::Table = toml::from_str(&wrapped).map_err(|_| {
        format!(
            "{} is not a list; write a1,a2 or [\"a1\", \"a2\"] (quoted strings)",
            quoted(text)
        )
    })?;
    let Some(toml::Value::Array(items)) = table.get("v") else {
        return Err(format!(
            "{} is not a list; write a1,a2 or [\"a1\", \"a2\"]",
            quoted(text)
        ));
    };
    items
        .iter()
        .map(|i| match i {
            toml::Value::String(s) => Ok(s.clone()),
            other => Err(format!(
                "{} holds {other}, which is not text; a list holds strings: [\"a1\", \"a2\"]",
                quoted(text)
            )),
        })
        .collect()
}

/// A script's constant (`true`, `6`, `4.5`, `"done"`): its type and how it is written.
pub(crate) fn constant(e: &rhai::Expr) -> Option<(ValueKind, String)> {
    use rhai::Expr;
    use ValueKind as K;
    Some(match e {
        Expr::BoolConstant(b, _) => (K::Bool, b.to_string()),
        Expr::IntegerConstant(i, _) => (K::Int, i.to_string()),
        Expr::FloatConstant(x, _) => (K::Float, x.to_string()),
        Expr::StringConstant(s, _) => (K::Text, format!("{s:?}")),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(kind: ValueKind) -> Declaration {
        Declaration {
            name: "x".into(),
            kind,
            description: String::new(),
            min: Some(Bound::Number(0.0)),
            max: Some(Bound::Number(5.0)),
            allowed: None,
            default: None,
            per: None,
            per_span: None,
            at_most: None,
            at_least: None,
            sensitive: false,
            span: Span::default(),
        }
    }

    #[test]
    fn values_are_parsed_by_declared_type() {
        assert_eq!(decl(ValueKind::Int).parse("4"), Ok(Value::Int(4)));
        assert_eq!(decl(ValueKind::Float).parse("4.5"), Ok(Value::Float(4.5)));
        assert_eq!(decl(ValueKind::Bool).parse("yes"), Ok(Value::Bool(true)));
    }

    #[test]
    fn out_of_range_and_ill_typed_values_are_refused() {
        assert!(decl(ValueKind::Int)
            .parse("9")
            .unwrap_err()
            .contains("above the maximum 5"));
        assert!(decl(ValueKind::Int)
            .parse("-1")
            .unwrap_err()
            .contains("below the minimum 0"));
        assert!(decl(ValueKind::Int)
            .parse("four")
            .unwrap_err()
            .contains("not a whole number"));
        assert!(decl(ValueKind::Float).parse("NaN").is_err());
    }

    #[test]
    fn allowed_values_get_a_suggestion() {
        let mut d = decl(ValueKind::Text);
        d.allowed = Some(vec!["good".into(), "poor".into()]);
        assert!(d
            .parse("goood")
            .unwrap_err()
            .contains("did you mean `good`"));
    }

    #[test]
    fn a_list_is_written_with_commas_or_as_an_array_literal() {
        let decl = |kind| Declaration {
            name: "done".into(),
            kind,
            description: String::new(),
            min: None,
            max: None,
            allowed: None,
            default: None,
            per: None,
            per_span: None,
            at_most: None,
            at_least: None,
            sensitive: false,
            span: crate::source::Span::default(),
        };
        let list = decl(ValueKind::List);
        let both = Value::List(vec!["a1".into(), "a2".into()]);
        assert_eq!(list.parse("a1,a2"), Ok(both.clone()));
        assert_eq!(list.parse(r#"["a1", "a2"]"#), Ok(both.clone()));
        assert_eq!(list.parse(r#"["a1","a2"]"#), Ok(both));
        assert!(list.parse("[1, 2]").is_err());
        assert!(list.parse(r#"["a1","#).is_err());
    }
}
