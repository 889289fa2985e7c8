//! Scenario files for testers: a program, its people and pairings, a start time and steps; run
//! on a fixed clock into a deterministic transcript (same input, same bytes). One pairing is
//! written at the top (`type`, `participants`); a cohort as `[[pairings]]`, a roster to
//! `import`, or pairs `match` proposes, with steps addressed to a pairing (`pairing = "m001"`),
//! a person or the whole cohort (`tick`, `advance_all`, a fact `sheet`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mentorflow_dsl::{Program, Value, ValueKind};
use serde::Deserialize;

use crate::model::event::Participant;

pub use super::expect::REPORT_COUNTS;
pub use super::explore::{explore, step_table, Exploration, Explored, Found};
pub use super::files::{Files, NoFiles};
pub use super::run::{run, REFUSALS};
pub use super::transcript::{Entry, Expectation, Failure, Problem, StepKind, Transcript};
pub use crate::decide::invariants::Broken;

/// A scenario as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The program file, relative to the scenario file.
    pub program: PathBuf,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Start of the fixed clock.
    pub start: toml::value::Datetime,
    /// Actor for steps that name none.
    #[serde(default = "default_actor")]
    pub actor: String,
    /// One pairing, written at the top: its mentoring type (with `participants`).
    #[serde(rename = "type")]
    pub type_id: Option<String>,
    /// That pairing's id in the transcript.
    #[serde(default = "default_pairing")]
    pub pairing: String,
    /// `"refused"` when that pairing's enrolment must be refused (a type rule test).
    #[serde(default)]
    pub expect_enrolment: Option<String>,
    /// Who takes part in that pairing.
    #[serde(default)]
    pub participants: Vec<ScenarioParticipant>,
    /// The people registry at the start: a people file (CSV, as `people import` reads it)
    /// beside the scenario, or the people written out.
    pub people: Option<People>,
    /// Pairings enrolled at the start, in order.
    #[serde(default)]
    pub pairings: Vec<PairingSpec>,
    /// What happens, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// The folder the scenario was read from: its files are found from there.
    #[serde(skip)]
    pub folder: PathBuf,
}

fn default_pairing() -> String {
    "p-1".into()
}

fn default_actor() -> String {
    "coordinator".into()
}

/// The registry's people: a file, or written out.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "a people file beside the scenario (people = \"people.csv\"), or [[people]] tables with an id each"
)]
pub enum People {
    /// A people file (CSV: id, name, manager, one column per attribute).
    File(PathBuf),
    /// The people, each as a table.
    Written(Vec<ScenarioPerson>),
}

/// A person of the registry as a scenario writes them: `id`, `name`, `manager` and any other
/// key an attribute (`role = "mentor"`, `grade = 9`).
#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioPerson {
    /// Person id.
    pub id: String,
    /// Their name.
    pub name: Option<String>,
    /// Their manager's id.
    pub manager: Option<String>,
    /// Their attributes.
    #[serde(flatten)]
    pub attributes: BTreeMap<String, toml::Value>,
}

/// A pairing to enrol: its type and participants, and the id it goes by in the scenario (a
/// label, as a roster's `pairing` cell).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingSpec {
    /// The id steps address it by (the store numbers it p-1, p-2 ...; both work).
    pub id: Option<String>,
    /// Mentoring type.
    #[serde(rename = "type")]
    pub type_id: String,
    /// Who takes part; a registered person needs only id and role.
    pub participants: Vec<ScenarioParticipant>,
}

/// A participant in a scenario; attributes are TOML values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioParticipant {
    /// Person id.
    pub id: String,
    /// Role.
    pub role: String,
    /// Attributes (a registered person's come from the registry).
    #[serde(default)]
    pub attributes: BTreeMap<String, toml::Value>,
}

/// `match = { type = "...", rematch = "PAIRING", exclude = ["MENTOR:MENTEE"] }`: the
/// registry's mentors and mentees paired as `mentorflow match --apply` pairs them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchStep {
    /// The type to pair for.
    #[serde(rename = "type")]
    pub type_id: String,
    /// A new mentor for the mentee of this ended pairing (it continues as a new pairing).
    pub rematch: Option<String>,
    /// Pairs never proposed, as MENTOR:MENTEE.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// A notification `expect_outbox` lists: the fields given must match.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExpectedNotice {
    /// The notification's name.
    pub notification: String,
    /// Its pairing.
    pub pairing: Option<String>,
    /// Who it goes to (person ids), in order.
    pub to: Option<Vec<String>>,
    /// Its rendered subject.
    pub subject: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
}

/// `refused = true` (refused by what the step kind can be refused by), or the refusal
/// expected: `guards`, `reason`, `capacity`, `same-people`, `rules`, `value`, `occurrence`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(
    untagged,
    expecting = "true, false, or the kind of refusal expected: \"guards\", \"reason\", \"capacity\", \"same-people\", \"rules\", \"value\" or \"occurrence\""
)]
pub enum Refused {
    /// `true` or `false`.
    Any(bool),
    /// The kind of refusal.
    Kind(String),
}

