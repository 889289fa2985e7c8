//! `mentorflow people import|edit|list|show`: the people registry. Enrolments and rosters
//! name people by id and take a registered person's attributes and reporting line from here.

use mentorflow_engine::{Change, Error, PeopleReport, PersonEdit};

use crate::failure::{CommandResult, Failure};
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// The people registry: import people, list them, show one.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mentorflow people import programs/examples/people.csv\n  mentorflow people import changes.csv --dry-run\n  mentorflow people edit e015 --set department=finance --unset team\n  mentorflow people list --json\n  mentorflow people show e015"
)]
pub struct Args {
    #[command(subcommand)]
    command: PeopleCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PeopleCommand {
    /// Add or update people from a CSV file: columns id, name, manager, then one per
    /// attribute. It merges: a column left out or an empty cell leaves that field as it is,
    /// and the cell <unset> clears it. All rows or none; an entry already as given stores
    /// nothing; each change is logged.
    #[command(
        after_help = "Example file:\n  id,name,manager,department,grade\n  ana,Ana Putri,,finance,11\n  bo,Bo Lim,ana,finance,6\n\nA sheet of only id,department changes departments and nothing else; a cell <unset> clears that field (bo,<unset> removes bo's department)."
    )]
    Import {
        /// The file (CSV with a header row), or - for standard input.
        file: String,
        /// Show what would change, person by person and field by field; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print who was added, changed or already as given, with what changed, as JSON
        /// (`mentorflow schema people-import`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: crate::store_args::Writes,
    },
    /// Change one registered person's entry: set or clear attributes, their name or manager.
    /// What is not named stays; the change is logged.
    Edit(EditArgs),
    /// Mark someone inactive (they left, or are on leave): never proposed by `match` nor
    /// enrolled again until reactivated; their running pairings go on. Logged with the reason.
    Deactivate {
        /// Person id.
        id: String,
        /// Why (it is kept with them and in the log).
        #[arg(long, required = true)]
        reason: String,
        /// Print what changed as JSON (`mentorflow schema people-import`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: crate::store_args::Writes,
    },
    /// Make an inactive person active again.
    Reactivate {
        /// Person id.
        id: String,
        /// Print what changed as JSON (`mentorflow schema people-import`).
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
    /// Everything stored about one person, as JSON (`mentorflow schema person-export`): their
    /// registry entry and its edits, each pairing they take or took part in with what they
    /// hold there and the events that concern them, and the notifications sent to them. For
    /// a person asking for a copy of their data; other people's values are left out.
    #[command(after_help = "Example:\n  mentorflow people export ana > ana.json")]
    Export {
        /// Person id (in the registry, or in any pairing).
        id: String,
        /// Include the values of attributes declared `sensitive` (left out otherwise).
        #[arg(long)]
        include_sensitive: bool,
        #[command(flatten)]
        on: crate::store_args::Reads,
    },
    /// Erase one person's personal values for good: their key is destroyed, so everything
    /// sealed with it (their registry entry, what pairings hold of them, facts recorded for
    /// them) is unreadable by anyone, and so is every reason and notice of their pairings
    /// (sealed for all its people; a reason keeps its code, a notice leaves the outbox).
    /// Pairings keep their id and role and stay counted; the erasure is logged with a
    /// receipt, and `verify` still passes. Cannot be undone.
    #[command(
        after_help = "Example:\n  mentorflow people erase bo --reason \"asked on 2026-12-01 (ticket 4411)\"\n\nValues written before they were sealed (by an older version) cannot be erased: the command names those events and erases nothing."
    )]
    Erase {
        /// Person id (in the registry, or in any pairing).
        id: String,
        /// Why (kept in the log with the erasure).
        #[arg(long, required = true)]
        reason: String,
        #[command(flatten)]
        on: crate::store_args::Writes,
    },
}

/// `people edit`'s flags.
#[derive(Debug, clap::Args)]
struct EditArgs {
    /// Person id.
    id: String,
    /// Set an attribute, ATTR=VALUE (repeat).
    #[arg(long = "set", value_name = "ATTR=VALUE")]
    set: Vec<String>,
    /// Clear an attribute (repeat).
    #[arg(long = "unset", value_name = "ATTR")]
    unset: Vec<String>,
    /// Their name.
    #[arg(long)]
    name: Option<String>,
    /// Their manager's id.
    #[arg(long, value_name = "ID", conflicts_with = "no_manager")]
    manager: Option<String>,
    /// They have no manager.
    #[arg(long)]
    no_manager: bool,
    /// Show what would change; store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print what changed as JSON (`mentorflow schema people-import`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: crate::store_args::Writes,
}

