//! `mentorflow import ROSTER.csv --program P`: enrol many pairings from a CSV roster in one
//! transaction; one bad row refuses the whole file and stores nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mentorflow_engine::{EngineError, Enrolment, Error, Participant};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Enrol pairings from a CSV roster: columns pairing, type, role, id, then one column per
/// attribute. Rows with the same `pairing` label form one pairing.
// The usage line is fixed: clap's own would list the global options used (`--actor NAME`)
// beside the required ones, as if they were required too.
#[derive(Debug, clap::Args)]
#[command(override_usage = "mentorflow import [OPTIONS] --program <PROGRAM> <ROSTER>")]
pub struct Args {
    /// The roster (CSV with a header row).
    roster: PathBuf,
    /// Program file (TOML) every pairing is enrolled in.
    #[arg(long)]
    program: PathBuf,
    /// Mentoring type for rows whose `type` cell is empty (or when there is no `type` column).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
}

/// One pairing of the roster: its type and participants, with the line it starts on.
struct Group {
    label: String,
    line: u64,
    type_id: String,
    people: Vec<Participant>,
}

fn read_roster(args: &Args, program: &mentorflow_dsl::Program) -> Result<Vec<Group>, String> {
    let shown = args.roster.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&args.roster)
        .map_err(|e| format!("cannot read roster {shown}: {e}"))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{shown}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(label), Some(role), Some(id)) = (column("pairing"), column("role"), column("id"))
    else {
        return Err(format!(
            "{shown}: the header must have the columns pairing, role and id (and type, unless --type is given); found: {}",
            header.join(",")
        ));
    };
    let type_col = column("type");
    let fixed = ["pairing", "type", "role", "id"];
    let mut groups: Vec<(String, Group)> = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let row = row.map_err(|e| format!("{shown}:{line}: {e}"))?;
        let cell = |i: usize| row.get(i).unwrap_or("");
        let person = cell(id);
        if person.is_empty() || cell(role).is_empty() || cell(label).is_empty() {
            return Err(format!(
                "{shown}:{line}: pairing, role and id must not be empty"
            ));
        }
        let mut attributes = BTreeMap::new();
        for (i, name) in header
            .iter()
            .enumerate()
            .filter(|(_, h)| !fixed.contains(&h.as_str()))
        {
            if !cell(i).is_empty() {
                let value = super::enrol::attribute(program, person, name, cell(i))
                    .map_err(|e| format!("{shown}:{line}: {e}"))?;
                attributes.insert(name.clone(), value);
            }
        }
        let type_id = type_col
            .map(cell)
            .filter(|t| !t.is_empty())
            .or(args.type_id.as_deref())
            .ok_or_else(|| format!("{shown}:{line}: no type: fill the type column or pass --type"))?
            .to_string();
        let participant = Participant {
            id: person.into(),
            role: cell(role).into(),
            attributes,
        };
        match groups.iter_mut().find(|(l, _)| l == cell(label)) {
            Some((_, g)) if g.type_id != type_id => {
                return Err(format!(
                    "{shown}:{line}: pairing `{}` is `{}` on line {}, `{type_id}` here",
                    cell(label),
                    g.type_id,
                    g.line
                ));
            }
            Some((_, g)) => g.people.push(participant),
            None => groups.push((
                cell(label).to_string(),
                Group {
                    label: cell(label).to_string(),
                    line,
                    type_id,
                    people: vec![participant],
                },
            )),
        }
    }
    if groups.is_empty() {
        return Err(format!("{shown}: the roster has no rows"));
    }
    Ok(groups.into_iter().map(|(_, g)| g).collect())
}

/// Where a roster pairing starts, for messages: `roster.csv:3: pairing `a``.
fn at(roster: &str, g: &Group) -> String {
    format!("{roster}:{}: pairing `{}`", g.line, g.label)
}

/// An import refusal, each reason located at its roster line.
fn refused(roster: &str, groups: &[Group], e: Error) -> Failure {
    let Error::ImportRefused { index, error } = e else {
        return Failure::Coordinator(e);
    };
    let Some(g) = groups.get(index) else {
        return Failure::Coordinator(Error::ImportRefused { index, error });
    };
    let reasons: Vec<String> = match &*error {
        EngineError::EnrolmentRefused { problems, .. } => {
            problems.iter().map(render::enrolment_problem).collect()
        }
        other => vec![render::engine_error(other)],
    };
    let type_id = match &*error {
        EngineError::EnrolmentRefused { type_id, .. } => type_id.clone(),
        _ => g.type_id.clone(),
    };
    let lines: Vec<String> = reasons
        .iter()
        .map(|r| format!("  - {}: {r}", at(roster, g)))
        .collect();
    Failure::Refused(format!(
        "cannot enrol as type `{type_id}`:\n{}",
        lines.join("\n")
    ))
}

/// Imports the roster.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let groups = read_roster(args, &program).map_err(Failure::Refused)?;
    let mut coordinator = store.open()?;
    let roster = args.roster.display().to_string();
    let enrolments: Vec<Enrolment> = groups
        .iter()
        .map(|g| Enrolment {
            type_id: g.type_id.clone(),
            participants: g.people.clone(),
        })
        .collect();
    let created = coordinator
        .import(&program, &args.program.display().to_string(), &enrolments)
        .map_err(|e| refused(&roster, &groups, e))?;
    let n = created.len();
    writeln!(
        output.out,
        "enrolled {} from {roster} in {}:",
        render::count(n as u64, "pairing"),
        program.id
    )?;
    for (p, g) in created.iter().zip(&groups).take(50) {
        writeln!(
            output.out,
            "  {} = roster pairing `{}` ({})",
            p.id, g.label, p.type_id
        )?;
    }
    if n > 50 {
        writeln!(
            output.out,
            "  ... and {} more (mentorflow list shows them all)",
            n - 50
        )?;
    }
    Ok(EXIT_OK)
}
