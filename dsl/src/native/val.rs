//! The values a natively run script works with, and Rhai's operators on them where Rhai's
//! answer is certain. Anything uncertain (a type pair Rhai might treat otherwise, an overflow,
//! a division by zero) is `None`: the script then runs in Rhai, which decides or reports.

use chrono::{Datelike, NaiveDate};

/// What a value is, or why a run stopped instead of giving one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Unit,
    Bool,
    Int,
    Float,
    /// Text, by where it is (see [`Text`]).
    Text,
    Date,
    /// A participant, by index.
    Person,
    /// Participants, as a set of indices (in participant order).
    People,
    /// A list the run made (`facts_of`, `map`, a list fact), by its place in the heap.
    List,
    /// A map the run made (`let seen = #{};`), by its place in the heap.
    Map,
    /// The run stops: Rhai must decide (an error, a type it does not know, the step budget).
    Unsure,
    Break,
    Continue,
    /// A `return` (the value is kept in the run).
    Return,
}

/// A value during a native run: a kind and 64 bits, returned in two registers (every node of
/// a run returns one, and a value passed through memory cost a store-forwarding stall per
/// node). A stop travels as a value too, so there is no `Result` around it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Val {
    pub kind: Kind,
    pub bits: u64,
}

/// Where a text value is: a literal of the program's, a fact, a person's attribute, fact, id
/// or role (read again where it is, never copied), or text the run made. The top three bits
/// of a text value tell which; a person's index is the next 16, the rest an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    Literal(usize),
    /// A fact of the pairing, by read.
    Fact(usize),
    /// A person's attribute: person, read.
    Attribute(usize, usize),
    /// A fact kept per person: person, read.
    PersonFact(usize, usize),
    Id(usize),
    Role(usize),
    /// In the run's heap.
    Made(usize),
}

const LOW: u64 = (1 << 32) - 1;

impl Val {
    pub const UNIT: Val = Val::of(Kind::Unit, 0);
    pub const UNSURE: Val = Val::of(Kind::Unsure, 0);
    pub const BREAK: Val = Val::of(Kind::Break, 0);
    pub const CONTINUE: Val = Val::of(Kind::Continue, 0);
    pub const RETURN: Val = Val::of(Kind::Return, 0);

    const fn of(kind: Kind, bits: u64) -> Val {
        Val { kind, bits }
    }

    pub fn bool(b: bool) -> Val {
        Val::of(Kind::Bool, u64::from(b))
    }

    pub fn int(i: i64) -> Val {
        Val::of(Kind::Int, i as u64)
    }

    pub fn float(x: f64) -> Val {
        Val::of(Kind::Float, x.to_bits())
    }

    pub fn date(d: NaiveDate) -> Val {
        Val::of(Kind::Date, i64::from(d.num_days_from_ce()) as u64)
    }

    pub fn person(i: usize) -> Val {
        Val::of(Kind::Person, i as u64)
    }

    pub fn people(mask: u64) -> Val {
        Val::of(Kind::People, mask)
    }

    pub fn list(at: usize) -> Val {
        Val::of(Kind::List, at as u64)
    }

    pub fn map(at: usize) -> Val {
        Val::of(Kind::Map, at as u64)
    }

    pub fn text(at: Text) -> Val {
        let (tag, person, index) = match at {
            Text::Literal(i) => (0, 0, i),
            Text::Fact(i) => (1, 0, i),
            Text::Attribute(p, i) => (2, p, i),
            Text::PersonFact(p, i) => (3, p, i),
            Text::Id(p) => (4, p, 0),
            Text::Role(p) => (5, p, 0),
            Text::Made(i) => (6, 0, i),
        };
        let bits = (tag << 61) | ((person as u64 & 0xffff) << 32) | (index as u64 & LOW);
        Val::of(Kind::Text, bits)
    }

    /// Whether the run stops here.
    pub fn is_stop(self) -> bool {
        matches!(
            self.kind,
            Kind::Unsure | Kind::Break | Kind::Continue | Kind::Return
        )
    }

    pub fn as_bool(self) -> Option<bool> {
        (self.kind == Kind::Bool).then_some(self.bits != 0)
    }

    pub fn as_int(self) -> Option<i64> {
        (self.kind == Kind::Int).then_some(self.bits as i64)
    }

    pub fn as_float(self) -> Option<f64> {
        (self.kind == Kind::Float).then_some(f64::from_bits(self.bits))
    }

    /// An int or a float, as a float.
    pub fn number(self) -> Option<f64> {
        self.as_int().map(|i| i as f64).or_else(|| self.as_float())
    }

    /// A date as its day number (days from the common era): what differences of dates take,
    /// without making a calendar date.
    pub fn day(self) -> Option<i64> {
        (self.kind == Kind::Date).then_some(self.bits as i64)
    }

    pub fn as_date(self) -> Option<NaiveDate> {
        (self.kind == Kind::Date)
            .then(|| NaiveDate::from_num_days_from_ce_opt(self.bits as i64 as i32))
            .flatten()
    }