impl Step {
    /// Whether it expects something of one pairing.
    pub(crate) fn expects_of_a_pairing(&self) -> bool {
        self.expect_stage.is_some()
            || self.expect_overdue.is_some()
            || self.expect_blocked.is_some()
            || self.expect_facts.is_some()
            || self.expect_health.is_some()
            || self.expect_successor.is_some()
            || self.expect_reason.is_some()
    }

    /// Whether it expects anything (of a pairing or of the cohort).
    pub(crate) fn expects(&self) -> bool {
        self.expects_of_a_pairing()
            || self.expect_outbox.is_some()
            || self.expect_board.is_some()
            || self.expect_pairings.is_some()
            || self.expect_report.is_some()
    }
}

/// One step; exactly one action key per step (or expectations only).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The pairing the step is for (its id or label); needed once several pairings run.
    pub pairing: Option<String>,
    /// Move the clock forward (`3d`, `2w`, `1mo`).
    pub wait: Option<String>,
    /// Move the clock to a time (`2026-04-01T09:00:00Z`, a date) or by a duration (`+3w`).
    pub at: Option<toml::Value>,
    /// Record facts (one event, in the order written).
    pub record: Option<toml::Table>,
    /// Add to number facts (one event): `add = { meetings = 1 }`, as `record meetings+=1`.
    pub add: Option<toml::Table>,
    /// With `record`, `add` or `done`: the person the facts (or the occurrence of a schedule
    /// kept per person) are for.
    pub person: Option<String>,
    /// Someone joins the pairing.
    pub join: Option<ScenarioParticipant>,
    /// This person leaves the pairing (needs `reason`).
    pub leave: Option<String>,
    /// This person is replaced by the one in `by` (`reason` optional).
    pub replace: Option<String>,
    /// With `replace`: who takes their place.
    pub by: Option<ScenarioParticipant>,
    /// `true`, or the stage to advance to.
    pub advance: Option<toml::Value>,
    /// Advance every running pairing as far as its guards allow (`advance --all`).
    #[serde(default)]
    pub advance_all: bool,
    /// The step must be refused: `true`, or by what (see [`Refused`]).
    pub refused: Option<Refused>,
    /// Force a move to this stage (needs `reason`).
    pub force: Option<String>,
    /// Withdraw with this reason.
    pub withdraw: Option<String>,
    /// Record an occurrence of this schedule done (now), with the facts in `with`.
    pub done: Option<String>,
    /// With `done`: facts the occurrence records.
    pub with: Option<toml::Table>,
    /// Run the timers of every pairing at the current time.
    #[serde(default)]
    pub tick: bool,
    /// Enrol a pairing.
    pub enrol: Option<PairingSpec>,
    /// Enrol a roster (CSV beside the scenario, as `import` reads it), all or none.
    pub import: Option<PathBuf>,
    /// Pair the registry's mentors and mentees (`match --apply`), or find a new mentor.
    #[serde(rename = "match")]
    pub match_: Option<MatchStep>,
    /// Add or change people of the registry (`people import`): only the fields written.
    pub register: Option<Vec<ScenarioPerson>>,
    /// Mark this person inactive, with `reason` (`people deactivate`): never proposed by
    /// `match` nor enrolled again; their running pairings go on.
    pub deactivate: Option<String>,
    /// Make this inactive person active again (`people reactivate`).
    pub reactivate: Option<String>,
    /// Record a fact sheet (CSV beside the scenario, as `record --file` reads it).
    pub sheet: Option<PathBuf>,
    /// Hand every pending notification to a stand-in deliverer that `delivers` or `fails`.
    pub deliver: Option<String>,
    /// The stage the pairing must be in now.
    pub expect_stage: Option<String>,
    /// The pairing must (true) or must not (false) be overdue now.
    pub expect_overdue: Option<bool>,
    /// The pairing must (true) or must not (false) be blocked now: running, and no advance
    /// transition can be taken (what `list --blocked` shows).
    pub expect_blocked: Option<bool>,
    /// Facts the pairing must hold now (only those written).
    pub expect_facts: Option<toml::Table>,
    /// How the pairing is doing: `on track`, `needs a check-in`, `at risk`.
    pub expect_health: Option<String>,
    /// The pairing continued (true) or did not (false) as a successor.
    pub expect_successor: Option<bool>,
    /// The reason code the pairing ended with.
    pub expect_reason: Option<String>,
    /// The outbox holds exactly these notifications (of the pairing, when one is named).
    pub expect_outbox: Option<Vec<ExpectedNotice>>,
    /// How many pairings are in each stage (the board); stages not written are not checked.
    pub expect_board: Option<BTreeMap<String, u64>>,
    /// How many pairings the store holds.
    pub expect_pairings: Option<u64>,
    /// The cohort report's counts (as `mentorflow report` shows them): `pairings`, `running`,
    /// `at_risk`, `needs_check_in`, `on_track`; those not written are not checked.
    pub expect_report: Option<BTreeMap<String, u64>>,
    /// The reason for `force`, `leave` or `replace`, or given with `advance` (a code the
    /// transition may ask for).
    pub reason: Option<String>,
    /// Who does this step.
    pub actor: Option<String>,
}

