//! The `[facts]` and `[attributes]` sections: typed declarations with bounds and defaults.

use super::*;

impl Analyzer<'_> {
    pub(super) fn declarations(
        &mut self,
        top: &Table<'_, '_>,
        section: &str,
        what: &str,
    ) -> Vec<Declaration> {
        let mut r = self.reader();
        let Some(table) = r.table(top, section, format!("[{section}]")) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let name = key.get_ref().to_string();
            if !is_identifier(&name) {
                r.error(
                    Code::E007,
                    format!("{what} name `{name}` is not a script identifier"),
                    key.span(),
                )
                .help = Some(format!(
                    "use letters, digits and `_` so scripts can read it, e.g. `{}`",
                    name.replace(['-', ' '], "_")
                ));
            } else if reserved(&name) {
                let span = r.span(key.span());
                r.diagnostics.push(
                    Diagnostic::warning(
                        Code::W010,
                        format!("{what} name `{name}` is a word Rhai reserves: `x.{name}` does not compile"),
                        span,
                    )
                    .with_help(format!(
                        "rename it (e.g. `{name}_ok`), or read it by its name in quotes: facts[\"{name}\"], p[\"{name}\"]"
                    )),
                );
            }
            let Some(decl) = r.as_table(
                value,
                &name,
                &format!("[{section}]"),
                format!("{what} `{name}`"),
            ) else {
                continue;
            };
            if let Some(d) = declaration(&mut r, &decl, name, key.span()) {
                out.push(d);
            }
        }
        relations(&mut r, &table, &out);
        out
    }
}

/// Checks each fact's `at_most` and `at_least`: another fact kept on the pairing, of a kind
/// that compares with its own (numbers with numbers, dates with dates).
fn relations(r: &mut Reader<'_>, table: &Table<'_, '_>, facts: &[Declaration]) {
    let number = |k: ValueKind| matches!(k, ValueKind::Int | ValueKind::Float);
    for d in facts {
        for (key, other) in [("at_most", &d.at_most), ("at_least", &d.at_least)] {
            let Some(other) = other else { continue };
            let span = table
                .table
                .get(d.name.as_str())
                .and_then(|v| v.get_ref().as_table())
                .and_then(|t| t.get(key))
                .map_or(0..0, Spanned::span);
            let found = facts.iter().find(|f| f.name == *other);
            let names = facts
                .iter()
                .filter(|f| f.name != d.name)
                .map(|f| f.name.as_str());
            let another = format!("name another fact of the pairing: {key} = \"goals_total\"");
            let problem = match found {
                None => Some((
                    format!(
                        "`{key}` of fact `{}` names `{other}`, which the program does not declare as a fact",
                        d.name
                    ),
                    help_did_you_mean(other, names).unwrap_or(another),
                )),
                Some(f) if f.name == d.name => Some((
                    format!("fact `{}` is compared with itself (`{key} = \"{other}\"`)", d.name),
                    another,
                )),
                Some(f) if f.per.is_some() || d.per.is_some() => Some((
                    format!(
                        "`{key}` relates facts kept on the pairing, but `{}` is kept per person",
                        if d.per.is_some() { &d.name } else { &f.name }
                    ),
                    "remove it, or keep both facts on the pairing (without `per`)".to_string(),
                )),
                Some(f)
                    if !(number(f.kind) && number(d.kind)
                        || f.kind == ValueKind::Date && d.kind == ValueKind::Date) =>
                {
                    Some((
                        format!(
                            "`{key}` compares fact `{}` ({}) with `{}` ({}): numbers compare with numbers, dates with dates",
                            d.name,
                            d.kind.name(),
                            f.name,
                            f.kind.name()
                        ),
                        format!("name a fact that is {} too", d.kind.with_article()),
                    ))
                }
                Some(_) => None,
            };
            if let Some((problem, help)) = problem {
                r.error(Code::E047, problem, span).help = Some(help);
            }
        }
    }
}

