//! Diagnostic codes: each code's meaning and fix live here, once. The reference table in
//! programs/README.md is checked against them, and which codes hide the graph checks is a
//! property of the code, not a list repeated where the checks run.

use std::fmt;

/// A stable diagnostic code: `E…` refuses the program, `W…` warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The file cannot be used.
    E000,
    /// Invalid TOML.
    E001,
    /// Unknown key.
    E002,
    /// Something required is missing.
    E003,
    /// A value has the wrong TOML type (`due = 14`, `title = 3`, a string where a table is expected).
    E004,
    /// Bad duration in `due`, `after` or `idle`.
    E005,
    /// A key declared twice in the same table (two `[stages.start]`, two `to` in one transition).
    E006,
    /// A program, stage or type id that does not start with a letter or holds other characters than letters, digits, `-`, `_`.
    E007,
    /// `initial`, `from` or `to` names a stage that is not declared.
    E010,
    /// `[program]` has no `initial`.
    E011,
    /// A transition leaves a terminal stage (one with `outcome`).
    E012,
    /// A stage cannot be reached from the initial stage.
    E013,
    /// A stage is a trap.
    E014,
    /// No stage is terminal, so no pairing can finish.
    E015,
    /// Rhai syntax error in a guard, criterion, rule or override guard (also `eval` and `import`, which the sandbox refuses).
    E020,
    /// A script reads `facts.NAME` (or `facts["NAME"]`) that is not declared.
    E021,
    /// A guard that is a bare name names no criterion.
    E022,
    /// A script uses a variable that does not exist (`meetings` instead of `facts.meetings`, `mentor` instead of `mentors`).
    E023,
    /// A script visibly does not give true or false.
    E024,
    /// A script compares a fact with a constant of another type (`facts.meetings >= true`, `facts.consent == 1` for a bool fact).
    E025,
    /// A script reads `entries.NAME` or `first_entered.NAME` of no stage, or `taken.NAME` of no transition label.
    E026,
    /// A timer's `since`, `at` or `warn` is wrong.
    E027,
    /// A criterion reads itself, directly or through other criteria.
    E028,
    /// A schedule is declared wrong.
    E029,
    /// A role's `min` is greater than its `max`, or its `max` is 0 (`mentor = 0`.
    E030,
    /// A type overrides a stage that is not declared.
    E031,
    /// A type `requires` an attribute that is not declared.
    E032,
    /// A declaration contradicts itself.
    E033,
    /// A criterion's `file` cannot be read.
    E034,
    /// `[capacity]` names a role no type has, or a limit below 1.
    E035,
    /// A fact's `per` names no role of any type.
    E036,
    /// A script reads a fact kept per person as a pairing fact (`facts.NAME`).
    E037,
    /// A successor is declared wrong.
    E038,
    /// `[matching]` is declared wrong.
    E039,
    /// A mapping file (for `migrate --mapping`) names a stage or fact that the old version does not have.
    E040,
    /// A mapping file maps to a stage or fact that the new version does not have, or to a terminal stage, or sets a fact the new version does not declare.
    E041,
    /// A library the program names cannot be used: missing, not a `.rhai` file, an unknown standard library, statements outside functions, or a function two libraries define.
    E042,
    /// A script calls a function nobody defines, or a library function with another number of arguments.
    E043,
    /// A stage's action or a notification is declared wrong: it sets an undeclared fact (or one kept per person), sends an undeclared notification, or a template is not valid.
    E044,
    /// A script reads an attribute of a participant that the program does not declare.
    E045,
    /// A cycle of automatic transitions whose guards always hold.
    E046,
    /// A fact's `at_most` or `at_least` names no fact of the pairing it can compare with.
    E047,
    /// A transition's `reasons` names a code the program does not declare, or is on a
    /// transition nobody gives a reason for.
    E048,
    /// `[matching]` reads a sensitive attribute it does not list in `sensitive`, lists one
    /// without a `consent` attribute, or names an attribute that is not declared sensitive.
    E049,
    /// A declared fact is read by no script (no guard, criterion, type rule or override guard).
    W001,
    /// A stage's only way to a terminal stage is a `from = "*"` transition (withdraw).
    W002,
    /// A terminal stage has a `due`, which is never used (a pairing never leaves it).
    W003,
    /// A bool fact without a `default` is read by a script.
    W004,
    /// A criterion is used by no transition and no stage override.
    W005,
    /// A type rule reads the pairing's progress (`facts`, `stage`, time, counts, schedules).
    W006,
    /// A mapping file leaves a stage or fact of the old version unmapped that the new version does not have.
    W007,
    /// An automatic transition has no guard.
    W008,
    /// A schedule can never fall.
    W009,
    /// A fact or attribute is named like a word Rhai reserves.
    W010,
    /// A cycle of automatic transitions whose guards read nothing the moves change.
    W011,
    /// A notification is sent on a trigger that can never happen.
    W012,
    /// A notification's template reads a sensitive attribute.
    W013,
}

