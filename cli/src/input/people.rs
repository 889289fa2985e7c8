//! A people file: one row per person (id, name, manager, attributes), for the registry. It
//! merges: a column left out, or an empty cell, leaves that field as it is; the cell
//! [`UNSET`] clears it.

use std::collections::BTreeMap;

use mentorflow_engine::{Change, PersonEdit};

/// The cell that clears a field (an empty cell leaves it as it is).
pub(crate) const UNSET: &str = "<unset>";

/// What a cell does to its field: nothing when empty, clears it when [`UNSET`], else sets it.
fn change(cell: &str) -> Option<Change> {
    match cell {
        "" => None,
        UNSET => Some(Change::Unset),
        value => Some(Change::Set(value.to_string())),
    }
}

use super::csv_file::{found, open_csv, rows};

/// The edits of a file, each with its line; or every problem of the file, with its line.
pub(crate) fn read(file: &str) -> Result<Vec<(u64, PersonEdit)>, Vec<String>> {
    let (mut reader, header) = open_csv(file)?;
    let column = |name: &str| header.iter().position(|h| h == name);
    let Some(id_col) = column("id") else {
        return Err(vec![format!(
            "{file}: the header needs an `id` column (then `name`, `manager` and one column per attribute); found: {}",
            header.join(",")
        )]);
    };
    let (name_col, manager_col) = (column("name"), column("manager"));
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            problems.push(format!("{file}:1: column {} has no name", i + 1));
        } else if let Some(first) = seen.insert(h.as_str(), i) {
            problems.push(format!(
                "{file}:1: column `{h}` is given twice (columns {} and {})",
                first + 1,
                i + 1
            ));
        }
    }
    let people = rows(
        &mut reader,
        file,
        &mut problems,
        |line, record, problems| {
            let id = record.get(id_col).unwrap_or_default();
            if id.is_empty() {
                problems.push(format!("{file}:{line}: the id cell is empty"));
                return None;
            }
            let change = |i: Option<usize>| change(record.get(i?).unwrap_or_default());
            let attributes = header
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != id_col && Some(*i) != name_col && Some(*i) != manager_col)
                .filter_map(|(i, h)| Some((h.clone(), change(Some(i))?)))
                .collect();
            let edit = PersonEdit {
                id: id.to_string(),
                name: change(name_col),
                manager: change(manager_col),
                attributes,
                // A file never (de)activates: `people deactivate` says why, one at a time.
                inactive: None,
            };
            Some((line, edit))
        },
    );
    found(people, problems)
}
