//! The validated program: what the engine runs. Built only by the checker, immutable after.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use crate::duration::Due;
use crate::source::{LineCol, Span};
use crate::value::Declaration;

/// A checked mentoring program.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Program {
    /// Stable identifier, e.g. `mentoring`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// What the program is for.
    pub description: String,
    /// The stage every pairing starts in.
    pub initial: String,
    /// The libraries of script functions it names, as written (`std:time`, `helpers.rhai`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<String>,
    /// Who a notification `to = ["coordinator"]` goes to (`[program] coordinators`): ids or
    /// e-mail addresses of the people running the program, not participants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coordinators: Vec<String>,
    /// How long a person's values are kept after the last pairing of this program they took
    /// part in ended (`[program] retention`, e.g. `2y`): `mentorflow retention` erases who is
    /// past it. None: kept until erased by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<crate::duration::Due>,
    /// Stages in file order.
    pub stages: Vec<Stage>,
    /// Transitions in file order; order decides which is taken first.
    pub transitions: Vec<Transition>,
    /// Facts recorded on pairings.
    pub facts: Vec<Declaration>,
    /// Attributes participants carry.
    pub attributes: Vec<Declaration>,
    /// Named scripts returning a bool.
    pub criteria: Vec<Criterion>,
    /// Mentoring types with their participant rules and stage overrides.
    pub types: Vec<MentoringType>,
    /// The reason codes a withdrawal, a leave or a forced move must give, and any move may
    /// (`[reasons]`); none: any text.
    pub reasons: Vec<Reason>,
    /// Recurring or one-off activities (check-ins, sessions, surveys), in file order.
    pub schedules: Vec<Schedule>,
    /// How many running pairings of the program one person may take part in (`[capacity]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity: Vec<Capacity>,
    /// How `mentorflow match` proposes pairs (`[matching]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    /// The notifications actions can send, by name (`[notifications]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
    /// What must hold of every pairing (`[[invariants]]`), in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<Invariant>,
    /// SHA-256 of the program file and every script file it uses, in hex.
    pub hash: String,
    /// The files the program was read from (the program first), for pinning a version.
    #[serde(skip)]
    pub sources: Vec<(PathBuf, String)>,
    /// What a pairing's memo holds for the scripts' memo points.
    #[serde(skip)]
    pub memo: crate::native::MemoPlan,
}

/// A stage of the program.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Stage {
    /// Identifier used in transitions.
    pub id: crate::Name,
    /// Human title.
    pub title: String,
    /// What happens in this stage.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How long a pairing may stay before it is overdue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    /// Set on terminal stages: success, failure, withdrawn ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<crate::Name>,
    /// On a terminal stage: the pairing continues as a new one when it ends here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<Successor>,
    /// A pause (`pause = true`): a pairing that goes back from it to the stage it paused
    /// resumes that stage, its clock (time in stage, due, schedules) moved on by the pause,
    /// without running its `on_enter` again or starting a new goal cycle.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pause: bool,
    /// What happens when a pairing enters, leaves, or is moved out by a timer.
    #[serde(skip_serializing_if = "Actions::is_empty")]
    pub actions: Actions,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

impl Stage {
    /// Whether pairings end here.
    pub fn is_terminal(&self) -> bool {
        self.outcome.is_some()
    }
}

/// A stage's actions: scripts whose result is a list of effects (set a fact, notify), applied
/// as events in the same command as the move.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Actions {
    /// When a pairing enters the stage (at enrolment too, for the first stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_enter: Option<Script>,
    /// When a pairing leaves the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_exit: Option<Script>,
    /// When a timer moves a pairing out of the stage (before `on_exit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<Script>,
}

impl Actions {
    /// Whether the stage declares none.
    pub fn is_empty(&self) -> bool {
        self.on_enter.is_none() && self.on_exit.is_none() && self.on_timeout.is_none()
    }
}

/// What a notification's `to` names for the program's coordinators.
pub const COORDINATOR: &str = "coordinator";

/// A notification an action can send (`[notifications.NAME]`): templates for its subject and
/// body, and the roles it goes to.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Notification {
    /// Its name, as `notify("NAME")` gives it.
    pub name: String,
    /// The subject's template.
    pub subject: String,
    /// The body's template.
    pub body: String,
    /// The roles it goes to (every participant when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// What a tick notices that sends it by itself: `missed` or `missed:SCHEDULE`, `due` or
    /// `due:SCHEDULE` (an occurrence comes due next), `warned` or `warned:LABEL` (a timer's
    /// warning), `overdue` or `overdue:STAGE`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on: Vec<String>,
    /// Whether its templates read `trigger`, which only a trigger gives (not an action).
    #[serde(skip)]
    pub reads_trigger: bool,
}