pub(super) fn declaration(
    r: &mut Reader<'_>,
    t: &Table<'_, '_>,
    name: String,
    key: Range<usize>,
) -> Option<Declaration> {
    // Only facts are kept per person; an attribute belongs to its person already.
    let per_person = t.what.starts_with("fact");
    let keys: &[&str] = if per_person {
        &super::keys::FACT
    } else {
        &super::keys::ATTRIBUTE
    };
    r.unknown_keys(t, keys);
    let (kind_name, kind_span) = r.string(t, "type", true)?;
    let Some(kind) = ValueKind::from_name(&kind_name) else {
        let names = ValueKind::ALL.map(|(n, _)| n);
        let alias = match kind_name.to_ascii_lowercase().as_str() {
            "integer" | "i64" | "number" => Some("int"),
            "double" | "f64" | "decimal" | "real" => Some("float"),
            "boolean" => Some("bool"),
            "string" | "str" => Some("text"),
            "array" | "vec" => Some("list"),
            "datetime" => Some("date"),
            _ => None,
        };
        let help = alias
            .map(|a| format!("did you mean `{a}`?"))
            .or_else(|| help_did_you_mean(&kind_name, names))
            .unwrap_or_else(|| format!("the types are: {}", names.join(", ")));
        r.error(
            Code::E004,
            format!("`{kind_name}` is not a type"),
            kind_span,
        )
        .help = Some(help);
        return None;
    };
    let description = r
        .string(t, "description", false)
        .map(|d| d.0)
        .unwrap_or_default();
    let min = bound(r, t, "min", kind);
    let max = bound(r, t, "max", kind);
    if let (Some(lo), Some(hi)) = (min, max) {
        if matches!((lo, hi), (Bound::Number(a), Bound::Number(b)) if a > b)
            || matches!((lo, hi), (Bound::Date(a), Bound::Date(b)) if a > b)
        {
            let span = t.table.get("max").map_or(key.clone(), Spanned::span);
            r.error(
                Code::E033,
                format!("{} has min {lo} greater than max {hi}", t.what),
                span,
            )
            .help = Some("swap min and max".into());
        }
    }
    let allowed = r
        .strings(t, "allowed")
        .map(|v| v.into_iter().map(|x| x.0).collect::<Vec<_>>());
    if allowed.as_ref().is_some_and(Vec::is_empty) {
        let span = t.table.get("allowed").map_or(key.clone(), Spanned::span);
        r.error(
            Code::E033,
            format!(
                "`allowed` of {} is empty, so no value could ever be recorded",
                t.what
            ),
            span,
        )
        .help = Some("list the allowed values, or remove `allowed` to allow any".into());
    }
    if allowed.is_some() && !matches!(kind, ValueKind::Text | ValueKind::List) {
        let span = t.table.get("allowed").map_or(key.clone(), Spanned::span);
        r.error(
            Code::E033,
            format!(
                "`allowed` applies to text and list, but {} is {}",
                t.what,
                kind.name()
            ),
            span,
        )
        .help = Some("use min and max for numbers and dates".into());
    }
    let mut decl = Declaration {
        name,
        kind,
        description,
        min,
        max,
        allowed,
        default: None,
        per: None,
        per_span: None,
        at_most: None,
        at_least: None,
        sensitive: false,
        span: r.span(key),
    };
    if !per_person {
        decl.sensitive = r.bool(t, "sensitive").is_some_and(|(b, _)| b);
    }
    if per_person {
        if let Some((per, span)) = r.string(t, "per", false) {
            decl.per = Some(per);
            decl.per_span = Some(r.span(span));
        }
        decl.at_most = r.string(t, "at_most", false).map(|x| x.0);
        decl.at_least = r.string(t, "at_least", false).map(|x| x.0);
    }
    if let Some(value) = r.get(t, "default", false) {
        match toml_value(value.get_ref(), kind).map(|v| decl.check(&v).map(|_| v)) {
            Some(Ok(v)) => decl.default = Some(v),
            Some(Err(message)) => {
                r.error(
                    Code::E033,
                    format!("default of {}: {message}", t.what),
                    value.span(),
                );
            }
            None => {
                r.error(
                    Code::E004,
                    format!(
                        "default of {} must be {}, found {}",
                        t.what,
                        kind.with_article(),
                        reader::type_name(value.get_ref())
                    ),
                    value.span(),
                )
                .help = Some(default_help(kind, value.get_ref()));
            }
        }
    }
    Some(decl)
}

