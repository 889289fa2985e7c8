//! `mentorflow match`: propose mentor-mentee pairs for a program's type, the best total score
//! under every rule and capacity, explained pair by pair; `--apply` enrols them.

use std::path::PathBuf;

use mentorflow_engine::MatchCandidate;
use mentorflow_engine::{Proposal, Unmatched};

use crate::failure::{CommandResult, Failure};
use crate::input::candidates;
use crate::store_args::StoreArgs;
use crate::{render, Output, EXIT_OK};

/// Propose pairs: every allowed mentor-mentee pair scored by the program's [matching], the
/// assignment with the highest total under capacity, compared with a greedy one.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "mentorflow match [OPTIONS] --program <PROGRAM> --type <TYPE> [CANDIDATES]",
    after_help = "Candidates: a CSV file with the columns id and role (mentor, mentee, or empty for someone who
is neither), an optional capacity\n(how many mentees a mentor takes), then attributes; registered people take the rest of\ntheir attributes from the registry. Without a file, the registry's people whose attribute\n`role` is mentor or mentee.\n\nExamples:\n  mentorflow match --program programs/leadership-cohort.toml --type \\\n    one-on-one programs/examples/people.csv\n  mentorflow match --program programs/leadership-cohort.toml --type \\\n    one-on-one --format csv > roster.csv\n  mentorflow match --program programs/leadership-cohort.toml --type \\\n    one-on-one --apply"
)]
pub struct Args {
    /// Candidates (CSV), or - for standard input; default: the people registry.
    candidates: Option<String>,
    /// Program file (TOML) with a [matching] section.
    #[arg(long)]
    program: PathBuf,
    /// Mentoring type to pair for (one mentor with mentees).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: String,
    /// Never propose this pair (repeat), e.g. a pair that was not a fit: MENTOR:MENTEE.
    #[arg(long, value_name = "MENTOR:MENTEE")]
    exclude: Vec<String>,
    /// `table` (default) or `csv`: an import-ready roster of the proposal.
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    format: String,
    /// Print the proposal as JSON (`mentorflow schema match`); with --apply, the stored
    /// events and the new pairings (`mentorflow schema changes`).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Enrol the proposed pairs, all or none, with every rule checked again under the lock.
    #[arg(long)]
    apply: bool,
    /// Find a new mentor for the mentee of this ended pairing (a "not a fit"), never the
    /// previous one; with --apply the new pairing continues it.
    #[arg(long, value_name = "PAIRING")]
    rematch: Option<String>,
    #[command(flatten)]
    over: crate::store_args::OverCapacity,
}

