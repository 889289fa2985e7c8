//! Match candidates: a CSV file of mentors and mentees (id, role, capacity, attributes), or
//! the registry's people whose attribute `role` says which they are.

use mentorflow_engine::{MatchCandidate, Participant};

use super::csv_file::{found, open_csv, rows};

/// The candidates of a CSV file (id, role, capacity, attributes), each problem with its line.
pub(crate) fn read(
    file: &str,
    program: &mentorflow_dsl::Program,
) -> Result<Vec<MatchCandidate>, Vec<String>> {
    let (mut reader, header) = open_csv(file)?;
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(id_col), Some(role_col)) = (column("id"), column("role")) else {
        return Err(vec![format!(
            "{file}: the header needs `id` and `role` columns (then `capacity` and attributes); found: {}",
            header.join(",")
        )]);
    };
    let capacity_col = column("capacity");
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<(String, String), u64> = Default::default();
    let out = rows(
        &mut reader,
        file,
        &mut problems,
        |line, record, problems| {
            let cell = |i: usize| record.get(i).unwrap_or_default();
            let (id, role) = (cell(id_col), cell(role_col));
            // A people file lists others too: who has no role is no candidate.
            if role.is_empty() && !id.is_empty() {
                return None;
            }
            if id.is_empty() || !matches!(role, "mentor" | "mentee") {
                problems.push(format!(
                "{file}:{line}: give an id and a role of mentor or mentee (found id `{id}`, role `{role}`)"
            ));
                return None;
            }
            if let Some(first) = seen.insert((id.to_string(), role.to_string()), line) {
                problems.push(format!(
                "{file}:{line}: {id} is listed as {role} again (first on line {first}); list each person once per role"
            ));
                return None;
            }
            let capacity = match capacity_col.map(cell).filter(|c| !c.is_empty()) {
                None => None,
                Some(text) => match text.parse::<u32>() {
                    Ok(c) => Some(c),
                    Err(_) => {
                        problems.push(format!(
                            "{file}:{line}: capacity `{text}` is not a whole number of at least 0"
                        ));
                        return None;
                    }
                },
            };
            let at = format!("{file}:{line}");
            let attributes = attributes(program, &header, record, id, &at, problems);
            Some(MatchCandidate {
                participant: Participant {
                    id: id.into(),
                    role: role.into(),
                    attributes,
                    facts: Default::default(),
                    managers: Vec::new(),
                },
                capacity,
            })
        },
    );
    found(out, problems)
}

/// The attributes the program declares among a candidate's cells, each checked; a problem is
/// said `at` its file and line.
fn attributes(
    program: &mentorflow_dsl::Program,
    header: &[String],
    record: &csv::StringRecord,
    id: &str,
    at: &str,
    problems: &mut Vec<String>,
) -> mentorflow_engine::Attributes {
    let mut attributes = mentorflow_engine::Attributes::new();
    for (i, name) in header.iter().enumerate() {
        let text = record.get(i).unwrap_or_default();
        // Only what the program declares is an attribute; the rest (name, manager) is
        // the registry's business.
        if text.is_empty() || !program.attributes.iter().any(|a| a.name == *name) {
            continue;
        }
        match super::person::attribute(program, id, name, text) {
            Ok(value) => {
                attributes.insert(name.as_str().into(), value);
            }
            Err(problem) => problems.push(format!("{at}: {problem}")),
        }
    }
    attributes
}
