//! `mentorflow enrol PROGRAM --type T --person ROLE=ID,ATTR=VALUE...`: one pairing.

use std::path::PathBuf;

use mentorflow_engine::{Enrolment, Participant};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Enrol a pairing: a program, a type and its participants.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow enrol programs/mentoring.toml --type one-on-one --person mentor=ana,experience_years=12 --person mentee=budi,experience_years=1 --fact goals_total=3\n  mentorflow enrol programs/leadership-cohort.toml --type one-on-one --person mentor=e002 --person mentee=e015   # registered people",
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
}

/// Parses `ROLE=ID,ATTR=VALUE...`: a malformed spec is a usage error, a value the program
/// refuses is a refusal.
pub(crate) fn participant(
    program: &mentorflow_dsl::Program,
    spec: &str,
) -> Result<Participant, Failure> {
    let mut parts = split_spec(spec).into_iter();
    let head = parts.next().unwrap_or_default();
    let (role, id) = head
        .split_once('=')
        .ok_or_else(|| Failure::Usage(format!("`{spec}`: write ROLE=ID, e.g. mentor=ana")))?;
    if role.trim().is_empty() || id.trim().is_empty() {
        return Err(Failure::Usage(format!(
            "`{spec}`: the role and the id must not be empty, e.g. mentor=ana"
        )));
    }
    let mut attributes = mentorflow_engine::Attributes::new();
    for pair in parts {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("`{pair}` in `{spec}`: write ATTR=VALUE")))?;
        let value = attribute(program, id, name.trim(), text).map_err(Failure::Refused)?;
        if attributes.insert(name.trim().into(), value).is_some() {
            return Err(Failure::Usage(format!(
                "{id}: `{}` is given twice; give each attribute once",
                name.trim()
            )));
        }
    }
    Ok(Participant {
        id: id.trim().into(),
        role: role.trim().into(),
        attributes,
        facts: Default::default(),
        managers: Vec::new(),
    })
}

/// `spec` split at its commas, except inside `[...]` or quotes, so a list attribute can be
/// written `topics=["ai", "data"]`.
fn split_spec(spec: &str) -> Vec<&str> {
    let (mut parts, mut start, mut depth, mut quoted) = (Vec::new(), 0, 0i32, false);
    for (i, c) in spec.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// A participant attribute written as text, checked against the program's declaration.
pub(crate) fn attribute(
    program: &mentorflow_dsl::Program,
    person: &str,
    name: &str,
    text: &str,
) -> Result<mentorflow_dsl::Value, String> {
    mentorflow_engine::parse_attribute(program, name, text)
        .map_err(|e| format!("{person}: {}", render::engine_error(&e)))
}

/// Parses `NAME=VALUE` given with `--fact`.
fn fact(
    program: &mentorflow_dsl::Program,
    spec: &str,
) -> Result<(String, mentorflow_dsl::Value), Failure> {
    let (name, text) = spec.split_once('=').ok_or_else(|| {
        Failure::Usage(format!(
            "`--fact {spec}`: write NAME=VALUE, e.g. --fact goals_total=3"
        ))
    })?;
    let name = name.trim();
    // `--person` means a participant here: say how to record a fact kept per person instead.
    if let Some(per) = program.fact(name).and_then(|f| f.per.as_ref()) {
        return Err(Failure::Refused(format!(
            "fact `{name}` is recorded per {per}, not on the pairing: record it once the pairing is enrolled, with `mentorflow record PAIRING --person ID {name}=VALUE`"
        )));
    }
    mentorflow_engine::parse_fact(program, name, text.trim())
        .map(|value| (name.to_string(), value))
        .map_err(|e| Failure::Refused(render::engine_error(&e)))
}

/// Enrols one pairing.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let participants = args
        .persons
        .iter()
        .map(|p| participant(&program, p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut coordinator = store.open()?;
    coordinator.allow_same_participants(args.allow_duplicate);
    let facts = args
        .facts
        .iter()
        .map(|f| fact(&program, f))
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
