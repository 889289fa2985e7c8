//! Native runs of scripts must agree with Rhai wherever they answer: every guard below is
//! evaluated both ways on many fact values, recorded or not, of every type, and the guards
//! that read people (their attributes, facts kept per person, managers), dates, the pairing's
//! history, loops, closures and the libraries' functions on many sets of participants.

use std::path::Path;

use chrono::{TimeZone, Utc};
use mentorflow_dsl::Value;
use mentorflow_engine::Context;
use mentorflow_engine::{Actor, Engine, Pairing, Participant};

const GUARDS: &[&str] = &[
    "facts.i >= 6",
    "facts.i == 3",
    "facts.i != 3",
    "facts.i < facts.j",
    "facts.i <= 2.5",
    "facts.f > 0.7",
    "facts.f == facts.i",
    "facts.b",
    "!facts.b",
    "facts.b == true",
    "facts.b != false && facts.i > 1",
    "facts.i >= 1 || facts.f < 0.5",
    "facts.t == \"good\"",
    "facts.t < \"m\"",
    "facts.d >= 4",
    "facts.i > 2 && (facts.b || facts.f >= 1.0) && !(facts.t == \"x\")",
    "true",
    "facts.i.to_float() / facts.j.to_float() >= 0.7",
    "facts.i / facts.j >= 1",
    "facts.i * 2 + 1 > facts.j",
    "facts.f * facts.f - 1.0 < facts.f",
    "facts.i - facts.j < 0 && facts.f / 2.0 > 0.3",
    "(facts.i + 1).to_float() > facts.f",
    "facts.f + facts.g <= 0.3",
    "facts.f + facts.g == 0.3",
    "facts.g < 4.0",
    "facts.g >= 4",
    "facts.f * 3.0 != 0.3 * facts.i",
    "facts.i > 0 && false",
    "facts.t.len() > 3",
    "facts.t.len() == 0 || facts.t.contains(\"oo\")",
    "!facts.t.contains(\"x\")",
];

fn program() -> mentorflow_dsl::Program {
    let mut text = String::from(
        "[program]\nid = \"p\"\ntitle = \"p\"\ninitial = \"a\"\n\
         [facts.i]\ntype = \"int\"\n[facts.j]\ntype = \"int\"\n[facts.f]\ntype = \"float\"\n[facts.g]\ntype = \"float\"\n\
         [facts.b]\ntype = \"bool\"\n[facts.t]\ntype = \"text\"\n[facts.d]\ntype = \"int\"\ndefault = 4\n\
         [stages.a]\n[stages.z]\noutcome = \"success\"\n[types.solo]\nroles = { mentee = 1 }\n",
    );
    for guard in GUARDS {
        text.push_str(&format!(
            "[[transitions]]\nfrom = \"a\"\nto = \"z\"\nguard = '{guard}'\n"
        ));
    }
    let loaded = mentorflow_dsl::load_str(Path::new("native.toml"), &text);
    let report = loaded.render();
    loaded.program.unwrap_or_else(|| panic!("{report}"))
}

/// Fact values: each fact recorded with a value of its own type, or not recorded.
fn cases() -> Vec<Vec<(String, Value)>> {
    let ints = [None, Some(0), Some(1), Some(3), Some(6), Some(-2)];
    let floats = [None, Some(0.0), Some(0.1), Some(0.7), Some(3.0), Some(2.5)];
    let gs = [
        Some(0.2),
        Some(3.999_999_999_999_999_6),
        Some(4.0),
        Some(1e-300),
        None,
    ];
    let bools = [None, Some(true), Some(false)];
    let texts = [None, Some("good"), Some("bad"), Some("x")];
    let mut out = Vec::new();
    for (n, i) in ints.iter().enumerate() {
        for f in &floats {
            for b in &bools {
                let t = texts[n % texts.len()];
                let j = ints[(n + 2) % ints.len()];
                let facts = [
                    i.map(|v| ("i", Value::Int(v))),
                    j.map(|v| ("j", Value::Int(v))),
                    f.map(|v| ("f", Value::Float(v))),
                    gs[(n + usize::from(b.unwrap_or(false))) % gs.len()]
                        .map(|v| ("g", Value::Float(v))),
                    b.map(|v| ("b", Value::Bool(v))),
                    t.map(|v| ("t", Value::Text(v.into()))),
                ];
                out.push(
                    facts
                        .into_iter()
                        .flatten()
                        .map(|(n, v)| (n.to_string(), v))
                        .collect(),
                );
            }
        }
    }
    out
}

