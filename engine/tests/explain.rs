//! Explanations point at the right place: each `&&` part of a guard with statements is judged
//! where it stands in the program file.

use std::path::Path;

use chrono::{TimeZone, Utc};
use mentorflow_engine::{Actor, Engine, Participant, Verdict};

fn engine_with_guard(guard: &str) -> Engine {
    let text = format!(
        "[program]\nid = \"p\"\ntitle = \"P\"\ninitial = \"start\"\n\n[facts.n]\ntype = \"int\"\ndefault = 1\n\n[stages.start]\n[stages.done]\noutcome = \"success\"\n\n[[transitions]]\nfrom = \"start\"\nto = \"done\"\nguard = '''\n{guard}\n'''\n\n[types.solo]\nroles = {{ mentee = 1 }}\n"
    );
    let loaded = mentorflow_dsl::load_str(Path::new("p.toml"), &text);
    let report = loaded.render();
    Engine::new(loaded.program.unwrap_or_else(|| panic!("{report}")))
}

#[test]
fn a_failing_part_after_statements_points_at_its_own_line() {
    // Line 18 of p.toml holds the `let`, 19 the first part, 20 the second.
    let engine =
        engine_with_guard("let z = facts.n - facts.n;\nfacts.n >= 100\n    && (10 / z) > 1");
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
    let candidates = engine.explain(&mut pairing, actor.now);
    let guard = candidates[0].guard.as_ref().expect("a guard");
    assert_eq!(guard.verdict, Verdict::False, "the whole short-circuits");
    assert_eq!(guard.parts[0].1, Verdict::False);
    match &guard.parts[1].1 {
        Verdict::Failed(e) => assert!(e.location.starts_with("p.toml:20:"), "{e:?}"),
        other => panic!("the second part divides by zero: {other:?}"),
    }
}
