//! The flags that pick pairings, the same on `list` and `report`.

/// Where pairings stand: the flags every command that picks pairings takes (`replay` these
/// only, `list` and `report` with the rest of [`SelectArgs`]).
#[derive(Debug, Clone, clap::Args)]
pub struct StandsArgs {
    /// Only pairings in this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Only this mentoring type.
    #[arg(long = "type", value_name = "TYPE")]
    pub type_id: Option<String>,
    /// Only this outcome (success, withdrawn ...), or `active`.
    #[arg(long)]
    pub outcome: Option<String>,
}

/// Which pairings: every flag narrows the selection.
#[derive(Debug, Clone, clap::Args)]
pub struct SelectArgs {
    #[command(flatten)]
    pub stands: StandsArgs,
    /// Only this program id.
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::completion::programs))]
    pub program: Option<String>,
    /// Only overdue pairings.
    #[arg(long)]
    pub overdue: bool,
    /// Only running pairings that cannot advance now (with what they wait on).
    #[arg(long)]
    pub blocked: bool,
    /// Only ended pairings whose reason starts with this code (`other`: none of the codes).
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    /// Only pairings with a missed occurrence of a schedule; `list` names which, with when
    /// each was due.
    #[arg(long)]
    pub missed: bool,
    /// Only pairings with a deadline within this long (7d: this week's deadlines): their stage
    /// falls due, or an occurrence of a schedule; `list` says what is due when.
    #[arg(long, value_name = "DURATION", value_parser = mentorflow_dsl::Due::parse)]
    pub due_within: Option<mentorflow_dsl::Due>,
    /// Only pairings a tick warned that a timer will move them (and it has not yet).
    #[arg(long)]
    pub warned: bool,
    /// Only the pairings this person takes or took part in (any role), running and ended.
    #[arg(long, value_name = "ID")]
    pub person: Option<String>,
}

impl SelectArgs {
    /// The engine's selection these flags ask for.
    pub fn selection(&self) -> mentorflow_engine::Selection {
        mentorflow_engine::Selection {
            stage: self.stands.stage.clone(),
            type_id: self.stands.type_id.clone(),
            program: self.program.clone(),
            outcome: self.stands.outcome.clone(),
            overdue: self.overdue,
            blocked: self.blocked,
            reason: self.reason.clone(),
            missed: self.missed,
            due_within: self.due_within,
            warned: self.warned,
            person: self.person.clone(),
        }
    }
}
