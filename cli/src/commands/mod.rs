//! One file per command: each parses its arguments, calls the checker or the coordinator, and
//! renders the result.

pub mod advance;
pub mod check;
pub mod completions;
pub mod continue_;
pub mod demo;
pub mod diff;
pub mod done;
pub mod enrol;
mod explore;
pub mod export;
pub mod graph;
pub mod import;
pub mod init;
pub mod join;
pub mod leave;
pub mod list;
pub mod log;
pub mod man;
pub mod match_;
pub mod migrate;
pub mod outbox;
pub mod paths;
pub mod people;
pub mod programs;
pub mod record;
pub mod replace;
pub mod replay;
pub mod report;
pub mod retention;
pub mod schema;
pub mod show;
pub mod simulate;
pub mod status;
pub mod store;
pub mod tick;
pub mod verify;
pub mod withdraw;

use std::path::Path;

use mentorflow_dsl::Program;

use crate::{Output, EXIT_FAILED};

/// The program version pairing `name` runs on (to read values for it, such as a joining
/// person's attributes).
pub(crate) fn pairing_program(
    coordinator: &mut mentorflow_engine::Coordinator,
    name: &str,
) -> Result<std::sync::Arc<Program>, crate::failure::Failure> {
    let hash = coordinator.pairing(name)?.program_hash;
    Ok(coordinator.program(&hash)?)
}

/// Loads a program for a command that needs a valid one; on errors prints them and returns
/// the exit code to stop with.
pub(crate) fn load_program(path: &Path, output: &mut Output<'_>) -> Result<Program, u8> {
    let loaded = mentorflow_dsl::load(path);
    match loaded.program {
        Some(program) => Ok(program),
        None if loaded.scenario => {
            let _ = writeln!(
                output.err,
                "error: {} is a scenario file, not a program; run it with `mentorflow simulate {}`",
                path.display(),
                path.display()
            );
            Err(EXIT_FAILED)
        }
        None => {
            let _ = write!(output.err, "{}", loaded.render());
            // The whole report is above; `check` would print the same.
            let _ = writeln!(
                output.err,
                "error: {} has errors (above); fix them, then run the command again",
                path.display()
            );
            Err(EXIT_FAILED)
        }
    }
}

/// Checks `--type` against the program, with a did-you-mean.
pub(crate) fn check_type(
    program: &Program,
    type_id: Option<&str>,
    output: &mut Output<'_>,
) -> Result<(), u8> {
    let Some(t) = type_id else { return Ok(()) };
    if program.mentoring_type(t).is_some() {
        return Ok(());
    }
    let ids: Vec<String> = program.types.iter().map(|t| t.id.to_string()).collect();
    let _ = writeln!(
        output.err,
        "error: program `{}` has no type `{t}`{}; its types are: {}",
        program.id,
        crate::render::did_you_mean(t, &ids),
        ids.join(", ")
    );
    Err(EXIT_FAILED)
}

/// Prints `value` as pretty JSON in its documented, versioned shape (see [`crate::json`]).
pub(crate) fn versioned_json<T: serde::Serialize>(
    output: &mut Output<'_>,
    value: T,
) -> crate::failure::CommandResult {
    use std::io::Write as _;
    // Written as it is made: a report's JSON can list a million pairings. An I/O error keeps
    // its kind (a closed pipe is not a failure).
    let mut out = std::io::BufWriter::new(&mut *output.out);
    serde_json::to_writer_pretty(&mut out, &crate::json::Versioned::new(value))
        .map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(crate::EXIT_OK)
}

/// Prints what a write command stored: a line per event, or with `--json` the events and the
/// pairings they changed, as they are now.
pub(crate) fn stored(
    coordinator: &mentorflow_engine::Coordinator,
    events: &[mentorflow_engine::Event],
    json: bool,
    output: &mut Output<'_>,
) -> crate::failure::CommandResult {
    if let Some((at, now)) = coordinator.stamped_ahead(events) {
        writeln!(
            output.err,
            "warning: stored at {}, later than the clock ({}): an earlier event of the pairing was written with a time in the future (--now), and a pairing's events never go back in time; pass --now to choose the time",
            crate::render::minute(at),
            crate::render::minute(now)
        )?;
    }
    if !json {
        let names = coordinator.directory()?;
        for e in events {
            writeln!(output.out, "{}", crate::render::event(e, &names))?;
        }
        return Ok(crate::EXIT_OK);
    }
    let mut ids: Vec<&str> = Vec::new();
    for e in events {
        if !e.pairing.starts_with("person:") && !ids.contains(&&*e.pairing) {
            ids.push(&e.pairing);
        }
    }
    let names = coordinator.directory()?;
    let pairings = ids
        .into_iter()
        .map(|id| {
            let p = coordinator.pairing(id)?;
            Ok::<_, mentorflow_engine::Error>(crate::json::pairing::Pairing::from(&p).named(&names))
        })
        .collect::<Result<Vec<_>, _>>()?;
    changes(output, events, pairings, false)
}

/// Prints a write command's `--json`: `events` stored, `pairings` as they are now (or would
/// be, on a dry run).
pub(crate) fn changes(
    output: &mut Output<'_>,
    events: &[mentorflow_engine::Event],
    pairings: Vec<crate::json::pairing::Pairing>,
    dry_run: bool,
) -> crate::failure::CommandResult {
    let changes = crate::json::event::Changes {
        dry_run,
        events: events.iter().map(Into::into).collect(),
        pairings,
    };
    versioned_json(output, changes)
}

