//! The keys each table of a program file may have: the checker reports any other (E002), and
//! a test keeps the format's schema ([`crate::format`]) to the same keys.

/// The file's top-level tables.
pub(crate) const TOP: [&str; 13] = [
    "program",
    "stages",
    "transitions",
    "facts",
    "attributes",
    "criteria",
    "types",
    "reasons",
    "schedules",
    "capacity",
    "matching",
    "notifications",
    "invariants",
];
/// `[program]`.
pub(crate) const HEADER: [&str; 7] = [
    "id",
    "title",
    "description",
    "initial",
    "libraries",
    "coordinators",
    "retention",
];
/// `[stages.ID]`.
pub(crate) const STAGE: [&str; 9] = [
    "title",
    "description",
    "due",
    "outcome",
    "pause",
    "successor",
    "on_enter",
    "on_exit",
    "on_timeout",
];
/// `[stages.ID.successor]`.
pub(crate) const SUCCESSOR: [&str; 4] = ["type", "facts", "when", "stage"];
/// `[[transitions]]`.
pub(crate) const TRANSITION: [&str; 11] = [
    "from", "to", "guard", "label", "after", "idle", "since", "at", "warn", "auto", "reasons",
];
/// `[facts.NAME]`.
pub(crate) const FACT: [&str; 9] = [
    "type",
    "description",
    "min",
    "max",
    "allowed",
    "default",
    "per",
    "at_most",
    "at_least",
];
/// `[attributes.NAME]`.
pub(crate) const ATTRIBUTE: [&str; 7] = [
    "type",
    "description",
    "min",
    "max",
    "allowed",
    "default",
    "sensitive",
];
/// `[criteria.NAME]` written as a table.
pub(crate) const CRITERION: [&str; 3] = ["script", "file", "description"];
/// `[[invariants]]`.
pub(crate) const INVARIANT: [&str; 4] = ["name", "script", "file", "description"];
/// `[types.ID]`.
pub(crate) const TYPE: [&str; 8] = [
    "title",
    "description",
    "roles",
    "requires",
    "rule",
    "stages",
    "schedules",
    "matching",
];
/// A role's bounds: `{ min = 1, max = 3 }`.
pub(crate) const ROLE_RANGE: [&str; 2] = ["min", "max"];
/// `[types.ID.stages.STAGE]`.
pub(crate) const STAGE_OVERRIDE: [&str; 5] = ["due", "guard", "on_enter", "on_exit", "on_timeout"];
/// `[schedules.NAME]`.
pub(crate) const SCHEDULE: [&str; 15] = [
    "title", "every", "until", "then", "at", "anchor", "end", "grace", "during", "types", "facts",
    "required", "require", "rotate", "per",
];
/// `[notifications.NAME]`.
pub(crate) const NOTIFICATION: [&str; 4] = ["subject", "body", "to", "on"];
/// `[matching]`.
pub(crate) const MATCHING: [&str; 5] = ["allow", "criteria", "repeat", "sensitive", "consent"];
/// `[matching.criteria.NAME]`.
pub(crate) const MATCH_CRITERION: [&str; 3] = ["weight", "score", "description"];