/// Matches.
pub fn run(args: &Args, store: &StoreArgs, output: &mut Output<'_>) -> CommandResult {
    let program = super::load_program(&args.program, output).map_err(Failure::Reported)?;
    let excluded = args
        .exclude
        .iter()
        .map(|pair| {
            mentorflow_engine::exclusion(pair).ok_or_else(|| {
                Failure::Usage(format!(
                    "--exclude `{pair}`: write MENTOR:MENTEE, e.g. ana:bo"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut coordinator = store.open()?;
    args.over.apply(&mut coordinator)?;
    let candidates = match &args.candidates {
        Some(file) => match candidates::read(file, &program) {
            Ok(c) => c,
            Err(problems) => {
                return super::file_problems(file, &problems, "nothing was proposed", output)
            }
        },
        None => coordinator.registered_candidates()?,
    };
    if candidates.is_empty() {
        return Err(Failure::Refused(
            "no candidates: give a CSV file (id, role, capacity, attributes), or import people whose attribute `role` is mentor or mentee (mentorflow people import)".into(),
        ));
    }
    refuse_unknown_exclusions(&excluded, &candidates)?;
    let proposal = proposed(
        args,
        &program,
        (&candidates, &excluded),
        &mut coordinator,
        output,
    )?;
    if let (Some(ended), true) = (&args.rematch, args.apply) {
        return continue_with(
            args,
            ended,
            &program,
            &candidates,
            &proposal,
            &mut coordinator,
            output,
        );
    }
    if args.apply {
        return apply(
            args,
            &program,
            &candidates,
            &proposal,
            &mut coordinator,
            output,
        );
    }
    let names = coordinator.directory()?;
    if args.json {
        return super::versioned_json(output, json(&proposal, &names));
    }
    if args.format == "csv" {
        return roster(args, &proposal, output);
    }
    write!(
        output.out,
        "{}",
        table(&proposal, args.rematch.is_some(), &names)
    )?;
    Ok(EXIT_OK)
}

/// The proposal, or a new mentor's (`--rematch`), with a progress line while pairs are judged.
fn proposed(
    args: &Args,
    program: &mentorflow_dsl::Program,
    asked: (&[MatchCandidate], &[(String, String)]),
    coordinator: &mut mentorflow_engine::Coordinator,
    output: &mut Output<'_>,
) -> Result<Proposal, Failure> {
    let mut started = false;
    let mut judged = |n: u64, total: u64| {
        if !std::mem::replace(&mut started, true) {
            output.progress_total(total, "pairs");
        }
        output.progress("judging", n);
    };
    let proposal = match &args.rematch {
        Some(ended) => {
            coordinator.propose_rematch(program, &args.type_id, ended, asked.0, &mut judged)
        }
        None => coordinator.propose_matches(program, &args.type_id, asked, &mut judged),
    };
    output.progress_done();
    Ok(proposal?)
}

/// An `--exclude` naming someone who is not a candidate in that role is a typo that would
/// exclude nothing: refused, with the candidates it could mean.
fn refuse_unknown_exclusions(
    excluded: &[(String, String)],
    candidates: &[mentorflow_engine::MatchCandidate],
) -> Result<(), Failure> {
    for (mentor, mentee) in excluded {
        for (id, role) in [(mentor, "mentor"), (mentee, "mentee")] {
            let known = |c: &&mentorflow_engine::MatchCandidate| c.participant.role == role;
            if candidates
                .iter()
                .filter(known)
                .any(|c| c.participant.id == *id)
            {
                continue;
            }
            let ids: Vec<String> = candidates
                .iter()
                .filter(known)
                .map(|c| c.participant.id.clone())
                .collect();
            return Err(Failure::Usage(format!(
                "--exclude {mentor}:{mentee}: `{id}` is not a {role} among the candidates{}; write MENTOR:MENTEE with ids of candidates",
                render::did_you_mean_or_known(id, &ids)
            )));
        }
    }
    Ok(())
}

/// Why someone is unmatched, in words.
fn why(u: &Unmatched) -> String {
    match u {
        Unmatched::NoAllowedPartner => {
            "no allowed partner (the type's rule or [matching] allow refuses every one)".into()
        }
        Unmatched::CapacityTaken => "every allowed partner's capacity went to better pairs".into(),
        Unmatched::Refused(problem) => problem.clone(),
        Unmatched::TooFewForGroup { got, min } => format!(
            "their group would have had {got} mentee{} (at least {min}), so it was not formed",
            if *got == 1 { "" } else { "s" }
        ),
    }
}

/// A number as shown: three decimals at most, no trailing zeros.
fn shown(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The proposal as a table; `mentees_only` leaves out unmatched mentors (a re-match looks
/// for one mentee's mentor, the others are no news).
fn table(p: &Proposal, mentees_only: bool, people: &mentorflow_engine::Directory) -> String {
    let mut out = format!(
        "proposal: {}, total score {} (greedy, best pair first: {}, total {})\n",
        render::count(p.pairs.len() as u64, "pair"),
        shown(p.total),
        render::count(p.greedy.0 as u64, "pair"),
        shown(p.greedy.1)
    );
    // The criteria's names, as the pairs carry them (the type's own [matching] or the program's).
    let names: Vec<&str> = p
        .pairs
        .first()
        .map(|pair| {
            pair.parts
                .iter()
                .map(|(name, _, _)| name.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !p.pairs.is_empty() {
        let mut header = vec!["mentor", "mentee", "score"];
        header.extend(names.iter().copied());
        let rows: Vec<Vec<String>> = p
            .pairs
            .iter()
            .map(|pair| {
                let mut row = vec![
                    render::printable(&people.label(&pair.mentor)),
                    render::printable(&people.label(&pair.mentee)),
                    shown(pair.score),
                ];
                row.extend(pair.parts.iter().map(|(_, value, weighted)| {
                    format!("{} ({})", shown(*weighted), shown(*value))
                }));
                row
            })
            .collect();
        out.push_str(&render::grid(&header, &rows));
        out.push_str("each part: weighted value (the criterion's own value)\n");
    }
    for (id, role, u) in &p.unmatched {
        if mentees_only && role != "mentee" {
            continue;
        }
        out.push_str(&format!(
            "unmatched {role} {}: {}\n",
            render::printable(&people.label(id)),
            why(u)
        ));
    }
    if !p.at_capacity.is_empty() && !mentees_only {
        let who: Vec<String> = p
            .at_capacity
            .iter()
            .map(|(id, _)| people.label(id))
            .collect();
        out.push_str(&format!(
            "left out, already paired up to their capacity: {}\n",
            render::printable(&who.join(", "))
        ));
    }
    out.push_str(&format!(
        "{} pairs judged, {} script evaluations\n",
        p.judged, p.evaluations
    ));
    out
}

fn json(p: &Proposal, people: &mentorflow_engine::Directory) -> crate::json::matching::Proposal {
    use crate::json::matching::{Greedy, Pair, Part, Proposal as Shown, Unmatched};
    Shown {
        pairs: p
            .pairs
            .iter()
            .map(|pair| Pair {
                mentor: pair.mentor.clone(),
                mentor_name: people.name(&pair.mentor).map(str::to_string),
                mentee: pair.mentee.clone(),
                mentee_name: people.name(&pair.mentee).map(str::to_string),
                score: pair.score,
                parts: pair
                    .parts
                    .iter()
                    .map(|(name, value, weighted)| Part {
                        criterion: name.clone(),
                        value: *value,
                        weighted: *weighted,
                    })
                    .collect(),
            })
            .collect(),
        unmatched: p
            .unmatched
            .iter()
            .map(|(id, role, u)| Unmatched {
                person: id.clone(),
                name: people.name(id).map(str::to_string),
                role: role.clone(),
                reason: why(u),
            })
            .collect(),
        at_capacity: p
            .at_capacity
            .iter()
            .map(|(id, role)| crate::json::matching::AtCapacity {
                person: id.clone(),
                name: people.name(id).map(str::to_string),
                role: role.clone(),
            })
            .collect(),
        total: p.total,
        greedy: Greedy {
            pairs: p.greedy.0 as u64,
            total: p.greedy.1,
        },
        judged: p.judged,
        evaluations: p.evaluations,
        groups: p.groups,
    }
}

/// The proposal as an import-ready roster: pairing, type, role, id.
fn roster(args: &Args, p: &Proposal, output: &mut Output<'_>) -> CommandResult {
    let mut csv = csv::Writer::from_writer(&mut *output.out);
    csv.write_record(["pairing", "type", "role", "id"])?;
    for (label, mentor, mentees) in p.pairings() {
        csv.write_record([label.as_str(), &args.type_id, "mentor", mentor])?;
        for mentee in mentees {
            csv.write_record([label.as_str(), &args.type_id, "mentee", mentee])?;
        }
    }
    csv.flush()?;
    Ok(EXIT_OK)
}

/// Continues the ended pairing with the proposed new mentor.
fn continue_with(
    args: &Args,
    ended: &str,
    program: &mentorflow_dsl::Program,
    candidates: &[MatchCandidate],
    p: &Proposal,
    coordinator: &mut mentorflow_engine::Coordinator,
    output: &mut Output<'_>,
) -> CommandResult {
    let source = args.program.display().to_string();
    let made = (program, source.as_str());
    let Some(successor) =
        coordinator.continue_with_proposal(ended, made, &args.type_id, candidates, p)?
    else {
        writeln!(output.out, "no new mentor to propose for {ended}:")?;
        write!(output.out, "{}", table(p, true, &coordinator.directory()?))?;
        return Ok(crate::EXIT_FAILED);
    };
    if args.json {
        let mut events: Vec<_> = coordinator.log(Some(ended))?.pop().into_iter().collect();
        events.extend(coordinator.log(Some(&successor))?);
        return super::stored(coordinator, &events, true, output);
    }
    let pair = &p.pairs[0];
    writeln!(
        output.out,
        "{ended} continues as {successor}: {} with {} (score {})",
        pair.mentee,
        pair.mentor,
        shown(pair.score)
    )?;
    Ok(EXIT_OK)
}

/// Enrols the proposal, all or none.
fn apply(
    args: &Args,
    program: &mentorflow_dsl::Program,
    candidates: &[MatchCandidate],
    p: &Proposal,
    coordinator: &mut mentorflow_engine::Coordinator,
    output: &mut Output<'_>,
) -> CommandResult {
    let source = args.program.display().to_string();
    let created = coordinator.enrol_proposal(program, &source, &args.type_id, candidates, p)?;
    if created.is_empty() {
        if args.json {
            return super::changes(output, &[], Vec::new(), false);
        }
        writeln!(output.out, "nothing to enrol: the proposal has no pairs")?;
        return Ok(EXIT_OK);
    }
    if args.json {
        let mut events = Vec::new();
        for id in &created {
            events.extend(coordinator.log(Some(id))?);
        }
        return super::stored(coordinator, &events, true, output);
    }
    writeln!(
        output.out,
        "enrolled {} in {} (total score {}):",
        render::count(created.len() as u64, "pairing"),
        program.id,
        shown(p.total)
    )?;
    for (id, (_, mentor, mentees)) in created.iter().zip(p.pairings()) {
        writeln!(output.out, "  {id} = {mentor} and {}", mentees.join(", "))?;
    }
    Ok(EXIT_OK)
}
