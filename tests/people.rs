//! People across pairings (issue 11): capacity and repeated participants checked by the store,
//! participants who join, leave or are replaced, and roster labels as pairing names.

use mentorflow_tests::{mentorflow, with_flags, Run};

/// A fresh store in a temp folder named after `name`, and a way to run commands on it.
/// A fresh store for test `name`, and a way to run commands on it.
fn store(name: &str) -> (std::path::PathBuf, impl Fn(&[&str]) -> Run) {
    mentorflow_tests::fresh_store(&format!("people-{name}"))
}

const COHORT: &str = "programs/leadership-cohort.toml";

/// Enrols a leadership-cohort pairing of `mentor` and `mentee`.
fn pair(run: &impl Fn(&[&str]) -> Run, mentor: &str, mentee: &str) -> Run {
    let mentor = format!("mentor={mentor},grade=9,department=finance");
    let mentee = format!("mentee={mentee},grade=5,department=sales");
    run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        &mentor,
        "--person",
        &mentee,
    ])
}

#[test]
fn a_mentor_beyond_capacity_is_refused_naming_the_pairings_they_are_in() {
    let (_dir, run) = store("capacity");
    for mentee in ["bo", "cy"] {
        let ok = pair(&run, "ana", mentee);
        assert_eq!(ok.code, 0, "{}", ok.transcript());
    }
    let third = pair(&run, "ana", "dewi");
    assert_eq!(third.code, 1, "{}", third.transcript());
    assert!(
        third.stderr.contains(
            "ana already takes part as mentor in 2 running pairings of this program (p-1, p-2)"
        ),
        "{}",
        third.stderr
    );
    let list = run(&["list"]).stdout;
    assert!(list.contains("2 pairings"), "{list}");
    // Once one of them ends, the capacity is free again.
    let ended = run(&["withdraw", "p-1", "--reason", "no-time"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    let now = pair(&run, "ana", "dewi");
    assert_eq!(now.code, 0, "{}", now.transcript());
}

#[test]
fn a_mentee_is_in_one_running_pairing_at_a_time() {
    let (_dir, run) = store("mentee");
    assert_eq!(pair(&run, "ana", "bo").code, 0);
    let again = pair(&run, "eko", "bo");
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert!(
        again
            .stderr
            .contains("bo already takes part as mentee in 1 running pairing of this program (p-1)"),
        "{}",
        again.stderr
    );
}

#[test]
fn enrolling_the_same_people_again_is_refused_unless_allowed() {
    let (_dir, run) = store("same");
    let program = "programs/mentoring.toml";
    let enrol = |extra: &[&str]| {
        let mut args = vec![
            "enrol",
            program,
            "--type",
            "peer",
            "--person",
            "peer=ana,grade=3",
            "--person",
            "peer=bo,grade=4",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    assert_eq!(enrol(&[]).code, 0);
    let again = enrol(&[]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert!(
        again
            .stderr
            .contains("the same people already take part in running pairing p-1"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("--allow-duplicate"),
        "{}",
        again.stderr
    );
    let allowed = enrol(&["--allow-duplicate"]);
    assert_eq!(allowed.code, 0, "{}", allowed.transcript());
}

#[test]
fn importing_the_same_roster_twice_is_refused_and_stores_nothing() {
    let (dir, run) = store("import-twice");
    let roster = dir.join("cohort.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,grade,department\n\
         r01,one-on-one,mentor,ana,9,finance\n\
         r01,one-on-one,mentee,bo,5,sales\n\
         r02,one-on-one,mentor,eko,10,legal\n\
         r02,one-on-one,mentee,cy,4,sales\n",
    )
    .expect("roster");
    let roster = roster.to_string_lossy().into_owned();
    let first = run(&["import", &roster, "--program", COHORT]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let log = run(&["log"]).stdout;
    let second = run(&["import", &roster, "--program", COHORT]);
    assert_eq!(second.code, 1, "{}", second.transcript());
    assert!(
        second
            .stderr
            .contains("cohort.csv:2: pairing `r01`: bo already takes part")
            && second
                .stderr
                .contains("the same people already take part in running pairing p-1"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("nothing was enrolled"),
        "{}",
        second.stderr
    );
    assert_eq!(run(&["log"]).stdout, log, "nothing stored");
    // A dry run says the same, under the same rules.
    let dry = run(&["import", &roster, "--program", COHORT, "--dry-run"]);
    assert_eq!(dry.code, 1, "{}", dry.transcript());
    assert_eq!(run(&["log"]).stdout, log, "nothing stored");
}

#[test]
fn a_roster_label_names_its_pairing() {
    let (dir, run) = store("label");
    let roster = dir.join("cohort.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,grade,department\n\
         r07,one-on-one,mentor,ana,9,finance\n\
         r07,one-on-one,mentee,bo,5,sales\n",
    )
    .expect("roster");
    let roster = roster.to_string_lossy().into_owned();
    assert_eq!(run(&["import", &roster, "--program", COHORT]).code, 0);
    let status = run(&["status", "r07"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    assert!(
        status
            .stdout
            .starts_with("p-1 (label r07) — leadership-cohort"),
        "{}",
        status.stdout
    );
    let record = run(&["record", "r07", "kickoff_held=true"]);
    assert_eq!(record.code, 0, "{}", record.transcript());
    let log = run(&["log", "r07"]).stdout;
    assert!(
        log.contains("enrolled in leadership-cohort as one-on-one (label r07)"),
        "{log}"
    );
    assert!(log.contains("recorded kickoff_held = true"), "{log}");
    // The same label imported again (other people) names two pairings: the id is needed.
    let other = dir.join("other.csv");
    std::fs::write(
        &other,
        "pairing,type,role,id,grade,department\n\
         r07,one-on-one,mentor,eko,9,legal\n\
         r07,one-on-one,mentee,cy,5,sales\n",
    )
    .expect("roster");
    let other = other.to_string_lossy().into_owned();
    assert_eq!(run(&["import", &other, "--program", COHORT]).code, 0);
    let ambiguous = run(&["status", "r07"]);
    assert_eq!(ambiguous.code, 1, "{}", ambiguous.transcript());
    assert!(
        ambiguous
            .stderr
            .contains("label `r07` names 2 pairings (p-1, p-2)"),
        "{}",
        ambiguous.stderr
    );
}

/// A group of the shipped mentoring program: mentor g and mentees a, b, c.
fn group(run: &impl Fn(&[&str]) -> Run) {
    let enrolled = run(&[
        "enrol",
        "programs/mentoring.toml",
        "--type",
        "group",
        "--person",
        "mentor=g,experience_years=10",
        "--person",
        "mentee=a,experience_years=1",
        "--person",
        "mentee=b,experience_years=1",
        "--person",
        "mentee=c,experience_years=2",
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
}

#[test]
fn participants_join_leave_and_are_replaced_with_each_change_in_the_log() {
    let (_dir, run) = store("changes");
    group(&run);
    let joined = run(&["join", "p-1", "--person", "mentee=d,experience_years=3"]);
    assert_eq!(joined.code, 0, "{}", joined.transcript());
    let left = run(&["leave", "p-1", "--person", "c", "--reason", "moved abroad"]);
    assert_eq!(left.code, 0, "{}", left.transcript());
    let replaced = run(&[
        "replace",
        "p-1",
        "--person",
        "a",
        "--with",
        "mentee=e,experience_years=2",
        "--reason",
        "not a fit",
    ]);
    assert_eq!(replaced.code, 0, "{}", replaced.transcript());
    let log = run(&["log", "p-1"]).stdout;
    for line in [
        "d (mentee) joined",
        "c (mentee) left — reason: moved abroad",
        "e (mentee) replaced a — reason: not a fit",
    ] {
        assert!(log.contains(line), "{line} in:\n{log}");
    }
    let status = run(&["status", "p-1"]).stdout;
    assert!(status.contains("  mentee e experience_years=2"), "{status}");
    assert!(
        status.contains("  left: mentee c on 2026-03-02 — reason: moved abroad"),
        "{status}"
    );
    assert!(!status.contains("  mentee a "), "{status}");
    // Who left still finds the pairing among theirs.
    let theirs = run(&["list", "--person", "c"]).stdout;
    assert!(
        theirs.contains("p-1 ") && theirs.contains("1 pairing"),
        "{theirs}"
    );
    let verify = run(&["verify"]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
}

#[test]
fn a_change_that_breaks_the_types_rules_is_refused_and_changes_nothing() {
    let (_dir, run) = store("refused");
    group(&run);
    let log = run(&["log"]).stdout;
    let left = run(&["leave", "p-1", "--person", "c", "--reason", "moved"]);
    assert_eq!(left.code, 1, "{}", left.transcript());
    assert!(
        left.stderr
            .contains("type `group` needs 3 to 10 mentee(s), got 2")
            && left.stderr.contains("hint: replace the person instead"),
        "{}",
        left.stderr
    );
    let nobody = run(&["leave", "p-1", "--person", "zed", "--reason", "moved"]);
    assert_eq!(nobody.code, 1);
    assert!(
        nobody
            .stderr
            .contains("zed does not take part in p-1; who does: g (mentor), a (mentee)"),
        "{}",
        nobody.stderr
    );
    let role = run(&["replace", "p-1", "--person", "a", "--with", "mentor=q"]);
    assert_eq!(role.code, 1);
    assert!(
        role.stderr
            .contains("a is a mentee and the replacement was given as a mentor"),
        "{}",
        role.stderr
    );
    let twice = run(&["join", "p-1", "--person", "mentee=b,experience_years=1"]);
    assert_eq!(twice.code, 1);
    assert!(
        twice.stderr.contains("b is listed twice"),
        "{}",
        twice.stderr
    );
    let no_reason = run(&["leave", "p-1", "--person", "a", "--reason", " "]);
    assert_eq!(no_reason.code, 1, "{}", no_reason.transcript());
    assert_eq!(run(&["log"]).stdout, log, "nothing stored");
}

#[test]
fn joining_beyond_capacity_is_refused_naming_the_pairings() {
    let (_dir, run) = store("join-capacity");
    assert_eq!(pair(&run, "ana", "bo").code, 0);
    assert_eq!(pair(&run, "eko", "cy").code, 0);
    let replaced = run(&[
        "replace",
        "p-2",
        "--person",
        "cy",
        "--with",
        "mentee=bo,grade=5,department=sales",
    ]);
    assert_eq!(replaced.code, 1, "{}", replaced.transcript());
    assert!(
        replaced
            .stderr
            .contains("bo already takes part as mentee in 1 running pairing of this program (p-1)"),
        "{}",
        replaced.stderr
    );
}

/// An ERG group (mentor ana, mentees bo, cy, dewi) in its meeting stage since 2026-03-02.
fn erg_group(run: &impl Fn(&[&str]) -> Run) {
    for args in [
        &[
            "enrol",
            "programs/erg-group.toml",
            "--type",
            "group",
            "--person",
            "mentor=ana,erg=pride",
            "--person",
            "mentee=bo,erg=pride",
            "--person",
            "mentee=cy,erg=pride",
            "--person",
            "mentee=dewi,erg=pride",
        ][..],
        &["record", "p-1", "charter_agreed=true"],
        &["advance", "p-1"],
    ] {
        let done = run(args);
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
}

#[test]
fn facts_kept_per_person_are_recorded_for_one_person_and_refused_without_one() {
    let (_dir, run) = store("per-person");
    erg_group(&run);
    let bo = run(&[
        "record",
        "p-1",
        "--person",
        "bo",
        "attended+=1",
        "one_on_ones=2",
    ]);
    assert_eq!(bo.code, 0, "{}", bo.transcript());
    assert!(
        bo.stdout
            .contains("recorded attended = 1, one_on_ones = 2 for bo"),
        "{}",
        bo.stdout
    );
    let again = run(&["record", "p-1", "--person", "bo", "attended+=1"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert!(
        again.stdout.contains("attended = 2 for bo"),
        "{}",
        again.stdout
    );
    let log = run(&["log"]).stdout;
    for (args, says) in [
        (
            &["record", "p-1", "attended=3"][..],
            "fact `attended` is recorded per mentee: add --person ID (the ones here: bo, cy, dewi)",
        ),
        (
            &["record", "p-1", "--person", "ana", "attended=3"][..],
            "fact `attended` is kept per mentee, and ana is a mentor",
        ),
        (
            &["record", "p-1", "--person", "bo", "charter_agreed=true"][..],
            "fact `charter_agreed` belongs to the pairing, not to a person",
        ),
        (
            &["record", "p-1", "--person", "zed", "attended=3"][..],
            "zed does not take part in p-1",
        ),
        (
            &["record", "p-1", "--person", "bo", "attended=99"][..],
            "bad value for fact `attended`",
        ),
    ] {
        let refused = run(args);
        assert_eq!(refused.code, 1, "{}", refused.transcript());
        assert!(
            refused.stderr.contains(says),
            "{says} in:\n{}",
            refused.stderr
        );
    }
    assert_eq!(run(&["log"]).stdout, log, "nothing stored");
    let status = run(&["status", "p-1"]).stdout;
    assert!(
        status.contains("facts per person:\n  mentor ana: rating=-\n  mentee bo: attended=2 one_on_ones=2 goal_met=false rating=-"),
        "{status}"
    );
}

#[test]
fn a_refusal_shows_each_persons_value_and_a_leaver_keeps_theirs_in_the_log() {
    let (dir, run) = store("per-person-refusal");
    erg_group(&run);
    let facts = dir.join("facts.csv");
    std::fs::write(
        &facts,
        "pairing,person,attended,one_on_ones,rating\n\
         p-1,bo,5,4,5\n\
         p-1,cy,+=2,4,\n\
         p-1,ana,,,4\n",
    )
    .expect("facts");
    let recorded = run(&["record", "--from", &facts.to_string_lossy()]);
    assert_eq!(recorded.code, 0, "{}", recorded.transcript());
    let store = dir.join("store.db").to_string_lossy().into_owned();
    let later = |args: &[&str]| {
        mentorflow(&with_flags(
            args,
            &["--store", &store, "--now", "2026-09-07 09:00"],
        ))
    };
    assert_eq!(later(&["advance", "p-1"]).code, 0, "to wrap_up");
    let refused = later(&["advance", "p-1"]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    for line in [
        "mentee bo: attended = 5, one_on_ones = 4, goal_met = false, rating = 5",
        "mentee cy: attended = 2, one_on_ones = 4, goal_met = false, rating = (not recorded)",
        "mentor ana: rating = 4",
    ] {
        assert!(
            refused.stderr.contains(line),
            "{line} in:\n{}",
            refused.stderr
        );
    }
    // A leaver's facts stay in the log; the group goes on with the others.
    let left = later(&["leave", "p-1", "--person", "bo", "--reason", "moved"]);
    assert_eq!(left.code, 0, "{}", left.transcript());
    let log = run(&["log", "p-1"]).stdout;
    assert!(
        log.contains("recorded attended = 5, one_on_ones = 4, rating = 5 for bo"),
        "{log}"
    );
    let status = run(&["status", "p-1"]).stdout;
    assert!(!status.contains("mentee bo:"), "{status}");
}

#[test]
fn an_erg_group_whose_third_last_mentee_leaves_closes_by_itself() {
    let (_dir, run) = store("erg-closes");
    erg_group(&run);
    let joined = run(&["join", "p-1", "--person", "mentee=eko,erg=pride"]);
    assert_eq!(joined.code, 0, "{}", joined.transcript());
    let first = run(&["leave", "p-1", "--person", "bo", "--reason", "moved"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert!(!first.stdout.contains("closed"), "{}", first.stdout);
    let third_last = run(&["leave", "p-1", "--person", "cy", "--reason", "no-time"]);
    assert_eq!(third_last.code, 0, "{}", third_last.transcript());
    assert_eq!(
        third_last
            .stdout
            .lines()
            .map(|l| l.split_once(": ").map_or(l, |x| x.1))
            .collect::<Vec<_>>(),
        [
            "cy (mentee) left — reason: no-time",
            "meeting -> closed automatically (transition 5)"
        ]
    );
    let status = run(&["status", "p-1"]).stdout;
    assert!(status.contains("outcome: closed"), "{status}");
    assert_eq!(run(&["verify"]).code, 0);
}

/// Takes leadership-cohort pairing `id` to its evaluation, goals met and rated well.
fn evaluated(run: &impl Fn(&[&str]) -> Run, id: &str) {
    for args in [
        &["record", id, "kickoff_held=true", "goals_total=3"][..],
        &["advance", id],
        &["advance", id],
        &[
            "advance",
            id,
            "--to",
            "evaluation",
            "--force",
            "--reason",
            "correction: test",
        ],
        &["record", id, "goals_met=3", "mentee_rating=5"],
    ] {
        let done = run(args);
        assert_eq!(done.code, 0, "{}", done.transcript());
    }
}

#[test]
fn a_pairing_that_ends_where_a_successor_is_declared_continues_in_the_same_command() {
    let (_dir, run) = store("successor");
    assert_eq!(pair(&run, "ana", "bo").code, 0);
    evaluated(&run, "p-1");
    for person in ["ana", "bo"] {
        let opted = run(&[
            "record",
            "p-1",
            "--person",
            person,
            "continue_together=true",
        ]);
        assert_eq!(opted.code, 0, "{}", opted.transcript());
    }
    let ended = run(&["advance", "p-1"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    assert!(
        ended
            .stdout
            .contains("evaluation -> completed (transition 5)")
            && ended.stdout.contains("continues as p-2"),
        "{}",
        ended.stdout
    );
    let old = run(&["status", "p-1"]).stdout;
    assert!(old.contains("continued as p-2"), "{old}");
    let new = run(&["status", "p-2"]).stdout;
    assert!(
        new.starts_with("p-2 — leadership-cohort (extension)"),
        "{new}"
    );
    assert!(new.contains("stage: goal_setting"), "{new}");
    assert!(new.contains("continues p-1"), "{new}");
    assert!(new.contains("goals_total=3 goals_met=3"), "{new}");
    assert!(
        new.contains("mentee bo: continue_together=false"),
        "not carried: {new}"
    );
    let log = run(&["log", "p-2"]).stdout;
    assert!(
        log.contains(
            "enrolled in leadership-cohort as extension, continuing p-1, starting in goal_setting"
        ),
        "{log}"
    );
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn without_both_opting_in_the_pairing_ends_without_a_successor() {
    let (_dir, run) = store("no-successor");
    assert_eq!(pair(&run, "ana", "bo").code, 0);
    evaluated(&run, "p-1");
    assert_eq!(
        run(&["record", "p-1", "--person", "ana", "continue_together=true"]).code,
        0
    );
    let ended = run(&["advance", "p-1"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    assert!(!ended.stdout.contains("continues as"), "{}", ended.stdout);
    assert!(run(&["list"]).stdout.contains("1 pairing"));
}

#[test]
fn continue_re_pairs_a_mentee_with_another_mentor_or_moves_them_to_another_program() {
    let (_dir, run) = store("continue");
    assert_eq!(pair(&run, "ana", "bo").code, 0);
    let running = run(&["continue", "p-1"]);
    assert_eq!(running.code, 1, "{}", running.transcript());
    assert!(
        running.stderr.contains("p-1 has not ended"),
        "{}",
        running.stderr
    );
    assert_eq!(
        run(&["withdraw", "p-1", "--reason", "not-a-fit"]).code,
        0,
        "ended"
    );
    let repaired = run(&[
        "continue",
        "p-1",
        "--person",
        "mentor=eko,grade=10,department=legal",
        "--person",
        "mentee=bo,grade=5,department=sales",
    ]);
    assert_eq!(repaired.code, 0, "{}", repaired.transcript());
    assert!(
        repaired.stdout.contains("enrolled in leadership-cohort as one-on-one, continuing p-1, starting in preparation: eko (mentor), bo (mentee)")
            && repaired.stdout.ends_with("p-1 continues as p-2\n"),
        "{}",
        repaired.stdout
    );
    let twice = run(&["continue", "p-1"]);
    assert_eq!(twice.code, 1);
    assert!(
        twice
            .stderr
            .contains("p-1 continued as p-2 already; continue p-2 instead"),
        "{}",
        twice.stderr
    );
    // Into another program, carrying nothing it does not declare.
    assert_eq!(run(&["withdraw", "p-2", "--reason", "role-change"]).code, 0);
    let moved = run(&[
        "continue",
        "p-2",
        "--program",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        "--person",
        "mentor=eko,experience_years=12",
        "--person",
        "mentee=bo,experience_years=2",
    ]);
    assert_eq!(moved.code, 0, "{}", moved.transcript());
    assert!(
        moved
            .stdout
            .contains("enrolled in mentoring as one-on-one, continuing p-2"),
        "{}",
        moved.stdout
    );
    // A successor is an enrolment: its type's rules and the capacity apply.
    assert_eq!(run(&["withdraw", "p-3", "--reason", "moved"]).code, 0);
    let refused = run(&[
        "continue",
        "p-3",
        "--person",
        "mentor=eko,experience_years=1",
        "--person",
        "mentee=bo,experience_years=2",
    ]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("refuses these participants"),
        "{}",
        refused.stderr
    );
    assert_eq!(run(&["verify"]).code, 0);
}

/// Writes `name` in the store's folder and returns its path.
fn file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

const ORG: &str = "id,name,manager,department,grade\n\
                   ceo,Sari Wulandari,,board,12\n\
                   ana,Ana Putri,ceo,finance,11\n\
                   bo,Bo Lim,ana,finance,6\n\
                   cy,Cy Tan,ceo,sales,5\n\
                   dan,Dan Hakim,ana,legal,7\n";

#[test]
fn the_people_registry_is_imported_once_and_every_change_is_logged() {
    let (dir, run) = store("registry");
    let org = file(&dir, "people.csv", ORG);
    let first = run(&["people", "import", &org]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert_eq!(
        first.stdout,
        format!("people from {org}: 5 added, 0 changed, 0 already as given\n")
    );
    let again = run(&["people", "import", &org]);
    assert!(
        again
            .stdout
            .contains("0 added, 0 changed, 5 already as given"),
        "{}",
        again.stdout
    );
    let promoted = file(
        &dir,
        "promotion.csv",
        "id,name,manager,department,grade\nbo,Bo Lim,ana,finance,7\n",
    );
    let changed = run(&["people", "import", &promoted]);
    assert!(
        changed.stdout.contains("0 added, 1 changed"),
        "{}",
        changed.stdout
    );
    let history = run(&["log", "person:bo"]).stdout;
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(
        history
            .contains("registry entry of bo: Bo Lim, manager ana, department = finance, grade = 7"),
        "{history}"
    );
    let list = run(&["people", "list"]).stdout;
    assert!(
        list.contains("bo   Bo Lim          ana      department=finance grade=7"),
        "{list}"
    );
    assert!(list.ends_with("5 people\n"), "{list}");
    let show = run(&["people", "show", "bo"]).stdout;
    assert!(
        show.starts_with("bo — Bo Lim\nreports to: Ana Putri (ana) -> Sari Wulandari (ceo)\n"),
        "{show}"
    );
    let unknown = run(&["people", "show", "boo"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("did you mean `bo`?"),
        "{}",
        unknown.stderr
    );
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn the_shipped_example_people_enrol_by_id() {
    let (_dir, run) = store("example-people");
    let imported = run(&["people", "import", "programs/examples/people.csv"]);
    assert_eq!(imported.code, 0, "{}", imported.transcript());
    assert!(imported.stdout.contains("60 added"), "{}", imported.stdout);
    let enrolled = run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=e002",
        "--person",
        "mentee=e015",
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    let show = run(&["people", "show", "e015"]).stdout;
    assert!(
        show.contains("reports to: Oki Siregar (e014) -> Maya Lim (e012) -> Sari Wulandari (e001)"),
        "{show}"
    );
    assert!(
        show.contains("p-1 leadership-cohort (one-on-one) as mentee: running, in preparation"),
        "{show}"
    );
}

#[test]
fn a_people_file_with_problems_records_nobody() {
    let (dir, run) = store("registry-refused");
    let bad = file(
        &dir,
        "bad.csv",
        "id,name,manager\nzed,Zed,nobody\nx1,,x2\nx2,,x1\nok,Fine,\n",
    );
    let refused = run(&["people", "import", &bad]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    for line in [
        "bad.csv:2: zed: manager `nobody` is neither in the registry nor in this file",
        "bad.csv:3: x1: the reporting line loops: x1 -> x2 -> x1",
        "3 rows refused; nobody was recorded",
    ] {
        assert!(
            refused.stderr.contains(line),
            "{line} in:\n{}",
            refused.stderr
        );
    }
    let no_id = file(&dir, "no-id.csv", "name,manager\nZed,\n");
    let headless = run(&["people", "import", &no_id]);
    assert_eq!(headless.code, 1);
    assert!(
        headless.stderr.contains("the header needs an `id` column"),
        "{}",
        headless.stderr
    );
    assert!(run(&["people", "list"])
        .stdout
        .contains("the registry has nobody yet"));
}

#[test]
fn enrolments_take_registered_attributes_and_rules_read_the_reporting_line() {
    let (dir, run) = store("registry-enrol");
    assert_eq!(
        run(&["people", "import", &file(&dir, "p.csv", ORG)]).code,
        0
    );
    // Attributes come from the registry; one given with the enrolment wins (a one-off).
    let enrolled = run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=ana",
        "--person",
        "mentee=cy",
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    let status = run(&["status", "p-1"]).stdout;
    let mentor = status
        .lines()
        .find(|l| l.starts_with("  mentor Ana Putri (ana) "))
        .unwrap_or_default();
    assert!(
        mentor.contains("department=\"finance\"") && mentor.contains("grade=11"),
        "{status}"
    );
    // dan reports to ana: not her mentee, even from another department.
    let own_report = run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=ana",
        "--person",
        "mentee=dan,department=marketing",
    ]);
    assert_eq!(own_report.code, 1, "{}", own_report.transcript());
    assert!(
        own_report
            .stderr
            .contains("FAIL !in_reporting_line(mentor, mentee)")
            && own_report
                .stderr
                .contains("grade = 7, utc_offset = 0, reports to ana -> ceo"),
        "{}",
        own_report.stderr
    );
    // A roster names registered people by id alone.
    let roster = file(
        &dir,
        "roster.csv",
        "pairing,type,role,id\nr1,one-on-one,mentor,ceo\nr1,one-on-one,mentee,bo\n",
    );
    let refused = run(&["import", &roster, "--program", COHORT]);
    assert_eq!(
        refused.code,
        1,
        "bo reports to the ceo: {}",
        refused.transcript()
    );
    assert!(
        refused.stderr.contains("reports to ana -> ceo"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_replacement_that_repeats_another_pairings_people_is_refused() {
    let (_dir, run) = store("replace-same");
    let program = "programs/mentoring.toml";
    let peers = |a: &str, b: &str| {
        run(&[
            "enrol",
            program,
            "--type",
            "peer",
            "--person",
            &format!("peer={a},grade=3"),
            "--person",
            &format!("peer={b},grade=4"),
        ])
    };
    assert_eq!(peers("ana", "bo").code, 0);
    assert_eq!(peers("ana", "cy").code, 0);
    let replaced = run(&[
        "replace",
        "p-2",
        "--person",
        "cy",
        "--with",
        "peer=bo,grade=4",
    ]);
    assert_eq!(replaced.code, 1, "{}", replaced.transcript());
    assert!(
        replaced
            .stderr
            .contains("the same people already take part in running pairing p-1"),
        "{}",
        replaced.stderr
    );
}

#[test]
fn an_import_reports_every_refusal_even_after_the_first() {
    let (dir, run) = store("import-all-refusals");
    // Row 1 is refused by the type's rule; rows 2 and 3 then both give ana a third pairing
    // beyond her capacity of two with p-1 and p-2: each is reported.
    assert_eq!(pair(&run, "ana", "x1").code, 0);
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,grade,department\n\
         r1,one-on-one,mentor,eko,5,legal\n\
         r1,one-on-one,mentee,fay,5,sales\n\
         r2,one-on-one,mentor,ana,9,finance\n\
         r2,one-on-one,mentee,gus,5,sales\n\
         r3,one-on-one,mentor,ana,9,finance\n\
         r3,one-on-one,mentee,hal,5,sales\n",
    )
    .expect("roster");
    let refused = run(&["import", &roster.to_string_lossy(), "--program", COHORT]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("pairing `r1`: type `one-on-one` refuses"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("pairing `r3`: ana already takes part as mentor in 2 running pairings"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_fact_sheet_names_pairings_by_their_labels() {
    let (dir, run) = store("sheet-labels");
    let roster = dir.join("roster.csv");
    std::fs::write(
        &roster,
        "pairing,type,role,id,grade,department\nr07,one-on-one,mentor,ana,9,finance\nr07,one-on-one,mentee,bo,5,sales\n",
    )
    .expect("roster");
    assert_eq!(
        run(&["import", &roster.to_string_lossy(), "--program", COHORT]).code,
        0
    );
    let sheet = dir.join("sheet.csv");
    std::fs::write(&sheet, "pairing,kickoff_held\nr07,true\n").expect("sheet");
    let recorded = run(&["record", "--from", &sheet.to_string_lossy()]);
    assert_eq!(recorded.code, 0, "{}", recorded.transcript());
    assert!(recorded.stdout.contains("p-1 by"), "{}", recorded.stdout);
}

#[test]
fn a_group_that_closes_when_someone_leaves_continues_as_its_closing_stage_says() {
    let (dir, run) = store("leave-successor");
    let program = dir.join("shrinking.toml");
    std::fs::write(
        &program,
        r#"[program]
id = "shrinking"
title = "A group that becomes a one-on-one"
initial = "meeting"

[stages.meeting]
[stages.done]
outcome = "success"
[stages.too_small]
outcome = "closed"

[stages.too_small.successor]
type = "one-on-one"

[[transitions]]
from = "meeting"
to = "done"

[[transitions]]
from = "*"
to = "too_small"
guard = "mentees.len() < 2"
auto = true

[types.group]
roles = { mentor = 1, mentee = { min = 2, max = 5 } }

[types.one-on-one]
roles = { mentor = 1, mentee = 1 }
"#,
    )
    .expect("program");
    let program = program.to_string_lossy().into_owned();
    let enrolled = run(&[
        "enrol", &program, "--type", "group", "--person", "mentor=g", "--person", "mentee=a",
        "--person", "mentee=b",
    ]);
    assert_eq!(enrolled.code, 0, "{}", enrolled.transcript());
    let left = run(&["leave", "p-1", "--person", "b", "--reason", "moved"]);
    assert_eq!(left.code, 0, "{}", left.transcript());
    assert!(
        left.stdout.contains("meeting -> too_small automatically")
            && left.stdout.contains("continues as p-2"),
        "{}",
        left.stdout
    );
    let next = run(&["status", "p-2"]).stdout;
    assert!(
        next.starts_with("p-2 — shrinking (one-on-one)") && next.contains("continues p-1"),
        "{next}"
    );
    assert_eq!(run(&["verify"]).code, 0);
}

/// Issue 30: a sheet of some columns changes those and nothing else; an empty cell leaves its
/// field alone, `<unset>` clears it; a dry run shows each change and stores nothing.
#[test]
fn a_people_import_merges_and_never_erases_by_leaving_out() {
    let (dir, run) = store("merge");
    assert_eq!(
        run(&["people", "import", &file(&dir, "org.csv", ORG)]).code,
        0
    );
    let moves = file(
        &dir,
        "moves.csv",
        "id,department,grade\nbo,sales,\ncy,<unset>,6\n",
    );
    let dry = run(&["people", "import", &moves, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    assert_eq!(
        dry.stdout,
        format!(
            "  bo: department finance -> sales\n  cy: department sales -> (none); grade 5 -> 6\n\
             people from {moves}: 0 would be added, 2 would change, 0 already as given; nothing was stored (dry run)\n"
        )
    );
    assert_eq!(
        run(&["log", "person:bo"]).stdout.lines().count(),
        1,
        "the dry run logs nothing"
    );
    let done = run(&["people", "import", &moves]);
    assert_eq!(done.code, 0, "{}", done.transcript());
    assert!(
        done.stdout
            .ends_with("0 added, 2 changed, 0 already as given\n"),
        "{}",
        done.stdout
    );
    let list = run(&["people", "list"]).stdout;
    // Names, managers and the grade left empty stay; cy's department is gone.
    assert!(
        list.contains("bo   Bo Lim          ana      department=sales grade=6"),
        "{list}"
    );
    assert!(
        list.contains("cy   Cy Tan          ceo      grade=6"),
        "{list}"
    );
    assert_eq!(
        run(&["log", "person:cy"]).stdout.lines().count(),
        2,
        "every change is an event"
    );
    let json = run(&["people", "import", &moves, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(json["unchanged"], serde_json::json!(["bo", "cy"]));
}

#[test]
fn people_edit_sets_and_clears_one_persons_fields() {
    let (dir, run) = store("edit");
    assert_eq!(
        run(&["people", "import", &file(&dir, "org.csv", ORG)]).code,
        0
    );
    let edited = run(&[
        "people",
        "edit",
        "dan",
        "--unset",
        "grade",
        "--set",
        "team=audit",
        "--manager",
        "ceo",
    ]);
    assert_eq!(edited.code, 0, "{}", edited.transcript());
    assert_eq!(
        edited.stdout,
        "  dan: manager ana -> ceo; grade 7 -> (none); team (none) -> audit\n\
         dan: 0 added, 1 changed, 0 already as given\n"
    );
    let list = run(&["people", "list"]).stdout;
    assert!(
        list.contains("dan  Dan Hakim       ceo      department=legal team=audit"),
        "{list}"
    );
    // A typo adds no one; an edit that names nothing says what to give.
    let typo = run(&["people", "edit", "dam", "--set", "team=x"]);
    assert_eq!(typo.code, 1, "{}", typo.transcript());
    assert!(
        typo.stderr
            .contains("`dam` is not in the people registry (did you mean `dan`?)"),
        "{}",
        typo.stderr
    );
    let nothing = run(&["people", "edit", "dan"]);
    assert_eq!(nothing.code, 2, "{}", nothing.transcript());
    assert!(
        nothing.stderr.contains("nothing to change"),
        "{}",
        nothing.stderr
    );
    let both = run(&[
        "people", "edit", "dan", "--set", "team=x", "--unset", "team",
    ]);
    assert_eq!(both.code, 2, "{}", both.transcript());
    // A loop in the reporting line is refused and nothing changes.
    let looped = run(&["people", "edit", "ceo", "--manager", "dan"]);
    assert_eq!(looped.code, 1, "{}", looped.transcript());
    assert!(looped.stderr.contains("loops"), "{}", looped.stderr);
    assert_eq!(run(&["log", "person:ceo"]).stdout.lines().count(), 1);
}

/// Issue 30: someone replaced because they left is offered a deactivation.
#[test]
fn replacing_someone_who_left_offers_to_deactivate_them() {
    let (dir, run) = store("left");
    assert_eq!(
        run(&["people", "import", &file(&dir, "org.csv", ORG)]).code,
        0
    );
    assert_eq!(pair(&run, "cy", "dan").code, 0);
    let replaced = run(&[
        "replace",
        "p-1",
        "--person",
        "dan",
        "--with",
        "mentee=bo,department=legal",
        "--reason",
        "left",
    ]);
    assert_eq!(replaced.code, 0, "{}", replaced.transcript());
    assert!(
        replaced.stderr.contains(
            "hint: if dan left the organisation, `mentorflow people deactivate dan --reason left`"
        ),
        "{}",
        replaced.stderr
    );
    let gone = run(&["people", "deactivate", "dan", "--reason", "left"]);
    assert_eq!(gone.code, 0, "{}", gone.transcript());
    assert_eq!(
        gone.stdout,
        "  dan: inactive (none) -> left\ndan: 0 added, 1 changed, 0 already as given\n"
    );
    // Asked again, it changes nothing; an empty reason is refused.
    let again = run(&["people", "deactivate", "dan", "--reason", "left"]);
    assert!(
        again.stdout.ends_with("0 changed, 1 already as given\n"),
        "{}",
        again.stdout
    );
    let empty = run(&["people", "deactivate", "dan", "--reason", " "]);
    assert_eq!(empty.code, 2, "{}", empty.transcript());
}

/// Issue 30: a person's own capacity (the registry's `capacity`) limits their running
/// pairings under the lock, beside the program's; an override needs a reason and is logged.
#[test]
fn a_persons_own_capacity_is_held_unless_overridden_with_a_reason() {
    let (dir, run) = store("own-capacity");
    assert_eq!(
        run(&["people", "import", &file(&dir, "org.csv", ORG)]).code,
        0
    );
    assert_eq!(
        run(&["people", "edit", "cy", "--set", "capacity=1"]).code,
        0
    );
    assert_eq!(pair(&run, "cy", "dan").code, 0);
    let second = pair(&run, "cy", "bo");
    assert_eq!(second.code, 1, "{}", second.transcript());
    assert!(
        second.stderr.contains(
            "cy already takes part in 1 running pairing (p-1), and their own capacity in the people registry is 1"
        ),
        "{}",
        second.stderr
    );
    let empty = run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=cy,grade=9,department=finance",
        "--person",
        "mentee=bo,grade=5,department=sales",
        "--over-capacity",
        " ",
    ]);
    assert_eq!(empty.code, 2, "{}", empty.transcript());
    let over = run(&[
        "enrol",
        COHORT,
        "--type",
        "one-on-one",
        "--person",
        "mentor=cy,grade=9,department=finance",
        "--person",
        "mentee=bo,grade=5,department=sales",
        "--over-capacity",
        "agreed with her manager",
    ]);
    assert_eq!(over.code, 0, "{}", over.transcript());
    let log = run(&["log", "p-2"]).stdout;
    assert!(
        log.contains("over capacity: cy (capacity 1): agreed with her manager"),
        "{log}"
    );
}