/// The pairing a terminal stage continues into, enrolled in the same command that ends the
/// old one: the same participants, in this program, with chosen facts carried over.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Successor {
    /// Its type (the ending pairing's type when not given).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_id: Option<String>,
    /// Pairing facts carried over, and facts kept per person carried with each person.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// Only when this holds (evaluated as the pairing ends); always when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Script>,
    /// The stage it starts in (the program's initial stage when not given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

/// Where a transition leaves from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum From {
    /// One stage.
    Stage(String),
    /// Any non-terminal stage (`from = "*"`), e.g. withdraw.
    Any,
}

/// When a transition fires by itself, applied by `tick`: what its clock counts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Timeout {
    /// This long after entering the stage (`after`).
    After(Due),
    /// This long after the pairing's last event, i.e. inactivity (`idle`).
    Idle(Due),
    /// This long after enrolment (`after` with `since = "enrolment"`): a program deadline.
    SinceEnrolment(Due),
    /// This long after the pairing first entered a stage (`after` with `since = "STAGE"`).
    SinceFirstEntered(String, Due),
    /// At the start (00:00 UTC) of the date held in a date fact (`at = "FACT"`); never while
    /// the fact has no value.
    AtDate(String),
}

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timeout::After(d) => write!(f, "after {d}"),
            Timeout::Idle(d) => write!(f, "idle {d}"),
            Timeout::SinceEnrolment(d) => write!(f, "{d} after enrolment"),
            Timeout::SinceFirstEntered(stage, d) => write!(f, "{d} after first entering {stage}"),
            Timeout::AtDate(fact) => write!(f, "on the date in {fact}"),
        }
    }
}

/// A timer: when it fires, and how long before that a tick warns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Timer {
    /// When it fires.
    pub timeout: Timeout,
    /// How long before it fires a tick logs a warning (`warn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<Due>,
}

/// How a transition is taken: the one place that says which command may take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// By `advance`, from the stage it names, when its guards hold.
    Advance,
    /// By `withdraw`, from any active stage (`from = "*"` without a timer).
    Withdraw,
    /// By `tick`, once its timer is due and its guard holds.
    Timer(Timer),
    /// By the engine itself, as soon as its guard holds (`auto = true`): checked after every
    /// command on the pairing and at every tick.
    Auto,
}

/// An edge of the stage graph.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Transition {
    /// Position in the file, from 0; stable name for coverage. People see [`Transition::number`].
    pub index: usize,
    /// Source stage, or any.
    pub from: From,
    /// Target stage.
    pub to: String,
    /// What must hold; none means always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<Guard>,
    /// Short human name, e.g. "withdraw".
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Which command takes it.
    pub trigger: Trigger,
    /// The reason codes one of which a coordinator must give to take it (`advance --reason`,
    /// `withdraw --reason`); none: a reason is optional (`advance`) or any code (`withdraw`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

impl Transition {
    /// Its number as people see it (in `show`, events, refusals and coverage): from 1, in file order.
    pub fn number(&self) -> usize {
        self.index + 1
    }

    /// Whether a move given `reason` (its code before any `: details`) may take it: any
    /// reason, or none, when it lists no codes; else one of its codes.
    pub fn accepts_reason(&self, reason: Option<&str>) -> bool {
        self.reasons.is_empty()
            || reason.is_some_and(|r| self.reasons.iter().any(|c| c == reason_code_of(r)))
    }

    /// The timer, when the transition is taken by `tick`.
    pub fn timer(&self) -> Option<&Timer> {
        match &self.trigger {
            Trigger::Timer(t) => Some(t),
            _ => None,
        }
    }

    /// When the timer fires, when the transition is taken by `tick`.
    pub fn timeout(&self) -> Option<&Timeout> {
        self.timer().map(|t| &t.timeout)
    }

    /// Whether `advance` considers it from `stage`.
    pub fn on_advance_from(&self, stage: &str) -> bool {
        self.trigger == Trigger::Advance && matches!(&self.from, From::Stage(s) if s == stage)
    }