impl Code {
    /// Every code, in the reference's order.
    pub const ALL: [Code; 57] = [
        Code::E000,
        Code::E001,
        Code::E002,
        Code::E003,
        Code::E004,
        Code::E005,
        Code::E006,
        Code::E007,
        Code::E010,
        Code::E011,
        Code::E012,
        Code::E013,
        Code::E014,
        Code::E015,
        Code::E020,
        Code::E021,
        Code::E022,
        Code::E023,
        Code::E024,
        Code::E025,
        Code::E026,
        Code::E027,
        Code::E028,
        Code::E029,
        Code::E030,
        Code::E031,
        Code::E032,
        Code::E033,
        Code::E034,
        Code::E035,
        Code::E036,
        Code::E037,
        Code::E038,
        Code::E039,
        Code::E040,
        Code::E041,
        Code::E042,
        Code::E043,
        Code::E044,
        Code::E045,
        Code::E046,
        Code::E047,
        Code::E048,
        Code::E049,
        Code::W001,
        Code::W002,
        Code::W003,
        Code::W004,
        Code::W005,
        Code::W006,
        Code::W007,
        Code::W008,
        Code::W009,
        Code::W010,
        Code::W011,
        Code::W012,
        Code::W013,
    ];

    /// The code as written: `E010`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E000 => "E000",
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E006 => "E006",
            Code::E007 => "E007",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E013 => "E013",
            Code::E014 => "E014",
            Code::E015 => "E015",
            Code::E020 => "E020",
            Code::E021 => "E021",
            Code::E022 => "E022",
            Code::E023 => "E023",
            Code::E024 => "E024",
            Code::E025 => "E025",
            Code::E026 => "E026",
            Code::E027 => "E027",
            Code::E028 => "E028",
            Code::E029 => "E029",
            Code::E030 => "E030",
            Code::E031 => "E031",
            Code::E032 => "E032",
            Code::E033 => "E033",
            Code::E034 => "E034",
            Code::E035 => "E035",
            Code::E036 => "E036",
            Code::E037 => "E037",
            Code::E038 => "E038",
            Code::E039 => "E039",
            Code::E040 => "E040",
            Code::E041 => "E041",
            Code::E042 => "E042",
            Code::E043 => "E043",
            Code::E044 => "E044",
            Code::E045 => "E045",
            Code::E046 => "E046",
            Code::E047 => "E047",
            Code::E048 => "E048",
            Code::E049 => "E049",
            Code::W001 => "W001",
            Code::W002 => "W002",
            Code::W003 => "W003",
            Code::W004 => "W004",
            Code::W005 => "W005",
            Code::W006 => "W006",
            Code::W007 => "W007",
            Code::W008 => "W008",
            Code::W009 => "W009",
            Code::W010 => "W010",
            Code::W011 => "W011",
            Code::W012 => "W012",
            Code::W013 => "W013",
        }
    }

    /// Whether a diagnostic with this code refuses the program.
    pub fn is_error(self) -> bool {
        self.as_str().starts_with('E')
    }

    /// Whether the graph checks are skipped while a diagnostic with this code stands: the stage
    /// graph is not known until every stage name resolves, and checking it would only repeat the
    /// typo as an unreachable stage or a trap.
    pub fn hides_graph_checks(self) -> bool {
        matches!(self, Code::E010 | Code::E011)
    }

    /// When the checker reports it (the reference's "when" column).
    pub fn when(self) -> &'static str {
        match self {
            Code::E000 => "The file cannot be used: no such file, a directory, larger than 1 MiB, not UTF-8, or empty (whitespace only). No position.",
            Code::E001 => "Invalid TOML: unclosed string, unquoted string value (`initial = start`), bad table header... Nothing else is checked while there is one.",
            Code::E002 => "Unknown key: an unknown top-level section (not `program`, `stages` ... `notifications`), or a key a table does not have (`titel` in a stage, `gaurd` in a transition, `maximum` in a fact, `deadline` in a stage override).",
            Code::E003 => "Something required is missing: `[program]`, `[stages]`, `[[transitions]]`, `[types]`; a required field (program `id`/`title`, transition `from`/`to`, fact or attribute `type`, type `roles`, role range `min`/`max`); a criterion table with neither `script` nor `file`. File-level ones point at the start of the file.",
            Code::E004 => "A value has the wrong TOML type (`due = 14`, `title = 3`, a string where a table is expected); `[transitions]` not an array of tables; a transition with both `after` and `idle`; a criterion with both `script` and `file`, or that is not a string or table; an unknown value type (`type = \"integer\"`); a `default`, `min` or `max` of the wrong type (a date default written as a string).",
            Code::E005 => "Bad duration in `due`, `after` or `idle`: no number, no unit, unknown unit, zero, more than 10000.",
            Code::E006 => "A key declared twice in the same table (two `[stages.start]`, two `to` in one transition); a criterion named like a script variable (`[criteria.stage]`).",
            Code::E007 => "A program, stage or type id that does not start with a letter or holds other characters than letters, digits, `-`, `_`; a fact or attribute name that is not an identifier (`goals-met`).",
            Code::E010 => "`initial`, `from` or `to` names a stage that is not declared. Graph checks and W001 are skipped until it is fixed.",
            Code::E011 => "`[program]` has no `initial`.",
            Code::E012 => "A transition leaves a terminal stage (one with `outcome`).",
            Code::E013 => "A stage cannot be reached from the initial stage, by transitions or by the successor a reached stage starts.",
            Code::E014 => "A stage is a trap: no terminal stage can be reached from it.",
            Code::E015 => "No stage is terminal, so no pairing can finish.",
            Code::E020 => "Rhai syntax error in a guard, criterion, rule or override guard (also `eval` and `import`, which the sandbox refuses).",
            Code::E021 => "A script reads `facts.NAME` (or `facts[\"NAME\"]`) that is not declared.",
            Code::E022 => "A guard that is a bare name names no criterion.",
            Code::E023 => "A script uses a variable that does not exist (`meetings` instead of `facts.meetings`, `mentor` instead of `mentors`).",
            Code::E024 => "A script visibly does not give true or false: its last statement assigns (`facts.meetings = 6`), computes a number (`facts.meetings + 1`), is a constant that is not a bool, is a fact that is not a bool (`facts.sessions`), or is empty.",
            Code::E025 => "A script compares a fact or a participant's attribute with a constant of another type (`facts.meetings >= true`, `facts.consent == 1` for a bool fact, `mentors[0].team == 3` for a text attribute), a text fact with a text that is not among its `allowed` values, or a number fact with a number beyond its `min` or `max` so that the comparison never holds (`facts.sessions >= 300` when `max = 200`): at run time it fails or never holds, so it blocks every pairing.",
            Code::E026 => "A script reads `entries.NAME` or `first_entered.NAME` where NAME is no stage of the program, or `taken.NAME` where NAME is no transition's `label` (the count would always be 0); or compares `stage` or `type` with a name that is no stage or type (`stage == \"lerning\"`, which never holds).",
            Code::E027 => "A timer's `since`, `at` or `warn` is wrong: `since` without `after`, or naming no stage (nor `enrolment`); `at` naming a fact that is not a declared date fact; `warn` on a transition without a timer.",
            Code::E028 => "A criterion reads itself, directly or through other criteria (`a` reads `b`, `b` reads `a`): it could never be evaluated.",
            Code::E029 => "A schedule is declared wrong: no cadence, both `every` and `at`, only one of `until` and `then`, `at` offsets empty or out of order, an `anchor` that is not `enrolment`, a stage or `facts.NAME` of a date fact, `during` a stage that is not a running stage, an unknown type in `types` or fact in `facts`, or a fact in `facts` kept per person (a `done` records on the pairing), or `required` names a fact it does not record, or `require` reads one.",
            Code::E030 => "A role's `min` is greater than its `max`, or its `max` is 0 (`mentor = 0`: a role nobody can take).",
            Code::E031 => "A type overrides a stage that is not declared.",
            Code::E032 => "A type `requires` an attribute that is not declared.",
            Code::E033 => "A declaration contradicts itself: `min` > `max`; `allowed` on a type other than text or list; `min`/`max` on a type other than int, float, date; a `default` outside `min`/`max` or not among `allowed`.",
            Code::E034 => "A criterion's `file` cannot be read: missing, unreadable, or outside the program's folder (`..`, absolute path).",
            Code::E035 => "`[capacity]` names a role that no type has, or gives a limit that is not a whole number of at least 1, or `counted_from` names no stage or a terminal one.",
            Code::E036 => "A fact's `per` names no role of any type (nor `participant`).",
            Code::E037 => "A script reads a fact kept per person as a pairing fact (`facts.NAME`).",
            Code::E038 => "A successor is declared wrong: on a stage that is not terminal, of a type the program does not declare, carrying a fact that is not declared, or a `when` that does not compile.",
            Code::E039 => "`[matching]` is declared wrong: no criteria, a criterion without `score`, or a weight that is not a number above 0.",
            Code::E040 => "A mapping file (for `migrate --mapping`) names a stage or fact that the old version does not have.",
            Code::E041 => "A mapping file maps to a stage or fact that the new version does not have, or to a terminal stage, or sets a fact the new version does not declare.",
            Code::E042 => "A library the program names (`[program] libraries`) cannot be used: the file is missing, not a `.rhai` text file of at most 1 MiB, or outside the program's folder (`..`, an absolute path, a link that leaves it), a `std:` name that is no standard library, statements outside functions, or a function another library already defines with as many parameters.",
            Code::E043 => "A script calls a function that no library, no Rhai package and no mentorflow helper defines, or a library function with another number of arguments.",
            Code::E044 => "A stage's action (`on_enter`, `on_exit`, `on_timeout`) or a notification is declared wrong: the action sets a fact the program does not declare (or one kept per person, or to a constant of another type) or sends a notification it does not declare (or to a role no type has), or a notification goes to a role no type has, or its subject or body is not a valid template (or longer than 32 KiB, or nested too deep), or reads what a notice is not given (`pairng.id`, an undeclared fact, a field its trigger lacks, `trigger` in a notice an action sends).",
            Code::E045 => "A script reads an attribute of a participant (`mentors[0].age`, `p.age` inside `mentees.all(...)`, `mentor.age` in `[matching]`) that the program does not declare: no one can be enrolled with it, so the script fails or never holds.",
            Code::E046 => "A cycle of automatic transitions (`auto = true`) can always fire: every guard on it is missing or `true`, so a pairing entering it would move around it without end and every command on it is refused.",
            Code::E047 => "A fact's `at_most` or `at_least` names a fact the program does not declare, the fact itself, a fact kept per person (or is written on one), or a fact of a kind that does not compare with its own (numbers compare with numbers, dates with dates).",
            Code::E048 => "A transition's `reasons` (the codes a coordinator must give to take it) names a code `[reasons]` does not declare, or the program declares no `[reasons]`, or it is on a timer or automatic transition, which nobody takes with a reason.",
            Code::E049 => "`[matching]` reads an attribute declared `sensitive` that its `sensitive` list does not name, or lists one without naming a `consent` attribute, or lists an attribute that is not declared sensitive: matching uses a sensitive value only where the program says so, and only for people who consented.",
            Code::W001 => "A declared fact is read by no script (no guard, criterion, type rule or override guard) and recorded by no schedule (a `done` answer is kept for reports). Not reported while the program has errors (a script with an error is dropped, so what it reads is unknown).",
            Code::W002 => "A stage leads to no terminal stage by its own transitions: a pairing there only ends through a `from = \"*\"` transition (a withdraw, or a timer such as an inactivity close).",
            Code::W003 => "A terminal stage has a `due`, which is never used (a pairing never leaves it).",
            Code::W004 => "A bool fact without a `default` is read by a script: until it is recorded a guard reading it cannot be evaluated and counts as not holding, so a later transition (a fallback) may be taken instead.",
            Code::W005 => "A criterion is used by no transition and no stage override.",
            Code::W006 => "A type rule reads the pairing's progress (`facts`, `stage`, time in the program or stage, `cycle`, `entries`, `first_entered`, `taken`, `schedules`): at enrolment these only have their starting values (nothing recorded, the initial stage, day 0, cycle 1).",
            Code::W007 => "A mapping file leaves a stage or fact of the old version unmapped that the new version does not have: pairings in that stage, or with that fact recorded, will be refused.",
            Code::W008 => "An automatic transition (`auto = true`) has no guard: it is taken the moment its stage is entered, so pairings never stay in that stage.",
            Code::W009 => "A schedule can never fall: its first occurrence comes after its `end`.",
            Code::W010 => "A fact or attribute is named like a word Rhai reserves (`go`, `match`, `new`): scripts cannot read it as `facts.NAME`.",
            Code::W011 => "A cycle of automatic transitions reads nothing that moving around it changes (only facts no action on it sets, participants, `type`, time in the program): whenever its guards hold together, a pairing loops and the command is refused.",
            Code::W012 => "A notification is sent `on` a trigger that can never happen: `warned` (or `warned:LABEL`) where no timer (of that label) has a `warn`, `overdue:STAGE` on a terminal stage or one without a `due` (in no type either), `overdue` where no stage has one, `due:SCHEDULE` of a schedule kept per person.",
            Code::W013 => "A notification's subject or body reads an attribute declared `sensitive`: notifications are never given sensitive values, so it renders empty there.",
        }
    }

    /// How to fix it (the reference's "how to fix" column).
    pub fn fix(self) -> &'static str {
        match self {
            Code::E000 => "Name the right `.toml` file; save it as UTF-8; start it with `[program]`.",
            Code::E001 => "Fix the syntax at the caret (see https://toml.io): strings need quotes, tables are `[name]`, arrays of tables `[[transitions]]`.",
            Code::E002 => "Use the key the help suggests, or one from the list it gives.",
            Code::E003 => "Add it; the help shows the form.",
            Code::E004 => "Write the value as the key's table in this page says: durations and ids are strings, `[[transitions]]`, one timer per transition, `type` one of bool/int/float/text/date/list, dates unquoted.",
            Code::E005 => "Write a whole number and a unit: `48h`, `14d`, `6w`, `3mo`.",
            Code::E006 => "Rename or remove one; rename the criterion (`stage_ok`).",
            Code::E007 => "Rename: `first-week`, `week_1`, `goals_met`.",
            Code::E010 => "Fix the typo (did-you-mean) or declare the stage.",
            Code::E011 => "Add `initial = \"<stage id>\"`.",
            Code::E012 => "Remove the transition, or the stage's `outcome`.",
            Code::E013 => "Add a transition to it, or remove it.",
            Code::E014 => "Add a transition from it towards a terminal stage, or a withdraw with `from = \"*\"`.",
            Code::E015 => "Give the end stages an `outcome`.",
            Code::E020 => "Fix the script at the caret; scripts are Rhai expressions such as `facts.meetings >= 6 && facts.rating >= 4`.",
            Code::E021 => "Fix the name (did-you-mean) or declare it under `[facts.NAME]`.",
            Code::E022 => "Fix the name, or declare the criterion under `[criteria]`.",
            Code::E023 => "Use a [script variable](#script-variables), a criterion's name, or `let`.",
            Code::E024 => "Compare: `facts.meetings == 6`, `facts.meetings + 1 >= 6`.",
            Code::E025 => "Compare with a value of the fact's type: `facts.meetings >= 6`, `facts.consent`, `facts.start_date <= \"2026-06-30\"`.",
            Code::E027 => "`after = \"90d\"` with `since = \"enrolment\"` or `since = \"STAGE\"` (first entry); `at = \"end_date\"` for a date fact; `warn = \"7d\"` beside `after`, `idle` or `at`.",
            Code::E028 => "Write the shared part once, as its own criterion, and read it from both.",
            Code::E029 => "`every = \"1w\"` (optionally `until = \"8w\"` and `then = \"2w\"`) or `at = [\"14d\", \"45d\"]`; `anchor = \"enrolment\"`, a stage, or `facts.start_date`; declared stages, types and facts.",
            Code::E026 => "Use a declared stage id (`entries.mentoring >= 2`) or give the transition a `label` and count it by that (`taken.extend < 2`).",
            Code::E030 => "Swap them; remove a role nobody takes, or give it a count of at least 1.",
            Code::E031 => "Fix the stage id (did-you-mean).",
            Code::E032 => "Declare it under `[attributes.NAME]`, or fix the name.",
            Code::E033 => "Make the declaration consistent; the message names the value and the bound.",
            Code::E034 => "Create the file beside the program, or fix the name.",
            Code::E035 => "Name a role of a type (did-you-mean), or `\"*\"` for any role; give at least 1; count from a running stage.",
            Code::E036 => "Name a role of a type (did-you-mean), or `participant` for everyone.",
            Code::E037 => "Read it from each person (`p.facts.NAME` inside `mentees.all(...)`), or in aggregate with `min`, `max`, `sum`, `average` or `count` of `facts_of(mentees, \"NAME\")`.",
            Code::E038 => "Put it on a terminal stage; name a declared type and declared facts (did-you-mean).",
            Code::E039 => "Give each criterion a `score` script over mentor and mentee and a positive `weight`.",
            Code::E040 => "Use a name of the old version (did-you-mean).",
            Code::E041 => "Use a name the new version declares; map running stages to running stages.",
            Code::E042 => "Name a `.rhai` file (relative to the program) or a standard library (`std:people`, `std:time`); a library holds only `fn` definitions; rename one of two clashing functions.",
            Code::E043 => "Fix the name (did-you-mean) or the number of arguments, as the library defines it.",
            Code::E044 => "Declare the fact or the notification (did-you-mean), or fix the template: `{{ pairing.id }}`, `{% for p in mentees %}...{% endfor %}`.",
            Code::E045 => "Declare the attribute under `[attributes.NAME]` (did-you-mean), or read one a person has: `id`, `role`, `managers`, `facts`.",
            Code::E046 => "Give one transition of the cycle a guard that the moves change: `days_in_stage >= 7`, `entries.review < 3`, `taken.retry < 2`, or a fact an action sets.",
            Code::E047 => "Name another fact kept on the pairing, of a comparable kind (did-you-mean): `at_most = \"goals_total\"`.",
            Code::E048 => "Declare the code in `[reasons]` (did-you-mean), or remove `reasons` from a timer or automatic transition.",
            Code::E049 => "List the attribute in `[matching] sensitive = [\"erg\"]` and name the attribute that records consent, `consent = \"erg_consent\"` (true, or the text yes, for those who agreed); or leave it out of the matching scripts.",
            Code::W001 => "Use it (`facts.NAME`), or remove the declaration.",
            Code::W002 => "Add a transition from the stage that moves the pairing on.",
            Code::W003 => "Remove `due`.",
            Code::W004 => "Give it a default: `default = false`.",
            Code::W005 => "Use it as a guard (`guard = \"NAME\"`), or remove it.",
            Code::W006 => "Check a pairing's progress in guards; keep type rules to the participants (`participants`, `mentors`, `mentees`, `type`).",
            Code::W007 => "Map it (`[stages] old = \"new\"`), or drop a fact (`[facts] old = \"-\"`).",
            Code::W008 => "Give it a guard (`guard = \"facts.members < 3\"`), or point the transitions into that stage at its target.",
            Code::W009 => "Make `end` later, or the cadence shorter.",
            Code::W010 => "Rename it, or read it by its name in quotes: `facts[\"go\"]`.",
            Code::W011 => "Make the guards exclude each other, or have one read what the moves change: `days_in_stage`, `entries`, `taken`, `cycle`, or a fact an action on the cycle sets.",
            Code::W012 => "Give the timer a `warn = \"7d\"` or the stage a `due`, or send the notification on another trigger.",
            Code::W013 => "Leave the attribute out of the template; a notification goes by e-mail and chat, where sensitive values must not travel.",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    /// The reference table in programs/README.md lists exactly these codes, in this order,
    /// with these texts: the docs cannot drift from the checker.
    #[test]
    fn the_reference_table_is_the_code_list() {
        let readme = include_str!("../../programs/README.md");
        let rows: Vec<String> = readme
            .lines()
            .filter(|l| l.starts_with("| E") || l.starts_with("| W"))
            .filter(|l| l.split('|').nth(1).is_some_and(|c| c.trim().len() == 4))
            .filter(|l| l.split('|').count() == 5)
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("| {c} | {} | {} |", c.when(), c.fix()))
            .collect();
        assert_eq!(rows, expected);
    }
}