    /// The index of a person, a list or a map (by kind).
    pub fn index(self, kind: Kind) -> Option<usize> {
        (self.kind == kind).then_some(self.bits as usize)
    }

    pub fn as_text(self) -> Option<Text> {
        if self.kind != Kind::Text {
            return None;
        }
        let person = ((self.bits >> 32) & 0xffff) as usize;
        let index = (self.bits & LOW) as usize;
        Some(match self.bits >> 61 {
            0 => Text::Literal(index),
            1 => Text::Fact(index),
            2 => Text::Attribute(person, index),
            3 => Text::PersonFact(person, index),
            4 => Text::Id(person),
            5 => Text::Role(person),
            _ => Text::Made(index),
        })
    }
}

/// A value as the operators see it: text resolved to a `str`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar<'a> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    Date(NaiveDate),
    Other,
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arithmetic {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Rhai's arithmetic on numbers where it is certain: checked integer operations (an overflow
/// or a division by zero is Rhai's error), finite float results, an int with a float as
/// floats.
pub(crate) fn arithmetic(left: Val, op: Arithmetic, right: Val) -> Option<Val> {
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        return Some(Val::int(match op {
            Arithmetic::Add => a.checked_add(b)?,
            Arithmetic::Sub => a.checked_sub(b)?,
            Arithmetic::Mul => a.checked_mul(b)?,
            Arithmetic::Div => a.checked_div(b)?,
            Arithmetic::Rem => a.checked_rem(b)?,
        }));
    }
    let (a, b) = (left.number()?, right.number()?);
    let x = match op {
        Arithmetic::Add => a + b,
        Arithmetic::Sub => a - b,
        Arithmetic::Mul => a * b,
        Arithmetic::Div | Arithmetic::Rem if b == 0.0 => return None,
        Arithmetic::Div => a / b,
        Arithmetic::Rem => a % b,
    };
    x.is_finite().then_some(Val::float(x))
}

/// Rhai's comparison where it is certain: numbers (an int with a float as floats, floats
/// within Rhai's epsilon), texts, dates (with each other, or with `"YYYY-MM-DD"` text), bools
/// for (in)equality, `()` for (in)equality with anything of these.
pub(crate) fn compare(left: Scalar<'_>, op: Comparison, right: Scalar<'_>) -> Option<bool> {
    use std::cmp::Ordering;
    let equality = matches!(op, Comparison::Eq | Comparison::Ne);
    let number = |s: Scalar<'_>| match s {
        Scalar::Int(i) => Some(i as f64),
        Scalar::Float(x) => Some(x),
        _ => None,
    };
    let ordering: Ordering = match (left, right) {
        (Scalar::Int(a), Scalar::Int(b)) => a.cmp(&b),
        (Scalar::Int(_) | Scalar::Float(_), Scalar::Int(_) | Scalar::Float(_)) => {
            return Some(float_compare(number(left)?, op, number(right)?))
        }
        (Scalar::Text(a), Scalar::Text(b)) => a.cmp(b),
        (Scalar::Date(a), Scalar::Date(b)) => a.cmp(&b),
        (Scalar::Date(a), Scalar::Text(b)) => a.cmp(&date(b)?),
        (Scalar::Text(a), Scalar::Date(b)) => date(a)?.cmp(&b),
        (Scalar::Bool(a), Scalar::Bool(b)) if equality => a.cmp(&b),
        // `x != ()`: a unit equals only a unit.
        (Scalar::Unit, Scalar::Unit) if equality => Ordering::Equal,
        (Scalar::Unit, Scalar::Other) | (Scalar::Other, Scalar::Unit) => return None,
        (Scalar::Unit, _) | (_, Scalar::Unit) if equality => Ordering::Less,
        _ => return None,
    };
    Some(match op {
        Comparison::Eq => ordering == Ordering::Equal,
        Comparison::Ne => ordering != Ordering::Equal,
        Comparison::Lt => ordering == Ordering::Less,
        Comparison::Le => ordering != Ordering::Greater,
        Comparison::Gt => ordering == Ordering::Greater,
        Comparison::Ge => ordering != Ordering::Less,
    })
}

/// A date written as `"YYYY-MM-DD"`, as a date compares with text; anything else is Rhai's
/// error to report.
fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| (0..=9999).contains(&d.year()))
}

/// Rhai's float comparison (checked build): relative to the larger magnitude, within
/// `f64::EPSILON`, so that `0.1 + 0.2 <= 0.3` holds in both.
fn float_compare(x: f64, op: Comparison, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    if max == 0.0 {
        return matches!(op, Comparison::Eq | Comparison::Ge | Comparison::Le);
    }
    let eps = f64::EPSILON;
    match op {
        Comparison::Eq => (x - y).abs() / max <= eps,
        Comparison::Ne => (x - y).abs() / max > eps,
        Comparison::Gt => (x - y) / max > eps,
        Comparison::Ge => (x - y) / max > -eps,
        Comparison::Lt => (y - x) / max > eps,
        Comparison::Le => (y - x) / max > -eps,
    }
}

// Two words, so a node's value comes back in registers.
const _: () = assert!(std::mem::size_of::<Val>() == 16);
