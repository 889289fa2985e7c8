//! The engine's errors, as data: what was refused and every value involved. The wording a
//! person reads (and any command or flag to try next) is rendered by the embedding program;
//! the short `Display` texts here are for logs.

use crate::enrolment::EnrolmentProblem;
use crate::explain::Candidate;
use crate::location::Location;
use crate::runtime::ScriptError;

/// The commands an error can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Take the next transition whose guards hold (or the one to a given stage).
    Advance,
    /// Move to a stage without guards.
    Force,
    /// End the pairing through a withdraw transition.
    Withdraw,
    /// A participant leaves (or is replaced).
    Leave,
}

/// A refused advance or withdraw: no candidate transition could be taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Pairing id.
    pub pairing: String,
    /// Its current stage.
    pub stage: String,
    /// The command refused.
    pub command: Command,
    /// The stage asked for, if one was.
    pub to: Option<String>,
    /// Every candidate transition with its guards' evaluation, in program order.
    pub candidates: Vec<Candidate>,
    /// When no advance transition leaves the stage: how it moves on by itself, the automatic
    /// transitions explained ...
    pub automatic: Vec<Candidate>,
    /// ... and the timers, soonest first.
    pub timers: Vec<crate::timers::Upcoming>,
}

/// Everything that can refuse or fail an engine operation. A refused operation changes nothing.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// The type named is not one of the program's.
    #[error("program `{program}` has no type `{type_id}`")]
    UnknownType {
        /// Program id.
        program: String,
        /// The name given.
        type_id: String,
        /// The program's types, in file order.
        known: Vec<String>,
    },
    /// The enrolment breaks the type's rules.
    #[error("cannot enrol as type `{type_id}`: {} problem(s)", problems.len())]
    EnrolmentRefused {
        /// The type.
        type_id: String,
        /// Every rule broken, with the values involved.
        problems: Vec<EnrolmentProblem>,
    },
    /// A change of participants breaks the type's rules or a rule across pairings.
    #[error("pairing {pairing}: the change of participants is refused: {} problem(s)", problems.len())]
    ParticipantsRefused {
        /// Pairing id.
        pairing: String,
        /// Its type.
        type_id: String,
        /// Every rule broken, with the values involved.
        problems: Vec<EnrolmentProblem>,
    },
    /// A person of a people file cannot be recorded.
    #[error("{person}: {problem}")]
    BadPerson {
        /// Person id.
        person: String,
        /// What is wrong.
        problem: String,
    },
    /// `continue` on a pairing that has not ended.
    #[error("pairing {0} has not ended")]
    NotEnded(String),
    /// `continue` on a pairing that continued already.
    #[error("pairing {pairing} continued as {successor} already")]
    AlreadyContinued {
        /// The pairing.
        pairing: String,
        /// Its successor.
        successor: String,
    },
    /// The person named does not take part in the pairing.
    #[error("{person} does not take part in pairing {pairing}")]
    NotAParticipant {
        /// Pairing id.
        pairing: String,
        /// The person named.
        person: String,
        /// Who does, as `id (role)`.
        participants: Vec<String>,
    },
    /// A replacement given in another role than the person replaced.
    #[error("{person} is a {role}; the replacement was given as a {given}")]
    ReplaceChangesRole {
        /// Who is replaced.
        person: String,
        /// Their role.
        role: String,
        /// The role given to the replacement.
        given: String,
    },
    /// A fact kept per person, recorded without naming the person.
    #[error("fact `{name}` is recorded per {per}: name the person")]
    FactPerPerson {
        /// The fact.
        name: String,
        /// Whose it is (`participant` or a role).
        per: String,
        /// Who in the pairing it is kept for.
        people: Vec<String>,
    },
    /// A pairing fact recorded for a person.
    #[error("fact `{name}` belongs to the pairing, not to {person}")]
    FactOfThePairing {
        /// The fact.
        name: String,
        /// The person named.
        person: String,
    },
    /// A fact kept per person of another role.
    #[error("fact `{name}` is kept per {per}; {person} is a {role}")]
    FactNotKeptFor {
        /// The fact.
        name: String,
        /// Whose it is.
        per: String,
        /// The person named.
        person: String,
        /// Their role.
        role: String,
    },
    /// A fact the program does not declare.
    #[error("program `{program}` declares no fact `{name}`")]
    UnknownFact {
        /// Program id.
        program: String,
        /// The fact named.
        name: String,
        /// The declared facts, in file order.
        known: Vec<String>,
    },
    /// An attribute the program does not declare.
    #[error("program `{program}` declares no attribute `{name}`")]
    UnknownAttribute {
        /// Program id.
        program: String,
        /// The attribute named.
        name: String,
        /// The declared attributes, in file order.
        known: Vec<String>,
    },
    /// An attribute value that breaks its declaration.
    #[error("bad attribute value: {problem}")]
    BadAttribute {
        /// What is wrong, as the program language says it.
        problem: String,
    },
    /// A value that breaks the fact's declaration.
    #[error("bad value for fact `{name}`: {problem}")]
    BadValue {
        /// Fact name.
        name: String,
        /// What is wrong, as the program language says it.
        problem: String,
    },
    /// `NAME=+1` on a number: it would set, not add.
    #[error("`{name}={text}` sets the value; to add, write `{name}+=`")]
    SignedValue {
        /// The fact.
        name: String,
        /// The value written.
        text: String,
    },
    /// `+=` or `-=` on a fact that is not a number.
    #[error("fact `{name}` is not a number")]
    NotANumber {
        /// The fact.
        name: String,
        /// Its type.
        kind: mentorflow_dsl::ValueKind,
    },
    /// `+=` or `-=` on a fact with no value yet and no default.
    #[error("fact `{0}` has no value to change yet")]
    NoValueToChange(String),
    /// A pairing's state has no place in the new version of its program.
    #[error("pairing {pairing} cannot move to the new version: {} problem(s)", problems.len())]
    MigrationRefused {
        /// Pairing id.
        pairing: String,
        /// Every reason.
        problems: Vec<crate::migration::MigrationProblem>,
    },
    /// A record with no facts.
    #[error("no facts given")]
    NoFacts,
    /// A fact given twice in one record.
    #[error("fact `{0}` is given twice")]
    FactTwice(String),
    /// A stage name that is not in the program.
    #[error("program `{program}` has no stage `{name}`")]
    UnknownStage {
        /// Program id.
        program: String,
        /// The stage named.
        name: String,
        /// The program's stages, in file order.
        known: Vec<String>,
    },
    /// The pairing has finished.
    #[error("pairing {pairing} is in terminal stage `{stage}` (outcome: {outcome})")]
    Terminal {
        /// Pairing id.
        pairing: String,
        /// Its stage.
        stage: String,
        /// Its outcome.
        outcome: String,
    },
    /// No transition could be taken; the refusal explains every candidate.
    #[error("pairing {} cannot move from `{}`: no transition can be taken", .0.pairing, .0.stage)]
    Refused(Box<Refusal>),
    /// The stage asked for is not reachable by any advance transition from here.
    #[error("no transition leads from `{from}` to `{to}`")]
    NoSuchTransition {
        /// Current stage.
        from: String,
        /// Asked-for stage.
        to: String,
        /// The stages advance can reach from here (empty: none).
        options: Vec<String>,
    },
    /// A script failed; the pairing stays where it was.
    #[error(transparent)]
    Script(Box<ScriptError>),
    /// A stage's action gave an effect that cannot be applied.
    #[error("{what} of {pairing}: {problem}")]
    Action {
        /// The pairing.
        pairing: String,
        /// Which action (`on_enter of stage ramping`).
        what: String,
        /// What is wrong with its effect.
        problem: String,
    },
    /// A forced move or a withdraw without a reason.
    #[error("a reason is required")]
    ReasonRequired(Command),
    /// The program has no `from = "*"` transition to withdraw with.
    #[error("program `{0}` has no withdraw transition")]
    NoWithdrawTransition(String),
    /// A command dated before the pairing's latest event.
    #[error("the time {now} is before {pairing}'s latest event ({latest})")]
    BeforeLatestEvent {
        /// Pairing id.
        pairing: String,
        /// The time asked for.
        now: chrono::DateTime<chrono::Utc>,
        /// The pairing's latest event time.
        latest: chrono::DateTime<chrono::Utc>,
    },
    /// The schedule named is not one of the program's.
    #[error("program `{program}` has no schedule `{name}`")]
    UnknownSchedule {
        /// Program id.
        program: String,
        /// The name given.
        name: String,
        /// The program's schedules.
        known: Vec<String>,
    },
    /// The schedule has no occurrence that a done at that time could count for.
    #[error("schedule `{schedule}` of {pairing} has no open occurrence: {why}")]
    NoOpenOccurrence {
        /// Pairing id.
        pairing: String,
        /// The schedule.
        schedule: String,
        /// Why: it does not apply now, or every occurrence is done or missed.
        why: String,
    },
    /// A fact given with a done is not one the schedule records.
    #[error("schedule `{schedule}` does not record fact `{fact}`")]
    NotAScheduleFact {
        /// The schedule.
        schedule: String,
        /// The fact given.
        fact: String,
        /// The facts it records.
        known: Vec<String>,
    },
    /// The time a done happened is after the command's time.
    #[error("an occurrence cannot be done in the future")]
    DoneInFuture,
    /// The time a done happened is before the pairing was enrolled.
    #[error("{pairing} was enrolled after the occurrence was done")]
    DoneBeforeEnrolment {
        /// Pairing id.
        pairing: String,
        /// When it was enrolled.
        enrolled: chrono::DateTime<chrono::Utc>,
    },
    /// The reason given names none of the program's reason codes.
    #[error("`{given}` is not a reason code of program `{program}`")]
    UnknownReason {
        /// Program id.
        program: String,
        /// The code given (the reason up to its first `:`).
        given: String,
        /// The program's reason codes.
        known: Vec<String>,
    },
    /// Automatic transitions kept moving the pairing: a loop in the program.
    #[error("automatic transitions moved {pairing} {} times in a row", .path.len() - 1)]
    AutoLoop {
        /// Pairing id.
        pairing: String,
        /// The stages it went through, in order, from where the automatic moves started.
        path: Vec<String>,
    },
    /// An empty actor name.
    #[error("the actor is empty")]
    NoActor,
    /// The events of a pairing could not be folded.
    #[error("pairing history is inconsistent: {0}")]
    Fold(#[from] crate::pairing::FoldError),
}

