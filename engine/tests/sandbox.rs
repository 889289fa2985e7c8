//! Hostile scripts are stopped quickly with a clear error naming the script and its line, and
//! the pairing stays where it was.

use std::path::Path;

// As in the `mentorflow` binary: the memory budget is enforced where allocations are counted.
#[global_allocator]
static ALLOCATOR: mentorflow_engine::Counting = mentorflow_engine::Counting(std::alloc::System);
use std::time::Duration;

use chrono::{TimeZone, Utc};
use mentorflow_dsl::sandbox::Limits;
use mentorflow_engine::{
    Actor, Engine, EngineError, Limit, Participant, Runtime, ScriptError, ScriptProblem,
};

fn program_with_guard(guard: &str) -> mentorflow_dsl::Program {
    let text = format!(
        r#"[program]
id = "hostile"
title = "Hostile"
initial = "start"

[facts.n]
type = "int"

[stages.start]
[stages.done]
outcome = "success"

[[transitions]]
from = "start"
to = "done"
guard = '''
{guard}
'''

[types.solo]
roles = {{ mentee = 1 }}
"#
    );
    let loaded = mentorflow_dsl::load_str(Path::new("hostile.toml"), &text);
    let report = loaded.render();
    loaded.program.unwrap_or_else(|| panic!("{report}"))
}

fn advance_with(engine: Engine) -> EngineError {
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", vec![mentee], &actor)
        .expect("enrol");
    let err = engine
        .advance(&mut pairing, None, None, &actor)
        .expect_err("hostile guard must fail");
    assert_eq!(&*pairing.stage, "start", "pairing must stay where it was");
    assert_eq!(pairing.last_seq, 1, "no event may be applied");
    err
}

fn hostile(guard: &str) -> ScriptError {
    hostile_with(guard, Limits::default())
}

/// Size limits are tested with a generous operation limit so that they, not it, stop the script.
fn hostile_sized(guard: &str) -> ScriptError {
    hostile_with(
        guard,
        Limits {
            max_operations: 10_000_000,
            ..Limits::default()
        },
    )
}

fn hostile_with(guard: &str, limits: Limits) -> ScriptError {
    let mut engine = Engine::new(program_with_guard(guard));
    // A deadline far beyond any run, so that the limit under test, not the wall clock, stops
    // the script however busy the machine is. How long it takes is the benchmarks' business.
    engine.runtime = Runtime::new(limits, Duration::from_secs(3600));
    let EngineError::Script(err) = advance_with(engine) else {
        panic!("a hostile guard must fail as a script error");
    };
    assert_eq!(err.what, "guard of transition start -> done");
    assert!(err.location.starts_with("hostile.toml:"), "{err:?}");
    *err
}

/// The size limit that stopped the script, and what grew.
fn size_limit(err: &ScriptError) -> &str {
    match err.limit() {
        Some(Limit::Size { what, arrays, .. }) => {
            assert_eq!(
                *arrays,
                Limits::default().max_array_size,
                "the limits in force are reported"
            );
            what
        }
        other => panic!("expected a size limit, got {other:?}"),
    }
}

#[test]
fn infinite_loop_hits_the_operation_limit() {
    let err = hostile("loop { }");
    assert_eq!(err.limit(), Some(&Limit::Operations(100_000)));
    assert!(
        err.location.starts_with("hostile.toml:17:"),
        "line of the loop: {err:?}"
    );
}

#[test]
fn deep_recursion_hits_the_call_depth_limit() {
    let err = hostile("fn down(x) { down(x + 1) }\ndown(0)");
    assert_eq!(err.limit(), Some(&Limit::CallDepth(16)));
}

#[test]
fn doubling_a_string_hits_the_string_size_limit() {
    let err = hostile_sized("let s = \"ab\";\nloop { s += s; }");
    assert!(size_limit(&err).contains("string"), "{err:?}");
}

#[test]
fn growing_a_giant_map_hits_the_map_size_limit() {
    let err = hostile_sized(
        "let m = #{};\nlet i = 0;\nloop { let n = #{}; n[`k${i}`] = i; m += n; i += 1; }",
    );
    assert!(size_limit(&err).contains("map"), "{err:?}");
}

#[test]
fn growing_a_giant_array_hits_the_array_size_limit() {
    let err = hostile_sized("let a = [];\nloop { a.push(1); }");
    assert!(size_limit(&err).contains("array"), "{err:?}");
}

#[test]
fn wall_clock_deadline_stops_a_script_the_operation_limit_allows() {
    let limits = Limits {
        max_operations: u64::MAX / 2,
        ..Limits::default()
    };
    let mut engine = Engine::new(program_with_guard("loop { }"));
    engine.runtime = Runtime::new(limits, Duration::from_millis(20));
    let EngineError::Script(err) = advance_with(engine) else {
        panic!("the endless guard must fail as a script error");
    };
    assert_eq!(err.limit(), Some(&Limit::Deadline(20)));
}

#[test]
fn a_guard_that_does_not_return_a_bool_is_an_error() {
    let err = hostile("let x = 42;\nx");
    assert!(
        matches!(&err.problem, ScriptProblem::NotBool { type_name, value } if type_name == "i64" && value == "42"),
        "{err:?}"
    );
}

