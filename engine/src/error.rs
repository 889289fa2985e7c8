//! The engine's errors: each says what is wrong and, where it can, how to fix it.

use crate::explain::Candidate;
use crate::runtime::ScriptError;

/// Everything that can refuse or fail an engine operation. A refused operation changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// `--type` names no type of the program.
    #[error("program `{program}` has no type `{type_id}`{hint}; its types are: {types}")]
    UnknownType {
        /// Program id.
        program: String,
        /// The name given.
        type_id: String,
        /// " (did you mean `x`?)" or "".
        hint: String,
        /// Declared types.
        types: String,
    },
    /// The enrolment breaks the type's rules.
    #[error("cannot enrol as type `{type_id}`:\n{}", reasons.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n"))]
    EnrolmentRefused {
        /// The type.
        type_id: String,
        /// Every rule broken, with the values involved.
        reasons: Vec<String>,
    },
    /// A fact the program does not declare.
    #[error("program `{program}` declares no fact `{name}`{hint}")]
    UnknownFact {
        /// Program id.
        program: String,
        /// The fact named.
        name: String,
        /// " (did you mean `x`?)" or the list of facts.
        hint: String,
    },
    /// A value that breaks the fact's declaration.
    #[error("bad value for fact `{name}`: {message}")]
    BadValue {
        /// Fact name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A stage name that is not in the program.
    #[error("program `{program}` has no stage `{name}`{hint}")]
    UnknownStage {
        /// Program id.
        program: String,
        /// The stage named.
        name: String,
        /// Did-you-mean or the list of stages.
        hint: String,
    },
    /// The pairing has finished.
    #[error("pairing {pairing} is in terminal stage `{stage}` (outcome: {outcome}) and never moves again")]
    Terminal {
        /// Pairing id.
        pairing: String,
        /// Its stage.
        stage: String,
        /// Its outcome.
        outcome: String,
    },
    /// No transition could be taken; the explanation says why for each candidate.
    #[error("{}", render_refusal(.pairing, .stage, .to.as_deref(), .candidates))]
    Refused {
        /// Pairing id.
        pairing: String,
        /// Current stage.
        stage: String,
        /// The stage asked for with --to.
        to: Option<String>,
        /// Every candidate with its guard evaluation.
        candidates: Vec<Candidate>,
    },
    /// `--to` names a stage no transition from here leads to.
    #[error(
        "no transition leads from `{from}` to `{to}`; from `{from}` a pairing can go to: {options}"
    )]
    NoSuchTransition {
        /// Current stage.
        from: String,
        /// Asked-for stage.
        to: String,
        /// Reachable stages.
        options: String,
    },
    /// A script failed; the pairing stays where it was.
    #[error("{0}; pairing left unchanged")]
    Script(#[from] ScriptError),
    /// A forced move or a withdraw without a reason.
    #[error("{0} needs a reason: add --reason \"...\" (it goes into the audit log)")]
    ReasonRequired(&'static str),
    /// The program has no `from = "*"` transition to withdraw with.
    #[error("program `{0}` has no withdraw transition (from = \"*\" to a terminal stage); add one to the program")]
    NoWithdrawTransition(String),
    /// A command dated before the pairing's latest event.
    #[error("the time {} is before {pairing}'s latest event ({}); events are recorded in time order, so use a later --now", now.format("%Y-%m-%d %H:%M"), latest.format("%Y-%m-%d %H:%M"))]
    BeforeLatestEvent {
        /// Pairing id.
        pairing: String,
        /// The time asked for.
        now: chrono::DateTime<chrono::Utc>,
        /// The pairing's latest event time.
        latest: chrono::DateTime<chrono::Utc>,
    },
    /// An empty actor name.
    #[error("the actor is empty; pass --actor NAME (it goes into the audit log)")]
    NoActor,
    /// The events of a pairing could not be folded.
    #[error("pairing history is inconsistent: {0}")]
    Fold(#[from] crate::pairing::FoldError),
}

fn render_refusal(
    pairing: &str,
    stage: &str,
    to: Option<&str>,
    candidates: &[Candidate],
) -> String {
    let mut out = match to {
        Some(to) => format!(
            "cannot advance pairing {pairing} from `{stage}` to `{to}`: its guard does not hold\n"
        ),
        None if candidates.is_empty() => format!(
            "cannot advance pairing {pairing} from `{stage}`: no transition leaves it on advance\n"
        ),
        None => format!(
            "cannot advance pairing {pairing} from `{stage}`: no transition's guard holds\n"
        ),
    };
    for c in candidates {
        c.render(&mut out, "  ");
    }
    let needs: Vec<String> = candidates
        .iter()
        .flat_map(|c| [&c.guard, &c.extra])
        .flatten()
        .flat_map(|g| match &g.verdict {
            crate::explain::Verdict::NeedsFacts(n) => n.clone(),
            _ => Vec::new(),
        })
        .collect();
    if let Some(first) = needs.first() {
        out.push_str(&format!("  help: record the missing facts first, e.g. `mentorflow record {pairing} {first}=...`\n"));
    } else if !candidates.is_empty() {
        out.push_str(&format!("  help: record the facts that make a guard hold, or move it anyway with `mentorflow advance {pairing} --to STAGE --force --reason \"...\"`\n"));
    }
    out.trim_end().to_string()
}
