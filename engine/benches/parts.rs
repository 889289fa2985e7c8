//! criterion benches for the parts a transition is made of: loading and checking a program,
//! one guard evaluation, one advance in memory, one advance through the SQLite store.
//! Run with `cargo bench -p mentorflow-engine --bench parts`.

use std::hint::black_box;
use std::path::Path;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use mentorflow_engine::store::sqlite::{Durability, SqliteStore};
use mentorflow_engine::Context;
use mentorflow_engine::Ledger;
use mentorflow_engine::{Actor, Engine, Participant};

/// Two stages that lead to each other, so every advance is valid forever; the guard is the
/// workload's typical one.
const PINGPONG: &str = r#"
[program]
id = "pingpong"
title = "Ping-pong"
initial = "ping"
[facts.meetings]
type = "int"
default = 6
[stages.ping]
[stages.pong]
[stages.done]
outcome = "success"
[[transitions]]
from = "ping"
to = "pong"
guard = "facts.meetings >= 6"
[[transitions]]
from = "pong"
to = "ping"
guard = "facts.meetings >= 6 && facts.meetings < 100"
[[transitions]]
from = "*"
to = "done"
[types.solo]
roles = { mentee = 1 }
"#;

fn engine() -> Engine {
    let loaded = mentorflow_dsl::load_str(Path::new("pingpong.toml"), PINGPONG);
    let report = loaded.render();
    Engine::new(loaded.program.unwrap_or_else(|| panic!("{report}")))
}

fn mentee() -> Vec<Participant> {
    vec![Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    }]
}

fn benches(c: &mut Criterion) {
    let mentoring = Path::new(env!("CARGO_MANIFEST_DIR")).join("../programs/mentoring.toml");
    c.bench_function("load and check programs/mentoring.toml", |b| {
        b.iter(|| black_box(mentorflow_dsl::load(&mentoring).program.is_some()))
    });

    let engine = engine();
    let now = Utc
        .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let actor = Actor { name: "bench", now };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", mentee(), &actor)
        .expect("enrol");
    let guard = match &engine.program.transitions[0].guard {
        Some(mentorflow_dsl::Guard::Script(s)) => s.clone(),
        _ => panic!("guard expected"),
    };
    c.bench_function("one guard evaluation (facts.meetings >= 6, native)", |b| {
        b.iter(|| {
            let ctx = Context::of(&engine.program, &pairing, now);
            black_box(engine.runtime.eval(&guard, &ctx).expect("eval"))
        })
    });
    c.bench_function("one guard evaluation (facts.meetings >= 6, in Rhai)", |b| {
        b.iter(|| {
            let ctx = Context::of(&engine.program, &pairing, now);
            black_box(
                engine
                    .runtime
                    .eval_ast(&guard.ast, guard.variables, &[], &guard.origin, &ctx)
                    .expect("eval"),
            )
        })
    });

    c.bench_function("one advance in memory", |b| {
        b.iter(|| {
            black_box(
                engine
                    .advance(&mut pairing, None, None, &actor)
                    .expect("advance"),
            )
        })
    });

    // Decoding is what every read of a history pays: one event of each common kind.
    let (mut decoded, enrolled) = engine
        .enrol("p-2", "solo", mentee(), &actor)
        .expect("enrol");
    let moved = engine
        .advance(&mut decoded, None, None, &actor)
        .expect("advance");
    let bodies: Vec<String> = [enrolled, moved]
        .iter()
        .map(|e| mentorflow_engine::store::codec::encode_event(e).expect("encode"))
        .collect();
    c.bench_function("decode a stored enrolment and a move", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(mentorflow_engine::store::codec::decode_event(body).expect("decode"));
            }
        })
    });

    let dir = std::env::temp_dir().join(format!("mentorflow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (name, durability) in [("NORMAL", Durability::Normal), ("FULL", Durability::Full)] {
        let path = dir.join(format!("store-{name}.db"));
        let _ = std::fs::remove_file(&path);
        SqliteStore::create(&path).expect("create");
        let mut store = Ledger::new(Box::new(
            SqliteStore::open(&path, durability).expect("open"),
        ));
        store
            .enrol(
                &engine.program,
                "pingpong.toml",
                actor.now,
                1,
                true,
                &mut |_, id: String, _| {
                    let (p, e) = engine.enrol(&id, "solo", mentee(), &actor)?;
                    Ok((p, vec![e]))
                },
            )
            .expect("enrol");
        c.bench_function(
            &format!("one advance through the store (synchronous={name})"),
            |b| {
                b.iter(|| {
                    store
                        .update("p-1", &mut |p, _| {
                            Ok(engine.advance(p, None, None, &actor).map(|e| vec![e])?)
                        })
                        .expect("advance")
                })
            },
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(parts, benches);
criterion_main!(parts);
