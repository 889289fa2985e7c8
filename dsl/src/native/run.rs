//! Walking the native tree for one pairing. Every node either gives Rhai's value or stops the
//! run (a value of kind `Unsure`), and the script then runs in Rhai. The run counts its steps
//! and gives up long before Rhai's operation limit, so a script Rhai would stop never gets a
//! native answer.
//!
//! Values are two words, returned in registers; what a run makes (text, lists, maps) goes to
//! its heap, which is empty and never allocated for the many scripts that make nothing. Locals
//! live in a frame on the stack, as small as the function needs.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::aggregates as agg;
use crate::dates::{self, ScriptDate};
use crate::value::Value;

use super::tree::{Block, Builtin, Constant, Each, Function, Group, Node, Read, Statement, FRAME};
use super::val::{arithmetic, compare, Arithmetic, Kind, Scalar, Text, Val};
use super::{Known, Person, PersonFact, Subject};

/// The value of `$e`, or return it when the run stops there.
macro_rules! go {
    ($e:expr) => {{
        let v: Val = $e;
        if v.is_stop() {
            return v;
        }
        v
    }};
}

/// The `Some` of `$e`, or stop the run: Rhai must decide.
macro_rules! sure {
    ($e:expr) => {
        match $e {
            Some(x) => x,
            None => return Val::UNSURE,
        }
    };
}

/// What a run made.
enum Made<'s> {
    Text(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    /// Text the run read from the pairing.
    Borrowed(&'s str),
}

/// Most things one run may make (Rhai's limits on sizes are far above what this allows).
const MOST_MADE: usize = 4096;

/// What a compiled script holds besides its body.
pub(crate) struct Parts<'s> {
    pub functions: &'s [Function],
    pub per_person: &'s [PersonFact],
    pub literals: &'s [String],
    pub reads: &'s [Read],
    /// The stamp of the program whose memo points the script's are.
    pub stamp: u64,
}

/// One run of a compiled script for a subject.
pub(crate) struct Run<'s, S: Subject> {
    subject: &'s S,
    parts: Parts<'s>,
    /// Steps left before the run gives up.
    steps: u64,
    heap: Vec<Made<'s>>,
    /// The groups' members, worked out the first time each is read.
    groups: [Option<u64>; 3],
    /// What the latest `return` gave.
    returned: Val,
}