    /// Whether the engine takes it by itself from `stage` (a terminal stage is never left).
    pub fn is_auto_from(&self, stage: &Stage) -> bool {
        self.trigger == Trigger::Auto && self.leaves(stage)
    }

    /// Whether the type's extra guard of its `from` stage applies: advance transitions only.
    pub fn takes_extra_guard(&self) -> bool {
        self.trigger == Trigger::Advance
    }

    /// Whether this transition leaves `stage` (a terminal stage is never left).
    pub fn leaves(&self, stage: &Stage) -> bool {
        match &self.from {
            From::Stage(s) => *s == stage.id,
            From::Any => !stage.is_terminal(),
        }
    }

    /// `from -> to`, for messages.
    pub fn describe(&self) -> String {
        let from = match &self.from {
            From::Stage(s) => s.as_str(),
            From::Any => "*",
        };
        format!("{from} -> {}", self.to)
    }
}

/// A transition's guard.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Guard {
    /// An inline Rhai expression.
    Script(Box<Script>),
    /// The name of a criterion.
    Criterion(String),
}

/// A recurring or one-off activity a pairing is expected to do: each occurrence is due at a
/// time the engine knows; a coordinator records it done, and a tick logs it missed once.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Schedule {
    /// Its name, read by scripts as `schedules.NAME` and given to `mentorflow done`.
    pub name: String,
    /// Human title.
    pub title: String,
    /// When occurrences fall, counted from the anchor.
    pub cadence: Cadence,
    /// What the cadence counts from.
    pub anchor: Anchor,
    /// No occurrence falls later than this long after the anchor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Due>,
    /// How long after its due time an occurrence may still be done before it is missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace: Option<Due>,
    /// Only while the pairing is in this stage (occurrences after it leaves do not fall).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub during: Option<String>,
    /// The types it applies to; empty: every type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Types it does not apply to: they declare their own schedule of this name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    /// Facts an occurrence may record when it is done (a survey's score).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// Of those, the ones every done must give (`required = ["medium"]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Kept for each person in this role (`"participant"`: everyone) on their own: due, done
    /// and missed per person, counted from when that person joined (`per = "mentee"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Whose turn each occurrence is, in turn among those in this role (`"participant"`:
    /// everyone), in the order they joined: the session's facilitator (`rotate = "mentee"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate: Option<String>,
    /// What an occurrence done must meet to count (`require = "facts.hours >= 4"`, reading the
    /// values that done recorded): below it, it counts as missed, its values kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require: Option<Script>,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

impl Schedule {
    /// Whether it applies to pairings of type `type_id`.
    pub fn applies_to(&self, type_id: &str) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == type_id))
            && !self.except.iter().any(|t| t == type_id)
    }
}

/// When a schedule's occurrences fall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every `every` after the anchor; when `until` is given, every `then` after that point.
    Every {
        /// The period.
        every: Due,
        /// How long the first period applies.
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<Due>,
        /// The period after `until`.
        #[serde(skip_serializing_if = "Option::is_none")]
        then: Option<Due>,
    },
    /// At these offsets from the anchor (day 14, 45 and 90), in order.
    At(Vec<Due>),
}

impl std::fmt::Display for Cadence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cadence::Every {
                every,
                until: Some(until),
                then: Some(then),
            } => write!(f, "every {every} for {until}, then every {then}"),
            Cadence::Every { every, .. } => write!(f, "every {every}"),
            Cadence::At(offsets) => {
                let shown: Vec<String> = offsets.iter().map(ToString::to_string).collect();
                write!(f, "at {}", shown.join(", "))
            }
        }
    }
}

/// What a schedule's cadence counts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The pairing's enrolment.
    Enrolment,
    /// The latest time the pairing entered this stage.
    Stage(String),
    /// The date held in this date fact (00:00 UTC); none while it is not recorded.
    Fact(String),
    /// When a stage's action started it (`start_schedule`); none until then.
    Started,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Anchor::Enrolment => write!(f, "enrolment"),
            Anchor::Stage(s) => write!(f, "entering {s}"),
            Anchor::Fact(fact) => write!(f, "the date in {fact}"),
            Anchor::Started => write!(f, "when an action starts it"),
        }
    }
}