/// How to write a default of `kind`, from what was written.
fn default_help(kind: ValueKind, written: &DeValue<'_>) -> String {
    let example = match (kind, written) {
        (ValueKind::Date, DeValue::String(s))
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
        {
            return format!("write the date without quotes: default = {s}");
        }
        (ValueKind::Bool, _) => "default = false",
        (ValueKind::Int, _) => "default = 0",
        (ValueKind::Float, _) => "default = 0.0",
        (ValueKind::Text, _) => "default = \"none\"",
        (ValueKind::Date, _) => "default = 2026-01-05",
        (ValueKind::List, _) => "default = []",
    };
    let how = match kind {
        ValueKind::Bool => "true or false, without quotes",
        ValueKind::Int => "a whole number, without quotes",
        ValueKind::Float => "a number, without quotes",
        ValueKind::Date => "a date as YYYY-MM-DD, without quotes",
        ValueKind::Text => "text in quotes",
        ValueKind::List => "an array of strings",
    };
    format!("write {how}, e.g. {example}")
}

pub(super) fn bound(
    r: &mut Reader<'_>,
    t: &Table<'_, '_>,
    key: &str,
    kind: ValueKind,
) -> Option<Bound> {
    let value = r.get(t, key, false)?;
    let parsed = match kind {
        ValueKind::Int => match reader::number(value.get_ref()) {
            Some(x) if x.fract() != 0.0 => {
                r.error(
                    Code::E033,
                    format!("`{key}` of {} is {x}, but the fact is an int", t.what),
                    value.span(),
                )
                .help = Some(format!("use a whole number, e.g. {}", x.ceil()));
                return None;
            }
            other => other.map(Bound::Number),
        },
        ValueKind::Float => reader::number(value.get_ref()).map(Bound::Number),
        ValueKind::Date => match value.get_ref() {
            DeValue::Datetime(d) => chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d")
                .ok()
                .map(Bound::Date),
            DeValue::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(Bound::Date),
            _ => None,
        },
        _ => {
            r.error(
                Code::E033,
                format!(
                    "`{key}` applies to int, float and date, but {} is {}",
                    t.what,
                    kind.name()
                ),
                value.span(),
            )
            .help = Some("use `allowed` to limit text values".into());
            return None;
        }
    };
    if parsed.is_none() {
        let expected = if kind == ValueKind::Date {
            "a date (YYYY-MM-DD)"
        } else {
            "a number"
        };
        r.error(
            Code::E004,
            format!(
                "`{key}` of {} must be {expected}, found {}",
                t.what,
                reader::type_name(value.get_ref())
            ),
            value.span(),
        );
    }
    parsed
}

pub(super) fn toml_value(value: &DeValue<'_>, kind: ValueKind) -> Option<Value> {
    Some(match (kind, value) {
        (ValueKind::Bool, DeValue::Boolean(b)) => Value::Bool(*b),
        (ValueKind::Int, v) => Value::Int(reader::integer(v)?),
        (ValueKind::Float, v) => Value::Float(reader::number(v)?),
        (ValueKind::Text, DeValue::String(s)) => Value::Text(s.to_string()),
        // A quoted date is a string, not a date (the reference says so): `default = 2026-01-05`.
        (ValueKind::Date, DeValue::Datetime(d)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d").ok()?)
        }
        (ValueKind::List, DeValue::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| match i.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// Whether Rhai refuses `name` after a dot: a keyword, or a word it reserves (`go`, `match`).
fn reserved(name: &str) -> bool {
    static RAW: std::sync::LazyLock<rhai::Engine> = std::sync::LazyLock::new(rhai::Engine::new_raw);
    RAW.compile_expression(format!("x.{name}")).is_err()
}
