//! `mentorflow import ROSTER.csv --program P`: enrol many pairings from a CSV roster in one
//! transaction; one bad row refuses the whole file and stores nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mentorflow_engine::store::{Store, StoreError};
use mentorflow_engine::{Actor, EngineError, Participant};

use super::store::{Session, StoreArgs};
use crate::{Output, EXIT_FAILED, EXIT_OK};

/// Enrol pairings from a CSV roster: columns pairing, type, role, id, then one column per
/// attribute. Rows with the same `pairing` label form one pairing.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
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

fn read_roster(args: &ImportArgs, program: &mentorflow_dsl::Program) -> Result<Vec<Group>, String> {
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
                let value = super::pairings::attribute(program, person, name, cell(i))
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

/// Imports the roster.
pub fn import(
    args: &ImportArgs,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> Result<u8, StoreError> {
    let program = match super::load_program(&args.program, output) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let groups = match read_roster(args, &program) {
        Ok(g) => g,
        Err(e) => {
            writeln!(output.err, "error: {e}").ok();
            return Ok(EXIT_FAILED);
        }
    };
    let mut session = Session::open(store)?;
    let engine = session.pin(&program);
    let source = args.program.display().to_string();
    let (name, now) = (store.actor(), store.now());
    let actor = Actor { name: &name, now };
    let roster = args.roster.display().to_string();
    let created = session
        .store
        .enrol(&program, &source, groups.len(), &mut |ids| {
            ids.iter()
                .zip(&groups)
                .map(|(id, g)| {
                    let at = |r: &str| format!("{roster}:{}: pairing `{}`: {r}", g.line, g.label);
                    let (pairing, event) = engine
                        .enrol(id, &g.type_id, g.people.clone(), &actor)
                        .map_err(|e| match e {
                        EngineError::EnrolmentRefused { type_id, reasons } => {
                            EngineError::EnrolmentRefused {
                                type_id,
                                reasons: reasons.iter().map(|r| at(r)).collect(),
                            }
                        }
                        other => EngineError::EnrolmentRefused {
                            type_id: g.type_id.clone(),
                            reasons: vec![at(&other.to_string())],
                        },
                    })?;
                    Ok((pairing, vec![event]))
                })
                .collect()
        })?;
    let n = created.len();
    writeln!(
        output.out,
        "enrolled {n} pairing{} from {roster} in {}:",
        if n == 1 { "" } else { "s" },
        program.id
    )
    .ok();
    for (p, g) in created.iter().zip(&groups).take(50) {
        writeln!(
            output.out,
            "  {} = roster pairing `{}` ({})",
            p.id, g.label, p.type_id
        )
        .ok();
    }
    if n > 50 {
        writeln!(
            output.out,
            "  ... and {} more (mentorflow list shows them all)",
            n - 50
        )
        .ok();
    }
    Ok(EXIT_OK)
}
