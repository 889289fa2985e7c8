//! The program file's format as types, for its JSON Schema (`mentorflow schema program`,
//! committed as `schemas/program.schema.json`): editors that read JSON Schemas for TOML (Even
//! Better TOML, taplo) complete and check keys with it, and show these comments as help.
//!
//! The checker reads files itself, to point at lines and keep going after a problem; a test
//! keeps every table's keys here the same as the keys the checker knows (`analyzer::keys`).
//! Checks that need the whole program (a stage named in a transition exists, a script reads
//! declared facts) are the checker's alone.

// Only read by the schema generator, never built.
#![allow(dead_code)]

use std::collections::BTreeMap;

use schemars::JsonSchema;

use crate::duration::Due;
use crate::value::Plain;

/// A mentorflow program: stages, transitions between them, typed facts, mentoring types and
/// their rules. `mentorflow check FILE` explains every problem with its line.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, title = "mentorflow program")]
pub struct ProgramFile {
    /// The program's id, title and first stage.
    program: Header,
    /// The stages, by id (starting with a letter; letters, digits, `_` and `-`).
    stages: BTreeMap<String, Stage>,
    /// The transitions between stages, in order: the first whose guard holds is taken.
    transitions: Vec<Transition>,
    /// Facts recorded on a pairing (or per person), by name: `facts.NAME` in scripts.
    facts: Option<BTreeMap<String, Fact>>,
    /// Participant attributes, by name: `mentor.NAME`, `p.NAME` in scripts.
    attributes: Option<BTreeMap<String, Attribute>>,
    /// Named success criteria: a script, or a table with a script or a .rhai file.
    criteria: Option<BTreeMap<String, Criterion>>,
    /// Mentoring types (one-on-one, peer, group, reverse, virtual ...), by id.
    types: Option<BTreeMap<String, MentoringType>>,
    /// Reason codes a withdrawal or a forced move must give, each with what it means.
    reasons: Option<BTreeMap<String, String>>,
    /// Recurring or one-off occurrences (check-ins, surveys), by name.
    schedules: Option<BTreeMap<String, Schedule>>,
    /// How many running pairings of this program a person may take part in, per role (`"*"`:
    /// any role), counted from a stage.
    capacity: Option<CapacitySection>,
    /// How `mentorflow match` scores mentor-mentee pairs.
    matching: Option<Matching>,
    /// Notifications a stage's action can send (`notify("NAME")`), by name.
    notifications: Option<BTreeMap<String, Notification>>,
    /// What must hold of every pairing at every moment (`[[invariants]]`): `simulate` checks
    /// them after every step, and `simulate --explore` looks for runs that break them.
    invariants: Option<Vec<Invariant>>,
}

/// `[[invariants]]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Invariant {
    /// Its name, an identifier: `preparation_within_14_days`.
    name: String,
    /// What it means, in words.
    description: Option<String>,
    /// A Rhai script that is true of every pairing, e.g.
    /// `stage != "preparation" || days_in_stage <= 14`.
    script: Option<String>,
    /// A .rhai file beside the program.
    file: Option<String>,
}

/// `[notifications.NAME]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Notification {
    /// The subject, a template: `{{ pairing.id }}`, `{{ facts.NAME }}`, `{{ today }}`.
    subject: String,
    /// The body, a template.
    body: String,
    /// The roles it goes to (default: every participant).
    to: Option<Vec<String>>,
    /// What a tick notices that sends it by itself: `missed` or `missed:SCHEDULE`, `warned`
    /// or `warned:LABEL` (a timer's warning), `overdue` or `overdue:STAGE`.
    on: Option<Vec<String>>,
}

/// `[program]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Header {
    /// The program's id, e.g. `mentoring`.
    id: String,
    /// Its title, for people.
    title: String,
    /// What it is for.
    description: Option<String>,
    /// The stage every pairing starts in.
    initial: String,
    /// Libraries of script functions every script may call: `.rhai` files (relative to the
    /// program's folder) and standard libraries (`std:people`, `std:time`).
    libraries: Option<Vec<String>>,
    /// Who a notification `to = ["coordinator"]` goes to: ids or e-mail addresses.
    coordinators: Option<Vec<String>>,
    /// How long a person's values are kept after the last pairing of this program they took
    /// part in ended, e.g. `2y`: `mentorflow retention --apply` erases who is past it.
    retention: Option<crate::duration::Due>,
}

