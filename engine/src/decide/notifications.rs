//! What a notification's templates see: the pairing (id, label, program, type, stage, when it
//! entered), its facts as plain values, its participants by role (without sensitive
//! attributes), and the time.

use chrono::{DateTime, Utc};
use mentorflow_dsl::Program;
use serde_json::{json, Map, Value};

use crate::model::pairing::Pairing;

/// The template context for `pairing` at `now`.
pub fn context(program: &Program, pairing: &Pairing, now: DateTime<Utc>) -> Value {
    let plain = |v: &mentorflow_dsl::Value| {
        serde_json::to_value(mentorflow_dsl::value::Plain(v)).unwrap_or(Value::Null)
    };
    let facts: Map<String, Value> = program
        .facts
        .iter()
        .filter(|f| f.per.is_none())
        .filter_map(|f| Some((f.name.clone(), plain(pairing.fact(program, &f.name)?))))
        .collect();
    // Sensitive attributes never travel by notification: a template that names one (the
    // checker warns, W013) renders it empty rather than failing the command.
    let sensitive = |name: &str| {
        program
            .attributes
            .iter()
            .any(|a| a.sensitive && a.name == name)
    };
    let person = |p: &crate::model::event::Participant| {
        let mut m: Map<String, Value> = p
            .attributes
            .iter()
            .map(|(k, v)| match sensitive(k) {
                true => (k.to_string(), Value::String(String::new())),
                false => (k.to_string(), plain(v)),
            })
            .collect();
        m.insert("id".into(), p.id.clone().into());
        m.insert("role".into(), p.role.as_str().into());
        Value::Object(m)
    };
    let with_role = |role: &str| -> Vec<Value> {
        pairing
            .participants
            .iter()
            .filter(|p| p.role == role)
            .map(person)
            .collect()
    };
    json!({
        "pairing": {
            "id": &*pairing.id,
            "label": pairing.label,
            "program": pairing.program_id,
            "program_title": program.title,
            "type": pairing.type_id,
            "stage": &*pairing.stage,
            "stage_title": program.stage(&pairing.stage).map(|s| s.title.clone()),
            "entered_at": pairing.entered_at.to_rfc3339(),
            "enrolled_at": pairing.enrolled_at.to_rfc3339(),
            "due": pairing.due.map(|d| d.to_rfc3339()),
        },
        "facts": facts,
        "participants": pairing.participants.iter().map(person).collect::<Vec<_>>(),
        "mentors": with_role("mentor"),
        "mentees": with_role("mentee"),
        "now": now.to_rfc3339(),
        "today": now.date_naive().to_string(),
    })
}
