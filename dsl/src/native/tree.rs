//! The compiled form of a script: a tree of nodes the native run walks. Locals live in
//! numbered slots of a frame (one per script, one per library function call), so a run looks
//! nothing up by name.

use crate::value::Value;
use crate::Name;

use super::val::{Arithmetic, Comparison};

/// Slots a frame has: a script or function needing more runs in Rhai.
pub(crate) const FRAME: usize = 24;

/// A script variable holding people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Participants,
    Mentors,
    Mentees,
}

/// A script variable the subject answers (see [`super::Clock`]).
pub(crate) use super::Clock;

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Constant {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Text: its index among the script's literals.
    Text(usize),
}

/// A function with a native implementation (Rhai's or mentorflow's, same results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Len,
    IsEmpty,
    Contains,
    StartsWith,
    EndsWith,
    ToFloat,
    ToInt,
    ToString,
    Abs,
    /// `min(a, b)` / `max(a, b)` of two numbers.
    Min2,
    Max2,
    /// `min(list)` ... : mentorflow's aggregates.
    MinOf,
    MaxOf,
    SumOf,
    AverageOf,
    CountOf,
    FactsOf,
    DaysBetween,
    OverlapHours,
    InReportingLine,
    LevelsApart,
}

/// What a closure method does over a list or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Each {
    All,
    Some,
    Filter,
    Map,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Constant(Constant),
    /// A local variable's slot.
    Local(usize),
    /// `facts.NAME`, by its index among the script's reads (with the declared default used
    /// when nothing is recorded).
    Fact(usize),
    Group(Group),
    /// The person `mentor` or `mentee` of a matching script: index into the people.
    PairPerson(usize),
    Clock(Clock),
    /// `entries.STAGE`.
    Entries(Name),
    /// `taken.LABEL`.
    Taken(Name),
    /// A criterion read as a variable.
    Criterion(Name),
    /// `schedules.NAME.FIELD`.
    Schedule(Name, super::Standing),
    /// `X.NAME` (a person's property; the name by its index among the script's reads).
    Property(Box<Node>, usize),
    /// `x.NAME` of a local (a closure's person, mostly): one node where two would be.
    LocalProperty(usize, usize),
    /// `GROUP[i]`.
    Member(Group, i64),
    /// `GROUP[i].NAME`.
    MemberProperty(Group, i64, usize),
    /// `X.facts.NAME`: a fact kept per person.
    PersonFact(Box<Node>, usize),
    /// `X[I]`.
    Index(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    Arithmetic(Box<Node>, Arithmetic, Box<Node>),
    Compare(Box<Node>, Comparison, Box<Node>),
    /// A comparison with a constant on the right (`facts.meetings >= 6`): one node less.
    CompareConstant(Box<Node>, Comparison, Constant),
    /// Short-circuit, left to right.
    And(Box<[Node]>),
    Or(Box<[Node]>),
    If(Box<Node>, Block, Block),
    Block(Block),
    Call(Builtin, Box<[Node]>),
    /// A closure over a list: the list, what is done, the slot of the closure's parameter.
    Each(Box<Node>, Each, usize, Block),
    /// A script or library function, by its index in the compiled script's functions.
    Function(usize, Box<[Node]>),
    /// `#{}`: an empty map.
    EmptyMap,
    /// A part the pairing keeps the value of, by its memo point (see [`super::memo`]).
    Memo(usize, Box<Node>),
}

/// A name a script reads (a fact, a property), with a fact's declared default: the script's
/// values point back here, so text read from the pairing is never copied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read {
    pub name: Name,
    pub default: Option<Value>,
}

/// Statements, in order; a block's value is its last statement's.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Block(pub Box<[Statement]>);

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Statement {
    /// `let` / `const` and plain assignment: the value into a slot.
    Set(usize, Node),
    /// `MAP[KEY] = VALUE` on a local map.
    SetKey(usize, Node, Node),
    Expr(Node),
    /// `for x in LIST` (a list, a group, a range), the variable in a slot.
    For(usize, Node, Block),
    /// `for x in a..b` / `a..=b`.
    Range(usize, Node, Node, bool, Block),
    /// `while` (`until` negated).
    While(Node, bool, Block),
    Break,
    Continue,
    Return(Node),
}

/// A compiled script or library function: its body, its parameters (the first slots) and the
/// slots its frame needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Function {
    pub body: Block,
    pub params: usize,
    pub slots: usize,
}