/// `[stages.ID]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Stage {
    /// Its title (default: the id).
    title: Option<String>,
    /// What happens in it.
    description: Option<String>,
    /// How long a pairing may stay before it is overdue, e.g. `14d`.
    due: Option<Due>,
    /// Makes the stage terminal, with this outcome (`success`, `withdrawn` ...).
    outcome: Option<String>,
    /// A new pairing enrolled when a pairing ends in this (terminal) stage.
    successor: Option<Successor>,
    /// A pause: going back from it to the stage paused from resumes that stage (its clock
    /// moved on by the pause, its `on_enter` not run again).
    pause: Option<bool>,
    /// An action when a pairing enters the stage: a script giving effects, e.g.
    /// `[set_fact("ramp_started", today), notify("welcome")]`.
    on_enter: Option<String>,
    /// An action when a pairing leaves the stage.
    on_exit: Option<String>,
    /// An action when a timer moves a pairing out of the stage (before `on_exit`).
    on_timeout: Option<String>,
}

/// `[stages.ID.successor]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Successor {
    /// The new pairing's type (default: the same).
    r#type: Option<String>,
    /// The facts carried over.
    facts: Option<Vec<String>>,
    /// A script that must hold for the successor to be enrolled.
    when: Option<String>,
    /// The stage it starts in (default: the program's first).
    stage: Option<String>,
}

/// `[capacity]`.
#[derive(JsonSchema)]
struct CapacitySection {
    /// Count only pairings that have entered this stage (in it or past it): a pending request
    /// is not an active relation.
    counted_from: Option<String>,
    /// Per role (`mentor = 2`) or any role (`"*" = 3`): at most this many running pairings.
    #[serde(flatten)]
    limits: BTreeMap<String, u32>,
}

/// `[[transitions]]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Transition {
    /// The stage it leaves, or `"*"` for any running stage.
    from: String,
    /// The stage it enters.
    to: String,
    /// A Rhai script that must hold, e.g. `facts.meetings >= 6`.
    guard: Option<String>,
    /// A name for it (`taken.LABEL` counts it).
    label: Option<String>,
    /// A timer: taken this long after the stage was entered (or `since`/`at`).
    after: Option<Due>,
    /// A timer: taken after this long without activity.
    idle: Option<Due>,
    /// What `after` counts from: `"enrolment"` or a stage's first entry.
    since: Option<String>,
    /// A timer at the date held in this date fact.
    at: Option<String>,
    /// Warn this long before the timer fires.
    warn: Option<Due>,
    /// Taken as soon as its guard holds, after every command and tick.
    auto: Option<bool>,
    /// Reason codes (of `[reasons]`) one of which `advance --reason` must give to take it.
    reasons: Option<Vec<String>>,
}

/// A value's type.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum Kind {
    /// true or false.
    Bool,
    /// A whole number.
    Int,
    /// A real number.
    Float,
    /// A text.
    Text,
    /// A date, YYYY-MM-DD.
    Date,
    /// A list of texts.
    List,
}

/// A bound: a number, or a date.
#[derive(JsonSchema)]
#[schemars(untagged)]
enum Bound {
    /// For int and float.
    Number(f64),
    /// For dates (a TOML date, or YYYY-MM-DD).
    Date(String),
}

/// `[facts.NAME]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Fact {
    /// Its type.
    r#type: Kind,
    /// What it means, for people.
    description: Option<String>,
    /// The smallest value allowed.
    min: Option<Bound>,
    /// The largest value allowed.
    max: Option<Bound>,
    /// The only values allowed (text; each item of a list).
    allowed: Option<Vec<String>>,
    /// Its value before anything is recorded.
    default: Option<Plain<'static>>,
    /// Keep it per person: `"mentee"` (or another role), or `"participant"` for everyone.
    per: Option<String>,
    /// Another fact of the pairing this one may never exceed: `"goals_total"`.
    at_most: Option<String>,
    /// Another fact of the pairing this one may never be below.
    at_least: Option<String>,
}