/// How candidate pairs are judged by `mentorflow match`: which may be paired at all (besides
/// the type's rules and capacity) and how good each is, as weighted named criteria.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Matching {
    /// Only pairs for which this holds may be proposed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<PairScript>,
    /// The parts of a pair's score, in file order.
    pub criteria: Vec<MatchCriterion>,
    /// Whether people paired before in this program may be proposed together again
    /// (`repeat = true`); by default they are not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
    /// The sensitive attributes its scripts may read (`sensitive = ["erg"]`), only for the
    /// candidates whose `consent` attribute holds; for anyone else they read as not given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// The attribute that records a candidate's consent to their sensitive values being
    /// used: true, or the text `yes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
}

/// One part of a pair's score: its script's value times its weight.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MatchCriterion {
    /// Its name, shown with each proposed pair.
    pub name: String,
    /// What it rewards.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How much it counts.
    pub weight: f64,
    /// A number for a mentor and a mentee (usually from 0 to 1).
    pub score: PairScript,
}

/// A compiled matching script: it reads `mentor` and `mentee`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PairScript {
    /// The source text.
    pub source: String,
    /// The compiled form.
    #[serde(skip)]
    pub ast: rhai::AST,
    /// The same script compiled for native runs, when it holds only what those run.
    #[serde(skip)]
    pub native: Option<crate::native::Native>,
    /// Where it lives, for error messages at run time.
    #[serde(skip)]
    pub origin: ScriptOrigin,
}

/// At most `limit` running pairings of the program per person in `role` (any role: `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Capacity {
    /// The role counted; `None` (`"*"`) counts every role.
    pub role: Option<String>,
    /// How many running pairings a person may take part in.
    pub limit: u32,
    /// Only pairings that have entered this stage count (`[capacity] counted_from`): one
    /// still in an earlier stage (a request not yet accepted) is no active relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_from: Option<String>,
}

/// A reason code a withdrawal, a leave or a move may give.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Reason {
    /// The code given on the command line, e.g. `no-time`.
    pub code: String,
    /// What it means.
    pub description: String,
}

impl Program {
    /// Each stage that starts a successor, with its successor and the stage the new pairing
    /// starts in: the edges `graph` draws and `check` follows, from ending to starting.
    pub fn successor_starts(&self) -> Vec<(&Stage, &Successor, &str)> {
        self.stages
            .iter()
            .filter_map(|s| {
                let next = s.successor.as_ref()?;
                let start = next.stage.as_deref().unwrap_or(&self.initial);
                Some((s, next, start))
            })
            .collect()
    }

    /// The script `hook` (`on_enter`, `on_exit`, `on_timeout`) of `stage` runs for a pairing
    /// of type `type_id`: the type's own when it declares one, else the stage's.
    pub fn action(&self, type_id: &str, stage: &str, hook: &str) -> Option<&Script> {
        fn pick<'a>(a: &'a Actions, hook: &str) -> Option<&'a Script> {
            match hook {
                "on_enter" => a.on_enter.as_ref(),
                "on_exit" => a.on_exit.as_ref(),
                _ => a.on_timeout.as_ref(),
            }
        }
        let own = self
            .mentoring_type(type_id)
            .and_then(|t| t.stages.iter().find(|o| o.stage == stage))
            .and_then(|o| pick(&o.actions, hook));
        own.or_else(|| pick(&self.stage(stage)?.actions, hook))
    }
}

/// The code a given reason starts with: `no-time` of `no-time: details`.
pub fn reason_code_of(given: &str) -> &str {
    given.split(':').next().unwrap_or_default().trim()
}

impl Program {
    /// Whether a notification is sent when an occurrence of `schedule` comes due next
    /// (`on = ["due:NAME"]` or `["due"]`): only then does a tick log it.
    pub fn announces(&self, schedule: &str) -> bool {
        self.notifications.iter().any(|n| {
            n.on.iter()
                .any(|t| t == "due" || t.strip_prefix("due:") == Some(schedule))
        })
    }

    /// The declared reason code `given` starts with (`no-time` or `no-time: details`), when
    /// the program declares codes; `Err` with the codes when it names none of them.
    pub fn reason_code<'a>(&'a self, given: &str) -> Result<Option<&'a Reason>, Vec<String>> {
        if self.reasons.is_empty() {
            return Ok(None);
        }
        let code = reason_code_of(given);
        match self.reasons.iter().find(|r| r.code == code) {
            Some(r) => Ok(Some(r)),
            None => Err(self.reasons.iter().map(|r| r.code.clone()).collect()),
        }
    }
}