/// A bulk command's exit code: partly done when a pairing was refused or the budget ran out
/// (every other pairing's events are stored).
fn bulk_code(report: &mentorflow_engine::BulkReport) -> u8 {
    if report.refused.is_empty() && !report.unfinished {
        crate::EXIT_OK
    } else {
        crate::EXIT_PARTIAL
    }
}

/// Events shown after a bulk command; the rest are in `mentorflow log`.
pub(crate) const SHOWN: usize = 20;

/// Reports every problem found in input file `file`, then that `nothing` happened (`nothing
/// was enrolled`); exit 1.
pub(crate) fn file_problems(
    file: &str,
    found: &[String],
    nothing: &str,
    output: &mut Output<'_>,
) -> crate::failure::CommandResult {
    for p in found {
        writeln!(output.err, "error: {p}")?;
    }
    writeln!(
        output.err,
        "error: {} in {file}; {nothing}",
        crate::render::count(found.len() as u64, "problem")
    )?;
    Ok(EXIT_FAILED)
}

/// The pairings a bulk command looked at: all active ones, or the first of them when it
/// stopped early.
pub(crate) fn looked_at(report: &mentorflow_engine::BulkReport) -> String {
    let seen = crate::render::count(report.seen, "active pairing");
    if report.unfinished {
        format!("the first {seen} (stopped early)")
    } else {
        seen
    }
}

/// Shows what a bulk command stores as it goes: a progress line, the first events.
pub(crate) struct BulkView {
    label: &'static str,
    shown: Vec<String>,
    script_budget: u64,
    /// With `--json`: every event stored, for the document printed at the end.
    events: Option<Vec<crate::json::event::Event>>,
    /// Who people are, for the events shown.
    names: mentorflow_engine::Directory,
}

impl BulkView {
    /// A view labelled `advancing`, `ticking` ... for a command run with `store`'s options on
    /// `coordinator`.
    pub(crate) fn new(
        label: &'static str,
        store: &crate::store_args::StoreArgs,
        coordinator: &mentorflow_engine::Coordinator,
        json: bool,
    ) -> Result<BulkView, crate::failure::Failure> {
        Ok(BulkView {
            label,
            shown: Vec::new(),
            script_budget: store.script_budget,
            events: json.then(Vec::new),
            names: match json {
                true => mentorflow_engine::Directory::default(),
                false => coordinator.directory()?,
            },
        })
    }

    /// Takes one step of the bulk command.
    pub(crate) fn step(&mut self, step: mentorflow_engine::BulkStep<'_>, output: &mut Output<'_>) {
        match step {
            mentorflow_engine::BulkStep::Stored(e) if self.events.is_some() => {
                self.events.get_or_insert_default().push(e.into());
            }
            mentorflow_engine::BulkStep::Stored(e) if self.shown.len() < SHOWN => {
                self.shown.push(crate::render::event(e, &self.names))
            }
            mentorflow_engine::BulkStep::Stored(_) => {}
            mentorflow_engine::BulkStep::Total(total) => output.progress_total(total, "pairings"),
            mentorflow_engine::BulkStep::Seen(n) => output.progress(self.label, n),
        }
    }

    /// Prints the events shown and the refusals; the exit code says whether any was refused.
    /// With `--json` the events and refusals are kept for [`BulkView::json`] instead.
    pub(crate) fn finish(
        &mut self,
        report: &mentorflow_engine::BulkReport,
        output: &mut Output<'_>,
    ) -> std::io::Result<u8> {
        output.progress_done();
        if self.events.is_some() {
            return Ok(bulk_code(report));
        }
        for line in &self.shown {
            writeln!(output.out, "{line}")?;
        }
        if report.stored as usize > self.shown.len() {
            writeln!(
                output.out,
                "... and {} more events (mentorflow log shows them all)",
                report.stored as usize - self.shown.len()
            )?;
        }
        for (id, e) in &report.refused {
            writeln!(
                output.err,
                "error: {id}: {}",
                crate::render::engine_error(e)
            )?;
        }
        if report.unfinished {
            writeln!(
                output.err,
                "error: stopped after {}: scripts used the command's budget of {} s (--script-budget); what was done is stored, run the command again to go on",
                crate::render::count(report.seen, "pairing"),
                self.script_budget
            )?;
        }
        Ok(bulk_code(report))
    }

    /// With `--json`, the document of what the bulk command did; `None` without.
    pub(crate) fn json(
        &mut self,
        report: &mentorflow_engine::BulkReport,
    ) -> Option<crate::json::event::Bulk> {
        let events = self.events.take()?;
        Some(crate::json::event::Bulk {
            looked_at: report.seen,
            stored: report.stored,
            events,
            refused: report
                .refused
                .iter()
                .map(|(id, e)| crate::json::event::Refused {
                    pairing: id.clone(),
                    error: crate::render::engine_error(e),
                })
                .collect(),
            unfinished: report.unfinished,
        })
    }
}

/// After someone left a pairing because they left (a reason `left`, or one that starts with
/// it), offers to mark them inactive in the registry, when they are registered and active.
pub(crate) fn offer_deactivation(
    coordinator: &mentorflow_engine::Coordinator,
    person: &str,
    reason: Option<&str>,
    output: &mut Output<'_>,
) -> std::io::Result<()> {
    let left = reason.is_some_and(|r| r.trim().to_ascii_lowercase().starts_with("left"));
    let active = coordinator
        .registered(person)
        .is_ok_and(|p| p.inactive.is_none());
    if left && active {
        writeln!(
            output.err,
            "hint: if {person} left the organisation, `mentorflow people deactivate {person} --reason left` keeps them out of matching and enrolments"
        )?;
    }
    Ok(())
}
