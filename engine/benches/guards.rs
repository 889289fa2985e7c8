//! The guard corpus: each shape of script the shipped and field programs write (filters,
//! `some`/`all`, loops, `len`, string and date methods, library calls, facts kept per person,
//! schedules), timed per evaluation on a pairing of one mentor and eight mentees, beside the
//! plain comparison `facts.meetings >= 6` timed in turns with it. Prints a table: nanoseconds
//! per evaluation of the shape and of the plain comparison (medians of 5 runs), the shape's
//! speed as a share of the plain comparison's, the first evaluation on a pairing (before it
//! keeps anything of its people: what a command that loads each pairing once pays), and
//! whether a native run answered it (otherwise Rhai did).
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

/// How many runs of `run` take about 50 ms.
fn calibrated(mut run: impl FnMut()) -> u64 {
    let mut n = 1u64;
    loop {
        let started = Instant::now();
        for _ in 0..n {
            run();
        }
        if started.elapsed() > Duration::from_millis(50) {
            return n;
        }
        n *= 2;
    }
}

/// Nanoseconds per run of `run`, over `n` runs.
fn timed(run: &mut impl FnMut(), n: u64) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        run();
    }
    started.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// Nanoseconds per evaluation of the plain comparison and of a shape: five timings of about
/// 0.2 s each, taken in turns so that a machine slowing down mid-run slows both alike.
fn against_plain(mut plain: impl FnMut(), mut shape: impl FnMut()) -> (f64, f64) {
    let (np, ns) = (calibrated(&mut plain) * 4, calibrated(&mut shape) * 4);
    let (mut p, mut s) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        p.push(timed(&mut plain, np));
        s.push(timed(&mut shape, ns));
    }
    (median(p), median(s))
}

/// Pairings for first evaluations: copies of `pairing` made before any script ran on it,
/// so each keeps nothing yet.
const FRESH: usize = 2000;

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
    // Each shape is its own script with its own memo points: one set of fresh pairings per
    // timing serves every shape once.
    let fresh: Vec<Vec<_>> = (0..5).map(|_| vec![pairing.clone(); FRESH]).collect();
    println!("shape                  ns/eval  plain  of plain   first  native  script");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scripts: Vec<_> = (0..SHAPES.len())
        .map(|i| {
            let criterion = engine.program.criterion(&format!("shape_{i}"));
            &criterion.expect("criterion").script
        })
        .collect();
    let eval = |i: usize, p: &mentorflow_engine::Pairing| {
        let ctx = Context::of(&engine.program, p, now);
        engine.runtime.eval(scripts[i], &ctx).ok()
    };
    for (i, (name, script)) in SHAPES.iter().enumerate() {
        if i > 0 && !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let compiled = scripts[i];
        let ctx = Context::of(&engine.program, &pairing, now);
        let answer = engine.runtime.eval(compiled, &ctx).expect("evaluates");
        let native = engine.runtime.native_answer(compiled, &ctx).is_some();
        let (plain, ns) = against_plain(
            || {
                black_box(eval(0, black_box(&pairing)));
            },
            || {
                black_box(eval(i, black_box(&pairing)));
            },
        );
        let first = median(
            fresh
                .iter()
                .map(|set| {
                    let started = Instant::now();
                    for p in set {
                        black_box(eval(i, black_box(p)));
                    }
                    started.elapsed().as_nanos() as f64 / set.len() as f64
                })
                .collect(),
        );
        println!(
            "{name:<21} {ns:>8.0} {plain:>6.0}  {:>8.2} {first:>7.0}  {:<6}  {script} (= {answer})",
            plain / ns,
            if native { "yes" } else { "no" }
        );
    }
}
