//! The native compiler and run on small inputs; `engine/tests/native_scripts.rs` compares
//! them with Rhai on many.

use super::*;
use std::collections::BTreeMap;

/// Facts and people for the tests.
struct Pairing(BTreeMap<String, Value>, Vec<Someone>);

struct Someone {
    id: String,
    role: &'static str,
    attributes: BTreeMap<String, Value>,
}

impl Subject for Pairing {
    type Person = Someone;
    fn fact(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    fn people(&self) -> &[Someone] {
        &self.1
    }
}

impl Person for Someone {
    fn id(&self) -> &str {
        &self.id
    }
    fn role(&self) -> &str {
        self.role
    }
    fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }
}

fn facts(pairs: &[(&str, Value)]) -> Pairing {
    Pairing(
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
        Vec::new(),
    )
}

fn someone(id: &str, role: &'static str, grade: i64) -> Someone {
    Someone {
        id: id.into(),
        role,
        attributes: BTreeMap::from([("grade".to_string(), Value::Int(grade))]),
    }
}

fn fast(source: &str) -> Option<Guard> {
    let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
    let ast = engine
        .compile_with_scope(&crate::sandbox::compile_scope(), source)
        .expect("compiles");
    let five = Value::Int(5);
    let declared = Declared {
        facts: vec![("d", Some(&five), None)],
        library: None,
        criteria: &[],
        pair: false,
        points: None,
    };
    Native::compile(&ast, &declared).map(Guard)
}

/// A compiled script, run as a guard.
struct Guard(Native);

impl Guard {
    fn eval<S: Subject>(&self, subject: &S) -> Option<bool> {
        self.0.eval(subject, 10_000)
    }
}

#[test]
fn comparisons_of_facts_and_constants_are_fast() {
    let facts = facts(&[("a", Value::Int(6)), ("b", Value::Bool(true))]);
    let eval = |s: &str| fast(s).and_then(|g| g.eval(&facts));
    assert_eq!(eval("facts.a >= 6 && facts.b"), Some(true));
    assert_eq!(eval("facts.a < 6 || !facts.b"), Some(false));
    assert_eq!(eval("facts.d == 5"), Some(true), "declared default");
    assert_eq!(eval("facts.a >= 5.5"), Some(true), "int against float");
    assert_eq!(eval("facts.missing >= 1"), None, "unrecorded: Rhai decides");
    assert_eq!(eval("facts.b > false"), None, "bool ordering: Rhai decides");
}

#[test]
fn arithmetic_and_to_float_are_fast_when_certain() {
    let facts = facts(&[("a", Value::Int(3)), ("z", Value::Int(0))]);
    let eval = |s: &str| fast(s).and_then(|g| g.eval(&facts));
    assert_eq!(
        eval("facts.a.to_float() / facts.d.to_float() >= 0.6"),
        Some(true)
    );
    assert_eq!(eval("facts.a / 2 == 1"), Some(true), "integer division");
    assert_eq!(eval("facts.a * 2 + 1 > 6"), Some(true));
    assert_eq!(
        eval("facts.a / facts.z > 1"),
        None,
        "division by zero: Rhai decides"
    );
}