#[test]
fn native_runs_agree_with_rhai_on_facts() {
    let engine = Engine::new(program());
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = vec![Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    }];
    let mut tally = Tally::default();
    for facts in cases() {
        let (mut pairing, _) = engine
            .enrol("p-1", "solo", mentee.clone(), &actor)
            .expect("enrol");
        if !facts.is_empty() {
            engine
                .record(&mut pairing, None, facts.clone(), &actor)
                .expect("record");
        }
        compare(&engine, &pairing, &facts, &mut tally);
    }
    tally.enough();
}

/// How many guard evaluations were compared, and how many of them a native run answered.
/// Each guard must have been answered natively on some of the inputs.
#[derive(Default)]
struct Tally {
    compared: usize,
    answered: usize,
    by_guard: std::collections::BTreeMap<String, usize>,
}

impl Tally {
    fn enough(&self) {
        assert!(
            self.answered * 2 > self.compared,
            "native runs answered only {} of {}",
            self.answered,
            self.compared
        );
        let never: Vec<_> = self.by_guard.iter().filter(|(_, n)| **n == 0).collect();
        assert!(never.is_empty(), "never answered natively: {never:?}");
    }
}

/// Every guard of the program on `pairing`, both ways: where a native run answers, Rhai
/// must say the same. `case` names the inputs in a failure.
fn compare(engine: &Engine, pairing: &Pairing, case: &dyn std::fmt::Debug, tally: &mut Tally) {
    compare_at(engine, pairing, case, tally, 0);
}

/// [`compare`], `days` after the pairing's enrolment.
fn compare_at(
    engine: &Engine,
    pairing: &Pairing,
    case: &dyn std::fmt::Debug,
    tally: &mut Tally,
    days: i64,
) {
    let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() + chrono::Duration::days(days);
    for t in &engine.program.transitions {
        let Some(mentorflow_dsl::Guard::Script(script)) = &t.guard else {
            continue;
        };
        let Some(_) = script.native.as_ref() else {
            assert!(
                RHAI_ONLY.contains(&script.source.as_str()),
                "`{}` should run natively",
                script.source
            );
            continue;
        };
        let ctx = Context::of(&engine.program, pairing, now);
        let criteria = engine.runtime.criteria(script, &ctx);
        let rhai = criteria.and_then(|criteria| {
            engine.runtime.eval_ast(
                &script.ast,
                script.variables,
                &criteria,
                &script.origin,
                &ctx,
            )
        });
        tally.compared += 1;
        let answered = tally.by_guard.entry(script.source.clone()).or_default();
        if let Some(answer) = engine.runtime.native_answer(script, &ctx) {
            tally.answered += 1;
            *answered += 1;
            assert_eq!(
                rhai.as_ref().ok(),
                Some(&answer),
                "`{}` with {case:?}: Rhai says {rhai:?}",
                script.source
            );
        }
    }
}

