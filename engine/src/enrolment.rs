//! Enrolment checks: counts per role, required attributes, attribute values, the type's rule.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mentorflow_dsl::suggest::did_you_mean;
use mentorflow_dsl::{MentoringType, Program, Script};

use crate::engine::Engine;
use crate::event::Participant;
use crate::explain::{self, Verdict};
use crate::pairing::Pairing;

/// Every problem with the participants for type `ty`, each with the values involved.
pub(crate) fn check_participants(
    program: &Program,
    ty: &MentoringType,
    participants: &[Participant],
) -> Vec<String> {
    let mut reasons = Vec::new();
    let roles: Vec<&str> = ty.roles.iter().map(|r| r.name.as_str()).collect();
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for p in participants {
        if p.id.trim().is_empty() || p.id.chars().any(char::is_control) {
            reasons.push(format!(
                "a {} has an empty or unprintable id; give each person an id",
                p.role
            ));
        }
        *counts.entry(p.role.as_str()).or_default() += 1;
        if !roles.contains(&p.role.as_str()) {
            let hint = did_you_mean(&p.role, roles.iter().copied())
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            reasons.push(format!(
                "{} has role `{}`, which type `{}` does not have{hint}; its roles are: {}",
                p.id,
                p.role,
                ty.id,
                roles.join(", ")
            ));
        }
        for name in &ty.requires {
            if !p.attributes.contains_key(name) {
                reasons.push(format!(
                    "{} ({}) has no `{name}`, which type `{}` requires; add {name}=VALUE",
                    p.id, p.role, ty.id
                ));
            }
        }
        for (name, value) in &p.attributes {
            if let Some(decl) = program.attributes.iter().find(|a| &a.name == name) {
                if let Err(message) = decl.check(value) {
                    reasons.push(format!("{} ({}): {message}", p.id, p.role));
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in participants {
        if !seen.insert(p.id.as_str()) {
            reasons.push(format!(
                "{} is listed twice; each person takes part once",
                p.id
            ));
        }
    }
    for role in &ty.roles {
        let n = counts.get(role.name.as_str()).copied().unwrap_or(0);
        if n < role.min || n > role.max {
            let wanted = if role.min == role.max {
                format!("{}", role.min)
            } else {
                format!("{} to {}", role.min, role.max)
            };
            reasons.push(format!(
                "type `{}` needs {wanted} {}(s), got {n}",
                ty.id, role.name
            ));
        }
    }
    reasons
}

/// Evaluates the type's rule on a freshly enrolled pairing; explains a failure part by part
/// with the participants' attributes.
pub(crate) fn check_rule(
    engine: &Engine,
    pairing: &mut Pairing,
    rule: &Script,
    now: DateTime<Utc>,
) -> Vec<String> {
    let report = explain::report(&engine.program, &engine.runtime, pairing, "rule", rule, now);
    if report.verdict == Verdict::Holds {
        return Vec::new();
    }
    let mut reason = format!("type `{}` refuses these participants:\n", pairing.type_id);
    report.render(&mut reason, "      ");
    reason.push_str("      participants:");
    for p in &pairing.participants {
        let attrs: Vec<String> = p
            .attributes
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        reason.push_str(&format!(
            "\n        {} ({}): {}",
            p.id,
            p.role,
            if attrs.is_empty() {
                "no attributes".into()
            } else {
                attrs.join(", ")
            }
        ));
    }
    vec![reason]
}
