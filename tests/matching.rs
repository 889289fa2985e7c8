//! Matching (issue 12): `mentorflow match` proposes the best pairs under every rule and
//! capacity, explains each, compares with a greedy matching, and enrols them on request.

use mentorflow_tests::Run;

const COHORT: &str = "programs/leadership-cohort.toml";
const PEOPLE: &str = "programs/examples/people.csv";

/// A fresh store for test `name`, and a way to run commands on it.
fn store(name: &str) -> (std::path::PathBuf, impl Fn(&[&str]) -> Run) {
    mentorflow_tests::fresh_store(&format!("match-{name}"))
}

/// The two totals of a proposal's first line: ours and the greedy one.
fn totals(first_line: &str) -> (f64, f64) {
    let numbers: Vec<f64> = first_line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.parse().ok())
        .collect();
    // "proposal: N pairs, total score T (greedy, best pair first: G pairs, total U)"
    (numbers[1], numbers[3])
}

#[test]
fn the_example_people_are_matched_at_least_as_well_as_greedily_with_every_part_shown() {
    let (_dir, run) = store("example");
    let proposal = run(&["match", "--program", COHORT, "--type", "one-on-one", PEOPLE]);
    assert_eq!(proposal.code, 0, "{}", proposal.transcript());
    let first = proposal.stdout.lines().next().unwrap_or_default();
    let (ours, greedy) = totals(first);
    assert!(ours >= greedy, "{first}");
    assert!(
        proposal.stdout.lines().nth(1).unwrap_or_default()
            == "mentor  mentee  score  seniority  experience     time_zones     erg",
        "{}",
        proposal.stdout
    );
    assert!(
        proposal.stdout.contains("unmatched mentee"),
        "{}",
        proposal.stdout
    );
    // Same input, same output.
    let again = run(&["match", "--program", COHORT, "--type", "one-on-one", PEOPLE]);
    assert_eq!(again.stdout, proposal.stdout);
    let json = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(value["pairs"][0]["parts"]
        .as_array()
        .is_some_and(|p| p.len() == 4));
    assert!(value["total"].as_f64() >= value["greedy"]["total"].as_f64());
}

#[test]
fn a_proposal_as_csv_imports_and_apply_enrols_it_all_or_none() {
    let (dir, run) = store("apply");
    let csv = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--format",
        "csv",
    ]);
    assert_eq!(csv.code, 0, "{}", csv.transcript());
    assert!(
        csv.stdout
            .starts_with("pairing,type,role,id\nm001,one-on-one,mentor,"),
        "{}",
        csv.stdout
    );
    let pairs = csv.stdout.lines().count() / 2;
    // Registered people: the roster of ids imports with the registry's attributes.
    assert_eq!(run(&["people", "import", PEOPLE]).code, 0);
    let roster = dir.join("roster.csv");
    std::fs::write(&roster, &csv.stdout).expect("roster");
    let imported = run(&[
        "import",
        &roster.to_string_lossy(),
        "--program",
        COHORT,
        "--dry-run",
    ]);
    assert_eq!(imported.code, 0, "{}", imported.transcript());
    let applied = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        "--apply",
    ]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .starts_with(&format!("enrolled {pairs} pairings in leadership-cohort")),
        "{}",
        applied.stdout
    );
    // Their capacity now used, a second round proposes only what is left.
    let second = run(&["match", "--program", COHORT, "--type", "one-on-one"]);
    assert_eq!(second.code, 0, "{}", second.transcript());
    let left: usize = second.stdout["proposal: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    assert!(left < pairs, "{}", second.stdout);
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn an_excluded_pair_is_not_proposed_again() {
    let (_dir, run) = store("exclude");
    let first = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--format",
        "csv",
    ]);
    let mentor = first
        .stdout
        .lines()
        .nth(1)
        .and_then(|l| l.rsplit(',').next())
        .unwrap_or_default()
        .to_string();
    let mentee = first
        .stdout
        .lines()
        .nth(2)
        .and_then(|l| l.rsplit(',').next())
        .unwrap_or_default()
        .to_string();
    let pair = format!("{mentor}:{mentee}");
    let again = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--format",
        "csv",
        "--exclude",
        &pair,
    ]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    let together = again.stdout.lines().collect::<Vec<_>>().chunks(2).any(|c| {
        c.len() == 2
            && c[0].ends_with(&format!(",{mentor}"))
            && c[1].ends_with(&format!(",{mentee}"))
    });
    assert!(!together, "{pair} proposed again:\n{}", again.stdout);
}

