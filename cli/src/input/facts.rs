//! Fact changes as people write them: `NAME=VALUE`, `NAME+=AMOUNT`, `NAME-=AMOUNT` on the
//! command line, and a fact sheet (`record --from`): a CSV file of one row per pairing.

use mentorflow_engine::FactChange;

use super::csv_file::{found, open_csv, rows};
use crate::failure::Failure;
use crate::render;

/// `NAME=VALUE` split at its first `=`, the name trimmed and not empty.
pub(crate) fn assignment(text: &str) -> Option<(&str, &str)> {
    let (name, value) = text.split_once('=')?;
    let name = name.trim();
    (!name.is_empty()).then_some((name, value))
}

/// `NAME=VALUE`, `NAME+=AMOUNT` or `NAME-=AMOUNT`.
pub(crate) fn change(text: &str) -> Result<(String, FactChange), Failure> {
    let usage = || {
        Failure::Usage(format!(
            "`{text}` is not NAME=VALUE (or NAME+=AMOUNT, NAME-=AMOUNT), e.g. meetings=6"
        ))
    };
    let (name, value) = assignment(text).ok_or_else(usage)?;
    let (name, change) = if let Some(n) = name.strip_suffix('+') {
        (n, FactChange::Add(value.to_string()))
    } else if let Some(n) = name.strip_suffix('-') {
        (n, FactChange::Subtract(value.to_string()))
    } else {
        (name, FactChange::Set(value.to_string()))
    };
    if name.trim().is_empty() {
        return Err(usage());
    }
    Ok((name.trim().to_string(), change))
}

/// A CSV cell as a change: `+=N`, `-=N`, or a value.
fn cell(text: &str) -> FactChange {
    if let Some(n) = text.strip_prefix("+=") {
        FactChange::Add(n.to_string())
    } else if let Some(n) = text.strip_prefix("-=") {
        FactChange::Subtract(n.to_string())
    } else {
        FactChange::Set(text.to_string())
    }
}

/// One row per pairing (or person of a pairing): (line, pairing, person, changes).
pub(crate) type Rows = Vec<(u64, String, Option<String>, Vec<(String, FactChange)>)>;

/// Reads the facts file; every problem of the file itself, with its line.
pub(crate) fn read_rows(file: &str, known: &[String]) -> Result<Rows, Vec<String>> {
    let (mut reader, header) = open_csv(file)?;
    let Some(id_col) = header.iter().position(|h| h == "pairing") else {
        return Err(vec![format!(
            "{file}: the header needs a `pairing` column, then one column per fact; found: {}",
            header.join(",")
        )]);
    };
    let person_col = header.iter().position(|h| h == "person");
    let fixed = |i: usize| i == id_col || Some(i) == person_col;
    let mut problems = Vec::new();
    for name in header
        .iter()
        .enumerate()
        .filter(|(i, _)| !fixed(*i))
        .map(|(_, h)| h)
    {
        if !known.contains(name) {
            problems.push(format!(
                "{file}:1: column `{name}` is no fact of any stored program{}",
                render::did_you_mean_or_known(name, known)
            ));
        }
    }
    let rows = rows(
        &mut reader,
        file,
        &mut problems,
        |line, record, problems| {
            let id = record.get(id_col).unwrap_or_default().to_string();
            if id.is_empty() {
                problems.push(format!("{file}:{line}: the pairing cell is empty"));
                return None;
            }
            let person = person_col
                .and_then(|i| record.get(i))
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            let changes = header
                .iter()
                .enumerate()
                .filter(|(i, h)| !fixed(*i) && known.contains(*h))
                .filter_map(|(i, h)| {
                    let text = record.get(i).unwrap_or_default();
                    (!text.is_empty()).then(|| (h.clone(), cell(text)))
                })
                .collect();
            Some((line, id, person, changes))
        },
    );
    found(rows, problems)
}