/// What must hold of every pairing at every moment (`[[invariants]]`): checked by `simulate`
/// after every step and looked for by `simulate --explore`, never by the store's commands.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Invariant {
    /// Its name.
    pub name: String,
    /// What it means, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The compiled script, true when the invariant holds.
    pub script: Script,
}

/// A named Rhai script that returns true or false.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Criterion {
    /// Its name, usable as a guard.
    pub name: String,
    /// What it measures.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The compiled script.
    pub script: Script,
}

/// A compiled Rhai script with what it reads, compiled once when the program is loaded.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Script {
    /// The source text.
    pub source: String,
    /// One line for messages: comments dropped; `… ` and the final expression when the
    /// script has statements.
    #[serde(skip)]
    pub summary: String,
    /// The `facts.NAME` the script reads, sorted.
    #[serde(skip)]
    pub facts_read: BTreeSet<String>,
    /// The `.NAME`s it reads from anything but `facts` (participants' attributes, mostly).
    #[serde(skip)]
    pub properties_read: BTreeSet<String>,
    /// Which script variables it uses (bit i: `SCRIPT_VARIABLES[i]`), so a run only builds
    /// those; all bits when the script defines functions or closures.
    #[serde(skip)]
    pub variables: u32,
    /// The criteria it reads as variables (`success && ...`): evaluated before it runs.
    #[serde(skip)]
    pub criteria_read: Vec<String>,
    /// The `entries.X`, `first_entered.X` and `taken.X` it reads: (variable, key).
    #[serde(skip)]
    pub history_read: Vec<(String, String)>,
    /// Top-level `&&` parts of the script's final expression, each compiled on its own (after
    /// the script's statements) so a refusal can say which part was false. Empty when there
    /// is only one operand.
    #[serde(skip)]
    pub parts: Vec<ScriptPart>,
    /// The compiled form.
    #[serde(skip)]
    pub ast: rhai::AST,
    /// The same script compiled for native runs, when it holds only what those run.
    #[serde(skip)]
    pub native: Option<crate::native::Native>,
    /// Where it lives, for error messages at run time.
    #[serde(skip)]
    pub origin: ScriptOrigin,
}

/// One top-level `&&` operand of a guard.
#[derive(Debug, Clone)]
pub struct ScriptPart {
    /// Its source text, as shown (without the statements it runs after).
    pub source: String,
    /// The `facts.NAME` it reads.
    pub facts_read: BTreeSet<String>,
    /// The `.NAME`s it reads from anything but `facts`.
    pub properties_read: BTreeSet<String>,
    /// Script variables it uses, as in [`Script::variables`].
    pub variables: u32,
    /// The compiled operand.
    pub ast: rhai::AST,
}

/// Where a script's text sits, so a script line and column map to a file line and column.
#[derive(Debug, Clone, Default)]
pub struct ScriptOrigin {
    /// What the script is, e.g. "guard of transition preparation -> orientation".
    pub what: String,
    /// The file holding the text.
    pub path: PathBuf,
    /// Line and column in that file of the script's first character.
    pub start: LineCol,
}

impl Default for LineCol {
    fn default() -> Self {
        LineCol { line: 1, col: 1 }
    }
}

impl ScriptOrigin {
    /// The file position of a script's 1-based line and column.
    pub fn locate(&self, line: usize, col: usize) -> LineCol {
        if line <= 1 {
            LineCol {
                line: self.start.line,
                col: self.start.col + col.saturating_sub(1),
            }
        } else {
            LineCol {
                line: self.start.line + line - 1,
                col,
            }
        }
    }
}

/// A participant role within a type, with how many a pairing must have.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Role {
    /// e.g. mentor, mentee, peer.
    pub name: crate::Name,
    /// At least this many.
    pub min: u32,
    /// At most this many.
    pub max: u32,
}

/// A per-type change to one stage.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StageOverride {
    /// The stage changed.
    pub stage: String,
    /// Another due duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    /// An extra guard on every non-timer transition leaving the stage from it (not on `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<Script>,
    /// Actions of this type's own, each in place of the stage's action of the same hook.
    #[serde(skip_serializing_if = "Actions::is_empty")]
    pub actions: Actions,
}