#[test]
fn matching_says_what_is_missing_and_stores_nothing() {
    let (dir, run) = store("errors");
    let no_matching = run(&[
        "match",
        "--program",
        "programs/mentoring.toml",
        "--type",
        "one-on-one",
        PEOPLE,
    ]);
    assert_eq!(no_matching.code, 1, "{}", no_matching.transcript());
    assert!(
        no_matching.stderr.contains("has no [matching] section"),
        "{}",
        no_matching.stderr
    );
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "id,role,capacity\nana,boss,1\nbo,mentor,many\n").expect("bad");
    let refused = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        &bad.to_string_lossy(),
    ]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("bad.csv:2: give an id and a role of mentor or mentee"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("bad.csv:3: capacity `many` is not a whole number"),
        "{}",
        refused.stderr
    );
    let exclude = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--exclude",
        "ana",
    ]);
    assert_eq!(exclude.code, 2, "{}", exclude.transcript());
    // An id that is no candidate would exclude nothing: a typo, refused with the near one.
    let typo = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--exclude",
        "e02:e015",
    ]);
    assert_eq!(typo.code, 2, "{}", typo.transcript());
    assert!(
        typo.stderr
            .contains("`e02` is not a mentor among the candidates (did you mean `e002`?)"),
        "{}",
        typo.stderr
    );
    let nobody = run(&["match", "--program", COHORT, "--type", "one-on-one"]);
    assert_eq!(nobody.code, 1);
    assert!(nobody.stderr.contains("no candidates"), "{}", nobody.stderr);
    assert_eq!(run(&["log"]).stdout, "", "nothing stored");
}

#[test]
fn a_pairing_that_was_not_a_fit_is_re_matched_with_another_mentor_as_its_successor() {
    let (_dir, run) = store("rematch");
    assert_eq!(run(&["people", "import", PEOPLE]).code, 0);
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
    let running = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        "--rematch",
        "p-1",
    ]);
    assert_eq!(running.code, 1);
    assert!(
        running.stderr.contains("p-1 has not ended"),
        "{}",
        running.stderr
    );
    assert_eq!(run(&["withdraw", "p-1", "--reason", "not-a-fit"]).code, 0);
    let proposal = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        "--rematch",
        "p-1",
    ]);
    assert_eq!(proposal.code, 0, "{}", proposal.transcript());
    assert!(
        proposal.stdout.starts_with("proposal: 1 pair,"),
        "{}",
        proposal.stdout
    );
    assert!(
        !proposal.stdout.contains("e002 "),
        "never the previous mentor: {}",
        proposal.stdout
    );
    assert!(
        !proposal.stdout.contains("unmatched mentor"),
        "{}",
        proposal.stdout
    );
    let applied = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        "--rematch",
        "p-1",
        "--apply",
    ]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .starts_with("p-1 continues as p-2: e015 with "),
        "{}",
        applied.stdout
    );
    let status = run(&["status", "p-2"]).stdout;
    assert!(
        status.contains("continues p-1") && status.contains("mentee e015"),
        "{status}"
    );
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn a_group_type_is_matched_into_groups_within_its_bounds_and_enrolled_as_groups() {
    let (_dir, run) = store("groups");
    let csv = run(&[
        "match",
        "--program",
        "programs/erg-group.toml",
        "--type",
        "group",
        PEOPLE,
        "--format",
        "csv",
    ]);
    assert_eq!(csv.code, 0, "{}", csv.transcript());
    let mut groups: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for line in csv.stdout.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let g = groups.entry(cells[0].to_string()).or_default();
        match cells[2] {
            "mentor" => g.0 += 1,
            _ => g.1 += 1,
        }
    }
    assert!(!groups.is_empty(), "{}", csv.stdout);
    for (label, (mentors, mentees)) in &groups {
        assert_eq!(*mentors, 1, "{label}");
        assert!((3..=8).contains(mentees), "{label}: {mentees} mentees");
    }
    assert_eq!(run(&["people", "import", PEOPLE]).code, 0);
    let applied = run(&[
        "match",
        "--program",
        "programs/erg-group.toml",
        "--type",
        "group",
        "--apply",
    ]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .starts_with(&format!("enrolled {} pairings in erg-group", groups.len())),
        "{}",
        applied.stdout
    );
    assert_eq!(run(&["verify"]).code, 0);
}

