//! `mentorflow done PAIRING SCHEDULE [--on TIME] [FACT=VALUE...]`: an occurrence of a
//! schedule (a check-in, a session, a survey) held, with the facts it records.

use mentorflow_engine::FactChange;

use crate::failure::{CommandResult, Failure};
use crate::input::facts;
use crate::store_args::StoreArgs;
use crate::Output;

/// Record an occurrence of a schedule done: a check-in held, a survey answered.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow done [OPTIONS] <PAIRING> <SCHEDULE> [FACT=VALUE]...",
    after_help = "Examples:\n  mentorflow done p-4 one_on_one\n  mentorflow done p-4 pulse_survey pulse_score=4 --on 2026-03-02\n  mentorflow done p-4 check_in --person dewi\n\nIt counts for the first occurrence not yet done and not missed by then, once its period has begun (a second done in the same week is refused); `mentorflow status p-4` shows each schedule with its next due occurrence."
)]
pub struct Args {
    /// Pairing id, e.g. p-12.
    pairing: String,
    /// The schedule, as the program names it under [schedules].
    schedule: String,
    /// Facts the schedule records with an occurrence, as NAME=VALUE (a survey's score).
    #[arg(value_name = "FACT=VALUE")]
    facts: Vec<String>,
    /// The person it was done for, when the schedule is kept per person (`per = "mentee"`).
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// When it happened (default: now); same forms as --now, never later than the command.
    #[arg(long, value_name = "TIME", value_parser = crate::store_args::parse_time, allow_hyphen_values = true)]
    on: Option<crate::store_args::When>,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
}

/// Records the occurrence.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let facts = args
        .facts
        .iter()
        .map(|text| {
            facts::assignment(text)
                .map(|(n, v)| (n.to_string(), FactChange::Set(v.to_string())))
                .ok_or_else(|| {
                    Failure::Usage(format!("`{text}` is not FACT=VALUE, e.g. pulse_score=4"))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut coordinator = store.open()?;
    let on = args
        .on
        .map(|when| when.resolve(&mentorflow_engine::SystemClock));
    let events = coordinator.done(
        &args.pairing,
        &args.schedule,
        on,
        &facts,
        args.person.as_deref(),
    )?;
    super::stored(&coordinator, &events, args.json, output)
}
