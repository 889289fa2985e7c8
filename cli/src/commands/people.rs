//! `mentorflow people import|list|show`: the people registry. Enrolments and rosters name
//! people by id and take a registered person's attributes and reporting line from here.

use mentorflow_engine::{Error, Person};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The people registry: import people, list them, show one.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow people import programs/examples/people.csv\n  mentorflow people list --json\n  mentorflow people show e015"
)]
pub struct Args {
    #[command(subcommand)]
    command: PeopleCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PeopleCommand {
    /// Add or update people from a CSV file: columns id, name, manager, then one per
    /// attribute. All rows or none; an entry already as given stores nothing.
    #[command(
        after_help = "Example file:\n  id,name,manager,department,grade\n  ana,Ana Putri,,finance,11\n  bo,Bo Lim,ana,finance,6"
    )]
    Import {
        /// The file (CSV with a header row), or - for standard input.
        file: String,
        /// Print who was added, changed or already as given, as JSON (`mentorflow schema
        /// people-import`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: crate::store_args::Writes,
    },
    /// Every person of the registry.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: crate::store_args::Reads,
    },
    /// One person: entry, reporting line, direct reports, pairings and the history of edits.
    Show {
        /// Person id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: crate::store_args::Reads,
    },
}

/// Runs a people command.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    match &args.command {
        PeopleCommand::Import { file, json, on } => import(file, *json, &on.into(), output),
        PeopleCommand::List { json, on } => list(*json, &on.into(), output),
        PeopleCommand::Show { id, json, on } => show(id, *json, &on.into(), output),
    }
}

fn import(file: &str, json: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let rows = match crate::input::people::read(file) {
        Ok(rows) => rows,
        Err(problems) => {
            return super::file_problems(file, &problems, "nobody was recorded", output)
        }
    };
    let people: Vec<Person> = rows.iter().map(|(_, p)| p.clone()).collect();
    let report = match store.open()?.record_people(&people) {
        Ok(report) => report,
        Err(Error::Rows(refused)) => {
            for (i, e) in &refused {
                let line = rows.get(*i).map_or(0, |r| r.0);
                writeln!(output.err, "error: {file}:{line}: {}", render::error(e))?;
            }
            writeln!(
                output.err,
                "error: {} refused; nobody was recorded",
                render::count(refused.len() as u64, "row")
            )?;
            return Ok(crate::EXIT_FAILED);
        }
        Err(e) => return Err(Failure::Coordinator(e)),
    };
    if json {
        let doc = crate::json::store::People {
            added: report.added,
            changed: report.changed,
            unchanged: report.unchanged,
        };
        return super::versioned_json(output, doc);
    }
    writeln!(
        output.out,
        "people from {file}: {} added, {} changed, {} already as given",
        report.added.len(),
        report.changed.len(),
        report.unchanged.len()
    )?;
    Ok(EXIT_OK)
}

fn list(json: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let people = store.open()?.people()?;
    if json {
        let people = people.iter().map(Into::into).collect();
        return super::versioned_json(output, crate::json::people::People { people });
    }
    if people.is_empty() {
        writeln!(
            output.out,
            "the registry has nobody yet; add people with `mentorflow people import people.csv`"
        )?;
        return Ok(EXIT_OK);
    }
    let rows: Vec<[String; 4]> = people
        .iter()
        .map(|p| {
            let attributes: Vec<String> = p
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={}", render::printable(v)))
                .collect();
            [
                render::printable(&p.id),
                render::printable(&p.name),
                p.manager.as_deref().map_or("-".into(), render::printable),
                attributes.join(" "),
            ]
        })
        .collect();
    write!(
        output.out,
        "{}",
        render::table(["id", "name", "manager", "attributes"], &rows)
    )?;
    let n = people.len();
    writeln!(
        output.out,
        "{n} {}",
        if n == 1 { "person" } else { "people" }
    )?;
    Ok(EXIT_OK)
}

fn show(id: &str, json: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let status = store.open()?.person(id)?;
    if json {
        return super::versioned_json(output, crate::json::people::PersonStatus::from(&status));
    }
    let mentorflow_engine::PersonStatus {
        person,
        reporting_line: line,
        reports,
        pairings,
        edits,
    } = status;
    let mut s = render::printable(&person.id);
    if !person.name.is_empty() {
        s.push_str(&format!(" — {}", render::printable(&person.name)));
    }
    s.push('\n');
    if !line.is_empty() {
        s.push_str(&format!("reports to: {}\n", line.join(" -> ")));
    }
    if !reports.is_empty() {
        s.push_str(&format!("direct reports: {}\n", reports.join(", ")));
    }
    for (k, v) in &person.attributes {
        s.push_str(&format!("  {k} = {}\n", render::printable(v)));
    }
    if pairings.is_empty() {
        s.push_str("pairings: none\n");
    }
    for p in &pairings {
        let (role, left) =
            match p.participants.iter().find(|m| m.id == id) {
                Some(m) => (m.role.as_str(), String::new()),
                None => p.former.iter().find(|f| f.participant.id == id).map_or(
                    ("", String::new()),
                    |f| {
                        (
                            f.participant.role.as_str(),
                            format!(", left {}", render::date(f.left)),
                        )
                    },
                ),
            };
        let state = p
            .outcome
            .as_ref()
            .map_or(format!("running, in {}{left}", p.stage), |o| {
                format!("ended: {o}{left}")
            });
        s.push_str(&format!(
            "  {} {} ({}) as {role}: {state}\n",
            p.id, p.program_id, p.type_id
        ));
    }
    s.push_str("history:\n");
    for e in &edits {
        s.push_str(&format!("  {}\n", render::event(e)));
    }
    write!(output.out, "{s}")?;
    Ok(EXIT_OK)
}