/// Why a scenario could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Unreadable file.
    #[error("cannot read scenario `{path}`: {message}")]
    Read {
        /// Path.
        path: PathBuf,
        /// Reason.
        message: String,
    },
    /// Not a valid scenario.
    #[error("scenario `{path}` is not valid: {message}")]
    Invalid {
        /// Path.
        path: PathBuf,
        /// What is wrong (from the TOML reader, with line and column).
        message: String,
        /// The file has a `[program]` table: it is a program, not a scenario.
        program_file: bool,
    },
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = mentorflow_dsl::files::read_text(path).map_err(|e| ScenarioError::Read {
            path: path.into(),
            message: e.to_string(),
        })?;
        Scenario::parse(path, &text)
    }

    /// Reads a scenario from its text, as if read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Invalid {
            path: path.into(),
            message: e.to_string().trim_end().to_string(),
            program_file: text.lines().any(|l| l.trim() == "[program]"),
        })?;
        scenario.folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(scenario)
    }

    /// The program path resolved against the scenario's folder, through the file gate: a
    /// `.toml` file, links followed; what is wrong otherwise, in words.
    pub fn program_path(&self, scenario_path: &Path) -> Result<PathBuf, String> {
        let folder = scenario_path.parent().unwrap_or(Path::new("."));
        mentorflow_dsl::files::program_named(folder, &self.program).map_err(|problem| {
            format!(
                "its program `{}` cannot be used: {problem}; name the program's .toml file, relative to the scenario's folder",
                self.program.display()
            )
        })
    }

    /// A file the scenario names, found from its folder.
    pub fn file(&self, name: &Path) -> PathBuf {
        self.folder.join(name)
    }
}

/// A TOML value as a typed value of `kind`; text goes through the declaration's parser.
pub fn toml_to_value(value: &toml::Value, kind: ValueKind) -> Option<Value> {
    Some(match (kind, value) {
        (ValueKind::Bool, toml::Value::Boolean(b)) => Value::Bool(*b),
        (ValueKind::Int, toml::Value::Integer(i)) => Value::Int(*i),
        (ValueKind::Float, toml::Value::Float(x)) => Value::Float(*x),
        (ValueKind::Float, toml::Value::Integer(i)) => Value::Float(*i as f64),
        (ValueKind::Text, toml::Value::String(s)) => Value::Text(s.clone()),
        (ValueKind::Date, toml::Value::Datetime(d)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d").ok()?)
        }
        (ValueKind::Date, toml::Value::String(s)) => {
            Value::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?)
        }
        (ValueKind::List, toml::Value::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| i.as_str().map(String::from))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

impl ScenarioParticipant {
    /// The participant, its attributes typed as the program declares them.
    pub(crate) fn participant(&self, program: &Program) -> Participant {
        Participant {
            id: self.id.clone(),
            role: self.role.as_str().into(),
            attributes: self
                .attributes
                .iter()
                .map(|(k, v)| {
                    let kind = program.attributes.iter().find(|a| a.name == *k);
                    (k.clone(), typed(v, kind.map(|a| a.kind)))
                })
                .collect(),
            facts: BTreeMap::new(),
            managers: Vec::new(),
        }
    }
}

impl ScenarioPerson {
    /// The registry edit: the fields written set, the others stay.
    pub(crate) fn edit(&self) -> crate::model::person::PersonEdit {
        use crate::model::person::Change;
        let text = |v: &toml::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        crate::model::person::PersonEdit {
            id: self.id.clone(),
            name: self.name.clone().map(Change::Set),
            manager: self.manager.clone().map(Change::Set),
            attributes: self
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), Change::Set(text(v))))
                .collect(),
            inactive: None,
        }
    }
}

/// A TOML value as the kind declared for it (else as it looks). A value not of the declared
/// kind is kept as written, for the store to refuse by its declaration (a string without its
/// TOML quotes).
pub(crate) fn typed(value: &toml::Value, kind: Option<ValueKind>) -> Value {
    let guess = match value {
        toml::Value::Boolean(_) => ValueKind::Bool,
        toml::Value::Integer(_) => ValueKind::Int,
        toml::Value::Float(_) => ValueKind::Float,
        toml::Value::Array(_) => ValueKind::List,
        _ => ValueKind::Text,
    };
    toml_to_value(value, kind.unwrap_or(guess)).unwrap_or_else(|| match value {
        toml::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    })
}