/// Store failures: what happened to the data's home, not what a command decided.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// No store at the location.
    #[error("no store at {0}")]
    Missing(Location),
    /// The location is a directory.
    #[error("{0} is a directory")]
    Directory(Location),
    /// Something is there, but not a mentorflow store (left untouched).
    #[error("{0} is not a mentorflow store")]
    NotAStore(Location),
    /// A store already exists where one was to be created.
    #[error("a store already exists at {0}")]
    Exists(Location),
    /// Another command held the store's write lock for the whole wait; nothing was applied.
    #[error("the store {0} stayed busy for {1:?}")]
    Busy(Location, std::time::Duration),
    /// The store cannot be created there (a missing or read-only folder).
    #[error("cannot create a store at {0}")]
    CannotCreate(Location),
    /// The database server cannot be reached or refused the connection.
    #[error("cannot connect to {0}: {1}")]
    Unreachable(Location, String),
    /// The file is not a database at all.
    #[error("{0} is not a database")]
    NotADatabase(Location),
    /// The store cannot be written.
    #[error("the store {0} is read-only")]
    ReadOnly(Location),
    /// The store was written by a newer mentorflow.
    #[error("the store has schema version {found}, newer than {supported}")]
    TooNew {
        /// Version in the store.
        found: i64,
        /// Newest this version knows.
        supported: i64,
    },
    /// Another command changed the pairing first; nothing was applied.
    #[error("pairing {0} was changed by another command at the same moment")]
    Conflict(String),
    /// A stored record could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// Any other database error, in the database's words.
    #[error("store error: {0}")]
    Database(String),
}