#[test]
fn print_is_captured_not_written_to_stdout() {
    let engine = Engine::new(program_with_guard("print(\"hello from a guard\"); false"));
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", vec![mentee], &actor)
        .expect("enrol");
    assert!(engine.advance(&mut pairing, None, None, &actor).is_err());
    assert!(engine
        .runtime
        .take_prints()
        .iter()
        .any(|p| p == "hello from a guard"));
}

#[test]
fn eval_is_not_available_to_scripts() {
    let loaded =
        mentorflow_dsl::load_str(Path::new("x.toml"), &program_text_with("eval(\"1\") == 1"));
    assert!(loaded.has_errors(), "eval must be refused at check time");
    assert!(loaded.render().contains("E020"), "{}", loaded.render());
}

fn program_text_with(guard: &str) -> String {
    format!("[program]\nid = \"x\"\ntitle = \"x\"\ninitial = \"a\"\n[stages.a]\n[stages.b]\noutcome = \"success\"\n[[transitions]]\nfrom = \"a\"\nto = \"b\"\nguard = '{guard}'\n[types.t]\nroles = {{ mentee = 1 }}\n")
}

#[test]
fn scripts_cannot_change_facts() {
    let engine = Engine::new(program_with_guard("facts.n = 99;\nfalse"));
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", vec![mentee], &actor)
        .expect("enrol");
    engine
        .record(
            &mut pairing,
            None,
            vec![("n", mentorflow_dsl::Value::Int(1))],
            &actor,
        )
        .expect("record");
    let err = engine
        .advance(&mut pairing, None, None, &actor)
        .expect_err("assigning to facts must fail");
    assert!(
        matches!(&err, EngineError::Script(e) if e.location.starts_with("hostile.toml:17:")),
        "{err:?}"
    );
    assert_eq!(pairing.facts.get("n"), Some(&mentorflow_dsl::Value::Int(1)));
}

#[test]
fn the_script_view_follows_recorded_facts() {
    // `now` (the instant as text) keeps this guard in Rhai, so it reads the cached view, not a
    // native run.
    let engine = Engine::new(program_with_guard("now != \"\" && facts.n >= 5"));
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", vec![mentee], &actor)
        .expect("enrol");
    engine
        .record(
            &mut pairing,
            None,
            vec![("n", mentorflow_dsl::Value::Int(1))],
            &actor,
        )
        .expect("record");
    assert!(
        engine.advance(&mut pairing, None, None, &actor).is_err(),
        "n = 1 must not pass"
    );
    engine
        .record(
            &mut pairing,
            None,
            vec![("n", mentorflow_dsl::Value::Int(5))],
            &actor,
        )
        .expect("record");
    engine
        .advance(&mut pairing, None, None, &actor)
        .expect("n = 5 must pass");
}

// Rhai checks a map's length when maps are merged, not on `m[key] = value`: the memory budget
// stops what the length limit misses.
#[test]
fn indexed_insert_into_a_map_hits_the_memory_limit() {
    let err = hostile_sized("let m = #{};\nlet i = 0;\nloop { m[`k${i}`] = i; i += 1; }");
    assert_eq!(
        err.limit(),
        Some(&Limit::Memory(16 * 1024 * 1024)),
        "{err:?}"
    );
}

#[test]
fn many_distinct_large_strings_hit_the_memory_limit() {
    let err = hostile_sized(
        "let big = \"0123456789\";\nfor n in 0..12 { big += big; }\nlet m = #{};\nlet i = 0;\nloop { m[`k${i}`] = big + i; i += 1; }",
    );
    assert_eq!(
        err.limit(),
        Some(&Limit::Memory(16 * 1024 * 1024)),
        "{err:?}"
    );
}

// `1 << 70` was silently 0 (Rhai's choice); shifts are refused when the program is checked.
#[test]
fn shifts_are_refused_at_check_time() {
    for script in [
        "(1 << 70) > 0",
        "(8 >> 1) == 4",
        "let x = 1; x <<= 70; x > 0",
    ] {
        let loaded = mentorflow_dsl::load_str(Path::new("x.toml"), &program_text_with(script));
        assert!(loaded.has_errors(), "{script} must be refused");
        let report = loaded.render();
        assert!(
            report.contains("E020") && report.contains("<<") || report.contains(">>"),
            "{report}"
        );
    }
}

#[test]
fn captured_output_is_bounded_in_bytes_not_only_lines() {
    let engine = Engine::new(program_with_guard(
        "let s = \"0123456789\";\nfor n in 0..12 { s += s; }\nfor n in 0..500 { print(s); }\nfalse",
    ));
    let actor = Actor {
        name: "t",
        now: Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    };
    let mentee = Participant {
        id: "m".into(),
        role: "mentee".into(),
        attributes: Default::default(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let (mut pairing, _) = engine
        .enrol("p-1", "solo", vec![mentee], &actor)
        .expect("enrol");
    assert!(engine.advance(&mut pairing, None, None, &actor).is_err());
    let prints = engine.runtime.take_prints();
    let bytes: usize = prints.iter().map(String::len).sum();
    // 500 lines of 40 KB were printed (20 MB); 64 KB and a few cut marks are kept.
    assert!(
        bytes <= 70 * 1024,
        "{bytes} bytes kept in {} lines",
        prints.len()
    );
    assert!(
        prints.iter().any(|p| p.ends_with("bytes cut)")),
        "cut lines say so"
    );
}