#[test]
fn people_are_read_natively() {
    assert!(fast("mentees.filter(|m| m.grade >= 5).len() >= 2").is_some());
    assert!(fast("mentees.filter(|m| m.grade >= 5).len() >= mentors.len()").is_some());
    let mut pairing = facts(&[("a", Value::Int(3))]);
    pairing.1 = vec![
        someone("m1", "mentor", 12),
        someone("e1", "mentee", 3),
        someone("e2", "mentee", 7),
    ];
    let eval = |s: &str| fast(s).and_then(|g| g.eval(&pairing));
    assert_eq!(eval("mentees.len() >= 2"), Some(true));
    assert_eq!(eval("participants.len() == 3"), Some(true));
    assert_eq!(eval("mentors[0].grade > 10"), Some(true));
    assert_eq!(eval("mentees[1].grade == 7"), Some(true));
    assert_eq!(eval("mentees[1].id == \"e2\""), Some(true));
    assert_eq!(
        eval("mentees.all(|m| m.grade + 2 <= mentors[0].grade)"),
        Some(true)
    );
    assert_eq!(eval("mentees.all(|m| m.grade > facts.a)"), Some(false));
    assert_eq!(eval("mentees.some(|m| m.grade > facts.a)"), Some(true));
    assert_eq!(
        eval("mentees.all(|m| mentors.all(|x| x.grade > m.grade))"),
        Some(true),
        "nested closures capture the outer person"
    );
    assert_eq!(eval("mentors.all(|m| m.role == \"mentor\")"), Some(true));
    assert_eq!(
        eval("mentees.all(|m| { m.grade > 1 })"),
        Some(true),
        "braces"
    );
    assert_eq!(
        eval("mentees.all(|m| {}) || mentees.some(|m| { let g = m.grade; g > 5 })"),
        None,
        "bodies of another shape"
    );
    assert_eq!(
        eval("mentors[1].grade > 1"),
        None,
        "no second mentor: Rhai errs"
    );
    assert_eq!(
        eval("mentees.all(|m| m.level > 1)"),
        None,
        "no such attribute"
    );
    assert_eq!(
        eval("mentees.some(|m| m.grade > 5) || mentees.all(|m| m.nope > 1)"),
        Some(true),
        "short-circuits as Rhai does"
    );
}

#[test]
fn statements_loops_and_functions_run_natively() {
    let mut pairing = facts(&[("a", Value::Int(3)), ("t", Value::Text("kick-off".into()))]);
    pairing.1 = vec![
        someone("m1", "mentor", 12),
        someone("e1", "mentee", 3),
        someone("e2", "mentee", 7),
    ];
    let eval = |s: &str| fast(s).and_then(|g| g.eval(&pairing));
    assert_eq!(eval("let x = facts.a; x >= 3"), Some(true));
    assert_eq!(
        eval("let ok = true; for m in mentees { if m.grade > 5 { ok = false; } } ok"),
        Some(false)
    );
    assert_eq!(
        eval("let n = 0; for i in 0..10 { if i == 4 { break; } n += i; } n == 6"),
        Some(true),
        "a range, break, +="
    );
    assert_eq!(
        eval("let n = 0; for i in 1..=3 { if i == 2 { continue; } n += i; } n == 4"),
        Some(true)
    );
    assert_eq!(
        eval("let n = 0; while n < 5 { n += 2; } n == 6"),
        Some(true)
    );
    assert_eq!(
        eval("fn twice(x) { x * 2 } twice(facts.a) == 6"),
        Some(true),
        "the script's own function"
    );
    assert_eq!(
        eval("fn first(g) { if g.is_empty() { return 0; } g[0].grade } first(mentees) == 3"),
        Some(true),
        "return"
    );
    assert_eq!(eval("mentees[-1].grade == 7"), Some(true), "from the end");
    assert_eq!(eval("mentees[\"x\".len() - 1][\"grade\"] == 3"), Some(true));
    assert_eq!(
        eval("mentees.map(|m| m.grade).len() == 2 && max(mentees.map(|m| m.grade)) == 7"),
        Some(true)
    );
    assert_eq!(eval("facts.t.contains(facts.t)"), Some(true));
    assert_eq!(eval("facts.a.to_string() == \"3\""), Some(true));
    assert_eq!(eval("max(0, min(facts.a - 10, 15)) == 0"), Some(true));
    assert_eq!(
        eval("mentees[0].nickname == ()"),
        Some(true),
        "an absent attribute is ()"
    );
    assert_eq!(
        eval("facts.missing == ()"),
        Some(true),
        "so is an unrecorded fact"
    );
    assert_eq!(
        eval("let a = #{}; let b = a; b[\"x\"] = 1; a.len() == 0 && b[\"x\"] == 1"),
        Some(true),
        "a map is copied as in Rhai"
    );
}