/// Runs a people command.
pub fn run(args: &Args, output: &mut Output<'_>) -> CommandResult {
    match &args.command {
        PeopleCommand::Import {
            file,
            dry_run,
            json,
            on,
        } => import(file, *dry_run, *json, &on.into(), output),
        PeopleCommand::Edit(edit_args) => edit(edit_args, output),
        PeopleCommand::Deactivate {
            id,
            reason,
            json,
            on,
        } => {
            let reason = Change::Set(reason.trim().to_string());
            activity(id, reason, *json, &on.into(), output)
        }
        PeopleCommand::Reactivate { id, json, on } => {
            activity(id, Change::Unset, *json, &on.into(), output)
        }
        PeopleCommand::List { json, on } => list(*json, &on.into(), output),
        PeopleCommand::Show { id, json, on } => show(id, *json, &on.into(), output),
        PeopleCommand::Export {
            id,
            include_sensitive,
            on,
        } => export(id, *include_sensitive, &on.into(), output),
        PeopleCommand::Erase { id, reason, on } => erase(id, reason, &on.into(), output),
    }
}

fn import(
    file: &str,
    dry_run: bool,
    json: bool,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> CommandResult {
    let rows = match crate::input::people::read(file) {
        Ok(rows) => rows,
        Err(problems) => {
            return super::file_problems(file, &problems, "nobody was recorded", output)
        }
    };
    let edits: Vec<PersonEdit> = rows.iter().map(|(_, e)| e.clone()).collect();
    let report = match store.open()?.record_people(&edits, dry_run) {
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
        return super::versioned_json(output, crate::json::store::People::from(&report));
    }
    recorded(&format!("people from {file}"), &report, output)
}

/// Changes one registered person's entry.
fn edit(args: &EditArgs, output: &mut Output<'_>) -> CommandResult {
    let EditArgs {
        id,
        set,
        unset,
        name,
        manager,
        no_manager,
        dry_run,
        json,
        on,
    } = args;
    let mut attributes = std::collections::BTreeMap::new();
    for text in set {
        let (attr, value) = crate::input::facts::assignment(text).ok_or_else(|| {
            Failure::Usage(format!(
                "`--set {text}`: write ATTR=VALUE, e.g. --set department=finance"
            ))
        })?;
        attributes.insert(attr.to_string(), Change::Set(value.trim().to_string()));
    }
    for attr in unset {
        if attributes.insert(attr.clone(), Change::Unset).is_some() {
            return Err(Failure::Usage(format!(
                "`{attr}` is both set and unset; give it once"
            )));
        }
    }
    let manager = match (manager, no_manager) {
        (Some(m), _) => Some(Change::Set(m.clone())),
        (None, true) => Some(Change::Unset),
        (None, false) => None,
    };
    let edit = PersonEdit {
        id: id.clone(),
        name: name.clone().map(Change::Set),
        manager,
        attributes,
        inactive: None,
    };
    if edit.name.is_none() && edit.manager.is_none() && edit.attributes.is_empty() {
        return Err(Failure::Usage(
            "nothing to change: give --set ATTR=VALUE, --unset ATTR, --name, --manager or --no-manager".into(),
        ));
    }
    let mut coordinator = StoreArgs::from(on).open()?;
    // Only a registered person is edited (a typo must not add someone).
    coordinator.registered(id)?;
    let report = coordinator.record_people(&[edit], *dry_run)?;
    if *json {
        return super::versioned_json(output, crate::json::store::People::from(&report));
    }
    recorded(id, &report, output)
}

/// Deactivates (`Set(reason)`) or reactivates (`Unset`) one registered person.
fn activity(
    id: &str,
    change: Change,
    json: bool,
    store: &StoreArgs,
    output: &mut Output<'_>,
) -> CommandResult {
    if change == Change::Set(String::new()) {
        return Err(Failure::Usage(
            "--reason is empty; say why they are inactive (left, on leave ...)".into(),
        ));
    }
    let mut coordinator = store.open()?;
    coordinator.registered(id)?;
    let edit = PersonEdit {
        id: id.to_string(),
        inactive: Some(change),
        ..PersonEdit::default()
    };
    let report = coordinator.record_people(&[edit], false)?;
    if json {
        return super::versioned_json(output, crate::json::store::People::from(&report));
    }
    recorded(id, &report, output)
}

/// What recording people did: each change, field by field, then the counts.
fn recorded(what: &str, report: &PeopleReport, output: &mut Output<'_>) -> CommandResult {
    let verb = if report.dry_run {
        "would change"
    } else {
        "changed"
    };
    // Each change; in a dry run, each newcomer's entry too.
    let shown: Vec<_> = report
        .differences
        .iter()
        .filter(|(id, _)| report.dry_run || report.changed.contains(id))
        .collect();
    for (id, fields) in shown.iter().take(super::SHOWN) {
        let fields: Vec<String> = fields.iter().map(difference).collect();
        writeln!(
            output.out,
            "  {}: {}",
            render::printable(id),
            fields.join("; ")
        )?;
    }
    if shown.len() > super::SHOWN {
        writeln!(output.out, "  ... and {} more", shown.len() - super::SHOWN)?;
    }
    let (added, stored) = match report.dry_run {
        true => ("would be added", "; nothing was stored (dry run)"),
        false => ("added", ""),
    };
    writeln!(
        output.out,
        "{what}: {} {added}, {} {verb}, {} already as given{stored}",
        report.added.len(),
        report.changed.len(),
        report.unchanged.len()
    )?;
    Ok(EXIT_OK)
}

/// `department sales -> finance`, `grade (none) -> 5`, `team x -> (none)`.
fn difference(d: &mentorflow_engine::Difference) -> String {
    let shown = |v: &Option<String>| v.as_deref().map_or("(none)".into(), render::printable);
    format!("{} {} -> {}", d.field, shown(&d.before), shown(&d.after))
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
    let coordinator = store.open()?;
    let status = coordinator.person(id)?;
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
    let names = coordinator.directory()?;
    let mut s = render::printable(&person.id);
    if !person.name.is_empty() {
        s.push_str(&format!(" — {}", render::printable(&person.name)));
    }
    s.push('\n');
    if !line.is_empty() {
        let line: Vec<String> = line.iter().map(|m| names.label(m)).collect();
        s.push_str(&format!("reports to: {}\n", line.join(" -> ")));
    }
    if !reports.is_empty() {
        let reports: Vec<String> = reports.iter().map(|m| names.label(m)).collect();
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
        s.push_str(&format!("  {}\n", render::event(e, &names)));
    }
    write!(output.out, "{s}")?;
    Ok(EXIT_OK)
}

/// Everything stored about one person, as JSON.
fn export(id: &str, sensitive: bool, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let mut coordinator = store.open()?;
    let export = coordinator.export_person(id, sensitive)?;
    let names = coordinator.directory()?;
    super::versioned_json(
        output,
        crate::json::people::PersonExport::of(&export, &names),
    )
}

/// Erases one person's values.
fn erase(id: &str, reason: &str, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Failure::Usage(
            "`--reason` is empty: say why, e.g. --reason \"asked on 2026-12-01\"".into(),
        ));
    }
    let done = store.open()?.erase_person(id, reason)?;
    let key = match done.key.is_empty() {
        true => "they had no key (nothing of theirs was sealed)".to_string(),
        false => format!("key {} destroyed", done.key),
    };
    let pairings = match done.pairings.is_empty() {
        true => "in no pairing".to_string(),
        false => format!(
            "cleared in {} ({})",
            render::count(done.pairings.len() as u64, "pairing"),
            done.pairings.join(", ")
        ),
    };
    let entry = match done.registered {
        true => "; registry entry removed",
        false => "",
    };
    writeln!(
        output.out,
        "erased {}: {key}; their values {pairings}{entry}",
        render::printable(&done.person)
    )?;
    writeln!(
        output.out,
        "receipt: {} (the erasure's chain hash: `mentorflow verify --expect {}` proves it is still in the log)",
        done.receipt, done.receipt
    )?;
    warn_lingers(output, done.lingers.as_deref())?;
    Ok(EXIT_OK)
}

/// Says when an old copy of a destroyed key may remain in the store's files for now.
pub(crate) fn warn_lingers(output: &mut Output<'_>, lingers: Option<&str>) -> std::io::Result<()> {
    match lingers {
        None => Ok(()),
        Some(why) => writeln!(
            output.err,
            "warning: {why}; an old copy of the destroyed key may remain in the store's files until the database's next checkpoint or vacuum"
        ),
    }
}