/// `[attributes.NAME]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Attribute {
    /// Its type.
    r#type: Kind,
    /// What it means, for people.
    description: Option<String>,
    /// The smallest value allowed.
    min: Option<Bound>,
    /// The largest value allowed.
    max: Option<Bound>,
    /// The only values allowed (text; each item of a list).
    allowed: Option<Vec<String>>,
    /// Its value when an enrolment does not give one.
    default: Option<Plain<'static>>,
    /// Sensitive (ERG membership, health): never shown in reports or exports unless asked
    /// for with `--include-sensitive`, never in a notification.
    sensitive: Option<bool>,
}

/// A criterion: a script, or a table.
#[derive(JsonSchema)]
#[schemars(untagged)]
enum Criterion {
    /// A Rhai script, e.g. `facts.goals_met >= facts.goals_total`.
    Script(String),
    /// A script or a .rhai file, with a description.
    Table(CriterionTable),
}

/// `[criteria.NAME]` as a table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct CriterionTable {
    /// A Rhai script.
    script: Option<String>,
    /// A .rhai file beside the program.
    file: Option<String>,
    /// What it means.
    description: Option<String>,
}

/// `[types.ID]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct MentoringType {
    /// Its title (default: the id).
    title: Option<String>,
    /// What it is.
    description: Option<String>,
    /// Its roles: how many people take each, e.g. `{ mentor = 1, mentee = { min = 3, max = 8 } }`.
    roles: BTreeMap<String, RoleCount>,
    /// Attributes every participant must have.
    requires: Option<Vec<String>>,
    /// A script over `mentors`, `mentees`, `participants` that must hold to enrol.
    rule: Option<String>,
    /// Per-stage changes for this type: another due time, an extra guard.
    stages: Option<BTreeMap<String, StageOverride>>,
    /// Schedules of this type's own, replacing the program's of the same name.
    schedules: Option<BTreeMap<String, Schedule>>,
    /// Matching of this type's own.
    matching: Option<Matching>,
}

/// How many people take a role.
#[derive(JsonSchema)]
#[schemars(untagged)]
enum RoleCount {
    /// Exactly this many.
    Exactly(u32),
    /// Within bounds.
    Between(RoleRange),
}

/// A role's bounds.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RoleRange {
    /// At least this many.
    min: u32,
    /// At most this many.
    max: u32,
}

/// `[types.ID.stages.STAGE]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct StageOverride {
    /// This type's due time for the stage.
    due: Option<Due>,
    /// An extra guard on leaving the stage by advance, for this type.
    guard: Option<String>,
    /// This type's action on entering the stage, in place of the stage's.
    on_enter: Option<String>,
    /// This type's action on leaving the stage, in place of the stage's.
    on_exit: Option<String>,
    /// This type's action when a timer moves a pairing out of the stage, in place of the
    /// stage's.
    on_timeout: Option<String>,
}

/// `[schedules.NAME]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Schedule {
    /// Its title (default: the name).
    title: Option<String>,
    /// A recurring occurrence: every this long, e.g. `1w`.
    every: Option<Due>,
    /// With `every`: until this long after the anchor...
    until: Option<Due>,
    /// ...then every this long.
    then: Option<Due>,
    /// One-off occurrences this long after the anchor, e.g. `["14d", "45d", "90d"]`.
    at: Option<Vec<Due>>,
    /// What occurrences count from: `enrolment` (default), a stage id (its first entry),
    /// `facts.NAME` of a date fact, or `started` (when a stage's action starts it).
    anchor: Option<String>,
    /// No occurrence later than this long after the anchor.
    end: Option<Due>,
    /// How long after its due time an occurrence may still be done on time.
    grace: Option<Due>,
    /// Only while the pairing is in this stage.
    during: Option<String>,
    /// Only for these types.
    types: Option<Vec<String>>,
    /// Facts that may be recorded with an occurrence.
    facts: Option<Vec<String>>,
    /// Of `facts`, those every done must give.
    required: Option<Vec<String>>,
    /// What a done must meet to count, reading the values it recorded as `facts.NAME`
    /// (`facts.hours >= 4`); below it, it counts as missed, its values kept.
    require: Option<String>,
    /// Whose turn each occurrence is, in turn among those in this role (`"participant"`:
    /// everyone): `schedules.NAME.turn`, and `trigger.turn` of a notice on `due:NAME`.
    rotate: Option<String>,
    /// Kept for each person in this role (`"participant"`: everyone), counted from when they
    /// joined: `mentorflow done PAIRING NAME --person ID`.
    per: Option<String>,
}

