//! A pairing's state is the fold of its events: replaying the events of a live run gives the
//! same state the engine holds.

use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use mentorflow_dsl::Value;
use mentorflow_engine::{Actor, Engine, EngineError, Pairing, Participant};

fn person(id: &str, role: &str, years: i64) -> Participant {
    Participant {
        id: id.into(),
        role: role.into(),
        attributes: [("experience_years".to_string(), Value::Int(years))].into(),
        facts: Default::default(),
        managers: Vec::new(),
    }
}

#[test]
fn fold_of_events_equals_live_state_at_every_step() {
    let loaded = mentorflow_dsl::load(Path::new("../programs/mentoring.toml"));
    let engine = Engine::new(loaded.program.expect("mentoring.toml checks"));
    let mut now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let (mut live, first) = engine
        .enrol(
            "p-1",
            "one-on-one",
            vec![person("ana", "mentor", 10), person("budi", "mentee", 1)],
            &Actor { name: "t", now },
        )
        .expect("enrol");
    let mut events = vec![first];
    let steps: Vec<(&str, Option<i64>)> = vec![
        ("mentor_assigned", None),
        ("schedule_set", None),
        ("advance", None),
        ("orientation_done", None),
        ("advance", None),
        ("goals_total", Some(3)),
        ("advance", None),
        ("meetings", Some(6)),
        ("advance", None),
        ("goals_met", Some(1)),
        ("mentee_rating", Some(5)),
        ("evaluations", Some(1)),
        ("advance", None),
        ("goals_met", Some(3)),
        ("advance", None),
        ("advance", None),
        ("advance", None),
    ];
    for (what, n) in steps {
        now += Duration::days(3);
        let actor = Actor { name: "t", now };
        let event = match (what, n) {
            ("advance", _) => engine
                .advance(&mut live, None, None, &actor)
                .expect("advance"),
            (fact, Some(n)) => engine
                .record(
                    &mut live,
                    None,
                    vec![(fact.to_string(), Value::Int(n))],
                    &actor,
                )
                .expect("record"),
            (fact, None) => engine
                .record(
                    &mut live,
                    None,
                    vec![(fact.to_string(), Value::Bool(true))],
                    &actor,
                )
                .expect("record"),
        };
        events.push(event);
        let folded = Pairing::fold(&engine.program, &events).expect("fold");
        assert_eq!(folded, live, "after {what}");
    }
    assert_eq!(&*live.stage, "completed");
    assert_eq!(live.cycle, 2);
}

#[test]
fn fold_refuses_a_gap_in_the_history() {
    let loaded = mentorflow_dsl::load(Path::new("../programs/mentoring.toml"));
    let engine = Engine::new(loaded.program.expect("mentoring.toml checks"));
    let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let actor = Actor { name: "t", now };
    let (mut live, first) = engine
        .enrol(
            "p-1",
            "one-on-one",
            vec![person("a", "mentor", 9), person("b", "mentee", 1)],
            &actor,
        )
        .expect("enrol");
    let second = engine
        .record(&mut live, None, vec![("meetings", Value::Int(1))], &actor)
        .expect("record");
    let third = engine
        .record(&mut live, None, vec![("meetings", Value::Int(2))], &actor)
        .expect("record");
    let err = Pairing::fold(&engine.program, &[first, third]).expect_err("gap");
    assert!(err.to_string().contains("event #3 follows #1"), "{err}");
    drop(second);
}

#[test]
fn a_bad_fact_value_leaves_the_pairing_unchanged() {
    let loaded = mentorflow_dsl::load(Path::new("../programs/mentoring.toml"));
    let engine = Engine::new(loaded.program.expect("mentoring.toml checks"));
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let (mut live, _) = engine
        .enrol(
            "p-1",
            "one-on-one",
            vec![person("a", "mentor", 9), person("b", "mentee", 1)],
            &actor,
        )
        .expect("enrol");
    let before = live.clone();
    let err = engine
        .record(
            &mut live,
            None,
            vec![
                ("goals_total", Value::Int(2)),
                ("mentee_rating", Value::Int(9)),
            ],
            &actor,
        )
        .expect_err("out of range");
    assert!(
        matches!(&err, EngineError::BadValue { name, problem }
            if name == "mentee_rating" && problem.contains("above the maximum 5")),
        "{err:?}"
    );
    let err = engine.parse_fact("metings", "3").expect_err("unknown fact");
    assert!(
        matches!(&err, EngineError::UnknownFact { name, known, .. }
            if name == "metings" && known.iter().any(|k| k == "meetings")),
        "{err:?}"
    );
    assert_eq!(live, before);
}
