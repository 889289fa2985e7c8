//! Issue 30's cohort: 40 leadership pairings over 26 weeks, as a coordinator runs them. People
//! are imported with their own capacity (one mentor takes a single mentee), `match --apply`
//! enrols the pairs, a partial sheet later renames people without erasing their attributes, a
//! mentor leaves and is replaced, a mentee leaves and is deactivated, a newcomer is matched
//! mid-cohort, meetings are kept or missed. At the end the attention list holds exactly the
//! pairings that need a call, and the HTML report of the cohort is drawn in Chromium (with
//! `MENTORFLOW_DOCS=1`, `scripts/docs-screenshots` copies it to docs/).

use std::collections::BTreeSet;

use mentorflow_tests::{mentorflow, scratch_dir, with_flags, Run};

const COHORT: &str = "programs/leadership-cohort.toml";

const FIRST: [&str; 10] = [
    "Ana", "Bo", "Chidi", "Dana", "Eko", "Fatima", "Goran", "Hana", "Ines", "Jun",
];
const LAST: [&str; 8] = [
    "Lima", "Berg", "Okafor", "Diaz", "Santoso", "Haddad", "Novak", "Sato",
];

/// A scratch folder and its store, gone with the test.
struct Season {
    dir: std::path::PathBuf,
    store: String,
}

impl Drop for Season {
    fn drop(&mut self) {
        if std::env::var_os("MENTORFLOW_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Season {
    fn new() -> Season {
        let dir = scratch_dir("steering-cohort");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store = dir.join("cohort.db").to_string_lossy().into_owned();
        Season { dir, store }
    }

    /// `args` as of `day` (09:00 UTC unless it names a time), which must succeed.
    fn ok(&self, day: &str, args: &[&str]) -> Run {
        let run = self.at(day, args);
        assert_eq!(run.code, 0, "{args:?} on {day}:\n{}", run.transcript());
        run
    }

    fn at(&self, day: &str, args: &[&str]) -> Run {
        let now = if day.contains('T') {
            day.to_string()
        } else {
            format!("{day}T09:00:00Z")
        };
        mentorflow(&with_flags(args, &["--store", &self.store, "--now", &now]))
    }

    /// A file in the folder.
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    }

    /// Facts for many pairings at once: `pairing,FACT...` rows.
    fn sheet(&self, day: &str, header: &str, rows: impl IntoIterator<Item = String>) {
        let text: String = std::iter::once(header.to_string())
            .chain(rows)
            .map(|r| r + "\n")
            .collect();
        let file = self.write(&format!("sheet-{day}.csv"), &text);
        self.ok(day, &["record", "--from", &file]);
    }

    /// Every running pairing's id and stage.
    fn stages(&self, day: &str) -> Vec<(String, String)> {
        let list = self.ok(day, &["list", "--outcome", "active", "--json"]);
        let doc: serde_json::Value = serde_json::from_str(&list.stdout).expect("json");
        doc["pairings"]
            .as_array()
            .expect("pairings")
            .iter()
            .map(|p| (text(&p["id"]), text(&p["stage"])))
            .collect()
    }

    /// The person in `role` of `pairing`.
    fn who(&self, day: &str, pairing: &str, role: &str) -> String {
        let status = self.ok(day, &["status", pairing, "--json"]);
        let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
        let participants = doc["pairing"]["participants"].as_array().expect("who");
        let found = participants.iter().find(|p| p["role"] == role);
        text(&found.expect("role")["id"])
    }
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().expect("text").to_string()
}

fn name(i: usize) -> String {
    format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len() + i) % LAST.len()]
    )
}

/// 40 new leaders (grade 4) in four departments, 24 senior leaders (grade 8) in four others,
/// each mentoring two at most, but for m01, who takes one.
fn people() -> String {
    let mut out = String::from(
        "id,name,manager,role,department,grade,experience_years,utc_offset,email,capacity\n",
    );
    for i in 1..=40 {
        let dept = ["finance", "sales", "operations", "legal"][i % 4];
        out.push_str(&format!(
            "e{i:02},{},,mentee,{dept},4,{},0,e{i:02}@example.org,1\n",
            name(i),
            2 + i % 5
        ));
    }
    for i in 1..=24 {
        let dept = ["engineering", "marketing", "people", "research"][i % 4];
        let capacity = if i == 1 { 1 } else { 2 };
        out.push_str(&format!(
            "m{i:02},{},,mentor,{dept},8,{},0,m{i:02}@example.org,{capacity}\n",
            name(i + 40),
            12 + i % 7
        ));
    }
    out
}

