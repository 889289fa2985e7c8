//! Script helpers over people: `facts_of(mentees, "attended")` gives each person's value of a
//! fact kept per person, and `min`, `max`, `sum`, `average` and `count` sum such a list up;
//! `in_reporting_line(a, b)` and `levels_apart(a, b)` ask the organisation (the `managers`
//! each participant enrolled with, from the people registry).
//! Values not recorded (and without a default) are `()` and left out, so `average` is over the
//! people with a value, and an empty list gives `()` ("not yet").

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map};

type Result = std::result::Result<Dynamic, Box<EvalAltResult>>;

/// Registers the helpers on a sandboxed engine.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("facts_of", facts_of)
        .register_fn("min", |a: Array| extreme(&a, "min", |x, y| x < y))
        .register_fn("max", |a: Array| extreme(&a, "max", |x, y| x > y))
        .register_fn("sum", |a: Array| sum(&a, "sum"))
        .register_fn("average", average)
        .register_fn("count", count)
        .register_fn("overlap_hours", overlap_hours)
        // Offsets of half an hour (India +5.5, Newfoundland -3.5) are written as floats.
        .register_fn("overlap_hours", overlap_hours_f)
        .register_fn("overlap_hours", |a: i64, b: f64| {
            overlap_hours_f(a as f64, b)
        })
        .register_fn("overlap_hours", |a: f64, b: i64| {
            overlap_hours_f(a, b as f64)
        })
        .register_fn("common", common)
        .register_fn("rank", rank)
        .register_fn("in_reporting_line", |a: Map, b: Map| {
            levels(&a, &b).is_some()
        })
        .register_fn("levels_apart", |a: Map, b: Map| {
            levels(&a, &b).map_or(Dynamic::UNIT, Dynamic::from_int)
        });
}

/// How many items two lists have in common (a mentee's goals and a mentor's skills); an item
/// counts once. Anything but a list counts as an empty one.
fn common(a: Dynamic, b: Dynamic) -> i64 {
    let items = |d: Dynamic| -> Vec<String> {
        d.into_array()
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.to_string())
            .collect()
    };
    let (mut a, b) = (items(a), items(b));
    a.sort();
    a.dedup();
    a.iter().filter(|x| b.contains(x)).count() as i64
}

/// Where `item` stands in a ranked list, from 1 (a mentee's preferred mentors); `()` when it
/// is not in it.
fn rank(list: Dynamic, item: Dynamic) -> Dynamic {
    let item = item.to_string();
    list.into_array()
        .unwrap_or_default()
        .iter()
        .position(|x| x.to_string() == item)
        .map_or(Dynamic::UNIT, |i| Dynamic::from_int(i as i64 + 1))
}

/// Hours two people's working days (09:00 to 17:00 local) overlap, from their offsets to UTC
/// in whole hours. The clock goes round: Sydney (+10) and San Francisco (-8) are 18 hours
/// apart one way and 6 the other, so they share 2 hours across midnight UTC.
pub(crate) fn overlap_hours(a: i64, b: i64) -> i64 {
    let apart = (a - b).rem_euclid(24);
    8 - apart.min(24 - apart).min(8)
}

/// [`overlap_hours`] for offsets given in hours and fractions (+5.5).
pub(crate) fn overlap_hours_f(a: f64, b: f64) -> f64 {
    let apart = (a - b).rem_euclid(24.0);
    8.0 - apart.min(24.0 - apart).min(8.0)
}

/// How many levels apart two people are when one is in the other's reporting line (their
/// `managers`, from the people registry): 1 for a direct manager.
fn levels(a: &Map, b: &Map) -> Option<i64> {
    let id = |p: &Map| {
        p.get("id")
            .and_then(|v| v.clone().into_immutable_string().ok())
            .map(|s| s.to_string())
    };
    let line = |p: &Map| -> Vec<String> {
        p.get("managers")
            .and_then(|m| m.read_lock::<Array>().map(|a| a.clone()))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.into_immutable_string().ok().map(|s| s.to_string()))
            .collect()
    };
    let (a_id, b_id) = (id(a)?, id(b)?);
    levels_between((&a_id, &line(a)), (&b_id, &line(b)))
}

