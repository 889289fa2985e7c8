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
    /// The roster (CSV with a header row), or - for standard input.
    roster: String,
    /// Program file (TOML) every pairing is enrolled in.
    #[arg(long)]
    program: PathBuf,
    /// Mentoring type for rows whose `type` cell is empty (or when there is no `type` column).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Check every row as the import would, and store nothing.
    #[arg(long)]
    dry_run: bool,
}

/// One pairing of the roster: its type and participants, with the line it starts on.
struct Group {
    label: String,
    line: u64,
    type_id: String,
    people: Vec<Participant>,
}

/// The roster's groups, or every problem of the file (each with its line).
fn read_roster(args: &Args, program: &mentorflow_dsl::Program) -> Result<Vec<Group>, Vec<String>> {
    let shown = args.roster.as_str();
    let input: Box<dyn std::io::Read> = if shown == "-" {
        Box::new(std::io::stdin())
    } else {
        super::open_bounded(shown).map_err(|e| vec![e])?
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| vec![format!("{shown}:1: {}", super::csv_problem(&e))])?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(label), Some(role), Some(id)) = (column("pairing"), column("role"), column("id"))
    else {
        return Err(vec![format!(
            "{shown}:1: the header must have the columns pairing, role and id (and type, unless --type is given); found: {}",
            header.join(",")
        )]);
    };
    let mut problems = header_problems(shown, &header, program);
    let type_col = column("type");
    let mut groups: Vec<Group> = Vec::new();
    // Label to group: a roster of 100,000 rows is read in linear time.
    let mut by_label: std::collections::HashMap<String, usize> = Default::default();
    for (n, row) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                problems.push(format!("{shown}:{line}: {}", super::csv_problem(&e)));
                continue;
            }
        };
        let cell = |i: usize| row.get(i).unwrap_or("");
        let person = cell(id);
        if person.is_empty() || cell(role).is_empty() || cell(label).is_empty() {
            problems.push(format!(
                "{shown}:{line}: pairing, role and id must not be empty"
            ));
            continue;
        }
        let mut attributes = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let known = program.attributes.iter().any(|a| &a.name == name);
            if !known || cell(i).is_empty() {
                continue;
            }
            match super::enrol::attribute(program, person, name, cell(i)) {
                Ok(value) => {
                    attributes.insert(name.clone(), value);
                }
                Err(e) => problems.push(format!("{shown}:{line}: {e}")),
            }
        }
        let Some(type_id) = type_col
            .map(cell)
            .filter(|t| !t.is_empty())
            .or(args.type_id.as_deref())
        else {
            problems.push(format!(
                "{shown}:{line}: no type: fill the type column or pass --type"
            ));
            continue;
        };
        let participant = Participant {
            id: person.into(),
            role: cell(role).into(),
            attributes,
        };
        match by_label.get(cell(label)).map(|&i| &mut groups[i]) {
            Some(g) if g.type_id != type_id => problems.push(format!(
                "{shown}:{line}: pairing `{}` is `{}` on line {}, `{type_id}` here",
                cell(label),
                g.type_id,
                g.line
            )),
            Some(g) => g.people.push(participant),
            None => {
                by_label.insert(cell(label).to_string(), groups.len());
                groups.push(Group {
                    label: cell(label).to_string(),
                    line,
                    type_id: type_id.to_string(),
                    people: vec![participant],
                });
            }
        }
    }
    if groups.is_empty() && problems.is_empty() {
        problems.push(format!("{shown}: the roster has no rows"));
    }
    if problems.is_empty() {
        Ok(groups)
    } else {
        Err(problems)
    }
}

/// Columns that are neither fixed nor an attribute of the program (a misspelt header would
/// otherwise drop the column silently, or fail every row).
fn header_problems(
    shown: &str,
    header: &[String],
    program: &mentorflow_dsl::Program,
) -> Vec<String> {
    let fixed = ["pairing", "type", "role", "id"];
    let attributes: Vec<String> = program.attributes.iter().map(|a| a.name.clone()).collect();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for name in header {
        if !seen.insert(name.as_str()) {
            problems.push(format!(
                "{shown}:1: column `{name}` appears twice; keep one"
            ));
        } else if !fixed.contains(&name.as_str()) && !attributes.contains(name) {
            let mut known: Vec<String> = fixed.iter().map(|f| f.to_string()).collect();
            known.extend(attributes.iter().cloned());
            problems.push(format!(
                "{shown}:1: column `{name}` is not pairing, type, role, id or an attribute of program `{}`{}",
                program.id,
                render::did_you_mean_or_known(name, &known)
            ));
        }
    }
    problems
}

/// Where a roster pairing starts, for messages: `roster.csv:3: pairing `a``.
fn at(roster: &str, g: &Group) -> String {
    format!("{roster}:{}: pairing `{}`", g.line, g.label)
}

/// Every refused roster pairing, each reason located at its roster line.
fn refused(roster: &str, groups: &[Group], e: Error, output: &mut Output<'_>) -> CommandResult {
    let Error::Rows(rows) = e else {
        return Err(Failure::Coordinator(e));
    };
    let mut reasons = 0u64;
    for (index, error) in &rows {
        let Some(g) = groups.get(*index) else {
            continue;
        };
        let lines: Vec<String> = match error {
            Error::Engine(e) => match &**e {
                EngineError::EnrolmentRefused { problems, .. } => {
                    problems.iter().map(render::enrolment_problem).collect()
                }
                other => vec![render::engine_error(other)],
            },
            other => vec![render::error(other)],
        };
        for line in lines {
            reasons += 1;
            writeln!(output.err, "error: {}: {line}", at(roster, g))?;
        }
    }
    writeln!(
        output.err,
        "error: {} of {} refused ({}); nothing was enrolled",
        render::count(rows.len() as u64, "roster pairing"),
        groups.len(),
        render::count(reasons, "reason")
    )?;
    Ok(crate::EXIT_FAILED)
}

/// Imports the roster.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let roster = args.roster.clone();
    let mut groups = match read_roster(args, &program) {
        Ok(g) => g,
        Err(problems) => {
            for p in &problems {
                writeln!(output.err, "error: {p}")?;
            }
            writeln!(
                output.err,
                "error: {} in {roster}; nothing was enrolled",
                render::count(problems.len() as u64, "problem")
            )?;
            return Ok(crate::EXIT_FAILED);
        }
    };
    // The people move into the enrolments (the groups keep what messages need): a roster is
    // held in memory once.
    let enrolments: Vec<Enrolment> = groups
        .iter_mut()
        .map(|g| Enrolment {
            type_id: g.type_id.clone(),
            participants: std::mem::take(&mut g.people),
        })
        .collect();
    let mut coordinator = store.open()?;
    if args.dry_run {
        return match coordinator.check_import(&program, &enrolments) {
            Ok(n) => {
                writeln!(
                    output.out,
                    "dry run: {} from {roster} would be enrolled in {}; nothing was stored",
                    render::count(n as u64, "pairing"),
                    program.id
                )?;
                Ok(EXIT_OK)
            }
            Err(e) => refused(&roster, &groups, e, output),
        };
    }
    let created =
        match coordinator.import(&program, &args.program.display().to_string(), &enrolments) {
            Ok(created) => created,
            Err(e) => return refused(&roster, &groups, e, output),
        };
    let n = created.len();
    writeln!(
        output.out,
        "enrolled {} from {roster} in {}:",
        render::count(n as u64, "pairing"),
        program.id
    )?;
    for (id, g) in created.iter().zip(&groups).take(50) {
        writeln!(
            output.out,
            "  {id} = roster pairing `{}` ({})",
            g.label, g.type_id
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