/// What a [`crate::Coordinator`] command can fail with: the store, the engine's decision, or
/// a name the store does not know.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The store failed or is not usable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused the command; nothing was stored.
    #[error(transparent)]
    Engine(Box<EngineError>),
    /// No pairing with that id.
    #[error("no pairing `{id}`")]
    UnknownPairing {
        /// The id given.
        id: String,
        /// Every stored pairing id.
        known: Vec<String>,
    },
    /// Matching could not run.
    #[error("{0}")]
    Match(Box<crate::matching::MatchError>),
    /// No person with that id in the registry.
    #[error("no person `{id}` in the registry")]
    UnknownPerson {
        /// The id given.
        id: String,
        /// Every registered id.
        known: Vec<String>,
    },
    /// A label that several pairings were imported under.
    #[error("label `{label}` names {} pairings", pairings.len())]
    AmbiguousLabel {
        /// The label given.
        label: String,
        /// The pairings it names, in number order.
        pairings: Vec<String>,
    },
    /// A list filter value that no stored program knows (it would list nothing, silently).
    #[error("no stored program has {what} `{value}`")]
    UnknownFilter {
        /// stage, type, program or outcome.
        what: &'static str,
        /// The value given.
        value: String,
        /// Every value stored programs know, sorted.
        known: Vec<String>,
    },
    /// Some rows of a bulk command were refused; nothing was stored. Each with its position.
    #[error("{} row(s) refused", .0.len())]
    Rows(Vec<(usize, Error)>),
    /// A fact the pairing's program version does not declare, though the program's file does
    /// today: the pairing stays on the version it was enrolled with.
    #[error("pairing {pairing} runs on a version that declares no fact `{fact}`")]
    Pinned {
        /// Pairing id.
        pairing: String,
        /// The fact.
        fact: String,
        /// The version the pairing runs on.
        version: String,
        /// The program file.
        file: String,
        /// The version the file holds today.
        file_version: String,
    },
    /// A store copy was refused or did not verify.
    #[error("store copy refused: {0:?}")]
    CopyRefused(CopyProblem),
}

impl From<ScriptError> for EngineError {
    fn from(e: ScriptError) -> EngineError {
        EngineError::Script(Box::new(e))
    }
}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Error {
        Error::Engine(Box::new(e))
    }
}

/// Why a store copy was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyProblem {
    /// The source and the destination are the same store.
    SameStore(Location),
    /// The source does not verify.
    SourceDamaged {
        /// The source.
        from: Location,
        /// Problems verify found.
        breaches: usize,
    },
    /// The copy does not verify.
    CopyDamaged {
        /// The destination.
        to: Location,
        /// Problems verify found.
        breaches: usize,
        /// Events in the copy.
        events: u64,
        /// Events in the source.
        expected: u64,
    },
}