/// [`levels`] from each person's id and managers (nearest first).
pub(crate) fn levels_between(a: (&str, &[String]), b: (&str, &[String])) -> Option<i64> {
    let above =
        |line: &[String], other: &str| line.iter().position(|m| m == other).map(|i| i as i64 + 1);
    above(a.1, b.0).or_else(|| above(b.1, a.0))
}

/// Each person's value of per-person fact `name` (`()` where none is recorded).
fn facts_of(people: Array, name: ImmutableString) -> Array {
    people
        .iter()
        .map(|p| {
            p.read_lock::<Map>()
                .and_then(|p| p.get("facts").cloned())
                .and_then(|facts| facts.read_lock::<Map>()?.get(name.as_str()).cloned())
                .unwrap_or(Dynamic::UNIT)
        })
        .collect()
}

/// A number in a list the aggregates sum up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
}

impl Number {
    fn float(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(x) => x,
        }
    }
}

/// The numbers of `a` (ints and floats), the `()` left out; any other item is an error.
fn numbers(a: &Array, what: &str) -> std::result::Result<Vec<Number>, Box<EvalAltResult>> {
    let mut out = Vec::with_capacity(a.len());
    for item in a {
        if item.is_unit() {
            continue;
        }
        if let Ok(i) = item.as_int() {
            out.push(Number::Int(i));
        } else if let Ok(x) = item.as_float() {
            out.push(Number::Float(x));
        } else {
            return Err(format!(
                "{what}() takes numbers, but the list holds a {}",
                item.type_name()
            )
            .into());
        }
    }
    Ok(out)
}

fn dynamic(n: Option<Number>) -> Dynamic {
    match n {
        None => Dynamic::UNIT,
        Some(Number::Int(i)) => Dynamic::from_int(i),
        Some(Number::Float(x)) => Dynamic::from_float(x),
    }
}

/// The smallest (`better` is `<`) or largest number, whole when every input was whole; `None`
/// for an empty list. (Scripts and the native run both sum up through these.)
pub(crate) fn extreme_of(values: &[Number], better: fn(f64, f64) -> bool) -> Option<Number> {
    let whole = values.iter().all(|n| matches!(n, Number::Int(_)));
    let best = values
        .iter()
        .map(|n| n.float())
        .reduce(|best, x| if better(x, best) { x } else { best })?;
    Some(if whole {
        Number::Int(best as i64)
    } else {
        Number::Float(best)
    })
}

/// The total: an int when every input is one (an overflow is an error), else a float.
pub(crate) fn sum_of(values: &[Number]) -> std::result::Result<Number, &'static str> {
    let mut total: i64 = 0;
    for n in values {
        match n {
            Number::Int(i) => total = total.checked_add(*i).ok_or("sum() is too large")?,
            Number::Float(_) => {
                return Ok(Number::Float(values.iter().map(|n| n.float()).sum()));
            }
        }
    }
    Ok(Number::Int(total))
}

/// The mean as a float; `None` for an empty list.
pub(crate) fn average_of(values: &[Number]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let total: f64 = values.iter().map(|n| n.float()).sum();
    Some(total / values.len() as f64)
}

fn extreme(a: &Array, what: &str, better: fn(f64, f64) -> bool) -> Result {
    Ok(dynamic(extreme_of(&numbers(a, what)?, better)))
}

fn sum(a: &Array, what: &str) -> Result {
    let total = sum_of(&numbers(a, what)?).map_err(Box::<EvalAltResult>::from)?;
    Ok(dynamic(Some(total)))
}

fn average(a: Array) -> Result {
    Ok(average_of(&numbers(&a, "average")?).map_or(Dynamic::UNIT, Dynamic::from_float))
}

