//! The decide layer's errors, as data: what a command on one pairing was refused for, with
//! every value involved. The wording a person reads is rendered by the embedding program; the
//! short `Display` texts here are for logs.

use crate::rules::enrolment::EnrolmentProblem;
use crate::rules::explain::Candidate;
use crate::rules::runtime::ScriptError;

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
    pub timers: Vec<crate::rules::timers::Upcoming>,
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
    /// A done names no person for a schedule kept per person, someone it is not kept for, or
    /// a person for a schedule of the pairing.
    #[error("schedule `{schedule}`: the done names the wrong person")]
    DoneFor {
        /// The schedule.
        schedule: String,
        /// The role it is kept per, if any.
        per: Option<String>,
        /// Its people in the pairing.
        people: Vec<String>,
        /// The person named, if any.
        given: Option<String>,
    },
    /// A done lacks values its schedule requires with every occurrence (`required`).
    #[error("schedule `{schedule}` needs {} with every done", missing.join(", "))]
    DoneNeeds {
        /// The schedule.
        schedule: String,
        /// The required facts not given.
        missing: Vec<String>,
    },
    /// A move into the stage `[capacity] counted_from` names would take someone past their
    /// capacity: the pairing stays where it was.
    #[error("pairing {pairing}: entering `{stage}` would exceed a capacity")]
    CapacityOnEntering {
        /// Pairing id.
        pairing: String,
        /// The stage it would have entered (or passed through).
        stage: String,
        /// Every capacity exceeded, with the pairings that use it.
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
        problems: Vec<MigrationProblem>,
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
    /// The transition whose guards hold asks for a reason code that was not given.
    #[error("transition {transition} to `{to}` needs a reason")]
    ReasonNeeded {
        /// The transition's number.
        transition: usize,
        /// The stage it leads to.
        to: String,
        /// The codes it takes (`reasons`).
        codes: Vec<String>,
        /// The reason given, if any (its code is none of `codes`).
        given: Option<String>,
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
    Fold(#[from] crate::model::pairing::FoldError),
}

impl From<ScriptError> for EngineError {
    fn from(e: ScriptError) -> EngineError {
        EngineError::Script(Box::new(e))
    }
}

/// Why a pairing cannot move to the new version.
#[derive(Debug, Clone)]
pub enum MigrationProblem {
    /// Its stage is not in the new version (and the mapping names none).
    StageHasNoPlace {
        /// The stage.
        stage: String,
        /// The new version's stages.
        known: Vec<String>,
    },
    /// Its stage maps to a terminal stage of the new version.
    StageEnds {
        /// The stage it would be in.
        stage: String,
    },
    /// A recorded fact the new version does not declare (and the mapping does not rename or
    /// drop).
    FactHasNoPlace {
        /// The fact.
        fact: String,
        /// The name it would have in the new version (the same, unless mapped).
        target: String,
        /// The new version's facts.
        known: Vec<String>,
    },
    /// A recorded value the new version's declaration refuses.
    ValueRefused {
        /// The fact, by its new name.
        fact: String,
        /// Why.
        problem: String,
    },
    /// A value given with the mapping that the new version refuses.
    BadSet(EngineError),
    /// It runs on another program, or already on the new version.
    NotThisProgram,
}