/// A mentoring type: one-on-one, peer, group, reverse, virtual or any other.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MentoringType {
    /// Identifier, e.g. `one-on-one`.
    pub id: crate::Name,
    /// Human title.
    pub title: String,
    /// What the type is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Roles with counts.
    pub roles: Vec<Role>,
    /// Attributes every participant must carry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// A rule over the participants that must hold at enrolment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Script>,
    /// Stage overrides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageOverride>,
    /// How `match` judges pairs of this type, instead of the program's `[matching]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    /// Where it is declared.
    #[serde(skip)]
    pub span: Span,
}

impl Program {
    /// The stage with id `id`.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        // The engine asks with a pairing's interned stage: found by address first.
        self.stages
            .iter()
            .find(|s| std::ptr::eq(s.id.as_str(), id))
            .or_else(|| self.stages.iter().find(|s| s.id == id))
    }

    /// The schedule `name` as it applies to type `type_id` (a type may declare its own), else
    /// the first of that name.
    pub fn schedule(&self, name: &str, type_id: &str) -> Option<&Schedule> {
        let named = || self.schedules.iter().filter(move |s| s.name == name);
        named()
            .find(|s| s.applies_to(type_id))
            .or_else(|| named().next())
    }

    /// The declared fact `name`.
    pub fn fact(&self, name: &str) -> Option<&Declaration> {
        self.facts.iter().find(|f| f.name == name)
    }

    /// The criterion `name`.
    pub fn criterion(&self, name: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.name == name)
    }

    /// How pairs of type `type_id` are matched: the type's own `[types.ID.matching]`, else the
    /// program's `[matching]`.
    pub fn matching_for(&self, type_id: &str) -> Option<&Matching> {
        self.mentoring_type(type_id)
            .and_then(|t| t.matching.as_ref())
            .or(self.matching.as_ref())
    }

    /// The type `id`.
    pub fn mentoring_type(&self, id: &str) -> Option<&MentoringType> {
        // The engine asks with a pairing's interned type id: found by address, no text
        // compared (it asks on every move and guard).
        self.types
            .iter()
            .find(|t| std::ptr::eq(t.id.as_str(), id))
            .or_else(|| self.types.iter().find(|t| t.id == id))
    }

    /// Transitions leaving `stage`, in order (timer transitions included).
    pub fn outgoing<'a>(&'a self, stage: &'a Stage) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions.iter().filter(move |t| t.leaves(stage))
    }

    /// The due duration of `stage` for pairings of type `type_id` (overrides applied).
    pub fn due(&self, stage: &Stage, type_id: &str) -> Option<Due> {
        self.stage_override(type_id, &stage.id)
            .and_then(|o| o.due)
            .or(stage.due)
    }

    /// The facts a pairing of type `type_id` has a use for: every fact but those that only
    /// other types' stage overrides or rules read (`video_ready` only for virtual pairings).
    pub fn facts_for_type(&self, type_id: &str) -> Vec<&crate::value::Declaration> {
        let mut everyone: BTreeSet<&str> = BTreeSet::new();
        for t in &self.transitions {
            match &t.guard {
                Some(Guard::Script(s)) => everyone.extend(s.facts_read.iter().map(String::as_str)),
                Some(Guard::Criterion(c)) => {
                    if let Some(c) = self.criterion(c) {
                        everyone.extend(c.script.facts_read.iter().map(String::as_str));
                    }
                }
                None => {}
            }
        }
        fn read_by(ty: &MentoringType) -> BTreeSet<&str> {
            ty.rule
                .iter()
                .chain(ty.stages.iter().filter_map(|o| o.guard.as_ref()))
                .flat_map(|s| s.facts_read.iter().map(String::as_str))
                .collect()
        }
        let own = self
            .mentoring_type(type_id)
            .map(read_by)
            .unwrap_or_default();
        let others: BTreeSet<&str> = self
            .types
            .iter()
            .filter(|t| t.id != type_id)
            .flat_map(read_by)
            .collect();
        self.facts
            .iter()
            .filter(|f| f.per.is_none())
            .filter(|f| {
                let name = f.name.as_str();
                everyone.contains(name) || own.contains(name) || !others.contains(name)
            })
            .collect()
    }

    /// The override a type declares for a stage, if any.
    pub fn stage_override(&self, type_id: &str, stage: &str) -> Option<&StageOverride> {
        self.mentoring_type(type_id)?
            .stages
            .iter()
            .find(|o| o.stage == stage)
    }
}
