//! A program changes while pairings run: the designer renames a stage and tightens a guard in a
//! copy of mentoring.toml; `diff` shows it, `replay` shows whose path would differ, `migrate`
//! moves the running pairings (a dry run first), and the store still verifies.

use mentorflow_tests::{mentorflow, with_flags, Run};

struct Store {
    dir: std::path::PathBuf,
    path: String,
}

impl Store {
    fn run(&self, now: &str, args: &[&str]) -> Run {
        mentorflow(&with_flags(
            args,
            &[
                "--store",
                self.path.as_str(),
                "--actor",
                "designer",
                "--now",
                now,
            ],
        ))
    }

    /// Output with the temp folder written as `$DIR`, for stable snapshots.
    fn shown(&self, run: &Run) -> String {
        run.transcript()
            .replace(&*self.dir.to_string_lossy(), "$DIR")
    }
}

#[test]
fn a_changed_program_is_diffed_replayed_and_migrated() {
    let dir = mentorflow_tests::scratch_dir("change");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let s = Store {
        path: dir.join("store.db").to_string_lossy().into_owned(),
        dir,
    };
    let t0 = "2026-01-05T09:00:00Z";
    assert_eq!(s.run(t0, &["init"]).code, 0);
    for (ty, a, b) in [
        (
            "one-on-one",
            "mentor=ana,experience_years=12",
            "mentee=budi,experience_years=2",
        ),
        (
            "one-on-one",
            "mentor=citra,experience_years=9",
            "mentee=dewi,experience_years=1",
        ),
        ("peer", "peer=eko,grade=5", "peer=fajar,grade=6"),
    ] {
        let run = s.run(
            t0,
            &[
                "enrol",
                "programs/mentoring.toml",
                "--type",
                ty,
                "--person",
                a,
                "--person",
                b,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let sheet = s.dir.join("week.csv");
    std::fs::write(
        &sheet,
        "pairing,mentor_assigned,schedule_set,orientation_done,goals_total,meetings\n\
         p-1,true,true,true,3,6\np-2,true,true,true,3,6\np-3,true,true,,,\n",
    )
    .expect("sheet");
    let record = s.run(
        "2026-01-12T09:00:00Z",
        &["record", "--from", &sheet.to_string_lossy()],
    );
    assert_eq!(record.code, 0, "{}", record.transcript());
    for _ in 0..4 {
        assert_eq!(s.run("2026-01-12T10:00:00Z", &["advance", "--all"]).code, 0);
    }
    // p-1 and p-2 reached evaluation with 6 meetings; p-3 waits in orientation.
    let new = s.dir.join("mentoring-v2.toml");
    let text = std::fs::read_to_string("programs/mentoring.toml")
        .expect("read")
        .replace(
            "guard = \"facts.meetings >= 6\"",
            "guard = \"facts.meetings >= 7\"",
        )
        .replace("[stages.evaluation]", "[stages.review]")
        .replace("\"evaluation\"", "\"review\"");
    std::fs::write(&new, text).expect("write");
    let new = new.to_string_lossy().into_owned();
    let diff = mentorflow(&["diff", "programs/mentoring.toml", &new]);
    assert_eq!(diff.code, 0, "{}", diff.transcript());
    insta::assert_snapshot!("diff", s.shown(&diff));
    let replay = s.run("2026-01-13T09:00:00Z", &["replay", "--program", &new]);
    assert_eq!(replay.code, 0, "{}", replay.transcript());
    insta::assert_snapshot!("replay", s.shown(&replay));
    let mapping = s.dir.join("mapping.toml");
    std::fs::write(&mapping, "[stages]\nevaluation = \"review\"\n").expect("mapping");
    let mapping = mapping.to_string_lossy().into_owned();
    let migrate = |dry: bool| {
        let mut args = vec![
            "migrate",
            "--to",
            new.as_str(),
            "--mapping",
            mapping.as_str(),
        ];
        if dry {
            args.push("--dry-run");
        }
        s.run("2026-01-13T09:00:00Z", &args)
    };
    let dry = migrate(true);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    insta::assert_snapshot!("migrate_dry_run", s.shown(&dry));
    let before = s.run(t0, &["log"]).stdout;
    assert!(!before.contains("migrated"), "a dry run stores nothing");
    let real = migrate(false);
    assert_eq!(real.code, 0, "{}", real.transcript());
    let verify = s.run("2026-01-13T09:00:00Z", &["verify"]);
    assert_eq!(verify.code, 0, "{}", verify.transcript());
    let log = s.run("2026-01-13T09:00:00Z", &["log", "p-1"]);
    insta::assert_snapshot!("log_after_migration", s.shown(&log));
    // On the new version, p-1 waits in `review` and finishes there.
    let done = s.run(
        "2026-01-20T09:00:00Z",
        &[
            "record",
            "p-1",
            "goals_met=3",
            "mentee_rating=5",
            "evaluations=1",
        ],
    );
    assert_eq!(done.code, 0, "{}", done.transcript());
    let advance = s.run("2026-01-20T10:00:00Z", &["advance", "p-1"]);
    assert!(
        advance.stdout.contains("review -> completed"),
        "{}",
        advance.transcript()
    );
    assert_eq!(s.run("2026-01-20T10:00:00Z", &["verify"]).code, 0);
}

#[test]
fn a_mapping_file_is_checked_against_both_versions_with_located_errors() {
    let dir = mentorflow_tests::scratch_dir("mapping");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let s = Store {
        path: dir.join("store.db").to_string_lossy().into_owned(),
        dir,
    };
    let t0 = "2026-01-05T09:00:00Z";
    assert_eq!(s.run(t0, &["init"]).code, 0);
    let run = s.run(
        t0,
        &[
            "enrol",
            "programs/mentoring.toml",
            "--type",
            "peer",
            "--person",
            "peer=a,grade=3",
            "--person",
            "peer=b,grade=4",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let new = s.dir.join("v2.toml");
    let text = std::fs::read_to_string("programs/mentoring.toml")
        .expect("read")
        .replace("[stages.evaluation]", "[stages.review]")
        .replace("\"evaluation\"", "\"review\"");
    std::fs::write(&new, text).expect("write");
    let mapping = s.dir.join("mapping.toml");
    std::fs::write(
        &mapping,
        "[stages]\nevaluaton = \"review\"\nmentoring = \"completed\"\n\n[facts]\nmeetings = \"sesions\"\n",
    )
    .expect("mapping");
    let run = s.run(
        t0,
        &[
            "migrate",
            "--to",
            &new.to_string_lossy(),
            "--mapping",
            &mapping.to_string_lossy(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(s.shown(&run));
    assert!(!s.run(t0, &["log"]).stdout.contains("migrated"));
}

/// Issue 30: `diff` and `replay` take the renames `migrate` takes, so a stage renamed and
/// changed at once (and a renamed fact) reads as one change, and history replays on it.
#[test]
fn diff_and_replay_understand_a_rename_given_by_a_mapping() {
    let dir = mentorflow_tests::scratch_dir("rename-mapping");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let old_text = std::fs::read_to_string("programs/leadership-cohort.toml").expect("program");
    let new_text = old_text
        .replace("stages.evaluation]", "stages.review]")
        .replace("\"evaluation\"", "\"review\"")
        .replace("goals_met", "goals_reached")
        .replace("description = \"Mentor and mentee review the goals; the mentee rates the mentoring\"\ndue = \"14d\"", "description = \"Mentor and mentee review the goals; the mentee rates the mentoring\"\ndue = \"21d\"");
    assert_ne!(old_text, new_text);
    let (old, new) = (dir.join("old.toml"), dir.join("new.toml"));
    std::fs::write(&old, &old_text).expect("old");
    std::fs::write(&new, &new_text).expect("new");
    let (old, new) = (
        old.to_string_lossy().into_owned(),
        new.to_string_lossy().into_owned(),
    );
    let store = dir.join("s.db").to_string_lossy().into_owned();
    let at = |now: &str, args: &[&str]| -> Run {
        let run = mentorflow(&with_flags(args, &["--store", &store, "--now", now]));
        assert!(
            run.code == 0 || args[0] == "replay",
            "{args:?}\n{}",
            run.transcript()
        );
        run
    };
    at("2026-01-05", &["init"]);
    let (m, e) = (
        "mentor=ana,grade=9,department=finance",
        "mentee=bo,grade=5,department=sales",
    );
    at(
        "2026-01-05",
        &[
            "enrol",
            &old,
            "--type",
            "one-on-one",
            "--person",
            m,
            "--person",
            e,
        ],
    );
    at(
        "2026-01-06",
        &["record", "p-1", "kickoff_held=true", "goals_total=3"],
    );
    at("2026-01-06", &["advance", "--all"]);
    let force = [
        "advance",
        "p-1",
        "--to",
        "evaluation",
        "--force",
        "--reason",
        "correction",
    ];
    at("2026-06-01", &force);
    at(
        "2026-06-02",
        &["record", "p-1", "goals_met=3", "mentee_rating=5"],
    );
    at("2026-06-03", &["advance", "p-1"]);
    let renames = [
        "--rename-stage",
        "evaluation=review",
        "--rename-fact",
        "goals_met=goals_reached",
    ];
    // Without the mapping the stage is gone; with it, the history takes the same path.
    let lost = at("2026-06-03", &["replay", "--program", &new]);
    assert!(lost.stdout.contains("1 impossible"), "{}", lost.stdout);
    let mut replay = vec!["replay", "--program", new.as_str()];
    replay.extend(renames);
    let same = at("2026-06-03", &replay);
    assert!(same.stdout.contains("p-1: same path"), "{}", same.stdout);
    let mut diff = vec!["diff", old.as_str(), new.as_str()];
    diff.extend(renames);
    let shown = at("2026-06-03", &diff).stdout;
    for line in [
        "~ stage `evaluation` renamed `review`",
        "~ stage `review`: due `14d` -> `21d`",
        "~ fact `goals_met` renamed `goals_reached`",
    ] {
        assert!(shown.contains(line), "{line}:\n{shown}");
    }
    assert!(!shown.contains("+ stage `review`"), "{shown}");
    // A name the old version lacks is refused, with a suggestion.
    let typo = mentorflow(&["diff", &old, &new, "--rename-stage", "evaluatoin=review"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `evaluation`"),
        "{}",
        typo.stderr
    );
}
