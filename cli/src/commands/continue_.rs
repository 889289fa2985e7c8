//! `mentorflow continue PAIRING`: an ended pairing continues as a new one (a one-off session
//! into a six-month one-on-one, "not a fit" re-paired with another mentor).

use std::path::PathBuf;

use mentorflow_engine::Continue;

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Continue an ended pairing as a new one, linked to it: another type or program, the same or
/// other participants, facts carried over.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow continue [OPTIONS] <PAIRING>",
    after_help = "What is not given comes from the successor its stage declares ([stages.ID.successor]),\nelse from the pairing that ended: its program version, its type, the same people.\n\nExamples:\n  mentorflow continue p-4 --type one-on-one --carry goals_total\n  mentorflow continue p-7 --person mentor=eko,grade=10 --person \\\n    mentee=dewi,grade=5\n  mentorflow continue p-9 --program programs/leadership-cohort.toml --type \\\n    one-on-one"
)]
pub struct Args {
    /// The ended pairing (id or label).
    pairing: String,
    /// Program file (TOML) the new pairing runs on; its current version is stored. Default:
    /// the version the ended pairing runs on.
    #[arg(long)]
    program: Option<PathBuf>,
    /// Mentoring type of the new pairing.
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Who takes part in the new pairing, ROLE=ID followed by attributes (repeat); default:
    /// the same people.
    #[arg(long = "person", value_name = "ROLE=ID[,ATTR=VALUE...]")]
    persons: Vec<String>,
    /// A fact to carry over besides those the successor declaration names (repeat).
    #[arg(long, value_name = "FACT")]
    carry: Vec<String>,
    /// The running stage the new pairing starts in (default: the one its stage's successor
    /// declares, else the program's initial stage).
    #[arg(long, value_name = "STAGE")]
    stage: Option<String>,
    /// Print the stored events and the changed pairings as JSON (`mentorflow schema changes`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Continues.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    let program = match &args.program {
        Some(path) => Some(super::load_program(path, output).map_err(Failure::Reported)?),
        None => None,
    };
    let of_people = match &program {
        Some(p) => std::sync::Arc::new(p.clone()),
        None => super::pairing_program(&mut coordinator, &args.pairing)?,
    };
    let participants = if args.persons.is_empty() {
        None
    } else {
        Some(
            args.persons
                .iter()
                .map(|p| crate::input::person::participant(&of_people, p))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let how = Continue {
        type_id: args.type_id.clone(),
        participants,
        carry: args.carry.clone(),
        stage: args.stage.clone(),
    };
    let path = args.program.as_ref().map(|p| p.display().to_string());
    let to = program.as_ref().zip(path.as_deref());
    let successor = coordinator.continue_pairing(&args.pairing, to, &how)?;
    let ended = coordinator.pairing(&args.pairing)?;
    if args.json {
        let continued = coordinator.log(Some(&ended.id))?.pop();
        let mut events: Vec<_> = continued.into_iter().collect();
        events.extend(coordinator.log(Some(&successor))?);
        return super::stored(&coordinator, &events, true, output);
    }
    let names = coordinator.directory()?;
    for e in coordinator.log(Some(&successor))? {
        writeln!(output.out, "{}", render::event(&e, &names))?;
    }
    writeln!(output.out, "{} continues as {successor}", ended.id)?;
    Ok(EXIT_OK)
}
