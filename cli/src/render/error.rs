//! Errors as a person reads them, with what to do next (the commands and flags to try).

use std::fmt::Write as _;

use mentorflow_engine::{
    Command, CopyProblem, EngineError, EnrolmentProblem, Error, Limit, Location, Refusal,
    ScriptError, ScriptProblem, StoreError,
};

use super::explain::{candidate, guard};
use super::{did_you_mean, did_you_mean_or_known, minute};

/// Any error of a coordinator command.
pub fn error(e: &Error) -> String {
    match e {
        Error::Store(e) => store_error(e),
        Error::Engine(e) => engine_error(e),
        Error::UnknownPairing { id, known } => {
            let hint =
                match mentorflow_dsl::suggest::did_you_mean(id, known.iter().map(String::as_str)) {
                    Some(c) => format!(" (did you mean `{c}`?)"),
                    None if known.is_empty() => {
                        "; the store has no pairings yet (mentorflow enrol ...)".into()
                    }
                    None => "; `mentorflow list` shows the pairings".into(),
                };
            format!("no pairing `{id}`{hint}")
        }
        Error::Match(e) => match_error(e),
        Error::UnknownPerson { id, known } => format!(
            "`{id}` is not in the people registry{}",
            if known.is_empty() {
                "; it has nobody yet (mentorflow people import people.csv)".to_string()
            } else {
                did_you_mean_or_known(id, known)
            }
        ),
        Error::NothingStored { id, known } => format!(
            "nothing is stored about `{id}`: they are in no pairing and not in the people registry{}",
            match known.is_empty() {
                true => String::new(),
                false => did_you_mean_or_known(id, known),
            }
        ),
        Error::NotErasable { person, events } => format!(
            "{person}'s values are in {} written before values were sealed ({}{}): they cannot be erased, so nothing was erased",
            super::count(events.len() as u64, "event"),
            events.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if events.len() > 5 { ", ..." } else { "" }
        ),
        Error::AlreadyErased { person } => format!(
            "{person} was erased already; `mentorflow people export {person}` shows when"
        ),
        Error::AmbiguousLabel { label, pairings } => format!(
            "label `{label}` names {} pairings ({}), imported under the same label; give the pairing id",
            pairings.len(),
            pairings.join(", ")
        ),
        Error::UnknownFilter { what, value, known } if *what == "program" => format!(
            "no stored program is called `{value}`{}; known: {}",
            did_you_mean(value, known),
            known.join(", ")
        ),
        Error::UnknownFilter { what, value, known } => format!(
            "no stored program has {what} `{value}`{}; known: {}",
            did_you_mean(value, known),
            known.join(", ")
        ),
        Error::CopyRefused(problem) => copy_problem(problem),
        Error::Pinned {
            pairing,
            fact,
            version,
            file,
            file_version,
        } => format!(
            "{pairing} runs on program version {}, which declares no fact `{fact}`; {file} declares it now (version {}), but a pairing stays on the version it was enrolled with. `mentorflow programs` lists the versions; `mentorflow show {file}` shows the new one",
            super::short_hash(version),
            super::short_hash(file_version)
        ),
        // Commands that send rows say which line; without them, the position.
        Error::Rows(rows) => rows
            .iter()
            .map(|(i, e)| format!("row {}: {}", i + 1, error(e)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn match_error(e: &mentorflow_engine::MatchError) -> String {
    use mentorflow_engine::MatchError as M;
    match e {
        M::NoMatching(program) => format!(
            "program `{program}` has no [matching] section: add one with the criteria that make a good pair (programs/README.md, [matching])"
        ),
        M::NotOneMentor(type_id) => format!(
            "type `{type_id}` does not pair one mentor with mentees; match pairs for a type with roles mentor (1) and mentee"
        ),
        M::Internal(what) => format!("{what}; this is a bug in mentorflow, please report it"),
        M::Budget {
            budget,
            judged,
            total,
        } => format!(
            "the script budget of {} s was spent after judging {judged} of {total} pairs; nothing was proposed. Give more time with --script-budget SECONDS, or fewer candidates (--type, a smaller sheet)",
            budget.as_secs()
        ),
        M::RematchOneMentee { pairing, mentees } => format!(
            "{pairing} has {mentees} mentees; --rematch finds a new mentor for the mentee of a one-on-one pairing (for a group, use `mentorflow continue {pairing} --person ...`)"
        ),
        M::ScoreTooLarge {
            pair,
            criterion,
            value,
        } => format!(
            "matching criterion `{criterion}` gave {value} on the pair {} and {}, beyond the largest score compared exactly (1,000,000 with its weight); scale it down, e.g. to 0..1",
            pair.0, pair.1
        ),
        M::Script { pair, error } => format!(
            "{} (on the pair {} and {}); nothing was proposed",
            script_error(error),
            pair.0,
            pair.1
        ),
    }
}

fn copy_problem(p: &CopyProblem) -> String {
    match p {
        CopyProblem::SameStore(at) => {
            format!("{at} is both the source and the destination; name another destination")
        }
        CopyProblem::SourceDamaged { from, breaches } => format!(
            "{from} does not verify ({}); nothing was copied. See `mentorflow verify --store {from}`",
            super::count(*breaches as u64, "problem")
        ),
        CopyProblem::CopyDamaged {
            to,
            breaches,
            events,
            expected,
        } => format!(
            "the copy at {to} does not verify ({}, {events} of {expected} events); do not use it",
            super::count(*breaches as u64, "problem")
        ),
    }
}

fn store_error(e: &StoreError) -> String {
    match e {
        StoreError::Missing(at) => format!(
            "no store at {at}; create it with `mentorflow init --store {at}`, or pass --store with an existing store"
        ),
        StoreError::Directory(at) => {
            format!("{at} is a directory; --store names a store file, e.g. {at}/mentorflow.db")
        }
        StoreError::NotAStore(at @ Location::File(_)) => format!(
            "{at} is not a mentorflow store (an empty file, or another program's database); nothing was changed. Use another path, or `mentorflow init --store NEW.db`"
        ),
        StoreError::NotAStore(at @ Location::Postgres(_)) => format!(
            "the database {at} holds tables that are not a mentorflow store; nothing was changed. Use an empty database (createdb NAME), then `mentorflow init --store postgres://.../NAME`"
        ),
        StoreError::Exists(at) => {
            format!("a store already exists at {at}; use it, or pass --store with another path")
        }
        StoreError::NotADatabase(at) => {
            format!("{at} is not a mentorflow store (not a SQLite database); check --store")
        }
        StoreError::ReadOnly(at @ Location::File(_)) => {
            format!("the store {at} cannot be written; check the permissions of the file and of its folder (beside it, SQLite writes {at}-wal and {at}-shm); reading it still works")
        }
        StoreError::ReadOnly(at @ Location::Postgres(_)) => {
            format!("the store {at} cannot be written; check the database user's privileges")
        }
        StoreError::Busy(at, wait) => format!(
            "waited {} for the store {at}, but another command held it the whole time (a long `advance --all`, `tick` or `import`?); nothing was applied: run the command again, or wait longer with --lock-wait SECONDS",
            seconds(*wait)
        ),
        StoreError::CannotCreate(at) => format!(
            "cannot create a store at {at}: its folder is missing or read-only; pick a writable folder with --store"
        ),
        StoreError::Unreachable(at, why) => format!(
            "cannot connect to {at}: {why}; check that the server is running and the URL (postgres://USER@HOST:PORT/DATABASE)"
        ),
        StoreError::TooNew { found, supported } => format!(
            "the store has schema version {found}, newer than this mentorflow supports ({supported}); upgrade mentorflow"
        ),
        StoreError::Conflict(id) => format!(
            "pairing {id} was changed by another command at the same moment; nothing was applied, run the command again"
        ),
        StoreError::Corrupt(what) => {
            format!("stored data is damaged: {what}; run `mentorflow verify`")
        }
        StoreError::Database(what) => format!("store error: {what}"),
        StoreError::NotBuiltIn(backend, feature) => format!(
            "this mentorflow was built without the {backend} store; build it in with `cargo install --path cli --features {feature}` (both stores are in the default build)"
        ),
    }
}

/// A script failure: which script, where, and what stopped it.
pub fn script_error(e: &ScriptError) -> String {
    let problem = match &e.problem {
        ScriptProblem::Limit(limit) => match limit {
            Limit::Operations(n) => {
                format!("stopped after {n} operations (the limit): is there an endless loop?")
            }
            Limit::CallDepth(n) => {
                format!("stopped at {n} nested calls (the limit): is there endless recursion?")
            }
            Limit::Size {
                what,
                strings,
                arrays,
                maps,
            } => format!(
                "{what} grew past the limit (strings {strings} characters, arrays {arrays} items, maps {maps} entries)"
            ),
            Limit::Deadline(ms) => {
                format!("stopped after running longer than {ms} ms (the deadline)")
            }
            Limit::Memory(bytes) => format!(
                "stopped after allocating more than {} MiB (the memory limit): is something growing without end?",
                bytes / (1024 * 1024)
            ),
            Limit::Other(what) => what.clone(),
        },
        ScriptProblem::NotBool { type_name, value } => {
            format!("must return true or false, but returned a {type_name} ({value})")
        }
        ScriptProblem::NotANumber { type_name, value } => {
            format!("must give a number, but gave a {type_name} ({value})")
        }
        ScriptProblem::Rhai(message) => message.clone(),
        ScriptProblem::Erased(person) => format!(
            "it reads the pairing's people, and {person}'s values were erased: it would decide on nothing where theirs were; take them out (mentorflow leave) or replace them (mentorflow replace)"
        ),
    };
    format!("{} failed at {}: {problem}", e.what, e.location)
}

/// An engine refusal, with what to do next.
pub fn engine_error(e: &EngineError) -> String {
    match e {
        EngineError::UnknownType { .. }
        | EngineError::EnrolmentRefused { .. }
        | EngineError::ParticipantsRefused { .. }
        | EngineError::BadPerson { .. }
        | EngineError::NotEnded { .. }
        | EngineError::AlreadyContinued { .. }
        | EngineError::NotAParticipant { .. }
        | EngineError::ReplaceChangesRole { .. }
        | EngineError::UnknownAttribute { .. }
        | EngineError::BadAttribute { .. } => participants_error(e),
        EngineError::CapacityOnEntering {
            pairing,
            stage,
            problems,
        } => {
            let lines = problem_lines(problems);
            format!(
                "cannot move {pairing} into `{stage}`: [capacity] counts pairings from `{stage}` on, and{}\n{}\nnothing was stored; {pairing} stays a pending request until someone has room",
                if problems.len() == 1 { ":" } else { " each:" },
                lines
            )
        }
        EngineError::FactPerPerson { .. }
        | EngineError::FactOfThePairing { .. }
        | EngineError::FactNotKeptFor { .. }
        | EngineError::UnknownFact { .. }
        | EngineError::BadValue { .. }
        | EngineError::NoFacts
        | EngineError::SignedValue { .. }
        | EngineError::NotANumber { .. }
        | EngineError::NoValueToChange { .. }
        | EngineError::FactTwice { .. } => fact_error(e),
        EngineError::UnknownSchedule { .. }
        | EngineError::NoOpenOccurrence { .. }
        | EngineError::NotAScheduleFact { .. }
        | EngineError::DoneBeforeEnrolment { .. }
        | EngineError::DoneInFuture
        | EngineError::DoneNeeds { .. }
        | EngineError::DoneFor { .. } => schedule_error(e),
        EngineError::MigrationRefused { .. }
        | EngineError::UnknownStage { .. }
        | EngineError::Terminal { .. }
        | EngineError::Refused { .. }
        | EngineError::NoSuchTransition { .. }
        | EngineError::Script { .. }
        | EngineError::Action { .. }
        | EngineError::NoWithdrawTransition { .. }
        | EngineError::BeforeLatestEvent { .. }
        | EngineError::AutoLoop { .. }
        | EngineError::NoActor
        | EngineError::Fold { .. } => command_error(e),
        EngineError::ReasonNeeded { .. }
        | EngineError::ReasonRequired { .. }
        | EngineError::UnknownReason { .. } => reason_error(e),
    }
}

/// Errors of who takes part: enrolment, changes of participants, continuing.
fn participants_error(e: &EngineError) -> String {
    match e {
        EngineError::UnknownType {
            program,
            type_id,
            known,
        } => format!(
            "program `{program}` has no type `{type_id}`{}; its types are: {}",
            did_you_mean(type_id, known),
            known.join(", ")
        ),
        EngineError::EnrolmentRefused { type_id, problems } => {
            let lines = problem_lines(problems);
            format!("cannot enrol as type `{type_id}`:\n{}", lines)
        }
        EngineError::ParticipantsRefused {
            pairing,
            type_id,
            problems,
        } => {
            let lines = problem_lines(problems);
            let too_few = problems.iter().any(
                |p| matches!(p, EnrolmentProblem::RoleCount { min, got, .. } if got < min),
            );
            let hint = if too_few {
                "\nhint: replace the person instead (mentorflow replace), or withdraw the pairing; a program closes such a pairing by itself with an automatic transition (auto = true) whose guard counts who is left"
            } else {
                ""
            };
            format!(
                "cannot change who takes part in {pairing} (type `{type_id}`); nothing was stored:\n{}{hint}",
                lines
            )
        }
        EngineError::BadPerson { person, problem } => format!("{person}: {problem}"),
        EngineError::NotEnded(pairing) => format!(
            "{pairing} has not ended; a pairing continues as a new one once it has (withdraw it, or advance it to a terminal stage, first)"
        ),
        EngineError::AlreadyContinued { pairing, successor } => format!(
            "{pairing} continued as {successor} already; continue {successor} instead"
        ),
        EngineError::NotAParticipant {
            pairing,
            person,
            participants,
        } => format!(
            "{person} does not take part in {pairing}; who does: {}",
            participants.join(", ")
        ),
        EngineError::ReplaceChangesRole { person, role, given } => format!(
            "{person} is a {role} and the replacement was given as a {given}; a replacement takes the same role: write {role}=ID (to change roles, leave and join)"
        ),
        EngineError::UnknownAttribute {
            program,
            name,
            known,
        } => format!(
            "program `{program}` declares no attribute `{name}`{}; declared: {}",
            did_you_mean(name, known),
            known.join(", ")
        ),
        EngineError::BadAttribute { problem } => problem.clone(),
        // Only the kinds above are given here (engine_error sorts them).
        other => other.to_string(),
    }
}

/// Errors of facts: unknown, of another person, or a value the declaration refuses.
fn fact_error(e: &EngineError) -> String {
    match e {
        EngineError::FactPerPerson { name, per, people } => format!(
            "fact `{name}` is recorded per {per}: add --person ID ({}: {})",
            if people.len() == 1 { "the one here" } else { "the ones here" },
            if people.is_empty() { "none".to_string() } else { people.join(", ") }
        ),
        EngineError::FactOfThePairing { name, person } => format!(
            "fact `{name}` belongs to the pairing, not to a person: record it without --person {person}"
        ),
        EngineError::FactNotKeptFor {
            name,
            per,
            person,
            role,
        } => format!(
            "fact `{name}` is kept per {per}, and {person} is a {role}; name a {per} of the pairing"
        ),
        EngineError::UnknownFact {
            program,
            name,
            known,
        } => format!(
            "program `{program}` declares no fact `{name}`{}",
            did_you_mean_or_known(name, known)
        ),
        EngineError::BadValue { name, problem } => {
            format!("bad value for fact `{name}`: {problem}")
        }
        EngineError::NoFacts => "no facts given; write NAME=VALUE".into(),
        EngineError::SignedValue { name, text } => format!(
            "`{name}={text}` would set {name} to {}, not add to it; write {name}+={} to add, or {name}={} to set",
            text.trim().trim_start_matches('+'),
            text.trim().trim_start_matches('+'),
            text.trim().trim_start_matches('+')
        ),
        EngineError::NotANumber { name, kind } => format!(
            "`+=` and `-=` add to int and float facts and move date facts by a duration (+=6w); `{name}` is {}: set it with {name}=VALUE",
            kind.with_article()
        ),
        EngineError::NoValueToChange(name) => format!(
            "fact `{name}` has no value yet and no default, so there is nothing to add to; set it first: {name}=VALUE"
        ),
        EngineError::FactTwice(name) => {
            format!("bad value for fact `{name}`: it is given twice; record each fact once")
        }
        // Only the kinds above are given here (engine_error sorts them).
        other => other.to_string(),
    }
}

/// Errors of a schedule's occurrences (`done`).
fn schedule_error(e: &EngineError) -> String {
    match e {
        EngineError::UnknownSchedule {
            program,
            name,
            known,
        } => format!(
            "program `{program}` has no schedule `{name}`{}",
            did_you_mean_or_known(name, known)
        ),
        EngineError::NoOpenOccurrence {
            pairing,
            schedule,
            why,
        } => format!("nothing of schedule `{schedule}` is open for {pairing}: {why}"),
        EngineError::DoneFor {
            schedule,
            per,
            people,
            given,
        } => match (per, given) {
            (Some(per), None) => format!(
                "schedule `{schedule}` is kept per {per}: add --person ID ({})",
                if people.is_empty() { "nobody here is one".to_string() } else { format!("here: {}", people.join(", ")) }
            ),
            (Some(per), Some(given)) => format!(
                "schedule `{schedule}` is kept per {per}, and {given} is none of them here; name one: {}",
                people.join(", ")
            ),
            (None, _) => format!(
                "schedule `{schedule}` is kept for the pairing, not per person: leave out --person"
            ),
        },
        EngineError::DoneNeeds { schedule, missing } => format!(
            "schedule `{schedule}` needs {} with every done; nothing was stored: add {}",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" and "),
            missing
                .iter()
                .map(|m| format!("{m}=VALUE"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        EngineError::NotAScheduleFact {
            schedule,
            fact,
            known,
        } => match known.is_empty() {
            true => format!("schedule `{schedule}` records no facts; record `{fact}` with `mentorflow record`"),
            false => format!(
                "schedule `{schedule}` does not record fact `{fact}`{}; record other facts with `mentorflow record`",
                did_you_mean_or_known(fact, known)
            ),
        },
        EngineError::DoneBeforeEnrolment { pairing, enrolled } => format!(
            "--on is before {pairing} was enrolled ({}); give the time the occurrence happened",
            minute(*enrolled)
        ),
        EngineError::DoneInFuture => {
            "--on is later than the command's time; an occurrence is recorded once it happened".into()
        }
        // Only the kinds above are given here (engine_error sorts them).
        other => other.to_string(),
    }
}

/// Errors of moves and of the command itself: refusals, stages, migrations, scripts, actions,
/// reasons, time.
fn command_error(e: &EngineError) -> String {
    match e {
        EngineError::MigrationRefused { pairing, problems } => {
            let lines: Vec<String> = problems.iter().map(migration_problem).collect();
            let lines = lines.join("\n  - ");
            format!("{pairing} has no place in the new version:\n  - {lines}")
        }
        EngineError::UnknownStage {
            program,
            name,
            known,
        } => format!(
            "program `{program}` has no stage `{name}`{}",
            did_you_mean_or_known(name, known)
        ),
        EngineError::Terminal {
            pairing,
            stage,
            outcome,
        } => format!(
            "pairing {pairing} has ended in terminal stage `{stage}` (outcome: {outcome}): it takes no more facts or moves; to go on with the same people, `mentorflow continue {pairing}` starts a new pairing linked to it"
        ),
        EngineError::Refused(refusal) => refused(refusal),
        EngineError::NoSuchTransition { from, to, options } => format!(
            "no transition leads from `{from}` to `{to}`; from `{from}` a pairing can go to: {}",
            if options.is_empty() {
                "nowhere on advance (use withdraw)".into()
            } else {
                options.join(", ")
            }
        ),
        EngineError::Script(e) => format!("{}; pairing left unchanged", script_error(e)),
        EngineError::Action {
            pairing,
            what,
            problem,
        } => format!(
            "{what} of {pairing}: {problem}; the command was refused and {pairing} left unchanged (fix the action in the program)"
        ),
        EngineError::NoWithdrawTransition(program) => format!(
            "program `{program}` has no withdraw transition (from = \"*\" to a terminal stage); add one to the program"
        ),
        EngineError::BeforeLatestEvent {
            pairing,
            now,
            latest,
        } => format!(
            "the time {} is before {pairing}'s latest event ({}); events are recorded in time order, so use a later --now",
            minute(*now),
            minute(*latest)
        ),
        EngineError::AutoLoop { pairing, path } => format!(
            "automatic transitions moved {pairing} {} times without stopping: {}; nothing was applied. Fix the program: the guards of these `auto = true` transitions hold one after another in a loop",
            path.len() - 1,
            path.join(" -> ")
        ),
        EngineError::NoActor => {
            "the actor is empty; pass --actor NAME (it goes into the audit log)".into()
        }
        EngineError::Fold(e) => format!("pairing history is inconsistent: {e}"),
        // Only the kinds above are given here (engine_error sorts them).
        other => other.to_string(),
    }
}

/// Errors of reasons: none given where one is needed, a code the program or the transition
/// does not take.
fn reason_error(e: &EngineError) -> String {
    match e {
        EngineError::ReasonNeeded {
            transition,
            to,
            codes,
            given,
        } => format!(
            "transition {transition} to `{to}` needs a reason: {}; add --reason {} (or \"{}: details\")",
            match given {
                Some(given) => format!("`{given}` is not one of its codes ({})", codes.join(", ")),
                None => format!("one of {}", codes.join(", ")),
            },
            codes.first().map(String::as_str).unwrap_or("CODE"),
            codes.first().map(String::as_str).unwrap_or("CODE"),
        ),
        EngineError::ReasonRequired(command) => format!(
            "{} needs a reason: add --reason \"...\" (it goes into the audit log)",
            match command {
                Command::Withdraw => "withdraw",
                Command::Leave => "leave",
                Command::Force | Command::Advance => "a forced move",
            }
        ),
        EngineError::UnknownReason {
            program,
            given,
            known,
        } => format!(
            "`{given}` is not a reason code of program `{program}`{}; give one as --reason CODE or --reason \"CODE: details\"",
            did_you_mean_or_known(given, known)
        ),
        other => other.to_string(),
    }
}

fn migration_problem(p: &mentorflow_engine::MigrationProblem) -> String {
    use mentorflow_engine::MigrationProblem as P;
    match p {
        P::StageHasNoPlace { stage, known } => format!(
            "its stage `{stage}` is not in the new version{}; map it with --rename-stage {stage}=STAGE",
            did_you_mean_or_known(stage, known)
        ),
        P::StageEnds { stage } => format!(
            "its stage would be `{stage}`, which ends pairings in the new version; map it to a running stage"
        ),
        P::FactHasNoPlace {
            fact,
            target,
            known,
        } if fact == target => format!(
            "its fact `{fact}` is not in the new version{}; map it with --rename-fact {fact}=NAME, or drop it with --rename-fact {fact}=-",
            did_you_mean_or_known(fact, known)
        ),
        P::FactHasNoPlace {
            fact,
            target,
            known,
        } => format!(
            "its fact `{fact}`, renamed `{target}`, is not in the new version{}",
            did_you_mean_or_known(target, known)
        ),
        P::ValueRefused { fact, problem } => format!("its value of `{fact}` does not fit the new version: {problem}"),
        P::BadSet(e) => engine_error(e),
        P::NotThisProgram => "it runs on another program, or already on this version".into(),
    }
}

/// Each problem on its own line, `  - ...`.
fn problem_lines(problems: &[EnrolmentProblem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("  - {}", enrolment_problem(p)))
        .collect();
    lines.join("\n")
}

/// A participant whose values were erased, and how to go on without them.
fn erased(person: &str, role: &str, pairing: &str) -> String {
    format!(
        "{person} ({role}): their values were erased, so the type's checks cannot read them; take them out first (mentorflow leave {pairing} --person {person} --reason ...) or replace them (mentorflow replace {pairing} --person {person} --with ...)"
    )
}

/// One reason an enrolment was refused.
pub fn enrolment_problem(p: &EnrolmentProblem) -> String {
    match p {
        EnrolmentProblem::BadId { role } => {
            format!("a {role} has an empty or unprintable id; give each person an id")
        }
        EnrolmentProblem::UnknownRole {
            person,
            role,
            type_id,
            roles,
        } => format!(
            "{person} has role `{role}`, which type `{type_id}` does not have{}; its roles are: {}",
            did_you_mean(role, roles),
            roles.join(", ")
        ),
        EnrolmentProblem::MissingAttribute {
            person,
            role,
            attribute,
            type_id,
        } => format!(
            "{person} ({role}) has no `{attribute}`, which type `{type_id}` requires; add {attribute}=VALUE"
        ),
        EnrolmentProblem::BadAttribute {
            person,
            role,
            problem,
        } => format!("{person} ({role}): {problem}"),
        EnrolmentProblem::Erased { person, role, pairing } => erased(person, role, pairing),
        EnrolmentProblem::Capacity {
            person,
            role,
            limit,
            pairings,
        } => {
            let as_role = role
                .as_ref()
                .map_or(String::new(), |r| format!(" as {r}"));
            format!(
                "{person} already takes part{as_role} in {}, and [capacity] allows {limit}; end one of them first, or choose someone else",
                running(pairings, " of this program")
            )
        }
        EnrolmentProblem::OwnCapacity {
            person,
            limit,
            pairings,
        } => format!(
            "{person} already takes part in {}, and their own capacity in the people registry is {limit}; end one first, choose someone else, or take them anyway with --over-capacity \"REASON\" (logged)",
            running(pairings, "")
        ),
        EnrolmentProblem::SameParticipants { pairings } => format!(
            "the same people already take part in running pairing{} {} of this program (was this roster imported before?); to enrol them again all the same, `enrol` and `import` take --allow-duplicate",
            if pairings.len() == 1 { "" } else { "s" },
            pairings.join(", ")
        ),
        EnrolmentProblem::Duplicate { person } => {
            format!("{person} is listed twice; each person takes part once")
        }
        EnrolmentProblem::RoleCount {
            type_id,
            role,
            min,
            max,
            got,
        } => {
            let wanted = if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            };
            format!("type `{type_id}` needs {wanted} {role}(s), got {got}")
        }
        EnrolmentProblem::Rule {
            type_id,
            report,
            participants,
        } => rule_refused(type_id, report, participants),
    }
}

/// `2 running pairings of this program (p-1, p-4)`, `of` naming whose.
fn running(pairings: &[String], of: &str) -> String {
    let s = if pairings.len() == 1 { "" } else { "s" };
    format!(
        "{} running pairing{s}{of} ({})",
        pairings.len(),
        pairings.join(", ")
    )
}

/// A type's rule that refused (or failed on) the participants, with who they are.
fn rule_refused(
    type_id: &str,
    report: &mentorflow_engine::GuardReport,
    participants: &[mentorflow_engine::Participant],
) -> String {
    let mut s = match report.verdict {
        mentorflow_engine::Verdict::Failed(_) => {
            format!("the rule of type `{type_id}` failed to run on these participants:\n")
        }
        _ => format!("type `{type_id}` refuses these participants:\n"),
    };
    guard(&mut s, report, "      ");
    s.push_str("      participants:");
    for p in participants {
        let mut attrs: Vec<String> = p
            .attributes
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        if !p.managers.is_empty() {
            attrs.push(format!("reports to {}", p.managers.join(" -> ")));
        }
        let attrs = match attrs.is_empty() {
            true => "no attributes".to_string(),
            false => attrs.join(", "),
        };
        let _ = write!(s, "\n        {} ({}): {attrs}", p.id, p.role);
    }
    s
}

/// A refused advance or withdraw: every candidate explained, and the next step.
fn refused(r: &Refusal) -> String {
    let (p, stage) = (&r.pairing, &r.stage);
    let mut out = match (r.command, &r.to) {
        (Command::Withdraw, _) => format!(
            "cannot withdraw pairing {p} from `{stage}`: no withdraw transition's guard holds\n"
        ),
        (_, Some(to)) => {
            format!(
                "cannot advance pairing {p} from `{stage}` to `{to}`: its guard does not hold\n"
            )
        }
        (_, None) if r.candidates.is_empty() => {
            let mut s = format!(
                "cannot advance pairing {p} from `{stage}`: no transition leaves it on advance"
            );
            if r.automatic.is_empty() && r.timers.is_empty() {
                s.push('\n');
            } else {
                s.push_str("; it moves on by itself:\n");
            }
            for u in &r.timers {
                let _ = writeln!(s, "  #{} {}", u.transition, super::upcoming(u));
            }
            s
        }
        (_, None) => {
            format!("cannot advance pairing {p} from `{stage}`: no transition's guard holds\n")
        }
    };
    for c in &r.candidates {
        candidate(&mut out, c, "  ");
    }
    if !r.automatic.is_empty() {
        out.push_str("  automatically, as soon as a guard holds:\n");
        for c in &r.automatic {
            candidate(&mut out, c, "  ");
        }
    }
    let missing = r
        .candidates
        .iter()
        .flat_map(|c| c.reports())
        .find_map(|g| match &g.verdict {
            mentorflow_engine::Verdict::NeedsFacts(n) => n.first().cloned(),
            _ => None,
        });
    if let Some(first) = missing {
        let _ = writeln!(
            out,
            "  help: record the missing facts first, e.g. `mentorflow record {p} {first}=...`"
        );
    } else if let (Command::Withdraw, Some(c)) = (r.command, r.candidates.first()) {
        let _ = writeln!(
            out,
            "  help: record the facts that make a withdraw guard hold, or end it anyway with `mentorflow advance {p} --to {} --force --reason \"...\"`",
            c.to
        );
    } else if !r.candidates.is_empty() {
        let _ = writeln!(
            out,
            "  help: record the facts that make a guard hold, or move it anyway with `mentorflow advance {p} --to STAGE --force --reason \"...\"`"
        );
    }
    out.trim_end().to_string()
}

/// A wait as people say it: "30 s", "0 s" (did not wait), "1.5 s".
fn seconds(wait: std::time::Duration) -> String {
    format!("{} s", wait.as_secs_f64())
}