/// `[matching]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Matching {
    /// A script over `mentor` and `mentee` that must hold for a pair to be proposed.
    allow: Option<String>,
    /// Weighted criteria, by name: the pair's score is their sum.
    criteria: Option<BTreeMap<String, MatchCriterion>>,
    /// `true`: people paired before in this program may be proposed together again.
    repeat: Option<bool>,
    /// The sensitive attributes the scripts may read, only for candidates who consented.
    sensitive: Option<Vec<String>>,
    /// The attribute recording a candidate's consent (true, or the text `yes`).
    consent: Option<String>,
}

/// `[matching.criteria.NAME]`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct MatchCriterion {
    /// Its weight (default 1).
    weight: Option<f64>,
    /// A script over `mentor` and `mentee` giving a number (or a bool).
    score: String,
    /// What it rewards.
    description: Option<String>,
}

/// The program file's JSON Schema.
pub fn schema() -> schemars::Schema {
    let mut schema = schemars::schema_for!(ProgramFile);
    schema.insert(
        "$comment".into(),
        "Put `#:schema PATH/TO/program.schema.json` on a program file's first line for Even Better TOML and taplo."
            .into(),
    );
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::keys;

    /// The property names of `name` in the schema (the root for `None`).
    fn properties(schema: &schemars::Schema, name: Option<&str>) -> Vec<String> {
        let table = match name {
            None => schema.as_value(),
            Some(n) => &schema.as_value()["$defs"][n],
        };
        let mut keys: Vec<String> = table["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name:?} has no properties"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn every_table_of_the_schema_has_the_keys_the_checker_knows() {
        let schema = schema();
        let sorted = |k: &[&str]| {
            let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            k.sort();
            k
        };
        for (def, known) in [
            (None, &keys::TOP[..]),
            (Some("Header"), &keys::HEADER[..]),
            (Some("Stage"), &keys::STAGE[..]),
            (Some("Successor"), &keys::SUCCESSOR[..]),
            (Some("Transition"), &keys::TRANSITION[..]),
            (Some("Fact"), &keys::FACT[..]),
            (Some("Attribute"), &keys::ATTRIBUTE[..]),
            (Some("CriterionTable"), &keys::CRITERION[..]),
            (Some("MentoringType"), &keys::TYPE[..]),
            (Some("RoleRange"), &keys::ROLE_RANGE[..]),
            (Some("StageOverride"), &keys::STAGE_OVERRIDE[..]),
            (Some("Schedule"), &keys::SCHEDULE[..]),
            (Some("Matching"), &keys::MATCHING[..]),
            (Some("MatchCriterion"), &keys::MATCH_CRITERION[..]),
            (Some("Notification"), &keys::NOTIFICATION[..]),
        ] {
            assert_eq!(properties(&schema, def), sorted(known), "{def:?}");
        }
    }

    #[test]
    fn every_table_refuses_keys_it_does_not_know() {
        let schema = schema();
        let defs = schema.as_value()["$defs"].as_object().expect("$defs");
        for (name, def) in defs {
            // `[capacity]`'s other keys are roles, each with a limit: whole numbers only.
            if name == "CapacitySection" {
                assert_eq!(def["additionalProperties"]["type"], "integer", "{name}");
            } else if def.get("properties").is_some() {
                assert_eq!(def["additionalProperties"], false, "{name}");
            }
        }
        assert_eq!(schema.as_value()["additionalProperties"], false);
    }
}