const PEOPLE_GUARDS: &[&str] = &[
    "mentees.len() >= 2",
    "participants.len() == 3",
    "mentors[0].grade > 5",
    "mentors[1].grade >= mentors[0].grade",
    "mentees[2].dept == \"ops\"",
    "mentees.all(|m| m.grade + 2 <= mentors[0].grade)",
    "mentees.all(|m| m.grade < mentors[0].grade && m.dept != mentors[0].dept)",
    "mentees.some(|m| m.level > 0.5)",
    "mentees.all(|m| m.active)",
    "mentees.some(|m| mentors.all(|x| x.grade > m.grade))",
    "mentors.all(|m| m.id != \"mentor-1\") && facts.i >= 1",
    "mentees.all(|m| m.grade.to_float() / 2.0 > facts.f)",
    "participants.some(|p| p.role == \"peer\") || mentees.len() < 2",
    "!mentees.some(|m| m.level * 2.0 >= m.grade.to_float())",
    "mentees.filter(|m| m.grade >= 5).len() >= 2",
    "mentees.filter(|m| m.active).len() >= 1",
    "participants.filter(|p| p.dept == \"ops\").len() == 0 || mentors.len() > 1",
    "mentees.filter(|m| mentors.some(|x| x.grade > m.grade)).len() * 2 > mentees.len()",
    "mentees.some(|m| m.dept.contains(\"p\"))",
    "mentors[0].dept.len() >= 3",
    // statements, loops, closures that make lists
    "let ok = true; for m in mentees { if m.grade > 9 { ok = false; } } ok",
    "let n = 0; for p in participants { if p.active == true { n += 1; } } n >= 1",
    "let best = 0; for m in mentees { best = max(best, m.grade); } best >= 7",
    "let n = 0; for i in 0..mentees.len() { if mentees[i].dept == \"ops\" { n += 1; } } n * 2 >= mentees.len()",
    "mentees.filter(|m| m.grade >= 5).map(|m| m.grade).len() >= 1",
    "mentees.some(|m| m.id.starts_with(\"mentee-1\"))",
    "mentees.len() > 0 && mentees[mentees.len() - 1].grade >= 3",
    "mentees.len() > 0 && mentees[-1].level >= 0.5",
    "if mentees.is_empty() { false } else { mentees[0].dept != () }",
    "participants.filter(|p| p.role != \"peer\").len() == mentors.len() + mentees.len()",
    "mentees.all(|m| m[\"grade\"] != ())",
    "mentors.len() == 0 || mentors[0].grade.to_float() / 2.0 >= 1.5",
    // the libraries
    "count_with(mentees, \"dept\", \"ops\") >= 1",
    "share_with(mentees, \"dept\", \"ops\") > 0.3",
    "same_for_all(mentees, \"dept\")",
    "all_have(mentees, \"grade\")",
    "distinct(mentees, \"dept\") >= 2",
    "fewest_shared_hours(mentors, mentees) >= 2",
    "mentors.len() == 0 || mentees.len() == 0 || shared_hours(mentors[0], mentees[0]) >= 4",
    // facts kept per person, the organisation
    "min(facts_of(mentees, \"att\")) >= 2",
    "mentees.all(|m| m.facts.att >= 2)",
    "sum(facts_of(participants, \"score\")) > 3",
    "average(facts_of(participants, \"score\")) >= 2.0",
    "count(mentees.map(|m| m.facts.att > 2)) >= 1",
    "mentors.len() > 0 && mentees.len() > 0 && in_reporting_line(mentors[0], mentees[0])",
    "mentors.len() > 0 && mentees.len() > 0 && levels_apart(mentees[0], mentors[0]) == 1",
    // dates, time and history
    "days_between(facts.start, today) >= 14",
    "facts.start + \"2w\" <= today",
    "today - facts.start > 30",
    "facts.start < \"2025-12-01\"",
    "today.weekday < 6 && today.year == 2026",
    "days_in_stage >= 0 && stage == \"a\" && type == \"any\" && cycle == 1",
    "weeks_in_program == 0 && months_in_stage == 0 && reason == \"\"",
    "entries.a >= 1 && entries.z == 0",
    "days_in_stage >= 10 || weeks_in_stage == 0",
    "schedules.meet.missed <= 1",
    "schedules.meet.done == 0 && schedules.meet.due >= 2",
    "schedules.meet.next_due == () || schedules.meet.next_due >= today",
    "schedules.meet.last_done == ()",
    // criteria read as variables (worked out first), transitions taken
    "senior || mentees.len() > 2",
    "!engaged && facts.i >= 1",
    "taken.t0 == 0 && taken.t1 < 1",
];

/// Guards no native run answers: Rhai runs them, and they are here so the comparison covers
/// what a program may hold.
const RHAI_ONLY: &[&str] = &[];

fn people_program() -> mentorflow_dsl::Program {
    let mut text = String::from(
        "[program]\nid = \"p\"\ntitle = \"p\"\ninitial = \"a\"\nlibraries = [\"std:people\", \"std:time\"]\n\
         [facts.i]\ntype = \"int\"\n[facts.f]\ntype = \"float\"\n\
         [attributes.grade]\ntype = \"int\"\n[attributes.level]\ntype = \"float\"\n\
         [attributes.dept]\ntype = \"text\"\n[attributes.active]\ntype = \"bool\"\n\
         [attributes.utc_offset]\ntype = \"int\"\n\
         [facts.att]\ntype = \"int\"\nper = \"mentee\"\ndefault = 2\n\
         [facts.score]\ntype = \"int\"\nper = \"participant\"\n[facts.start]\ntype = \"date\"\n\
         [schedules.meet]\ntitle = \"m\"\nevery = \"1w\"\nanchor = \"a\"\n\
         [stages.a]\n[stages.z]\noutcome = \"success\"\n\
         [types.any]\nroles = { mentor = { min = 0, max = 2 }, mentee = { min = 0, max = 4 }, peer = { min = 0, max = 1 } }\n",
    );
    text.push_str(
        "[criteria.senior]\nscript = 'mentors.len() > 0 && mentors[0].grade >= 10'\n\
         [criteria.engaged]\nscript = 'senior || sum(facts_of(participants, \"score\")) > 2'\n",
    );
    for (i, guard) in PEOPLE_GUARDS.iter().enumerate() {
        text.push_str(&format!(
            "[[transitions]]\nfrom = \"a\"\nto = \"z\"\nlabel = \"t{}\"\nguard = '{guard}'\n",
            i % 2
        ));
    }
    let loaded = mentorflow_dsl::load_str(Path::new("people.toml"), &text);
    let report = loaded.render();
    loaded.program.unwrap_or_else(|| panic!("{report}"))
}

