//! A people file: one row per person (id, name, manager, attributes), for the registry.

use std::collections::BTreeMap;

use mentorflow_engine::Person;

use super::csv_file::{found, open_csv, rows};

/// The people of a file, each with its line; or every problem of the file, with its line.
pub(crate) fn read(file: &str) -> Result<Vec<(u64, Person)>, Vec<String>> {
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
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
            let id = cell(Some(id_col));
            if id.is_empty() {
                problems.push(format!("{file}:{line}: the id cell is empty"));
                return None;
            }
            let attributes = header
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != id_col && Some(*i) != name_col && Some(*i) != manager_col)
                .filter_map(|(i, h)| {
                    let text = record.get(i).unwrap_or_default();
                    (!text.is_empty()).then(|| (h.clone(), text.to_string()))
                })
                .collect();
            let manager = cell(manager_col);
            let person = Person {
                id: id.to_string(),
                name: cell(name_col).to_string(),
                manager: (!manager.is_empty()).then(|| manager.to_string()),
                attributes,
            };
            Some((line, person))
        },
    );
    found(people, problems)
}