#[test]
fn a_type_with_its_own_matching_is_matched_by_it() {
    let (dir, run) = store("type-matching");
    let candidates = dir.join("candidates.csv");
    std::fs::write(
        &candidates,
        "id,role,grade,skills,goals,preferred\n\
         junior,mentor,3,\"ai,data\",,\n\
         other,mentor,4,ux,,\n\
         senior,mentee,11,,\"ai,data\",\"other,junior\"\n",
    )
    .expect("candidates");
    let program = "tests/fixtures/check/clean_matching.toml";
    let reverse = run(&[
        "match",
        "--program",
        program,
        "--type",
        "reverse",
        &candidates.to_string_lossy(),
        "--json",
    ]);
    assert_eq!(reverse.code, 0, "{}", reverse.transcript());
    let value: serde_json::Value = serde_json::from_str(&reverse.stdout).expect("json");
    let pair = &value["pairs"][0];
    assert_eq!(pair["mentor"], "junior", "{value}");
    let parts: Vec<&str> = pair["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["criterion"].as_str())
        .collect();
    assert_eq!(parts, ["topics", "preferred"]);
    // 2 topics in common, and ranked second: 2 + 2 x 1/2.
    assert_eq!(pair["score"].as_f64(), Some(3.0));
    // The one-on-one type uses the program's [matching], whose `allow` wants the senior to
    // mentor: nobody here may be paired that way.
    let plain = run(&[
        "match",
        "--program",
        program,
        "--type",
        "one-on-one",
        &candidates.to_string_lossy(),
    ]);
    assert_eq!(plain.code, 0, "{}", plain.transcript());
    assert!(
        plain.stdout.starts_with("proposal: 0 pairs")
            && plain
                .stdout
                .contains("unmatched mentee senior: no allowed partner"),
        "{}",
        plain.stdout
    );
}

#[test]
fn a_person_listed_twice_in_one_role_is_refused_and_a_group_is_not_re_matched() {
    let (dir, run) = store("duplicates");
    let candidates = dir.join("c.csv");
    std::fs::write(
        &candidates,
        "id,role,grade,department\nana,mentor,11,finance\nbo,mentee,5,sales\nbo,mentee,5,sales\n",
    )
    .expect("candidates");
    let refused = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        &candidates.to_string_lossy(),
    ]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("c.csv:4: bo is listed as mentee again (first on line 3)"),
        "{}",
        refused.stderr
    );
    let group = run(&[
        "enrol",
        "programs/erg-group.toml",
        "--type",
        "group",
        "--person",
        "mentor=g,erg=pride",
        "--person",
        "mentee=a,erg=pride",
        "--person",
        "mentee=b,erg=pride",
        "--person",
        "mentee=c,erg=pride",
    ]);
    assert_eq!(group.code, 0, "{}", group.transcript());
    assert_eq!(run(&["withdraw", "p-1", "--reason", "moved"]).code, 0);
    let rematch = run(&[
        "match",
        "--program",
        "programs/erg-group.toml",
        "--type",
        "group",
        PEOPLE,
        "--rematch",
        "p-1",
    ]);
    assert_eq!(rematch.code, 1, "{}", rematch.transcript());
    assert!(
        rematch
            .stderr
            .contains("p-1 has 3 mentees; --rematch finds a new mentor"),
        "{}",
        rematch.stderr
    );
}