#[test]
fn anything_else_is_left_to_rhai() {
    let pairing = facts(&[("a", Value::Int(i64::MAX)), ("z", Value::Int(0))]);
    let eval = |s: &str| fast(s).and_then(|g| g.eval(&pairing));
    assert_eq!(eval("facts.a + 1 > 0"), None, "an overflow is Rhai's error");
    assert_eq!(
        eval("facts.z / facts.z > 0"),
        None,
        "a division by zero too"
    );
    assert_eq!(eval("facts.a"), None, "not a bool");
    assert_eq!(eval("facts.missing > 1"), None, "() has no order");
    assert_eq!(eval("let n = 0; loop { n += 1; } n > 0"), None, "no `loop`");
    assert_eq!(
        eval("let n = 0; while true { n += 1; } n > 0"),
        None,
        "the step budget"
    );
    assert!(
        fast("let m = #{a: 1}; m.len() == 1").is_none(),
        "maps written out"
    );
    assert!(fast("switch facts.a { 1 => true, _ => false }").is_none());
    assert!(
        fast("mentees.all(|m, i| i < 3)").is_none(),
        "with the index"
    );
    assert!(fast("fn f(n) { if n == 0 { 0 } else { f(n - 1) } } f(3) == 0").is_none());
    assert!(
        fast("fn all(a, f) { true } mentees.all(|m| false)").is_none(),
        "a function of the script's own that takes a closure"
    );
    assert!(
        fast("now != \"\"").is_none(),
        "`now`, a text of the instant, is Rhai's"
    );
}

