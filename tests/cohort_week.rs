//! A coordinator's six months: 40 pairings of the five types imported from a roster, weekly
//! fact sheets recorded with `record --from` (counts with `+=1`), `advance --all` and `tick`
//! each week. Three virtual pairings never get their video check and one group never sets
//! goals: `list --blocked` names each with what it waits on, and the board reads in stage order.

use mentorflow_tests::{mentorflow, with_flags, Run};

const TYPES: [&str; 5] = ["one-on-one", "peer", "group", "reverse", "virtual"];

struct Cohort {
    dir: std::path::PathBuf,
    store: String,
}

/// The store and sheets are scratch: gone with the test, passed or failed.
impl Drop for Cohort {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Cohort {
    fn run(&self, week: u32, args: &[&str]) -> Run {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("date")
            + chrono::Days::new(u64::from(week) * 7);
        let now = format!("{day}T09:00:00Z");
        let flags = [
            "--store",
            self.store.as_str(),
            "--actor",
            "coordinator",
            "--now",
            &now,
        ];
        mentorflow(&with_flags(args, &flags))
    }
}

/// The roster: eight pairings of each type, labelled by type and number.
fn roster() -> String {
    let mut csv =
        String::from("pairing,type,role,id,experience_years,grade,department,utc_offset\n");
    for ty in TYPES {
        for n in 1..=8 {
            let label = format!("{ty}-{n}");
            let rows: Vec<(&str, String, &str)> = match ty {
                "one-on-one" => vec![
                    ("mentor", "10,,,".into(), "m"),
                    ("mentee", "2,,,".into(), "e"),
                ],
                "peer" => vec![("peer", ",5,,".into(), "a"), ("peer", ",6,,".into(), "b")],
                "group" => vec![
                    ("mentor", "20,,,".into(), "m"),
                    ("mentee", "1,,,".into(), "e1"),
                    ("mentee", "2,,,".into(), "e2"),
                    ("mentee", "3,,,".into(), "e3"),
                ],
                "reverse" => vec![
                    ("mentor", ",3,it,".into(), "m"),
                    ("mentee", ",9,finance,".into(), "e"),
                ],
                _ => vec![
                    ("mentor", ",,,1".into(), "m"),
                    ("mentee", ",,,3".into(), "e"),
                ],
            };
            for (role, cells, who) in rows {
                csv.push_str(&format!("{label},{ty},{role},{label}-{who},{cells}\n"));
            }
        }
    }
    csv
}

/// Pairing p-(8i+n) is the n-th of the i-th type.
fn id(type_index: usize, n: usize) -> String {
    format!("p-{}", type_index * 8 + n)
}

/// The stuck ones: virtual 1-3 never get their video check, group 8 never sets goals.
fn stuck(type_index: usize, n: usize) -> Option<&'static str> {
    match (TYPES[type_index], n) {
        ("virtual", 1..=3) => Some("video_ready"),
        ("group", 8) => Some("goals_total"),
        _ => None,
    }
}

/// Week `week`'s fact sheet.
fn sheet(week: u32) -> String {
    let mut csv = String::from(
        "pairing,mentor_assigned,schedule_set,video_ready,orientation_done,goals_total,meetings,goals_met,mentee_rating,evaluations\n",
    );
    for (t, ty) in TYPES.iter().enumerate() {
        for n in 1..=8 {
            let video = if *ty == "virtual" && stuck(t, n).is_none() {
                "true"
            } else {
                ""
            };
            let goals = if stuck(t, n) == Some("goals_total") {
                ""
            } else {
                "3"
            };
            let row = match week {
                1 => format!("true,true,{video},,,,,,"),
                2 => ",,,true,,,,,".into(),
                3 => format!(",,,,{goals},,,,"),
                4..=12 => ",,,,,+=1,,,".into(),
                13 => ",,,,,,3,5,1".into(),
                _ => continue,
            };
            csv.push_str(&format!("{},{row}\n", id(t, n)));
        }
    }
    csv
}

#[test]
fn six_months_of_weekly_sheets_show_who_is_stuck_and_the_funnel_in_stage_order() {
    let dir = mentorflow_tests::scratch_dir("cohort-week");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let c = Cohort {
        store: dir.join("store.db").to_string_lossy().into_owned(),
        dir,
    };
    assert_eq!(c.run(0, &["init"]).code, 0);
    let roster_file = c.dir.join("roster.csv");
    std::fs::write(&roster_file, roster()).expect("roster");
    let import = c.run(
        0,
        &[
            "import",
            &roster_file.to_string_lossy(),
            "--program",
            "programs/mentoring.toml",
        ],
    );
    assert_eq!(import.code, 0, "{}", import.transcript());
    assert!(
        import.stdout.starts_with("enrolled 40 pairings"),
        "{}",
        import.stdout
    );
    let mut blocked_at_week_16 = String::new();
    let mut board_at_week_8 = String::new();
    for week in 1..=26 {
        let path = c.dir.join(format!("week-{week}.csv"));
        std::fs::write(&path, sheet(week)).expect("sheet");
        if week <= 13 {
            let record = c.run(week, &["record", "--from", &path.to_string_lossy()]);
            assert_eq!(record.code, 0, "week {week}: {}", record.transcript());
        }
        let advance = c.run(week, &["advance", "--all"]);
        assert_eq!(advance.code, 0, "week {week}: {}", advance.transcript());
        let tick = c.run(week, &["tick"]);
        assert_eq!(tick.code, 0, "week {week}: {}", tick.transcript());
        if week == 8 {
            board_at_week_8 = c.run(week, &["status"]).stdout;
        }
        if week == 16 {
            let blocked = c.run(week, &["list", "--blocked"]);
            assert_eq!(blocked.code, 0, "{}", blocked.transcript());
            blocked_at_week_16 = blocked.stdout;
        }
    }
    // Every stuck pairing is named with the fact it waits on; no other pairing is.
    let lines: Vec<&str> = blocked_at_week_16.lines().skip(1).collect();
    for t in 0..TYPES.len() {
        for n in 1..=8 {
            let pid = id(t, n);
            let line = lines
                .iter()
                .find(|l| l.split_whitespace().next() == Some(pid.as_str()));
            match stuck(t, n) {
                Some(fact) => {
                    let line = line
                        .unwrap_or_else(|| panic!("{pid} is not listed:\n{blocked_at_week_16}"));
                    assert!(line.contains(&format!("facts.{fact}")), "{line}");
                }
                None => assert!(line.is_none(), "{pid} is listed:\n{blocked_at_week_16}"),
            }
        }
    }
    insta::assert_snapshot!("blocked_at_week_16", blocked_at_week_16);
    // The board reads in the program's stage order, not alphabetically.
    let stages: Vec<&str> = board_at_week_8
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let order = [
        "preparation",
        "orientation",
        "goal_setting",
        "mentoring",
        "evaluation",
        "completed",
        "withdrawn",
    ];
    let positions: Vec<usize> = stages
        .iter()
        .map(|s| {
            order
                .iter()
                .position(|o| s.ends_with(&format!("/{o}")))
                .expect("a known stage")
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] <= w[1]),
        "{board_at_week_8}"
    );
    assert!(positions.len() >= 3, "{board_at_week_8}");
    insta::assert_snapshot!("board_at_week_8", board_at_week_8);
    // At the end the stuck ones were withdrawn for inactivity, 90 days after their last sheet.
    let board = c.run(26, &["status"]);
    assert_eq!(board.code, 0, "{}", board.transcript());
    insta::assert_snapshot!("board_at_week_26", board.stdout);
    assert_eq!(c.run(26, &["verify"]).code, 0);
}