/// The pairings `ids` (numbers) as `p-N` strings.
fn ps(ids: impl IntoIterator<Item = usize>) -> Vec<String> {
    ids.into_iter().map(|n| format!("p-{n}")).collect()
}

#[test]
fn a_26_week_cohort_ends_with_exactly_the_pairings_that_need_a_call_and_a_report() {
    let s = Season::new();
    s.ok("2026-01-05", &["init"]);
    let sheet = s.write("people.csv", &people());
    s.ok("2026-01-05", &["people", "import", &sheet]);

    // Week 0: the pairs, as match proposes them under every rule and capacity.
    let first = [
        "match",
        "--program",
        COHORT,
        "--type",
        "one-on-one",
        "--apply",
    ];
    s.ok("2026-01-05", &first);
    assert_eq!(s.stages("2026-01-05").len(), 40);
    // m01's own capacity is one: one pairing, and a second is refused.
    let m01 = s.ok("2026-01-05", &["list", "--person", "m01", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&m01.stdout).expect("json");
    assert_eq!(doc["pairings"].as_array().expect("list").len(), 1);

    // Week 1: 38 kick-offs held (p-39 and p-40 never hold one).
    s.sheet(
        "2026-01-12",
        "pairing,kickoff_held",
        ps(1..=38).into_iter().map(|p| format!("{p},true")),
    );
    s.ok("2026-01-12", &["advance", "--all"]);

    // Week 2: goals for 36 (p-37 and p-38 are late); a sheet of names only renames five people
    // and leaves every other attribute alone.
    s.sheet(
        "2026-01-19",
        "pairing,goals_total",
        ps(1..=36).into_iter().map(|p| format!("{p},3")),
    );
    s.ok("2026-01-19", &["advance", "--all"]);
    let renames = s.write(
        "renames.csv",
        "id,name\ne01,Ana Lima-Sato\ne02,Bo Berg\ne03,Chidi Okafor\ne04,Dana Diaz\ne05,Eko Santoso\n",
    );
    s.ok("2026-01-19", &["people", "import", &renames]);
    let e01 = s.ok("2026-01-19", &["people", "show", "e01"]);
    for kept in [
        "Ana Lima-Sato",
        "department = sales",
        "e01@example.org",
        "capacity = 1",
    ] {
        assert!(e01.stdout.contains(kept), "{kept}:\n{}", e01.stdout);
    }

    // Week 4: p-5's mentor leaves the organisation: a newcomer mentor takes over, and the
    // one who left is deactivated. p-6's mentee leaves: withdrawn, deactivated. A new leader
    // joins and is matched with a mentor who has room (never the inactive, never the paired).
    let leaver = s.who("2026-02-02", "p-5", "mentor");
    let newcomers = s.write(
        "newcomers.csv",
        "id,name,manager,role,department,grade,experience_years,utc_offset,email,capacity\n\
         m25,Kofi Mensah,,mentor,engineering,9,20,0,m25@example.org,2\n\
         e41,Lena Vogel,,mentee,sales,4,3,0,e41@example.org,1\n",
    );
    s.ok("2026-02-02", &["people", "import", &newcomers]);
    s.ok(
        "2026-02-02",
        &[
            "replace",
            "p-5",
            "--person",
            &leaver,
            "--with",
            "mentor=m25",
            "--reason",
            "left",
        ],
    );
    s.ok(
        "2026-02-02",
        &[
            "people",
            "deactivate",
            &leaver,
            "--reason",
            "left the organisation",
        ],
    );
    let mentee6 = s.who("2026-02-02", "p-6", "mentee");
    s.ok("2026-02-02", &["withdraw", "p-6", "--reason", "left"]);
    s.ok(
        "2026-02-02",
        &[
            "people",
            "deactivate",
            &mentee6,
            "--reason",
            "left the organisation",
        ],
    );
    let proposal = s.ok(
        "2026-02-02",
        &[
            "match",
            "--program",
            COHORT,
            "--type",
            "one-on-one",
            "--json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&proposal.stdout).expect("json");
    let mentees: Vec<String> = doc["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| text(&p["mentee"]))
        .collect();
    assert_eq!(mentees, ["e41"], "{}", proposal.stdout);
    // The others are paired up to their capacity: left out, not listed as unmatched.
    let roles = |key: &str, role: &str| {
        doc[key]
            .as_array()
            .expect(key)
            .iter()
            .filter(|u| u["role"] == role)
            .count()
    };
    assert_eq!(roles("unmatched", "mentee"), 0, "{}", proposal.stdout);
    assert_eq!(roles("at_capacity", "mentee"), 39, "{}", proposal.stdout);
    s.ok("2026-02-02", &first);
    assert_eq!(s.who("2026-02-02", "p-41", "mentee"), "e41");
    s.ok("2026-02-03", &["record", "p-41", "kickoff_held=true"]);
    s.ok("2026-02-03", &["advance", "p-41"]);
    s.ok("2026-02-09", &["record", "p-41", "goals_total=4"]);
    s.ok("2026-02-09", &["advance", "p-41"]);

    // Week 6: p-38 agrees its goals late; week 8: p-40 is withdrawn.
    s.ok("2026-02-16", &["record", "p-38", "goals_total=2"]);
    s.ok("2026-02-16", &["advance", "p-38"]);
    s.ok("2026-03-02", &["withdraw", "p-40", "--reason", "no-time"]);

    // Monthly meetings: held two days before each is due. p-7 misses April and May, p-8 misses
    // March (one miss lets it on), p-38 misses May.
    let mentoring: Vec<usize> = (1..=36).filter(|n| *n != 6).collect();
    for (month, day) in [(2, 17), (3, 17), (4, 17), (5, 17), (6, 17)] {
        let date = format!("2026-{month:02}-{day:02}");
        for n in &mentoring {
            let skipped = (*n == 7 && (month == 4 || month == 5)) || (*n == 8 && month == 3);
            if !skipped {
                s.ok(&date, &["done", &format!("p-{n}"), "meeting"]);
            }
        }
        let late = format!("2026-{month:02}-14");
        if month >= 3 && month != 5 {
            s.ok(&late, &["done", "p-38", "meeting"]);
        }
        if month >= 3 {
            s.ok(&format!("2026-{month:02}-06"), &["done", "p-41", "meeting"]);
        }
        if month < 6 {
            s.ok(&format!("2026-{month:02}-27"), &["tick"]);
        }
    }

    // Week 24: five months of meetings: on to the evaluation (p-7, missing two, stays). Ratings
    // for all but p-9; p-10 and p-11 fall short.
    s.ok("2026-06-22", &["advance", "--all"]);
    let evaluating: Vec<usize> = mentoring
        .iter()
        .copied()
        .filter(|n| ![7, 9].contains(n))
        .collect();
    s.sheet(
        "2026-06-24",
        "pairing,goals_met,mentee_rating",
        evaluating.iter().map(|n| match n {
            10 | 11 => format!("p-{n},1,2"),
            n => format!("p-{n},{},{}", 2 + usize::from(n % 4 != 0), 4 + n % 2),
        }),
    );
    s.ok("2026-06-24", &["advance", "--all"]);
    s.ok("2026-06-29", &["tick"]);

    // Week 26: who needs a call.
    let end = "2026-07-06T12:00:00Z";
    let running: BTreeSet<String> = s.stages(end).into_iter().map(|(id, _)| id).collect();
    let expected_running: BTreeSet<String> = ps([7, 9, 37, 38, 39, 41]).into_iter().collect();
    assert_eq!(running, expected_running);
    let calls = s.ok(end, &["list", "--attention", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&calls.stdout).expect("json");
    let found: Vec<(String, String, Vec<String>)> = doc["pairings"]
        .as_array()
        .expect("pairings")
        .iter()
        .map(|p| {
            let kinds = p["health"]["reasons"]
                .as_array()
                .expect("reasons")
                .iter()
                .map(|r| text(&r["kind"]))
                .collect();
            (text(&p["id"]), text(&p["health"]["state"]), kinds)
        })
        .collect();
    let call = |id: &str, state: &str, kinds: &[&str]| {
        (
            id.to_string(),
            state.to_string(),
            kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        found,
        [
            call("p-39", "at_risk", &["overdue", "idle"]),
            call("p-37", "at_risk", &["overdue", "idle"]),
            call("p-7", "at_risk", &["overdue", "missed"]),
            call("p-9", "at_risk", &["overdue"]),
            call("p-38", "needs_check_in", &["missed"]),
        ],
        "{found:?}"
    );
    // The text list says the same, with names: at risk first, the longest overdue first.
    let text_list = s.ok(end, &["list", "--attention"]);
    let ids: Vec<&str> = text_list
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("p-"))
        .collect();
    assert_eq!(ids, ["p-39", "p-37", "p-7", "p-9", "p-38"]);
    assert!(text_list.stdout.ends_with("5 pairings need a call\n"));
    // Which meetings were missed, and this week's deadlines.
    let missed = s.ok(end, &["list", "--missed", "--outcome", "active"]);
    let p7 = missed
        .stdout
        .lines()
        .find(|l| l.starts_with("p-7 "))
        .expect("p-7");
    assert!(
        p7.ends_with("meeting #3 (due 2026-04-19) and #4 (due 2026-05-19)"),
        "{}",
        missed.stdout
    );
    let week = s.ok(end, &["list", "--due-within", "7d"]);
    let due: Vec<&str> = week.stdout.lines().skip(1).collect();
    assert_eq!(due.len(), 2, "{}", week.stdout);
    assert!(
        due[0].starts_with("p-41 ")
            && due[0].ends_with("stage 2026-07-09 09:00 UTC; meeting #5 2026-07-09 09:00 UTC"),
        "{}",
        week.stdout
    );

    report(&s, end);
}

/// The report of the cohort: the same calls, the breakdown by department, mentor load and the
/// weeks; then its HTML page in Chromium.
fn report(s: &Season, end: &str) {
    let json = s.ok(end, &["report", "--json", "--by", "mentee.department"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let calls: Vec<String> = doc["attention"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| text(&c["pairing"]))
        .collect();
    assert_eq!(calls, ps([39, 37, 7, 9, 38]));
    assert_eq!(doc["health"]["at_risk"], 4);
    assert_eq!(doc["health"]["needs_check_in"], 1);
    let program = &doc["programs"][0];
    // 26 weeks and a day: 27 Mondays.
    assert_eq!(program["trend"].as_array().expect("weeks").len(), 27);
    let groups: BTreeSet<String> = program["breakdown"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| text(&g["name"]))
        .collect();
    let departments = ["finance", "legal", "operations", "sales"].map(String::from);
    assert_eq!(groups, departments.into_iter().collect());
    let load = program["load"].as_array().expect("load");
    let m01 = load.iter().find(|l| l["person"] == "m01").expect("m01");
    assert_eq!((&m01["running"], &m01["capacity"]), (&0.into(), &1.into()));
    let rating = program["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|m| m["fact"] == "mentee_rating")
        .expect("rating");
    assert_eq!(rating["recorded"], 33);
    let ended_by: Vec<String> = program["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| text(&r["name"]))
        .collect();
    assert!(ended_by.contains(&"left".to_string()), "{ended_by:?}");

    let html = s.dir.join("cohort-report.html");
    let page = s.ok(
        end,
        &[
            "report",
            "--html",
            &html.to_string_lossy(),
            "--by",
            "mentee.department",
        ],
    );
    assert!(page.stdout.contains("wrote"), "{}", page.stdout);
    let page_text = std::fs::read_to_string(&html).expect("page");
    // The people of the longest-overdue pairing are named where it needs a call.
    let status = s.ok(end, &["status", "p-39", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    let mentee = doc["pairing"]["participants"]
        .as_array()
        .expect("who")
        .iter()
        .find(|p| p["role"] == "mentee")
        .map(|p| text(&p["name"]))
        .expect("a named mentee");
    assert!(page_text.contains(&mentee), "the page lacks {mentee}");
    for needle in [
        "Needs a call",
        "at risk",
        "Week by week",
        "By mentee.department",
        "Mentor load",
        "mentee_rating",
    ] {
        assert!(page_text.contains(needle), "the page lacks {needle}");
    }
    let png = s.dir.join("cohort-report.png");
    mentorflow_tests::browser::screenshot(&html, &png, 2400);
    mentorflow_tests::browser::to_docs(&png, "cohort-report.png");
}