impl<'s, S: Subject> Run<'s, S> {
    pub fn new(subject: &'s S, parts: Parts<'s>, steps: u64) -> Run<'s, S> {
        Run {
            subject,
            parts,
            steps,
            heap: Vec::new(),
            groups: [None; 3],
            returned: Val::UNIT,
        }
    }

    /// The script's value, as a bool, int or float (anything else is Rhai's to give).
    pub fn answer(&mut self, script: &'s Function) -> Option<Val> {
        let v = match &script.body.0[..] {
            // One expression and no locals, as most guards are: no frame, no statements.
            [Statement::Expr(node)] if script.slots == 0 => match self.node(node, &mut []) {
                v if v.kind == Kind::Return => self.returned,
                v => v,
            },
            _ => self.call(script, &[]),
        };
        matches!(v.kind, Kind::Bool | Kind::Int | Kind::Float).then_some(v)
    }

    /// The value of `function` with its arguments, in a frame of its own.
    fn call(&mut self, function: &'s Function, args: &[Val]) -> Val {
        // Small frames for the many scripts with few locals: the frame is set up each run.
        if function.slots <= 4 {
            let mut locals = [Val::UNIT; 4];
            self.enter(function, args, &mut locals)
        } else {
            let mut locals = [Val::UNIT; FRAME];
            self.enter(function, args, &mut locals)
        }
    }

    fn enter(&mut self, function: &'s Function, args: &[Val], locals: &mut [Val]) -> Val {
        for (slot, value) in locals.iter_mut().zip(args) {
            // A function gets its own copy of a map (Rhai passes values).
            *slot = go!(self.copied(*value));
        }
        let v = self.block(&function.body, locals);
        match v.kind {
            Kind::Return => self.returned,
            Kind::Break | Kind::Continue => Val::UNSURE,
            _ => v,
        }
    }

    fn make(&mut self, made: Made<'s>) -> Option<usize> {
        if self.heap.len() >= MOST_MADE {
            return None;
        }
        self.heap.push(made);
        Some(self.heap.len() - 1)
    }

    /// `value`, with a map copied (assigning or passing a map copies it in Rhai; lists and
    /// text are never changed in place, so sharing them is the same).
    fn copied(&mut self, value: Val) -> Val {
        let Some(at) = value.index(Kind::Map) else {
            return value;
        };
        let copy = match &self.heap[at] {
            Made::Map(map) => map.clone(),
            _ => return Val::UNSURE,
        };
        Val::map(sure!(self.make(Made::Map(copy))))
    }

    /// Text of the pairing's found no other way (a list's item, a property read by a name
    /// the run made), as a value.
    fn borrowed(&mut self, text: &'s str) -> Val {
        Val::text(Text::Made(sure!(self.make(Made::Borrowed(text)))))
    }

    /// Text made by the run, as a value.
    fn owned(&mut self, text: String) -> Val {
        Val::text(Text::Made(sure!(self.make(Made::Text(text)))))
    }

    fn text(&self, value: Val) -> Option<&str> {
        let people = self.subject.people();
        let read = |i: usize| self.parts.reads.get(i);
        let stored = match value.as_text()? {
            Text::Literal(i) => return self.parts.literals.get(i).map(String::as_str),
            Text::Id(p) => return Some(people.get(p)?.id()),
            Text::Role(p) => return Some(people.get(p)?.role()),
            Text::Made(i) => {
                return match self.heap.get(i)? {
                    Made::Borrowed(t) => Some(t),
                    Made::Text(t) => Some(t),
                    _ => None,
                }
            }
            Text::Fact(i) => {
                let read = read(i)?;
                self.subject.fact(&read.name).or(read.default.as_ref())?
            }
            Text::Attribute(p, i) => people.get(p)?.attribute(&read(i)?.name)?,
            Text::PersonFact(p, i) => {
                let name = &read(i)?.name;
                let declared = self.parts.per_person.iter().find(|f| f.name == *name)?;
                people.get(p)?.fact(name).or(declared.default.as_ref())?
            }
        };
        match stored {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A value as the operators see it.
    fn scalar(&self, value: Val) -> Scalar<'_> {
        match value.kind {
            Kind::Unit => Scalar::Unit,
            Kind::Bool => Scalar::Bool(value.bits != 0),
            Kind::Int => Scalar::Int(value.bits as i64),
            Kind::Float => Scalar::Float(f64::from_bits(value.bits)),
            Kind::Text => self.text(value).map_or(Scalar::Other, Scalar::Text),
            Kind::Date => value.as_date().map_or(Scalar::Other, Scalar::Date),
            _ => Scalar::Other,
        }
    }

    fn tick(&mut self) -> bool {
        match self.steps.checked_sub(1) {
            Some(left) => {
                self.steps = left;
                true
            }
            None => false,
        }
    }

    fn block(&mut self, block: &'s Block, locals: &mut [Val]) -> Val {
        let mut last = Val::UNIT;
        for statement in block.0.iter() {
            last = go!(self.statement(statement, locals));
        }
        last
    }

    fn statement(&mut self, statement: &'s Statement, locals: &mut [Val]) -> Val {
        if !self.tick() {
            return Val::UNSURE;
        }
        match statement {
            Statement::Expr(node) => self.node(node, locals),
            Statement::Set(slot, node) => {
                let value = go!(self.node(node, locals));
                locals[*slot] = go!(self.copied(value));
                Val::UNIT
            }
            Statement::SetKey(slot, key, value) => {
                let key = go!(self.node(key, locals));
                let value = go!(self.node(value, locals));
                let key = sure!(self.text(key)).to_string();
                let at = sure!(locals[*slot].index(Kind::Map));
                let Some(Made::Map(map)) = self.heap.get_mut(at) else {
                    return Val::UNSURE;
                };
                // Rhai's limit on a map's entries, kept far below.
                if map.len() >= 100 && !map.contains_key(&key) {
                    return Val::UNSURE;
                }
                map.insert(key, value);
                Val::UNIT
            }
            Statement::For(slot, list, body) => {
                let items = go!(self.node(list, locals));
                let mut at = 0;
                while let Some(item) = sure!(self.item(items, at)) {
                    at += 1;
                    locals[*slot] = item;
                    if go!(self.looped(body, locals)).bits != 0 {
                        break;
                    }
                }
                Val::UNIT
            }
            Statement::Range(slot, from, to, inclusive, body) => {
                let from = sure!(go!(self.node(from, locals)).as_int());
                let to = sure!(go!(self.node(to, locals)).as_int());
                let end = if *inclusive {
                    sure!(to.checked_add(1))
                } else {
                    to
                };
                for i in from..end {
                    locals[*slot] = Val::int(i);
                    if go!(self.looped(body, locals)).bits != 0 {
                        break;
                    }
                }
                Val::UNIT
            }
            Statement::While(condition, negated, body) => {
                loop {
                    let holds = sure!(go!(self.node(condition, locals)).as_bool());
                    if holds == *negated || go!(self.looped(body, locals)).bits != 0 {
                        break;
                    }
                }
                Val::UNIT
            }
            Statement::Break => Val::BREAK,
            Statement::Continue => Val::CONTINUE,
            Statement::Return(node) => {
                self.returned = go!(self.node(node, locals));
                Val::RETURN
            }
        }
    }

    /// One pass of a loop's body: a bool, whether it broke out (or the stop that ends it).
    fn looped(&mut self, body: &'s Block, locals: &mut [Val]) -> Val {
        let v = self.block(body, locals);
        match v.kind {
            Kind::Break => Val::bool(true),
            Kind::Unsure | Kind::Return => v,
            _ => Val::bool(false),
        }
    }

    /// The `at`th item of what a loop or a closure walks (a group's people, a list's items);
    /// `None` when it walks nothing.
    fn item(&self, items: Val, at: usize) -> Option<Option<Val>> {
        match items.kind {
            Kind::People => Some(nth(items.bits, at).map(Val::person)),
            Kind::List => match &self.heap[items.bits as usize] {
                Made::List(list) => Some(list.get(at).copied()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The nodes most scripts are made of are handled here; the rest in a function of their
    /// own, so this one stays small.
    fn node(&mut self, node: &'s Node, locals: &mut [Val]) -> Val {
        if !self.tick() {
            return Val::UNSURE;
        }
        match node {
            Node::Constant(c) => self.constant(c),
            Node::Local(slot) => locals[*slot],
            Node::Fact(i) => self.fact(*i),
            Node::CompareConstant(left, op, right) => {
                let left = match &**left {
                    Node::Fact(i) => self.fact(*i),
                    other => go!(self.node(other, locals)),
                };
                let right = self.constant(right);
                let answer = compare(self.scalar(left), *op, self.scalar(right));
                Val::bool(sure!(answer))
            }
            Node::LocalProperty(slot, read) => self.property(locals[*slot], *read),
            Node::MemberProperty(group, i, read) => {
                let person = go!(self.member(*group, *i));
                self.property(person, *read)
            }
            Node::Compare(left, op, right) => {
                let left = go!(self.node(left, locals));
                let right = go!(self.node(right, locals));
                let answer = compare(self.scalar(left), *op, self.scalar(right));
                Val::bool(sure!(answer))
            }
            Node::And(parts) => {
                for p in parts.iter() {
                    if !sure!(go!(self.node(p, locals)).as_bool()) {
                        return Val::bool(false);
                    }
                }
                Val::bool(true)
            }
            Node::Or(parts) => {
                for p in parts.iter() {
                    if sure!(go!(self.node(p, locals)).as_bool()) {
                        return Val::bool(true);
                    }
                }
                Val::bool(false)
            }
            Node::Not(inner) => Val::bool(!sure!(go!(self.node(inner, locals)).as_bool())),
            Node::If(condition, then, otherwise) => {
                if sure!(go!(self.node(condition, locals)).as_bool()) {
                    self.block(then, locals)
                } else {
                    self.block(otherwise, locals)
                }
            }
            other => self.rare(other, locals),
        }
    }

    #[inline(never)]
    fn rare(&mut self, node: &'s Node, locals: &mut [Val]) -> Val {
        match node {
            Node::Group(group) => Val::people(sure!(self.group(*group))),
            Node::Property(object, read) => {
                let object = go!(self.node(object, locals));
                self.property(object, *read)
            }
            Node::Arithmetic(left, op, right) => {
                let left = go!(self.node(left, locals));
                let right = go!(self.node(right, locals));
                self.arithmetic(left, *op, right)
            }
            Node::Block(block) => self.block(block, locals),
            Node::PairPerson(i) => {
                sure!(self.subject.people().get(*i));
                Val::person(*i)
            }
            Node::Clock(clock) => match sure!(self.subject.clock(*clock)) {
                Known::Int(i) => Val::int(i),
                Known::Text(t) => self.owned(t.to_string()),
                Known::Date(d) => Val::date(d),
            },
            Node::Entries(stage) => Val::int(sure!(self.subject.entries(stage))),
            Node::Taken(label) => Val::int(sure!(self.subject.taken(label))),
            Node::Criterion(name) => Val::bool(sure!(self.subject.criterion(name))),
            Node::Schedule(name, field) => match sure!(self.subject.schedule(name, *field)) {
                None => Val::UNIT,
                Some(Known::Int(i)) => Val::int(i),
                Some(Known::Text(t)) => self.owned(t.to_string()),
                Some(Known::Date(d)) => Val::date(d),
            },
            Node::Member(group, i) => self.member(*group, *i),
            Node::PersonFact(person, read) => {
                let person = sure!(go!(self.node(person, locals)).index(Kind::Person));
                let name = self.parts.reads[*read].name.as_str();
                self.person_fact(person, name, Some(Text::PersonFact(person, *read)))
            }
            Node::Index(object, index) => {
                let object = go!(self.node(object, locals));
                let index = go!(self.node(index, locals));
                self.index(object, index)
            }
            Node::Negate(inner) => {
                let v = go!(self.node(inner, locals));
                match (v.as_int(), v.as_float()) {
                    (Some(i), _) => Val::int(sure!(i.checked_neg())),
                    (_, Some(x)) => Val::float(-x),
                    _ => Val::UNSURE,
                }
            }
            Node::Call(builtin, args) => {
                let (values, _) = go_args(self, args, locals);
                if values[0].is_stop() {
                    return values[0];
                }
                self.builtin(*builtin, values[0], values[1])
            }
            Node::Each(list, each, slot, body) => {
                let list = go!(self.node(list, locals));
                self.each(list, *each, *slot, body, locals)
            }
            Node::Function(index, args) => {
                let (values, n) = go_args(self, args, locals);
                if values[0].is_stop() {
                    return values[0];
                }
                let function = sure!(self.parts.functions.get(*index));
                self.call(function, &values[..n])
            }
            Node::EmptyMap => Val::map(sure!(self.make(Made::Map(BTreeMap::new())))),
            Node::Memo(point, inner) => self.kept(*point, inner, locals),
            // The common nodes are `node`'s, which never sends them here.
            _ => Val::UNSURE,
        }
    }

    /// The value the pairing keeps for memo point `point`, worked out from `inner` the first
    /// time (a stop, or a value in this run's heap, is not kept).
    fn kept(&mut self, point: usize, inner: &'s Node, locals: &mut [Val]) -> Val {
        let cell = self
            .subject
            .memo()
            .and_then(|(keeper, plan)| keeper.cell(plan, self.parts.stamp, point));
        if let Some(v) = cell.and_then(|c| c.get()) {
            return *v;
        }
        let v = self.node(inner, locals);
        if let Some(cell) = cell.filter(|_| v.keeps()) {
            // Another thread may have set it first, to the same value.
            let _ = cell.set(v);
        }
        v
    }

    #[inline]
    fn constant(&self, c: &Constant) -> Val {
        match c {
            Constant::Unit => Val::UNIT,
            Constant::Bool(b) => Val::bool(*b),
            Constant::Int(i) => Val::int(*i),
            Constant::Float(x) => Val::float(*x),
            Constant::Text(i) => Val::text(Text::Literal(*i)),
        }
    }

    /// `facts.NAME`: recorded, else the declared default, else `()`.
    #[inline]
    fn fact(&mut self, i: usize) -> Val {
        let read = &self.parts.reads[i];
        if !self.subject.facts_known() {
            return Val::UNSURE;
        }
        match self.subject.fact(&read.name).or(read.default.as_ref()) {
            Some(value) => self.of(value, Some(Text::Fact(i))),
            None => Val::UNIT,
        }
    }

    /// A stored value as the script's map gives it (a list of texts as an array of strings);
    /// text is pointed at where it is (`text`), or held in the heap without it.
    #[inline]
    fn of(&mut self, value: &'s Value, text: Option<Text>) -> Val {
        match value {
            Value::Bool(b) => Val::bool(*b),
            Value::Int(i) => Val::int(*i),
            Value::Float(x) => Val::float(*x),
            Value::Date(d) => Val::date(*d),
            Value::Text(t) => match text {
                Some(at) => Val::text(at),
                None => self.borrowed(t),
            },
            Value::List(items) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(go!(self.borrowed(item)));
                }
                Val::list(sure!(self.make(Made::List(list))))
            }
        }
    }

    /// The group's members as a set of indices; a pairing of more than 64 people is Rhai's.
    fn group(&mut self, group: Group) -> Option<u64> {
        let at = group as usize;
        if let Some(mask) = self.groups[at] {
            return Some(mask);
        }
        let people = self.subject.people();
        if people.len() > 64 {
            return None;
        }
        let mut mask = 0u64;
        for (i, p) in people.iter().enumerate() {
            if group.has(p.role()) {
                mask |= 1 << i;
            }
        }
        self.groups[at] = Some(mask);
        Some(mask)
    }

    /// `GROUP[i]` (from the end when negative).
    fn member(&mut self, group: Group, i: i64) -> Val {
        let mask = sure!(self.group(group));
        self.index(Val::people(mask), Val::int(i))
    }

    /// A property of a person (their map's entry: attributes stand over `id` and `role`; one
    /// they lack is `()`) or of a date, by the name read `read`.
    #[inline]
    fn property(&mut self, object: Val, read: usize) -> Val {
        let name = self.parts.reads[read].name.as_str();
        self.property_named(object, name, Some(read))
    }

    /// [`Self::property`] by name (`read`: the name's place among the reads, when it has one).
    fn property_named(&mut self, object: Val, name: &str, read: Option<usize>) -> Val {
        match object.kind {
            Kind::Person => {
                let p = object.bits as usize;
                let person = sure!(self.subject.people().get(p));
                if let Some(v) = person.attribute(name) {
                    return self.of(v, read.map(|r| Text::Attribute(p, r)));
                }
                match name {
                    "id" => Val::text(Text::Id(p)),
                    "role" => Val::text(Text::Role(p)),
                    // Entries of the map that are not attributes: Rhai's to read.
                    "facts" | "managers" | "joined" => Val::UNSURE,
                    _ => Val::UNIT,
                }
            }
            Kind::Date => {
                let d = sure!(object.as_date());
                Val::int(match name {
                    "year" => i64::from(d.year()),
                    "month" => i64::from(d.month()),
                    "day" => i64::from(d.day()),
                    "weekday" => i64::from(d.weekday().number_from_monday()),
                    _ => return Val::UNSURE,
                })
            }
            _ => Val::UNSURE,
        }
    }

    /// A fact kept per person, as their map's `facts` gives it: recorded, else the default,
    /// else `()`; for someone it is not kept for, Rhai decides.
    fn person_fact(&mut self, person: usize, name: &str, text: Option<Text>) -> Val {
        let someone = sure!(self.subject.people().get(person));
        let declared = sure!(self
            .parts
            .per_person
            .iter()
            .find(|f| f.name.as_str() == name));
        if !declared.kept_for(someone.role()) {
            return Val::UNSURE;
        }
        match someone.fact(name).or(declared.default.as_ref()) {
            Some(value) => self.of(value, text),
            None => Val::UNIT,
        }
    }

    fn index(&mut self, object: Val, index: Val) -> Val {
        let at = |i: i64, n: usize| {
            let n = n as i64;
            let at = if i < 0 { n + i } else { i };
            (0..n).contains(&at).then_some(at as usize)
        };
        match (object.kind, index.kind) {
            (Kind::People, Kind::Int) => {
                let k = sure!(at(index.bits as i64, object.bits.count_ones() as usize));
                Val::person(sure!(nth(object.bits, k)))
            }
            (Kind::List, Kind::Int) => match &self.heap[object.bits as usize] {
                Made::List(items) => items[sure!(at(index.bits as i64, items.len()))],
                _ => Val::UNSURE,
            },
            (Kind::Person, Kind::Text) => {
                // Read by a name that is a value: copied out first, the heap may grow.
                let name = sure!(self.text(index)).to_string();
                self.property_named(object, &name, None)
            }
            (Kind::Map, Kind::Text) => {
                let key = sure!(self.text(index));
                match &self.heap[object.bits as usize] {
                    Made::Map(map) => map.get(key).copied().unwrap_or(Val::UNIT),
                    _ => Val::UNSURE,
                }
            }
            _ => Val::UNSURE,
        }
    }

    fn arithmetic(&mut self, left: Val, op: Arithmetic, right: Val) -> Val {
        match (left.as_date(), op, right.kind) {
            // Two dates: the days from the second to the first.
            (Some(_), Arithmetic::Sub, Kind::Date) => {
                Val::int(sure!(left.day()) - sure!(right.day()))
            }
            // A date moved by a duration; `+` other text joins it, which is Rhai's.
            (Some(d), Arithmetic::Add | Arithmetic::Sub, Kind::Text) => {
                let text = sure!(self.text(right));
                if op == Arithmetic::Add && !dates::is_duration_like(text) {
                    return Val::UNSURE;
                }
                let moved = dates::shift(ScriptDate(d), text, op == Arithmetic::Add).ok();
                Val::date(sure!(moved).0)
            }
            _ => sure!(arithmetic(left, op, right)),
        }
    }

    /// `all`, `some`, `filter` or `map` with a closure whose parameter is in `slot`.
    fn each(
        &mut self,
        list: Val,
        each: Each,
        slot: usize,
        body: &'s Block,
        locals: &mut [Val],
    ) -> Val {
        let mut kept = 0u64;
        let mut kept_items = Vec::new();
        let mut at = 0;
        while let Some(item) = sure!(self.item(list, at)) {
            at += 1;
            locals[slot] = item;
            // The closure is a function: `return` gives its value, a loop's break is an error.
            let value = self.block(body, locals);
            let value = match value.kind {
                Kind::Return => self.returned,
                Kind::Break | Kind::Continue | Kind::Unsure => return Val::UNSURE,
                _ => value,
            };
            if each == Each::Map {
                kept_items.push(value);
                continue;
            }
            let holds = sure!(value.as_bool());
            match (each, holds) {
                (Each::All, false) => return Val::bool(false),
                (Each::Some, true) => return Val::bool(true),
                (Each::Filter, true) if list.kind == Kind::People => kept |= 1u64 << item.bits,
                (Each::Filter, true) => kept_items.push(item),
                _ => {}
            }
        }
        match (each, list.kind) {
            (Each::All, _) => Val::bool(true),
            (Each::Some, _) => Val::bool(false),
            (Each::Filter, Kind::People) => Val::people(kept),
            (Each::Filter | Each::Map, _) => Val::list(sure!(self.make(Made::List(kept_items)))),
        }
    }

    fn list(&self, value: Val) -> Option<&[Val]> {
        match self.heap.get(value.index(Kind::List)?)? {
            Made::List(items) => Some(items),
            _ => None,
        }
    }

    fn builtin(&mut self, builtin: Builtin, first: Val, second: Val) -> Val {
        match builtin {
            Builtin::Len => Val::int(sure!(self.length(first))),
            Builtin::IsEmpty => Val::bool(sure!(self.length(first)) == 0),
            Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => {
                let (text, part) = (sure!(self.text(first)), sure!(self.text(second)));
                Val::bool(match builtin {
                    Builtin::Contains => text.contains(part),
                    Builtin::StartsWith => text.starts_with(part),
                    _ => text.ends_with(part),
                })
            }
            Builtin::ToFloat => Val::float(sure!(first.number())),
            Builtin::ToInt => match (first.as_int(), first.as_float()) {
                (Some(i), _) => Val::int(i),
                (_, Some(x)) => {
                    // Rhai refuses what an int cannot hold.
                    let t = x.trunc();
                    let fits = t.is_finite() && t >= i64::MIN as f64 && t < i64::MAX as f64;
                    Val::int(sure!(fits.then_some(t as i64)))
                }
                _ => Val::UNSURE,
            },
            Builtin::ToString => {
                let text = sure!(self.to_text(first));
                self.owned(text)
            }
            Builtin::Abs => match (first.as_int(), first.as_float()) {
                (Some(i), _) => Val::int(sure!(i.checked_abs())),
                (_, Some(x)) => Val::float(x.abs()),
                _ => Val::UNSURE,
            },
            Builtin::Min2 | Builtin::Max2 => {
                let min = builtin == Builtin::Min2;
                match (first.kind, second.kind) {
                    (Kind::Int, Kind::Int) => {
                        let (a, b) = (first.bits as i64, second.bits as i64);
                        Val::int(if min { a.min(b) } else { a.max(b) })
                    }
                    (Kind::Float, Kind::Float) => {
                        let (a, b) = (sure!(first.as_float()), sure!(second.as_float()));
                        Val::float(if min { a.min(b) } else { a.max(b) })
                    }
                    _ => Val::UNSURE,
                }
            }
            Builtin::MinOf | Builtin::MaxOf | Builtin::SumOf | Builtin::AverageOf => {
                let numbers = sure!(numbers(sure!(self.list(first))));
                let result = match builtin {
                    Builtin::MinOf => agg::extreme_of(&numbers, |x, y| x < y),
                    Builtin::MaxOf => agg::extreme_of(&numbers, |x, y| x > y),
                    Builtin::SumOf => Some(sure!(agg::sum_of(&numbers).ok())),
                    _ => agg::average_of(&numbers).map(agg::Number::Float),
                };
                match result {
                    None => Val::UNIT,
                    Some(agg::Number::Int(i)) => Val::int(i),
                    Some(agg::Number::Float(x)) => Val::float(x),
                }
            }
            Builtin::CountOf => {
                let items = sure!(self.list(first));
                let n = items.iter().filter(|v| v.as_bool() == Some(true)).count();
                Val::int(n as i64)
            }
            Builtin::FactsOf => {
                let mask = sure!(first.index(Kind::People)) as u64;
                let name = sure!(self.text(second)).to_string();
                let mut values = Vec::with_capacity(mask.count_ones() as usize);
                for i in (0..64).filter(|i| mask & (1u64 << i) != 0) {
                    values.push(go!(self.person_fact(i, &name, None)));
                }
                Val::list(sure!(self.make(Made::List(values))))
            }
            // `days_between(a, b)`: b's day number less a's.
            Builtin::DaysBetween => Val::int(sure!(second.day()) - sure!(first.day())),
            Builtin::OverlapHours => match (first.as_int(), second.as_int()) {
                (Some(a), Some(b)) => Val::int(agg::overlap_hours(a, b)),
                _ => Val::float(agg::overlap_hours_f(
                    sure!(first.number()),
                    sure!(second.number()),
                )),
            },
            Builtin::InReportingLine | Builtin::LevelsApart => {
                let people = self.subject.people();
                let a = sure!(people.get(sure!(first.index(Kind::Person))));
                let b = sure!(people.get(sure!(second.index(Kind::Person))));
                let levels = agg::levels_between((a.id(), a.managers()), (b.id(), b.managers()));
                if builtin == Builtin::InReportingLine {
                    Val::bool(levels.is_some())
                } else {
                    levels.map_or(Val::UNIT, Val::int)
                }
            }
        }
    }

    /// Rhai's `len`: a group's or list's items, a map's entries, a text's characters.
    fn length(&self, value: Val) -> Option<i64> {
        let n = match value.kind {
            Kind::People => value.bits.count_ones() as usize,
            Kind::List | Kind::Map => match self.heap.get(value.bits as usize)? {
                Made::List(items) => items.len(),
                Made::Map(map) => map.len(),
                _ => return None,
            },
            Kind::Text => self.text(value)?.chars().count(),
            _ => return None,
        };
        i64::try_from(n).ok()
    }

    /// The value as Rhai's `to_string` writes it, for the types whose text is certain.
    fn to_text(&self, value: Val) -> Option<String> {
        Some(match value.kind {
            Kind::Unit => String::new(),
            Kind::Bool => (value.bits != 0).to_string(),
            Kind::Int => (value.bits as i64).to_string(),
            Kind::Text => self.text(value)?.to_string(),
            Kind::Date => value.as_date()?.to_string(),
            // Rhai writes floats its own way (`1.0`, `1e-7`): left to it.
            _ => return None,
        })
    }
}

/// The values of a call's arguments (four at most; calls of more are Rhai's) and how many
/// there are; a stop is the first value.
fn go_args<'s, S: Subject>(
    run: &mut Run<'s, S>,
    args: &'s [Node],
    locals: &mut [Val],
) -> ([Val; 4], usize) {
    let mut values = [Val::UNIT; 4];
    if args.len() > 4 {
        values[0] = Val::UNSURE;
        return (values, 0);
    }
    for (v, a) in values.iter_mut().zip(args.iter()) {
        let value = run.node(a, locals);
        if value.is_stop() {
            return ([value; 4], 0);
        }
        *v = value;
    }
    (values, args.len())
}

/// The index of the `n`th member of a set of people.
fn nth(mut mask: u64, n: usize) -> Option<usize> {
    for _ in 0..n {
        if mask == 0 {
            return None;
        }
        mask &= mask - 1;
    }
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// The numbers of a list for the aggregates: `()` left out; anything else is Rhai's error.
fn numbers(items: &[Val]) -> Option<Vec<agg::Number>> {
    items
        .iter()
        .filter(|v| v.kind != Kind::Unit)
        .map(|v| match (v.as_int(), v.as_float()) {
            (Some(i), _) => Some(agg::Number::Int(i)),
            (_, Some(x)) => Some(agg::Number::Float(x)),
            _ => None,
        })
        .collect()
}

impl Group {
    /// Whether someone with `role` is in the group.
    fn has(self, role: &str) -> bool {
        match self {
            Group::Participants => true,
            Group::Mentors => role == "mentor",
            Group::Mentees => role == "mentee",
        }
    }
}
