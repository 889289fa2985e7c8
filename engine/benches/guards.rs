//! The guard corpus: each shape of script the shipped and field programs write (filters,
//! `some`/`all`, loops, `len`, string and date methods, library calls, facts kept per person,
//! schedules), timed per evaluation on a pairing of one mentor and eight mentees, beside the
//! plain comparison `facts.meetings >= 6`. Prints a table: nanoseconds per evaluation (median
//! of 5 runs), the shape's speed as a share of the plain comparison's, and whether a native
//! run answered it (otherwise Rhai did).
//!
//!     cargo bench -p mentorflow-engine --bench guards [-- NAME]
//!
//! With NAME, only the shapes whose name contains it (and the plain comparison) run.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mentorflow_dsl::Value;
use mentorflow_engine::{Actor, Context, Engine, Participant};

/// The corpus, by name: each a criterion of the program below.
const SHAPES: [(&str, &str); 14] = [
    ("plain", "facts.meetings >= 6"),
    (
        "two comparisons",
        "facts.meetings >= 6 && facts.meetings < 100",
    ),
    ("len", "mentees.len() >= 3"),
    (
        "all, closure",
        "mentees.all(|m| m.grade < mentors[0].grade)",
    ),
    (
        "some, closure",
        r#"participants.some(|p| p.department == "sales")"#,
    ),
    (
        "filter then len",
        "mentees.filter(|m| m.grade >= 5).len() >= 2",
    ),
    (
        "for loop",
        "let ok = true; for m in mentees { if m.grade > 9 { ok = false; } } ok",
    ),
    ("string method", r#"mentors[0].department.contains("eng")"#),
    ("text fact len", "facts.notes.len() > 3"),
    (
        "date arithmetic",
        "days_between(facts.start_date, today) >= 14",
    ),
    (
        "library: std:people",
        r#"distinct(mentees, "department") >= 2"#,
    ),
    (
        "per-person facts",
        r#"min(facts_of(mentees, "attended")) >= 2"#,
    ),
    ("schedule", "schedules.meeting.missed <= 1"),
    ("history", "entries.ping >= 1 && days_in_stage >= 0"),
];

fn program() -> String {
    let mut text = String::from(
        r#"
[program]
id = "guards"
title = "The guard corpus"
initial = "ping"
libraries = ["std:people", "std:time"]
[attributes.grade]
type = "int"
default = 5
[attributes.department]
type = "text"
default = ""
[facts.meetings]
type = "int"
default = 6
[facts.notes]
type = "text"
default = "kick-off held"
[facts.start_date]
type = "date"
default = 2026-01-05
[facts.attended]
type = "int"
per = "mentee"
default = 3
[schedules.meeting]
title = "Weekly meeting"
every = "1w"
anchor = "ping"
[stages.ping]
[stages.done]
outcome = "success"
[types.group]
roles = { mentor = 1, mentee = { min = 1, max = 10 } }
"#,
    );
    for (i, (_, script)) in SHAPES.iter().enumerate() {
        text.push_str(&format!("[criteria.shape_{i}]\nscript = '''{script}'''\n"));
    }
    // Every criterion is some transition's guard, so none is unused.
    for i in 0..SHAPES.len() {
        text.push_str(&format!(
            "[[transitions]]\nfrom = \"ping\"\nto = \"done\"\nlabel = \"shape {i}\"\nguard = \"shape_{i}\"\n"
        ));
    }
    text
}

fn person(id: &str, role: &str, grade: i64, department: &str) -> Participant {
    Participant {
        id: id.into(),
        role: role.into(),
        attributes: [
            ("grade".to_string(), Value::Int(grade)),
            ("department".to_string(), Value::Text(department.into())),
        ]
        .into_iter()
        .collect(),
        facts: Default::default(),
        managers: Vec::new(),
    }
}

/// Nanoseconds per evaluation of `run`: the median of five runs of about 0.2 s each.
fn per_eval(mut run: impl FnMut()) -> f64 {
    let mut n = 1u64;
    loop {
        let started = Instant::now();
        for _ in 0..n {
            run();
        }
        if started.elapsed() > Duration::from_millis(50) {
            break;
        }
        n *= 2;
    }
    let n = n * 4;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..n {
                run();
            }
            started.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn main() {
    let text = program();
    let loaded = mentorflow_dsl::load_str(Path::new("guards.toml"), &text);
    let report = loaded.render();
    let engine = Engine::new(loaded.program.unwrap_or_else(|| panic!("{report}")));
    let now = Utc
        .with_ymd_and_hms(2026, 2, 2, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let actor = Actor { name: "bench", now };
    let mut people = vec![person("m", "mentor", 11, "engineering")];
    for i in 0..8 {
        let department = ["sales", "finance", "legal", "engineering"][i % 4];
        people.push(person(&format!("e{i}"), "mentee", 3 + i as i64, department));
    }
    let (pairing, _) = engine.enrol("p-1", "group", people, &actor).expect("enrol");
    println!("shape                  ns/eval   of plain  native     script");
    let mut plain = 0.0;
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (i, (name, script)) in SHAPES.iter().enumerate() {
        if i > 0 && !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let criterion = engine
            .program
            .criterion(&format!("shape_{i}"))
            .expect("criterion");
        let compiled = &criterion.script;
        let ctx = Context::of(&engine.program, &pairing, now);
        let answer = engine.runtime.eval(compiled, &ctx).expect("evaluates");
        let ns = per_eval(|| {
            let ctx = Context::of(&engine.program, &pairing, now);
            black_box(engine.runtime.eval(compiled, &ctx).ok());
        });
        if i == 0 {
            plain = ns;
        }
        println!(
            "{name:<21} {ns:>8.0}  {:>8.2}  {:<9}  {script} (= {answer})",
            plain / ns,
            if engine.runtime.native_answer(compiled, &ctx).is_some() {
                "yes"
            } else {
                "no"
            }
        );
    }
}
