//! What a part of a compiled script reads from outside itself, worked out by one walk over the
//! tree: the pairing (facts, time, history, criteria, schedules), the people's facts and
//! managers, properties named at run time, and the local slots it touches. Both uses of a
//! script's purity ask it: matching's answers per look ([`super::alike`]) and the values a
//! pairing keeps ([`super::memo`]).

use super::tree::{Block, Builtin, Constant, Function, Node, Statement, FRAME};

/// What a node, statement or function reads and does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    /// Anything of the pairing beyond its people: facts, the clock, history, criteria,
    /// schedules.
    pub pairing: bool,
    /// Facts kept per person.
    pub person_facts: bool,
    /// The people's managers (the reporting line).
    pub managers: bool,
    /// A property whose name is a value (`p[name]`): any property at all.
    pub named_late: bool,
    /// A loop, a closure, a function call, a group's members: a walk worth remembering the
    /// value of.
    pub walks: bool,
    /// How many times it reads or sets each local slot of its own frame.
    pub uses: [u16; FRAME],
}

impl Reads {
    fn slot(slot: usize) -> Reads {
        let mut reads = Reads::default();
        if let Some(u) = reads.uses.get_mut(slot) {
            *u = 1;
        }
        reads
    }

    fn and(self, other: Reads) -> Reads {
        let mut uses = self.uses;
        for (u, o) in uses.iter_mut().zip(other.uses) {
            *u = u.saturating_add(o);
        }
        Reads {
            pairing: self.pairing || other.pairing,
            person_facts: self.person_facts || other.person_facts,
            managers: self.managers || other.managers,
            named_late: self.named_late || other.named_late,
            walks: self.walks || other.walks,
            uses,
        }
    }

    /// Whether it reads nothing but people's properties (no facts of any kind, no managers,
    /// no property named at run time).
    pub fn only_properties(self) -> bool {
        !(self.pairing || self.person_facts || self.managers || self.named_late)
    }
}

/// Reading a script's parts, with what each of its functions reads (a call reads what the
/// function does, in the function's own frame).
pub(crate) struct Reader<'a> {
    pub functions: &'a [Reads],
}

impl Reader<'_> {
    /// What each of `functions` reads, a function's calls included (the compiler refuses
    /// recursion, so every call is to a function compiled before the caller).
    pub fn functions(functions: &[Function]) -> Vec<Reads> {
        let mut done: Vec<Reads> = Vec::with_capacity(functions.len());
        for f in functions {
            let reads = Reader { functions: &done }.block(&f.body);
            done.push(reads);
        }
        done
    }

    pub fn block(&self, block: &Block) -> Reads {
        block
            .0
            .iter()
            .fold(Reads::default(), |r, s| r.and(self.statement(s)))
    }

    pub fn statement(&self, statement: &Statement) -> Reads {
        let walks = Reads {
            walks: true,
            ..Reads::default()
        };
        match statement {
            Statement::Set(slot, n) => Reads::slot(*slot).and(self.node(n)),
            Statement::Expr(n) | Statement::Return(n) => self.node(n),
            Statement::SetKey(slot, k, v) => Reads::slot(*slot).and(self.node(k)).and(self.node(v)),
            Statement::For(slot, n, b) => walks
                .and(Reads::slot(*slot))
                .and(self.node(n))
                .and(self.block(b)),
            Statement::While(n, _, b) => walks.and(self.node(n)).and(self.block(b)),
            Statement::Range(slot, from, to, _, b) => walks
                .and(Reads::slot(*slot))
                .and(self.node(from))
                .and(self.node(to))
                .and(self.block(b)),
            Statement::Break | Statement::Continue => Reads::default(),
        }
    }

    pub fn node(&self, node: &Node) -> Reads {
        let pairing = Reads {
            pairing: true,
            ..Reads::default()
        };
        let many = |parts: &[Node]| {
            parts
                .iter()
                .fold(Reads::default(), |r, p| r.and(self.node(p)))
        };
        match node {
            Node::Constant(_) | Node::PairPerson(_) | Node::EmptyMap => Reads::default(),
            // Finding a group's members walks everyone's role.
            Node::Group(_) | Node::Member(..) | Node::MemberProperty(..) => Reads {
                walks: true,
                ..Reads::default()
            },
            Node::Local(slot) | Node::LocalProperty(slot, _) => Reads::slot(*slot),
            Node::Fact(_)
            | Node::Clock(_)
            | Node::Entries(_)
            | Node::Taken(_)
            | Node::Criterion(_)
            | Node::Schedule(..) => pairing,
            Node::PersonFact(person, _) => Reads {
                person_facts: true,
                ..self.node(person)
            },
            Node::Property(object, _) | Node::Not(object) | Node::Negate(object) => {
                self.node(object)
            }
            Node::Memo(_, inner) => self.node(inner),
            // An index by a number (a list's item, a group's member) reads no property; one
            // by a text may read any, by a name not known until it runs.
            Node::Index(object, index) => Reads {
                named_late: !matches!(**index, Node::Constant(Constant::Int(_))),
                ..self.node(object).and(self.node(index))
            },
            Node::Arithmetic(l, _, r) | Node::Compare(l, _, r) => self.node(l).and(self.node(r)),
            Node::CompareConstant(l, ..) => self.node(l),
            Node::And(parts) | Node::Or(parts) => many(parts),
            Node::If(c, yes, no) => self.node(c).and(self.block(yes)).and(self.block(no)),
            Node::Block(b) => self.block(b),
            Node::Each(list, _, slot, b) => Reads {
                walks: true,
                ..Reads::slot(*slot).and(self.node(list)).and(self.block(b))
            },
            Node::Function(index, args) => {
                // The callee's locals are its own frame's, not the caller's.
                let callee = self.functions.get(*index).copied().unwrap_or(pairing);
                Reads {
                    walks: true,
                    uses: [0; FRAME],
                    ..callee
                }
                .and(many(args))
            }
            Node::Call(builtin, args) => Reads {
                person_facts: *builtin == Builtin::FactsOf,
                managers: matches!(builtin, Builtin::InReportingLine | Builtin::LevelsApart),
                walks: *builtin == Builtin::FactsOf,
                ..Reads::default()
            }
            .and(many(args)),
        }
    }
}
