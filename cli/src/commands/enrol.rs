//! `mentorflow enrol PROGRAM --type T --person ROLE=ID,ATTR=VALUE...`: one pairing.

use std::path::PathBuf;

use mentorflow_engine::Enrolment;

use crate::failure::{CommandResult, Failure};
use crate::input::person;
use crate::store_args::StoreArgs;
use crate::{Output, EXIT_OK};

/// Enrol a pairing: a program, a type and its participants.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow enrol programs/mentoring.toml --type one-on-one --person \\\n    mentor=ana,experience_years=12 --person mentee=budi,experience_years=1 \\\n    --fact goals_total=3\n  mentorflow enrol programs/leadership-cohort.toml --type one-on-one \\\n    --person mentor=e002 --person mentee=e015   # registered people",
    override_usage = "mentorflow enrol [OPTIONS] --type <TYPE> --person <ROLE=ID[,ATTR=VALUE...]> <PROGRAM>"
)]
pub struct Args {
    /// Program file (TOML); its current version is stored and the pairing pinned to it.
    program: PathBuf,
    /// Mentoring type, e.g. one-on-one.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: String,
    /// A participant: ROLE=ID followed by attributes, e.g. mentor=ana,experience_years=12 (repeat).
    #[arg(
        long = "person",
        value_name = "ROLE=ID[,ATTR=VALUE...]",
        required = true
    )]
    persons: Vec<String>,
    /// A fact known from the start, NAME=VALUE, recorded in the same command (repeat).
    #[arg(long = "fact", value_name = "NAME=VALUE")]
    facts: Vec<String>,
    /// Enrol even when the same people already take part in a running pairing of the program.
    #[arg(long)]
    allow_duplicate: bool,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Enrols one pairing.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let participants = args
        .persons
        .iter()
        .map(|p| person::participant(&program, p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    coordinator.allow_same_participants(args.allow_duplicate);
    let facts = args
        .facts
        .iter()
        .map(|f| person::fact(&program, f))
        .collect::<Result<Vec<_>, _>>()?;
    let enrolment = Enrolment {
        type_id: args.type_id.clone(),
        participants,
        label: None,
        facts,
    };
    let p = coordinator.enrol(&program, &args.program.display().to_string(), &enrolment)?;
    if args.json {
        let events = coordinator.log(Some(&p.id))?;
        return super::stored(&coordinator, &events, true, output);
    }
    writeln!(
        output.out,
        "enrolled {} in {} as {}, stage {}",
        p.id, p.program_id, p.type_id, p.stage
    )?;
    Ok(EXIT_OK)
}
