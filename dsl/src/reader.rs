//! Typed reading of a spanned TOML tree: every unknown key, missing field and ill-typed value
//! becomes a diagnostic, and reading goes on so one run reports every problem.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::suggest::help_did_you_mean;

/// Collects diagnostics for one file.
pub(crate) struct Reader<'d> {
    pub file: usize,
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

/// A TOML table with its span and a name for messages (`stage \`orientation\``).
pub(crate) struct Table<'t, 'i> {
    pub table: &'t DeTable<'i>,
    pub span: Range<usize>,
    pub what: String,
}

impl Reader<'_> {
    pub fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    pub fn error(&mut self, code: Code, message: String, range: Range<usize>) -> &mut Diagnostic {
        let span = self.span(range);
        self.diagnostics
            .push(Diagnostic::error(code, message, span));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// Reports every key of `table` that is not in `known`, with a did-you-mean.
    pub fn unknown_keys(&mut self, table: &Table<'_, '_>, known: &[&str]) {
        for key in table.table.keys() {
            if !known.contains(&key.get_ref().as_ref()) {
                let help =
                    help_did_you_mean(key.get_ref(), known.iter().copied()).unwrap_or_else(|| {
                        format!("the keys of {} are: {}", table.what, known.join(", "))
                    });
                self.error(
                    Code::E002,
                    format!("unknown key `{}` in {}", key.get_ref(), table.what),
                    key.span(),
                )
                .help = Some(help);
            }
        }
    }

    /// The value of `key`, reporting it missing if `required`.
    pub fn get<'t, 'i>(
        &mut self,
        table: &Table<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<&'t Spanned<DeValue<'i>>> {
        let value = table.table.get(key);
        if value.is_none() && required {
            let header_end = table.span.start
                ..table
                    .span
                    .start
                    .max(table.span.end.min(table.span.start + 1));
            self.error(
                Code::E003,
                format!("{} is missing the required field `{key}`", table.what),
                header_end,
            )
            .help = Some(format!("add `{key} = ...` to {}", table.what));
        }
        value
    }

    fn ill_typed(&mut self, what: &str, key: &str, expected: &str, value: &Spanned<DeValue<'_>>) {
        self.error(
            Code::E004,
            format!(
                "`{key}` in {what} must be {expected}, found {}",
                type_name(value.get_ref())
            ),
            value.span(),
        );
    }

    /// A string field.
    pub fn string(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<(String, Range<usize>)> {
        let value = self.get(table, key, required)?;
        match value.get_ref() {
            DeValue::String(s) => Some((s.to_string(), value.span())),
            _ => {
                self.ill_typed(&table.what, key, "a string", value);
                None
            }
        }
    }

    /// A non-negative integer field.
    pub fn bool(&mut self, table: &Table<'_, '_>, key: &str) -> Option<(bool, Range<usize>)> {
        let value = self.get(table, key, false)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some((*b, value.span())),
            _ => {
                self.ill_typed(&table.what, key, "true or false", value);
                None
            }
        }
    }

    pub fn count(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<(u32, Range<usize>)> {
        let value = self.get(table, key, required)?;
        match integer(value.get_ref()).and_then(|i| u32::try_from(i).ok()) {
            Some(n) => Some((n, value.span())),
            None => {
                self.ill_typed(&table.what, key, "a whole number of at least 0", value);
                None
            }
        }
    }

    /// An array of strings.
    pub fn strings(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let value = self.get(table, key, false)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.ill_typed(&table.what, key, "an array of strings", value);
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), item.span())),
                _ => self.ill_typed(&table.what, key, "an array of strings", item),
            }
        }
        Some(out)
    }

    /// A sub-table, reporting a non-table value.
    pub fn table<'t, 'i>(
        &mut self,
        parent: &Table<'t, 'i>,
        key: &str,
        what: String,
    ) -> Option<Table<'t, 'i>> {
        let value = self.get(parent, key, false)?;
        self.as_table(value, key, &parent.what, what)
    }

    /// A value that must be a table.
    pub fn as_table<'t, 'i>(
        &mut self,
        value: &'t Spanned<DeValue<'i>>,
        key: &str,
        parent: &str,
        what: String,
    ) -> Option<Table<'t, 'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(Table {
                table,
                span: value.span(),
                what,
            }),
            _ => {
                self.ill_typed(parent, key, "a table", value);
                None
            }
        }
    }
}

/// An integer value, if it is one that fits in i64.
pub(crate) fn integer(value: &DeValue<'_>) -> Option<i64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// A float or integer value as f64.
pub(crate) fn number(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        other => integer(other).map(|i| i as f64),
    }
}

/// The TOML type of a value, for messages.
pub(crate) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
