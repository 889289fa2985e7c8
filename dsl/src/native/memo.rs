//! Values a pairing keeps: a part of a script that reads nothing of the pairing but its people
//! (their properties, the facts kept per person, their managers) gives the same value every
//! time it runs, until the people change. `mentees.all(|m| m.grade < mentors[0].grade)` walks
//! every mentee on each evaluation; kept, it is one read.
//!
//! The compiler marks the largest such parts that walk (a loop, a closure, a function call) as
//! memo points, numbered across the whole program ([`Points`]). Each pairing holds a
//! [`Keeper`]: the first time a run reaches a point it only notes it; the second time, the
//! pairing's [`Memo`] is made, a cell per point, filled by the runs that reach them. A pairing
//! whose scripts run once each (most, on a command that loads it, or a workload that moves it
//! on at once) so never pays for a memo. The engine drops the keeper whenever the pairing's
//! participants change. A memo made for one loaded program is never read by another (each
//! load has its own stamp), so a program read again starts afresh.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::reads::{Reader, Reads};
use super::tree::{Block, Function, Node, Statement};
use super::val::{Kind, Text, Val};

/// The memo points of one loaded program, as they are handed out.
#[derive(Debug)]
pub(crate) struct Points {
    stamp: u64,
    next: AtomicUsize,
}

impl Default for Points {
    fn default() -> Self {
        // Stamps only need to differ between loads within one process.
        static LOADS: AtomicU64 = AtomicU64::new(1);
        Points {
            stamp: LOADS.fetch_add(1, Ordering::Relaxed),
            next: AtomicUsize::new(0),
        }
    }
}

impl Points {
    fn take(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// What a pairing's memo must hold for the program's scripts.
    pub fn plan(&self) -> MemoPlan {
        MemoPlan {
            stamp: self.stamp,
            points: self.next.load(Ordering::Relaxed),
        }
    }
}

/// The memo points of a loaded program: how many, and the load's stamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoPlan {
    stamp: u64,
    points: usize,
}

impl MemoPlan {
    /// Whether any script of the program has a memo point.
    pub fn is_empty(&self) -> bool {
        self.points == 0
    }

    /// How many memo points the program's scripts have.
    pub fn len(&self) -> usize {
        self.points
    }
}

/// The values one pairing keeps for its program's memo points.
#[derive(Debug)]
struct Memo {
    stamp: u64,
    cells: Box<[OnceLock<Val>]>,
}