#[test]
fn a_script_reading_only_properties_says_which() {
    let reads = |s: &str| {
        let names = fast(s).expect("native").0.reads_only_properties()?;
        Some(
            names
                .iter()
                .map(|n| n.as_str().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let names = reads("mentors[0].grade - mentees[0].grade >= 2 && mentees[0].id != \"x\"");
    assert_eq!(names, Some(vec!["grade".to_string(), "id".to_string()]));
    assert!(reads("mentees.all(|m| m.grade > 2)").is_some());
    assert_eq!(reads("facts.d >= 5"), None, "a fact");
    assert_eq!(reads("mentees.all(|m| m.grade > facts.d)"), None);
    assert_eq!(
        reads("mentors[0][\"grade\"] > 2"),
        None,
        "a name as a value"
    );
    assert_eq!(reads("mentors[0].facts.d > 2"), None, "a person's fact");
    assert_eq!(reads("in_reporting_line(mentors[0], mentees[0])"), None);
}

#[test]
fn people_who_show_the_same_properties_look_the_same() {
    let names = [Name::new("grade"), Name::new("id"), Name::new("team")];
    let (a, b) = (someone("a", "mentee", 3), someone("b", "mentee", 3));
    assert_ne!(look(&a, &names), look(&b, &names), "the id is read");
    assert_eq!(look(&a, &names[..1]), look(&b, &names[..1]));
    assert_ne!(
        look(&a, &names[..1]),
        look(&someone("a", "mentee", 4), &names[..1])
    );
    let float = |x: f64| Someone {
        id: "f".into(),
        role: "mentee",
        attributes: BTreeMap::from([("grade".to_string(), Value::Float(x))]),
    };
    assert_ne!(
        look(&float(0.0), &names[..1]),
        look(&float(-0.0), &names[..1])
    );
    assert_ne!(
        look(&float(3.0), &names[..1]),
        look(&a, &names[..1]),
        "3.0 is not 3"
    );
}

/// A subject that keeps values: `Pairing`'s facts and people, and what is kept of them.
struct Kept<'a>(&'a Pairing, &'a Keeper, MemoPlan);

impl Subject for Kept<'_> {
    type Person = Someone;
    fn fact(&self, name: &str) -> Option<&Value> {
        self.0.fact(name)
    }
    fn people(&self) -> &[Someone] {
        self.0.people()
    }
    fn memo(&self) -> Option<(&Keeper, MemoPlan)> {
        Some((self.1, self.2))
    }
}

/// `source` compiled as one program's only script, with the memo points it was given.
fn kept(source: &str) -> (Guard, MemoPlan) {
    let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
    let ast = engine
        .compile_with_scope(&crate::sandbox::compile_scope(), source)
        .expect("compiles");
    let points = Points::default();
    let declared = Declared {
        facts: Vec::new(),
        library: None,
        criteria: &[],
        pair: false,
        points: Some(&points),
    };
    let native = Native::compile(&ast, &declared).expect("runs natively");
    (Guard(native), points.plan())
}

#[test]
fn walks_over_the_people_alone_are_memo_points() {
    let points = |s: &str| kept(s).1.len();
    assert_eq!(points("mentees.all(|m| m.grade < mentors[0].grade)"), 1);
    assert_eq!(
        points("let ok = true; for m in mentees { if m.grade > 9 { ok = false; } } ok"),
        1,
        "a whole script is one point"
    );
    assert_eq!(
        points("mentees.filter(|m| m.grade > 3).len() > facts.a"),
        1,
        "the walk, not the fact"
    );
    assert_eq!(
        points("mentees.filter(|m| m.grade > 3).len() > facts.a && mentors.some(|m| m.grade > 1)"),
        2
    );
    assert_eq!(
        points("fn over(xs) { xs.filter(|m| m.grade > 3).len() } over(mentees) > 1"),
        1,
        "the call, not the walk over the function's parameter"
    );
    assert_eq!(points("facts.a >= 6"), 0, "nothing walks");
    assert_eq!(points("facts.a + 1 > 3"), 0, "nothing walks");
    assert_eq!(
        points("mentors[0].grade > 3"),
        1,
        "finding the mentors walks everyone"
    );
    assert_eq!(
        points(r#"mentees.filter(|m| m["grade"] > 3).len() > 1"#),
        1,
        "a property named by a value is still the people's"
    );
    assert_eq!(points("mentees.all(|m| m.grade > facts.a)"), 0, "a fact");
    assert_eq!(
        points("let n = facts.a; mentees.all(|m| m.grade > n)"),
        0,
        "a local set from a fact"
    );
    assert_eq!(
        points("let n = 0; for m in mentees { n += 1; } n > days_in_stage"),
        0,
        "the loop sets a local read after it"
    );
}

#[test]
fn a_keeper_keeps_values_from_the_second_run_for_the_people_it_was_made_for() {
    let (guard, plan) = kept("mentees.filter(|m| m.grade >= 5).len() >= 2");
    let mut pairing = facts(&[]);
    pairing.1 = vec![
        someone("m1", "mentor", 12),
        someone("e1", "mentee", 3),
        someone("e2", "mentee", 7),
    ];
    let once = Keeper::default();
    assert_eq!(guard.eval(&Kept(&pairing, &once, plan)), Some(false));
    let twice = Keeper::default();
    assert_eq!(guard.eval(&Kept(&pairing, &twice, plan)), Some(false));
    assert_eq!(guard.eval(&Kept(&pairing, &twice, plan)), Some(false));
    pairing.1.push(someone("e3", "mentee", 9));
    // A first run only notes the point; from the second the value is kept and stands
    // whatever the people (the engine drops the keeper when they change).
    assert_eq!(guard.eval(&Kept(&pairing, &once, plan)), Some(true));
    assert_eq!(guard.eval(&Kept(&pairing, &twice, plan)), Some(false));
    assert_eq!(guard.eval(&pairing), Some(true), "nothing kept");
    // What was kept for another program's points (the same script, loaded again) is not read.
    let (theirs_guard, theirs_plan) = kept("mentees.filter(|m| m.grade >= 5).len() >= 2");
    let theirs = Keeper::default();
    pairing.1.pop();
    for _ in 0..2 {
        let kept = Kept(&pairing, &theirs, theirs_plan);
        assert_eq!(theirs_guard.eval(&kept), Some(false));
    }
    pairing.1.push(someone("e3", "mentee", 9));
    assert_eq!(guard.eval(&Kept(&pairing, &theirs, plan)), Some(true));
}