/// Sets of participants: 0 to 2 mentors, 0 to 4 mentees, maybe a peer, each with some of the
/// attributes (of their type) and values that make the guards go either way.
fn people_cases() -> Vec<Vec<Participant>> {
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut out = Vec::new();
    for case in 0..400 {
        let mut people = Vec::new();
        let roles = [
            ("mentor", case % 3),
            ("mentee", (case / 3) % 5),
            ("peer", (case / 15) % 2),
        ];
        for (role, count) in roles {
            for k in 0..count {
                let mut attributes = mentorflow_engine::Attributes::new();
                if next(6) > 0 {
                    let grade = [1, 3, 5, 7, 10, 12][next(6) as usize];
                    attributes.insert("grade".into(), Value::Int(grade));
                }
                if next(4) > 0 {
                    let level = [0.0, 0.25, 0.5, 0.75, 3.5][next(5) as usize];
                    attributes.insert("level".into(), Value::Float(level));
                }
                if next(5) > 0 {
                    let dept = ["ops", "eng", "sales"][next(3) as usize];
                    attributes.insert("dept".into(), Value::Text(dept.into()));
                }
                if next(3) > 0 {
                    attributes.insert("active".into(), Value::Bool(next(4) > 0));
                }
                if next(4) > 0 {
                    let offset = [-8, -5, 0, 1, 5, 10][next(6) as usize];
                    attributes.insert("utc_offset".into(), Value::Int(offset));
                }
                let mut facts = std::collections::BTreeMap::new();
                if role == "mentee" && next(2) > 0 {
                    facts.insert("att".to_string(), Value::Int(next(5) as i64));
                }
                if next(2) > 0 {
                    facts.insert("score".to_string(), Value::Int(next(4) as i64));
                }
                let managers = match (role, next(3)) {
                    ("mentee", 0) => vec!["mentor-0".to_string()],
                    ("mentee", 1) => vec!["boss".to_string(), "mentor-0".to_string()],
                    _ => Vec::new(),
                };
                people.push(Participant {
                    id: format!("{role}-{k}"),
                    role: role.into(),
                    attributes,
                    facts,
                    managers,
                });
            }
        }
        out.push(people);
    }
    out
}

#[test]
fn native_runs_agree_with_rhai_on_people() {
    let engine = Engine::new(people_program());
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mut tally = Tally::default();
    let mut changed = 0;
    for (n, people) in people_cases().into_iter().enumerate() {
        let (mut pairing, _) = engine
            .enrol("p-1", "any", people.clone(), &actor)
            .expect("enrol");
        let mut facts = vec![
            ("i".to_string(), Value::Int(n as i64 % 3)),
            ("f".to_string(), Value::Float([0.5, 2.0, 9.0][n % 3])),
        ];
        if n % 4 > 0 {
            let start = chrono::NaiveDate::from_ymd_opt(2025, 11, 1 + (n % 28) as u32);
            facts.push(("start".to_string(), Value::Date(start.expect("a date"))));
        }
        engine
            .record(&mut pairing, None, facts, &actor)
            .expect("record");
        compare_at(&engine, &pairing, &people, &mut tally, (n % 40) as i64);
        // Again on the same pairing, which now keeps what its guards worked out from the
        // people; then once more after the people change, which must drop what it kept.
        compare_at(&engine, &pairing, &people, &mut tally, (n % 40) as i64);
        if change_people(&engine, &mut pairing, n, &actor) {
            changed += 1;
            compare_at(&engine, &pairing, &pairing.participants, &mut tally, 0);
        }
    }
    tally.enough();
    assert!(changed > 200, "only {changed} pairings changed people");
}

/// One change of who takes part, or of a fact kept per person, by `n`; whether it was made
/// (a join may find the role full, a leave or a replacement no one to act on).
fn change_people(engine: &Engine, pairing: &mut Pairing, n: usize, actor: &Actor<'_>) -> bool {
    let mentee = pairing
        .participants
        .iter()
        .find(|p| p.role == "mentee")
        .map(|p| p.id.clone());
    let newcomer = |id: &str| {
        let mut attributes = mentorflow_engine::Attributes::new();
        attributes.insert("grade".into(), Value::Int(12));
        attributes.insert("dept".into(), Value::Text("sales".into()));
        Participant {
            id: id.into(),
            role: "mentee".into(),
            attributes,
            facts: Default::default(),
            managers: vec!["mentor-0".into()],
        }
    };
    match (n % 4, mentee) {
        (0, _) => engine.join(pairing, newcomer("late"), actor).is_ok(),
        (1, Some(m)) => engine.leave(pairing, &m, "moved", actor).is_ok(),
        (2, Some(m)) => engine
            .replace(pairing, &m, newcomer("stand-in"), None, actor)
            .is_ok(),
        (3, Some(m)) => {
            let facts = vec![("att", Value::Int(9)), ("score", Value::Int(5))];
            engine.record(pairing, Some(&m), facts, actor).is_ok()
        }
        _ => false,
    }
}
