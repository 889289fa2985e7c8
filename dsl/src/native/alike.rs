//! Scripts that read nothing but people's properties, and how a person looks to them.
//!
//! A matching script is judged on every mentor x mentee pair, but most read a handful of
//! attributes that take a few values each (a grade, a time zone, a group): pairs whose people
//! show the same values for what the script reads get the same answer, so the answer can be
//! worked out once per look instead of once per pair. That holds only for scripts whose answer
//! depends on nothing else: no facts, no time, no history, no managers, no property whose name
//! is chosen at run time. [`Native::reads_only_properties`] says which scripts those are.

use chrono::NaiveDate;

use super::tree::{Block, Builtin, Constant, Function, Node, Statement};
use super::{Native, Person};
use crate::value::Value;
use crate::Name;

impl Native {
    /// The names of the properties the script (with the functions it calls) reads of people,
    /// when they are all it reads of anything outside itself; `None` when its answer may also
    /// depend on facts, time, history, managers, or a property named at run time.
    pub fn reads_only_properties(&self) -> Option<Vec<Name>> {
        let pure = std::iter::once(&self.script)
            .chain(&self.functions)
            .all(Function::reads_only_properties);
        // Without facts read, every name among the reads is a property's.
        pure.then(|| self.reads.iter().map(|r| r.name).collect())
    }
}

impl Function {
    fn reads_only_properties(&self) -> bool {
        block(&self.body)
    }
}

fn block(b: &Block) -> bool {
    b.0.iter().all(statement)
}

fn statement(s: &Statement) -> bool {
    match s {
        Statement::Set(_, n) | Statement::Expr(n) | Statement::Return(n) => node(n),
        Statement::SetKey(_, k, v) => node(k) && node(v),
        Statement::For(_, n, b) | Statement::While(n, _, b) => node(n) && block(b),
        Statement::Range(_, from, to, _, b) => node(from) && node(to) && block(b),
        Statement::Break | Statement::Continue => true,
    }
}

fn node(n: &Node) -> bool {
    match n {
        Node::Constant(_)
        | Node::Local(_)
        | Node::Group(_)
        | Node::PairPerson(_)
        | Node::LocalProperty(..)
        | Node::Member(..)
        | Node::MemberProperty(..)
        | Node::EmptyMap => true,
        Node::Fact(_)
        | Node::PersonFact(..)
        | Node::Clock(_)
        | Node::Entries(_)
        | Node::Taken(_)
        | Node::Criterion(_)
        | Node::Schedule(..) => false,
        Node::Property(object, _) | Node::Not(object) | Node::Negate(object) => node(object),
        // An index by a number (a list's item, a group's member) reads no property; one by a
        // text may read any, by a name not known until it runs.
        Node::Index(object, index) => {
            node(object) && matches!(**index, Node::Constant(Constant::Int(_)))
        }
        Node::Arithmetic(l, _, r) | Node::Compare(l, _, r) => node(l) && node(r),
        Node::CompareConstant(l, ..) => node(l),
        Node::And(parts) | Node::Or(parts) | Node::Function(_, parts) => parts.iter().all(node),
        Node::If(c, yes, no) => node(c) && block(yes) && block(no),
        Node::Block(b) => block(b),
        Node::Each(list, _, _, b) => node(list) && block(b),
        Node::Call(builtin, args) => reads_only_its_arguments(*builtin) && args.iter().all(node),
    }
}

/// Whether a builtin's answer depends on its arguments alone (not on facts or managers).
fn reads_only_its_arguments(builtin: Builtin) -> bool {
    !matches!(
        builtin,
        Builtin::FactsOf | Builtin::InReportingLine | Builtin::LevelsApart
    )
}

/// What a person shows a script that reads `names` of people, as a run reads a property (an
/// attribute, else their id or role): two people who look the same get the same answers.
pub fn look<P: Person>(person: &P, names: &[Name]) -> Look {
    Look(
        names
            .iter()
            .map(|name| match person.attribute(name.as_str()) {
                Some(value) => Shown::of(value),
                None => match name.as_str() {
                    "id" => Shown::Id(person.id().to_string()),
                    "role" => Shown::Role(person.role().to_string()),
                    _ => Shown::Nothing,
                },
            })
            .collect(),
    )
}

/// A person as a script that reads only properties sees them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Look(Vec<Shown>);

/// One property as a script reads it: a float by its bits, so that equal looks are the same
/// value (NaN is itself, 0.0 is not -0.0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Shown {
    Bool(bool),
    Int(i64),
    Float(u64),
    Text(String),
    Date(NaiveDate),
    List(Vec<String>),
    Id(String),
    Role(String),
    Nothing,
}

impl Shown {
    fn of(value: &Value) -> Shown {
        match value {
            Value::Bool(b) => Shown::Bool(*b),
            Value::Int(i) => Shown::Int(*i),
            Value::Float(x) => Shown::Float(x.to_bits()),
            Value::Text(t) => Shown::Text(t.clone()),
            Value::Date(d) => Shown::Date(*d),
            Value::List(items) => Shown::List(items.clone()),
        }
    }
}