/// Issue 28: judging the pairs runs under the script budget, as a bulk command's scripts do:
/// when it is spent, nothing is proposed and the budget is named.
#[test]
fn judging_stops_when_the_script_budget_is_spent() {
    let (_dir, run) = store("budget");
    let proposal = run(&[
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        PEOPLE,
        "--script-budget",
        "0",
    ]);
    assert_eq!(proposal.code, 1, "{}", proposal.transcript());
    assert!(
        proposal
            .stderr
            .contains("the script budget of 0 s was spent after judging 0 of"),
        "{}",
        proposal.stderr
    );
    assert!(proposal.stdout.is_empty(), "{}", proposal.stdout);
}

/// The first pair of a proposal in CSV: (mentor, mentee).
fn first_pair(csv: &str) -> (String, String) {
    let id = |n: usize| {
        csv.lines()
            .nth(n)
            .and_then(|l| l.rsplit(',').next())
            .unwrap_or_default()
            .to_string()
    };
    (id(1), id(2))
}

/// Issue 30: `match` knows who was paired before and who is inactive; an inactive person is
/// not enrolled until reactivated.
#[test]
fn match_leaves_out_pairs_made_before_and_inactive_people() {
    let (_dir, run) = store("history");
    assert_eq!(run(&["people", "import", PEOPLE]).code, 0);
    let propose = || {
        run(&[
            "match",
            "--program",
            COHORT,
            "--type",
            "one-on-one",
            "--format",
            "csv",
        ])
    };
    let first = propose();
    assert_eq!(first.code, 0, "{}", first.transcript());
    let (mentor, mentee) = first_pair(&first.stdout);
    let enrol = |mentor: &str, mentee: &str| {
        let (m, e) = (format!("mentor={mentor}"), format!("mentee={mentee}"));
        run(&[
            "enrol",
            COHORT,
            "--type",
            "one-on-one",
            "--person",
            &m,
            "--person",
            &e,
        ])
    };
    assert_eq!(enrol(&mentor, &mentee).code, 0);
    let ended = run(&["withdraw", "p-1", "--reason", "no-time"]);
    assert_eq!(ended.code, 0, "{}", ended.transcript());
    // The two were paired before: never proposed together again.
    let again = propose();
    assert_eq!(again.code, 0, "{}", again.transcript());
    let together = again.stdout.lines().collect::<Vec<_>>().chunks(2).any(|c| {
        c.len() == 2
            && c[0].ends_with(&format!(",{mentor}"))
            && c[1].ends_with(&format!(",{mentee}"))
    });
    assert!(
        !together,
        "{mentor} and {mentee} proposed again:\n{}",
        again.stdout
    );
    // Inactive: left out of every proposal, and not enrolled.
    let gone = run(&[
        "people",
        "deactivate",
        &mentor,
        "--reason",
        "left the company",
    ]);
    assert_eq!(gone.code, 0, "{}", gone.transcript());
    let text = run(&["match", "--program", COHORT, "--type", "one-on-one"]);
    assert_eq!(text.code, 0, "{}", text.transcript());
    assert!(
        !text.stdout.contains(&mentor),
        "{mentor} proposed:\n{}",
        text.stdout
    );
    let refused = enrol(&mentor, "e020");
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(&format!(
            "{mentor}: is inactive in the people registry (left the company)"
        )),
        "{}",
        refused.stderr
    );
    let back = run(&["people", "reactivate", &mentor]);
    assert_eq!(back.code, 0, "{}", back.transcript());
    assert!(
        back.stdout.contains("inactive left the company -> (none)"),
        "{}",
        back.stdout
    );
    let log = run(&["log", &format!("person:{mentor}")]).stdout;
    assert_eq!(
        log.lines().count(),
        3,
        "imported, deactivated, reactivated:\n{log}"
    );
}
