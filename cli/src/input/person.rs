//! Person specs (`ROLE=ID,ATTR=VALUE...`) and the values given with them, checked against the
//! program's declarations.

use mentorflow_engine::Participant;

use crate::failure::Failure;
use crate::render;

/// Parses `ROLE=ID,ATTR=VALUE...`: a malformed spec is a usage error, a value the program
/// refuses is a refusal.
pub(crate) fn participant(
    program: &mentorflow_dsl::Program,
    spec: &str,
) -> Result<Participant, Failure> {
    let mut parts = split_spec(spec).into_iter();
    let head = parts.next().unwrap_or_default();
    let (role, id) = head
        .split_once('=')
        .ok_or_else(|| Failure::Usage(format!("`{spec}`: write ROLE=ID, e.g. mentor=ana")))?;
    if role.trim().is_empty() || id.trim().is_empty() {
        return Err(Failure::Usage(format!(
            "`{spec}`: the role and the id must not be empty, e.g. mentor=ana"
        )));
    }
    let mut attributes = mentorflow_engine::Attributes::new();
    for pair in parts {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("`{pair}` in `{spec}`: write ATTR=VALUE")))?;
        let value = attribute(program, id, name.trim(), text).map_err(Failure::Refused)?;
        if attributes.insert(name.trim().into(), value).is_some() {
            return Err(Failure::Usage(format!(
                "{id}: `{}` is given twice; give each attribute once",
                name.trim()
            )));
        }
    }
    Ok(Participant {
        id: id.trim().into(),
        role: role.trim().into(),
        attributes,
        facts: Default::default(),
        managers: Vec::new(),
    })
}

/// `spec` split at its commas, except inside `[...]` or quotes, so a list attribute can be
/// written `topics=["ai", "data"]`.
fn split_spec(spec: &str) -> Vec<&str> {
    let (mut parts, mut start, mut depth, mut quoted) = (Vec::new(), 0, 0i32, false);
    for (i, c) in spec.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// A participant attribute written as text, checked against the program's declaration.
pub(crate) fn attribute(
    program: &mentorflow_dsl::Program,
    person: &str,
    name: &str,
    text: &str,
) -> Result<mentorflow_dsl::Value, String> {
    mentorflow_engine::parse_attribute(program, name, text)
        .map_err(|e| format!("{person}: {}", render::engine_error(&e)))
}

/// Parses `NAME=VALUE` given with `--fact`.
pub(crate) fn fact(
    program: &mentorflow_dsl::Program,
    spec: &str,
) -> Result<(String, mentorflow_dsl::Value), Failure> {
    let (name, text) = spec.split_once('=').ok_or_else(|| {
        Failure::Usage(format!(
            "`--fact {spec}`: write NAME=VALUE, e.g. --fact goals_total=3"
        ))
    })?;
    let name = name.trim();
    // `--person` means a participant here: say how to record a fact kept per person instead.
    if let Some(per) = program.fact(name).and_then(|f| f.per.as_ref()) {
        return Err(Failure::Refused(format!(
            "fact `{name}` is recorded per {per}, not on the pairing: record it once the pairing is enrolled, with `mentorflow record PAIRING --person ID {name}=VALUE`"
        )));
    }
    mentorflow_engine::parse_fact(program, name, text.trim())
        .map(|value| (name.to_string(), value))
        .map_err(|e| Failure::Refused(render::engine_error(&e)))
}
