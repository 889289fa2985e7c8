//! Script helpers over what a schedule's occurrences recorded: `schedules.survey` holds
//! `occurrences`, each done occurrence as a map (`number`, `due`, `done`, `short`, and the
//! values it recorded), and these read them: `last("score")` (the latest value),
//! `occurrence(3)` (that occurrence), `values("score")` (every value, in order, for `min`,
//! `max`, `average`), `sum("hours")` and `sum("hours", since)`, and `count(since)` (the
//! occurrences done on or after a date that met the schedule's `require`).

use rhai::{Array, Dynamic, Engine, Map};

use crate::dates::ScriptDate;

/// Registers the helpers on a sandboxed engine.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("last", |s: Map, name: &str| last(&s, name))
        .register_fn("occurrence", |s: Map, k: i64| occurrence(&s, k))
        .register_fn("values", |s: Map, name: &str| -> Array {
            done(&s).filter_map(|o| value(&o, name)).collect()
        })
        .register_fn("sum", |s: Map, name: &str| sum(&s, name, None))
        .register_fn("sum", |s: Map, name: &str, since: ScriptDate| {
            sum(&s, name, Some(since))
        })
        .register_fn("of", |s: Map, person: Map| of(&s, &person))
        .register_fn("count", |s: Map, since: ScriptDate| -> i64 {
            done(&s)
                .filter(|o| on_or_after(o, Some(since)) && !is_short(o))
                .count() as i64
        });
}

/// The occurrences done, in order.
fn done(schedule: &Map) -> std::vec::IntoIter<Map> {
    let occurrences: Vec<Map> = schedule
        .get("occurrences")
        .and_then(|o| o.read_lock::<Array>().map(|a| a.clone()))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|o| o.try_cast::<Map>())
        .collect();
    occurrences.into_iter()
}

/// A recorded value of an occurrence, when it recorded one.
fn value(occurrence: &Map, name: &str) -> Option<Dynamic> {
    occurrence.get(name).filter(|v| !v.is_unit()).cloned()
}

fn is_short(occurrence: &Map) -> bool {
    occurrence
        .get("short")
        .and_then(|v| v.as_bool().ok())
        .unwrap_or(false)
}

/// Whether the occurrence was done on or after `since` (always, with none).
fn on_or_after(occurrence: &Map, since: Option<ScriptDate>) -> bool {
    let Some(since) = since else { return true };
    occurrence
        .get("done")
        .and_then(|d| d.clone().try_cast::<ScriptDate>())
        .is_some_and(|d| d >= since)
}

/// How a schedule kept per person stands for `person` (a participant): their own `done`,
/// `missed`, `on_time`, `due`, `last_done` and `next_due`; zeros for someone it is not kept for.
fn of(schedule: &Map, person: &Map) -> Dynamic {
    let id = person
        .get("id")
        .and_then(|i| i.clone().into_immutable_string().ok());
    let own = schedule
        .get("people")
        .and_then(|p| p.read_lock::<Map>().map(|m| m.clone()))
        .zip(id)
        .and_then(|(people, id)| people.get(id.as_str()).cloned());
    own.unwrap_or_else(|| {
        let mut zeros = Map::new();
        for key in ["done", "missed", "on_time", "due"] {
            zeros.insert(key.into(), Dynamic::from_int(0));
        }
        zeros.insert("last_done".into(), Dynamic::UNIT);
        zeros.insert("next_due".into(), Dynamic::UNIT);
        Dynamic::from_map(zeros)
    })
}

/// The latest occurrence's value of `name`, or `()` when none recorded it.
fn last(schedule: &Map, name: &str) -> Dynamic {
    done(schedule)
        .filter_map(|o| value(&o, name))
        .last()
        .unwrap_or(Dynamic::UNIT)
}

/// Occurrence `k` (from 1) when it was done, or `()`.
fn occurrence(schedule: &Map, k: i64) -> Dynamic {
    done(schedule)
        .find(|o| o.get("number").and_then(|n| n.as_int().ok()) == Some(k))
        .map_or(Dynamic::UNIT, Dynamic::from_map)
}

/// The sum of the numbers recorded as `name`, since a date when given: a whole number while
/// every value is one.
fn sum(schedule: &Map, name: &str, since: Option<ScriptDate>) -> Dynamic {
    let (mut ints, mut floats, mut any_float) = (0i64, 0f64, false);
    for o in done(schedule).filter(|o| on_or_after(o, since)) {
        match value(&o, name) {
            Some(v) if v.is_int() => {
                let n = v.as_int().unwrap_or(0);
                ints = ints.saturating_add(n);
                floats += n as f64;
            }
            Some(v) if v.is_float() => {
                any_float = true;
                floats += v.as_float().unwrap_or(0.0);
            }
            _ => {}
        }
    }
    match any_float {
        true => Dynamic::from_float(floats),
        false => Dynamic::from_int(ints),
    }
}

#[cfg(test)]
mod tests {
    use rhai::Scope;

    use super::*;

    /// A schedule map with three occurrences: hours 2 (short), 5 and 3.5, done a week apart.
    fn eval<T: Clone + Send + Sync + 'static>(script: &str) -> Result<T, String> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let day = |d: u32| {
            Dynamic::from(ScriptDate(
                chrono::NaiveDate::from_ymd_opt(2026, 3, d).expect("date"),
            ))
        };
        let occurrence = |k: i64, d: u32, hours: Dynamic, short: bool| {
            let mut m = Map::new();
            m.insert("number".into(), Dynamic::from_int(k));
            m.insert("done".into(), day(d));
            m.insert("short".into(), Dynamic::from_bool(short));
            m.insert("hours".into(), hours);
            Dynamic::from_map(m)
        };
        let mut schedule = Map::new();
        schedule.insert(
            "occurrences".into(),
            Dynamic::from_array(vec![
                occurrence(1, 2, Dynamic::from_int(2), true),
                occurrence(2, 9, Dynamic::from_int(5), false),
                occurrence(3, 16, Dynamic::from_float(3.5), false),
            ]),
        );
        let mut scope = Scope::new();
        scope.push("s", schedule);
        scope.push(
            "since",
            ScriptDate(chrono::NaiveDate::from_ymd_opt(2026, 3, 9).expect("date")),
        );
        engine
            .eval_with_scope::<T>(&mut scope, script)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn occurrences_are_read_by_value_sum_count_and_number() {
        assert_eq!(eval::<f64>("s.last(\"hours\")"), Ok(3.5));
        assert_eq!(eval::<()>("s.last(\"minutes\")"), Ok(()));
        assert_eq!(eval::<f64>("s.sum(\"hours\")"), Ok(10.5));
        assert_eq!(eval::<f64>("s.sum(\"hours\", since)"), Ok(8.5));
        assert_eq!(eval::<i64>("s.count(since)"), Ok(2));
        assert_eq!(eval::<i64>("s.values(\"hours\").len()"), Ok(3));
        assert_eq!(eval::<i64>("s.occurrence(2).hours"), Ok(5));
        assert_eq!(eval::<bool>("s.occurrence(1).short"), Ok(true));
        assert_eq!(eval::<()>("s.occurrence(9)"), Ok(()));
        assert_eq!(eval::<i64>("#{}.sum(\"hours\")"), Ok(0));
    }
}