impl Memo {
    /// An empty memo for a program's points.
    fn new(plan: MemoPlan) -> Memo {
        Memo {
            stamp: plan.stamp,
            cells: (0..plan.points).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The cell of `point` of the program stamped `stamp`; none for another program's.
    fn cell(&self, stamp: u64, point: usize) -> Option<&OnceLock<Val>> {
        (self.stamp == stamp)
            .then(|| self.cells.get(point))
            .flatten()
    }
}

/// What one pairing keeps of its people: the points its runs reached once, then its memo,
/// shared with the pairing's copies (they have the same people).
#[derive(Debug, Default)]
pub struct Keeper {
    /// Points reached once, a bit each (the point modulo 64: a bit two points share only
    /// makes the memo sooner).
    seen: AtomicU64,
    memo: OnceLock<Arc<Memo>>,
}

impl Clone for Keeper {
    fn clone(&self) -> Self {
        Keeper {
            seen: AtomicU64::new(self.seen.load(Ordering::Relaxed)),
            memo: self.memo.clone(),
        }
    }
}

impl Keeper {
    /// The cell of `point` (of the program stamped `stamp`, whose points `plan` counts); none
    /// the first time the point is reached, or for another program's point.
    pub(crate) fn cell(&self, plan: MemoPlan, stamp: u64, point: usize) -> Option<&OnceLock<Val>> {
        if let Some(memo) = self.memo.get() {
            return memo.cell(stamp, point);
        }
        let bit = 1u64 << (point % 64);
        if self.seen.fetch_or(bit, Ordering::Relaxed) & bit == 0 {
            return None;
        }
        let memo = self.memo.get_or_init(|| Arc::new(Memo::new(plan)));
        memo.cell(stamp, point)
    }
}

impl Val {
    /// Whether the value may be kept across runs: not a stop, and nothing in a run's heap.
    pub(crate) fn keeps(self) -> bool {
        match self.kind {
            Kind::Unit | Kind::Bool | Kind::Int | Kind::Float | Kind::Date => true,
            Kind::Person | Kind::People => true,
            Kind::Text => !matches!(self.as_text(), Some(Text::Made(_)) | None),
            _ => false,
        }
    }
}

/// Marks the memo points of a compiled script (its body and its functions'); the stamp of the
/// program they belong to, or 0 when none was marked.
pub(crate) fn mark(script: &mut Function, functions: &mut [Function], points: &Points) -> u64 {
    let reads = Reader::functions(functions);
    let reader = Reader { functions: &reads };
    let mut marked = false;
    for f in std::iter::once(script).chain(functions.iter_mut()) {
        marked |= Marker::new(&reader, f, points).function(f);
    }
    if marked {
        points.stamp
    } else {
        0
    }
}

/// Marking one function: the slots each part touches are compared with the whole body's.
struct Marker<'r, 'a> {
    reader: &'r Reader<'a>,
    points: &'r Points,
    /// The function's parameters, which differ per call: no kept part may touch them.
    params: usize,
    /// What the whole body reads, with how many times it touches each slot.
    whole: Reads,
}

impl<'r, 'a> Marker<'r, 'a> {
    fn new(reader: &'r Reader<'a>, f: &Function, points: &'r Points) -> Self {
        Marker {
            reader,
            points,
            params: f.params,
            whole: reader.block(&f.body),
        }
    }

    fn function(&self, f: &mut Function) -> bool {
        // A whole script that is kept (a `let`, a loop and its result) is one point.
        if f.params == 0 && self.keepable(self.whole) {
            let body = std::mem::take(&mut f.body);
            let kept = Node::Memo(self.points.take(), Box::new(Node::Block(body)));
            f.body = Block(vec![Statement::Expr(kept)].into_boxed_slice());
            return true;
        }
        self.block(&mut f.body)
    }

    /// Whether a part reading `reads` may be kept: it reads only people (any property of
    /// theirs, managers and facts kept per person among them), walks, and every
    /// slot it touches is touched nowhere else in the function (so it neither reads a value
    /// set outside it nor sets one read outside it).
    fn keepable(&self, reads: Reads) -> bool {
        let own = |(i, (part, whole)): (usize, (&u16, &u16))| {
            *part == 0 || (i >= self.params && part == whole)
        };
        !reads.pairing
            && reads.walks
            && reads.uses.iter().zip(&self.whole.uses).enumerate().all(own)
    }

    fn block(&self, block: &mut Block) -> bool {
        block.0.iter_mut().fold(false, |m, s| m | self.statement(s))
    }

    fn statement(&self, statement: &mut Statement) -> bool {
        match statement {
            Statement::Set(_, n) | Statement::Expr(n) | Statement::Return(n) => self.node(n),
            Statement::SetKey(_, k, v) => self.node(k) | self.node(v),
            Statement::For(_, n, b) | Statement::While(n, _, b) => self.node(n) | self.block(b),
            Statement::Range(_, from, to, _, b) => self.node(from) | self.node(to) | self.block(b),
            Statement::Break | Statement::Continue => false,
        }
    }

    /// Marks `node` if it may be kept, else the largest parts of it that may.
    fn node(&self, node: &mut Node) -> bool {
        // A group alone is worked out once per run already.
        let group = matches!(node, Node::Group(_));
        if !group && self.keepable(self.reader.node(node)) {
            let inner = std::mem::replace(node, Node::EmptyMap);
            *node = Node::Memo(self.points.take(), Box::new(inner));
            return true;
        }
        let many = |parts: &mut [Node]| parts.iter_mut().fold(false, |m, p| m | self.node(p));
        match node {
            Node::Property(n, _)
            | Node::Not(n)
            | Node::Negate(n)
            | Node::PersonFact(n, _)
            | Node::CompareConstant(n, ..)
            | Node::Memo(_, n) => self.node(n),
            Node::Index(l, r) | Node::Arithmetic(l, _, r) | Node::Compare(l, _, r) => {
                self.node(l) | self.node(r)
            }
            Node::And(parts) | Node::Or(parts) | Node::Function(_, parts) => many(parts),
            Node::Call(_, parts) => many(parts),
            Node::If(c, yes, no) => self.node(c) | self.block(yes) | self.block(no),
            Node::Block(b) => self.block(b),
            Node::Each(list, _, _, b) => self.node(list) | self.block(b),
            _ => false,
        }
    }
}