/// How many items are `true`.
fn count(a: Array) -> i64 {
    a.iter().filter(|v| v.as_bool().unwrap_or(false)).count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(script: &str) -> Dynamic {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        engine.eval::<Dynamic>(script).expect(script)
    }

    #[test]
    fn aggregates_leave_out_values_not_recorded() {
        assert_eq!(eval("min([3, (), 1, 7])").as_int(), Ok(1));
        assert_eq!(eval("max([3, (), 1, 7])").as_int(), Ok(7));
        assert_eq!(eval("sum([3, (), 1, 7])").as_int(), Ok(11));
        assert_eq!(eval("average([1, 2, (), 6])").as_float(), Ok(3.0));
        assert_eq!(eval("count([true, false, (), true])").as_int(), Ok(2));
        assert!(eval("min([])").is_unit(), "nothing recorded yet");
        assert!(eval("average([(), ()])").is_unit());
        assert_eq!(eval("max([1, 2.5])").as_float(), Ok(2.5));
    }

    #[test]
    fn facts_of_reads_each_persons_fact() {
        let people = r#"[#{id: "a", facts: #{attended: 3}}, #{id: "b", facts: #{}}, #{id: "c"}]"#;
        let values = eval(&format!("facts_of({people}, \"attended\")"));
        let values: Array = values.cast();
        assert_eq!(values.len(), 3);
        assert_eq!(values[0].as_int(), Ok(3));
        assert!(values[1].is_unit() && values[2].is_unit());
    }

    #[test]
    fn reporting_lines_are_read_from_the_managers_people_enrolled_with() {
        let people = r#"let boss = #{id: "b"}; let lead = #{id: "l", managers: ["b"]};
            let dev = #{id: "d", managers: ["l", "b"]}; let other = #{id: "o", managers: ["x"]};"#;
        let ask = |q: &str| eval(&format!("{people} {q}"));
        assert_eq!(ask("in_reporting_line(dev, boss)").as_bool(), Ok(true));
        assert_eq!(ask("in_reporting_line(boss, dev)").as_bool(), Ok(true));
        assert_eq!(ask("levels_apart(boss, dev)").as_int(), Ok(2));
        assert_eq!(ask("levels_apart(lead, dev)").as_int(), Ok(1));
        assert_eq!(ask("in_reporting_line(dev, other)").as_bool(), Ok(false));
        assert!(ask("levels_apart(dev, other)").is_unit());
        assert_eq!(ask("overlap_hours(7, 1)").as_int(), Ok(2));
        assert_eq!(
            ask(r#"common(["ai", "data", "ai"], ["data", "ai", "ux"])"#).as_int(),
            Ok(2)
        );
        assert_eq!(ask(r#"common((), ["x"])"#).as_int(), Ok(0));
        assert_eq!(ask(r#"rank(["m2", "m7"], "m7")"#).as_int(), Ok(2));
        assert!(ask(r#"rank(["m2"], "m9")"#).is_unit());
        assert_eq!(ask("overlap_hours(-5, 9)").as_int(), Ok(0));
        assert_eq!(ask("overlap_hours(1, 1)").as_int(), Ok(8));
        // Across midnight UTC: Sydney and San Francisco share two hours.
        assert_eq!(ask("overlap_hours(10, -8)").as_int(), Ok(2));
        assert_eq!(ask("overlap_hours(-8, 10)").as_int(), Ok(2));
        assert_eq!(ask("overlap_hours(12, -12)").as_int(), Ok(8));
        // Half-hour offsets: India (+5.5) and Berlin (+1), 4.5 hours apart, share 3.5.
        assert_eq!(ask("overlap_hours(5.5, 1)").as_float(), Ok(3.5));
        assert_eq!(ask("overlap_hours(1, 5.5)").as_float(), Ok(3.5));
        assert_eq!(
            ask("in_reporting_line(dev, #{id: \"z\"})").as_bool(),
            Ok(false)
        );
    }

    #[test]
    fn an_aggregate_of_text_is_an_error_that_says_so() {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let err = engine.eval::<Dynamic>(r#"sum(["a"])"#).unwrap_err();
        assert!(err.to_string().contains("sum() takes numbers"), "{err}");
    }
}
