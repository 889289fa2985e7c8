//! Running program scripts in the sandbox: the dsl's engine settings plus a wall-clock deadline
//! and captured print/debug output. A script error never escapes as a panic.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mentorflow_dsl::dates::{whole_months, ScriptDate};
use mentorflow_dsl::model::{Script, ScriptOrigin};
use mentorflow_dsl::sandbox::{self, Limits, SCRIPT_VARIABLES};
use rhai::{Dynamic, EvalAltResult, Scope, AST};

use crate::base::memory;
use crate::model::pairing::Pairing;

/// The token a script is terminated with when it allocates past its memory budget.
const MEMORY: &str = "memory";
use crate::model::view::{self, ScriptView};

/// Why a script failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} failed at {location}")]
pub struct ScriptError {
    /// Which script: "guard of transition a -> b", "rule of type `peer`" ...
    pub what: String,
    /// `file:line:col` of the failing spot in the program (or .rhai file).
    pub location: String,
    /// What went wrong.
    pub problem: ScriptProblem,
}

/// What stopped a script.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptProblem {
    /// A sandbox limit.
    Limit(Limit),
    /// It returned something else than a bool.
    NotBool {
        /// Rhai's name of the type returned.
        type_name: String,
        /// The value, as Rhai prints it.
        value: String,
    },
    /// A matching score gave something else than a number.
    NotANumber {
        /// Rhai's name of the type returned.
        type_name: String,
        /// The value, as Rhai prints it.
        value: String,
    },
    /// Rhai reported an error (its first line, without Rhai's own position).
    Rhai(String),
    /// It reads the pairing's people, and this person's values among them were erased
    /// (`people erase`): it would decide on nothing where theirs were, so it does not run.
    Erased(String),
}

/// The sandbox limit a script hit, with the limit's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// The operation count (an endless loop, usually).
    Operations(u64),
    /// Nested calls (endless recursion, usually).
    CallDepth(usize),
    /// A string, array or map grew too large.
    Size {
        /// What grew, as Rhai names it.
        what: String,
        /// The limit on characters in a string.
        strings: usize,
        /// The limit on items in an array.
        arrays: usize,
        /// The limit on entries in a map.
        maps: usize,
    },
    /// The wall-clock deadline, in milliseconds.
    Deadline(u128),
    /// The bytes one evaluation may allocate.
    Memory(usize),
    /// Too many variables or modules; Rhai's words.
    Other(String),
}

impl ScriptError {
    /// The limit that stopped the script, if one did.
    pub fn limit(&self) -> Option<&Limit> {
        match &self.problem {
            ScriptProblem::Limit(l) => Some(l),
            _ => None,
        }
    }
}

/// What a script sees besides the pairing's view.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The pairing's view of facts, built the first time a script runs in Rhai (guards the
    /// scripts a native run answers never need it).
    view: &'a std::sync::OnceLock<Box<ScriptView>>,
    program: &'a mentorflow_dsl::Program,
    type_id: &'a str,
    /// Who takes part.
    pub participants: &'a [crate::model::event::Participant],
    /// Recorded facts (defaults are in the scripts' fast form and in the view).
    pub facts: &'a crate::base::short_map::Facts,
    /// Current stage.
    pub stage: &'a str,
    /// Goal cycle.
    pub cycle: u32,
    /// The injected clock's time.
    pub now: DateTime<Utc>,
    /// When the pairing was enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// What happened so far (stage entries, transitions taken).
    history: &'a Option<crate::model::pairing::History>,
    /// The whole pairing, for what is computed from several of its parts (schedules).
    pairing: &'a Pairing,
    /// The values of the criteria the script reads as variables, once worked out.
    criteria: &'a [(String, bool)],
}

/// What a natively run script reads: recorded facts (it knows the defaults), the participants,
/// and the pairing's place in time, each worked out only when read.
impl mentorflow_dsl::native::Subject for Context<'_> {
    type Person = crate::model::event::Participant;

    fn fact(&self, name: &str) -> Option<&mentorflow_dsl::Value> {
        self.facts.get(name)
    }

    fn people(&self) -> &[crate::model::event::Participant] {
        self.participants
    }

    // Times are UTC: a date is the UTC time's (`naive_utc`, a field read, where `date_naive`
    // first adds the zero offset).
    fn clock(
        &self,
        clock: mentorflow_dsl::native::Clock,
    ) -> Option<mentorflow_dsl::native::Known<'_>> {
        use mentorflow_dsl::native::{Clock, Known};
        Some(match clock {
            Clock::Today => Known::Date(self.now.naive_utc().date()),
            Clock::Stage => Known::Text(self.stage),
            Clock::Type => Known::Text(self.type_id),
            Clock::Cycle => Known::Int(i64::from(self.cycle)),
            Clock::DaysInStage => Known::Int(self.days_in_stage()),
            Clock::WeeksInStage => Known::Int(self.days_in_stage() / 7),
            Clock::MonthsInStage => Known::Int(whole_months(self.pairing.entered_at, self.now)),
            Clock::DaysInProgram => Known::Int((self.now - self.enrolled_at).num_days()),
            Clock::WeeksInProgram => Known::Int((self.now - self.enrolled_at).num_days() / 7),
            Clock::MonthsInProgram => Known::Int(whole_months(self.enrolled_at, self.now)),
            Clock::Reason => Known::Text(self.history().reason.as_deref().unwrap_or_default()),
        })
    }

    fn entries(&self, stage: &str) -> Option<i64> {
        // Every stage of the program has its count (0 if never entered); any other name is
        // not in the map, which Rhai reads as `()`.
        let stage = self.program.stages.iter().find(|s| s.id == stage)?;
        Some(self.history().entries(&stage.id).into())
    }

    fn taken(&self, label: &str) -> Option<i64> {
        // Labels no transition has are not in the map, which Rhai reads as `()`.
        let mut of_label = self.program.transitions.iter().filter(|t| t.label == label);
        let first = of_label.next()?;
        let times: u32 = std::iter::once(first)
            .chain(of_label)
            .map(|t| self.history().taken(t.number()))
            .sum();
        Some(times.into())
    }

    fn criterion(&self, name: &str) -> Option<bool> {
        self.criteria
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn schedule(
        &self,
        name: &str,
        field: mentorflow_dsl::native::Standing,
    ) -> Option<Option<mentorflow_dsl::native::Known<'_>>> {
        use mentorflow_dsl::native::{Known, Standing};
        // The one of that name `schedules` holds: the pairing's type's own, else the first.
        let schedule = self.program.schedule(name, self.type_id)?;
        let standing = crate::rules::schedules::counts_as_scripts_read(
            self.program,
            schedule,
            self.pairing,
            self.now,
        )
        .unwrap_or_default();
        let date = |t: Option<DateTime<Utc>>| t.map(|t| Known::Date(t.naive_utc().date()));
        Some(match field {
            Standing::Done => Some(Known::Int(standing.done.into())),
            Standing::Missed => Some(Known::Int(standing.missed.into())),
            Standing::OnTime => Some(Known::Int(standing.on_time.into())),
            Standing::Due => Some(Known::Int(standing.due.into())),
            Standing::LastDone => date(standing.last_done),
            Standing::NextDue => date(standing.next.map(|n| n.1)),
        })
    }

    fn memo(
        &self,
    ) -> Option<(
        &mentorflow_dsl::native::Keeper,
        mentorflow_dsl::native::MemoPlan,
    )> {
        let plan = self.program.memo;
        (!plan.is_empty()).then_some((&self.pairing.memo, plan))
    }
}

impl mentorflow_dsl::native::Person for crate::model::event::Participant {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> &str {
        &self.role
    }

    fn attribute(&self, name: &str) -> Option<&mentorflow_dsl::Value> {
        self.attributes.get(name)
    }

    fn fact(&self, name: &str) -> Option<&mentorflow_dsl::Value> {
        self.facts.get(name)
    }

    fn managers(&self) -> &[String] {
        &self.managers
    }
}

impl<'a> Context<'a> {
    /// The context for `pairing` at `now`.
    pub fn of(
        program: &'a mentorflow_dsl::Program,
        pairing: &'a Pairing,
        now: DateTime<Utc>,
    ) -> Context<'a> {
        let Pairing {
            view,
            stage,
            cycle,
            participants,
            type_id,
            facts,
            enrolled_at,
            history,
            ..
        } = pairing;
        Context {
            view,
            program,
            type_id,
            facts,
            participants,
            stage,
            cycle: *cycle,
            now,
            enrolled_at: *enrolled_at,
            history,
            pairing,
            criteria: &[],
        }
    }

    /// Whole days since the stage was entered (worked out when a script reads it: most
    /// guards do not).
    pub fn days_in_stage(&self) -> i64 {
        (self.now - self.pairing.entered_at).num_days()
    }

    fn history(&self) -> &crate::model::pairing::History {
        // Every state the engine holds has its history (the ledger folds it for old ones).
        static NONE: std::sync::OnceLock<crate::model::pairing::History> =
            std::sync::OnceLock::new();
        self.history
            .as_ref()
            .unwrap_or_else(|| NONE.get_or_init(Default::default))
    }

    fn view(&self) -> &ScriptView {
        self.view
            .get_or_init(|| Box::new(ScriptView::build(self.program, self.type_id, self.facts)))
    }
}

/// Most print/debug lines kept until read; later ones are dropped.
const MAX_PRINTS: usize = 1000;

/// Most bytes of print/debug output kept until read (a line longer than a tenth of it is cut):
/// lines alone would still let 1000 huge strings through.
const MAX_PRINT_BYTES: usize = 64 * 1024;

/// Keeps `line` if the captured output has room, cut to a bounded length.
fn capture(prints: &Mutex<Vec<String>>, line: String) {
    if let Ok(mut v) = prints.lock() {
        let used: usize = v.iter().map(String::len).sum();
        if v.len() >= MAX_PRINTS || used >= MAX_PRINT_BYTES {
            return;
        }
        let room = (MAX_PRINT_BYTES - used).min(MAX_PRINT_BYTES / 10);
        if line.len() <= room {
            v.push(line);
        } else {
            let cut = (0..=room)
                .rev()
                .find(|&i| line.is_char_boundary(i))
                .unwrap_or(0);
            v.push(format!(
                "{}… ({} bytes cut)",
                &line[..cut],
                line.len() - cut
            ));
        }
    }
}

/// The sandboxed script runner; one per loaded program.
pub struct Runtime {
    engine: rhai::Engine,
    limits: Limits,
    wall: Duration,
    prints: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("limits", &self.limits)
            .field("wall", &self.wall)
            .finish()
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new(Limits::default(), Duration::from_millis(250))
    }
}

impl Runtime {
    /// A runtime with the given limits and a wall-clock deadline per evaluation.
    pub fn new(limits: Limits, wall: Duration) -> Runtime {
        let mut engine = sandbox::engine(limits);
        let prints = Arc::new(Mutex::new(Vec::new()));
        // The clock is read only by scripts that run long: at their 1024th operation the run
        // is stamped, and every 1024 operations after that it is compared with the stamp. A
        // typical guard (a few dozen operations) never reads the clock; the few microseconds
        // before the stamp do not matter against a deadline in milliseconds.
        let base = Instant::now();
        let stamped = AtomicU64::new(0);
        let wall_nanos = u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX);
        // Memory is checked every 16 operations against what the thread had allocated at the
        // first: one operation can add at most one string's limit, so the overshoot is small.
        let memory_base = AtomicI64::new(0);
        let max_memory = i64::try_from(limits.max_memory).unwrap_or(i64::MAX);
        engine.on_progress(move |ops| {
            if ops == 1 {
                memory_base.store(memory::allocated_here(), Ordering::Relaxed);
            } else if ops % 16 == 0
                && memory::allocated_here() - memory_base.load(Ordering::Relaxed) > max_memory
            {
                return Some(Dynamic::from(MEMORY));
            }
            if ops % 1024 != 0 {
                return None;
            }
            let now = u64::try_from(base.elapsed().as_nanos()).unwrap_or(u64::MAX);
            if ops == 1024 {
                stamped.store(now, Ordering::Relaxed);
                return None;
            }
            let past = now.saturating_sub(stamped.load(Ordering::Relaxed)) > wall_nanos;
            past.then(|| Dynamic::from("deadline"))
        });
        let p = Arc::clone(&prints);
        // Bounded in lines and bytes: a bulk command that never reads the output, or a
        // script printing huge strings, must not grow it without end.
        engine.on_print(move |s| capture(&p, s.to_string()));
        let p = Arc::clone(&prints);
        engine.on_debug(move |s, _, _| capture(&p, format!("debug: {s}")));
        Runtime {
            engine,
            limits,
            wall,
            prints,
        }
    }

    /// Output the scripts printed since the last call.
    pub fn take_prints(&self) -> Vec<String> {
        self.prints
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    /// Evaluates a whole script to a bool.
    pub fn eval(&self, script: &Script, ctx: &Context<'_>) -> Result<bool, ScriptError> {
        // The criteria it reads first (most scripts read none), as Rhai would.
        let criteria = self.criteria(script, ctx)?;
        self.eval_given(script, &criteria, ctx)
    }

    /// The steps a native run may take: a tenth of Rhai's operations, so what Rhai would stop
    /// never gets a native answer.
    pub fn native_budget(&self) -> u64 {
        self.limits.max_operations / 10
    }

    /// What a native run alone answers (`None`: the script would run in Rhai), with the
    /// criteria it reads worked out first; for comparing the two and for benchmarks.
    pub fn native_answer(&self, script: &Script, ctx: &Context<'_>) -> Option<bool> {
        let criteria = self.criteria(script, ctx).ok()?;
        self.native(script, &criteria, ctx)
    }

    /// The script's answer from a native run, when it has one and the run is sure. A run
    /// takes at most a tenth of Rhai's operations, so what Rhai would stop never gets one.
    fn native(
        &self,
        script: &Script,
        criteria: &[(String, bool)],
        ctx: &Context<'_>,
    ) -> Option<bool> {
        let budget = self.native_budget();
        let ctx = Context { criteria, ..*ctx };
        script.native.as_ref()?.eval(&ctx, budget)
    }

    /// Evaluates a whole script to a bool with the values of the criteria it reads.
    pub fn eval_given(
        &self,
        script: &Script,
        criteria: &[(String, bool)],
        ctx: &Context<'_>,
    ) -> Result<bool, ScriptError> {
        if let Some(person) = erased_read(script, ctx) {
            return Err(ScriptError {
                what: script.origin.what.clone(),
                location: location(&script.origin, rhai::Position::NONE),
                problem: ScriptProblem::Erased(person.to_string()),
            });
        }
        if let Some(answer) = self.native(script, criteria, ctx) {
            return Ok(answer);
        }
        self.eval_ast(&script.ast, script.variables, criteria, &script.origin, ctx)
    }

    /// The value of every criterion `script` reads as a variable (each evaluated with the
    /// criteria it reads in turn; the checker refuses loops).
    pub fn criteria(
        &self,
        script: &Script,
        ctx: &Context<'_>,
    ) -> Result<Vec<(String, bool)>, ScriptError> {
        script
            .criteria_read
            .iter()
            .filter_map(|name| ctx.program.criterion(name))
            .map(|c| Ok((c.name.clone(), self.eval(&c.script, ctx)?)))
            .collect()
    }

    /// Evaluates a compiled script (or one part of it) to a bool, with the values of the
    /// criteria it reads.
    pub fn eval_ast(
        &self,
        ast: &AST,
        variables: u32,
        criteria: &[(String, bool)],
        origin: &ScriptOrigin,
        ctx: &Context<'_>,
    ) -> Result<bool, ScriptError> {
        let value = self.value_of(ast, variables, criteria, origin, ctx)?;
        value.as_bool().map_err(|type_name| ScriptError {
            what: origin.what.clone(),
            location: location(origin, rhai::Position::NONE),
            problem: ScriptProblem::NotBool {
                type_name: type_name.to_string(),
                value: value.to_string(),
            },
        })
    }

    /// Evaluates a whole script to its value (a stage's action gives its effects).
    pub fn eval_value(&self, script: &Script, ctx: &Context<'_>) -> Result<Dynamic, ScriptError> {
        let criteria = self.criteria(script, ctx)?;
        self.value_of(
            &script.ast,
            script.variables,
            &criteria,
            &script.origin,
            ctx,
        )
    }

    /// The value of a compiled script, with the variables it uses and the criteria it reads.
    fn value_of(
        &self,
        ast: &AST,
        variables: u32,
        criteria: &[(String, bool)],
        origin: &ScriptOrigin,
        ctx: &Context<'_>,
    ) -> Result<Dynamic, ScriptError> {
        let mut scope = Scope::with_capacity(variables.count_ones() as usize);
        // Only what the script uses: participants are deep-copied and `now` is formatted, so
        // building every variable for every guard would cost more than the guard itself.
        for (i, name) in SCRIPT_VARIABLES.iter().enumerate() {
            if variables & (1 << i) == 0 {
                continue;
            }
            // When each person joined: at enrolment, or as history keeps a later join.
            let joined = |id: &str| {
                let later = ctx.history.as_ref().and_then(|h| h.joined(id));
                Some(later.unwrap_or(ctx.enrolled_at))
            };
            let value = match *name {
                "facts" => ctx.view().facts.clone(),
                "participants" => ctx
                    .view()
                    .people(ctx.program, ctx.participants, None, &joined),
                "mentors" => {
                    ctx.view()
                        .people(ctx.program, ctx.participants, Some("mentor"), &joined)
                }
                "mentees" => {
                    ctx.view()
                        .people(ctx.program, ctx.participants, Some("mentee"), &joined)
                }
                "type" => ctx.view().type_id.clone().into(),
                "stage" => ctx.stage.into(),
                "days_in_stage" => ctx.days_in_stage().into(),
                "cycle" => i64::from(ctx.cycle).into(),
                "now" => ctx.now.to_rfc3339().into(),
                "today" => Dynamic::from(ScriptDate(ctx.now.date_naive())),
                "days_in_program" => (ctx.now - ctx.enrolled_at).num_days().into(),
                "weeks_in_program" => ((ctx.now - ctx.enrolled_at).num_days() / 7).into(),
                "months_in_program" => whole_months(ctx.enrolled_at, ctx.now).into(),
                "weeks_in_stage" => (ctx.days_in_stage() / 7).into(),
                "months_in_stage" => whole_months(ctx.pairing.entered_at, ctx.now).into(),
                "entries" => view::entries(ctx.program, ctx.history()),
                "first_entered" => view::first_entered(ctx.history()),
                "taken" => view::taken(ctx.program, ctx.history()),
                "reason" => ctx.history().reason.clone().unwrap_or_default().into(),
                _ => crate::rules::schedules::script_map(ctx.program, ctx.pairing, ctx.now),
            };
            scope.push_constant_dynamic(*name, value);
        }
        for (name, value) in criteria {
            scope.push_constant(name.clone(), *value);
        }
        self.engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, ast)
            .map_err(|err| self.script_error(&err, origin))
    }

    /// Evaluates a type's rule on a candidate pair for matching (no pairing exists yet):
    /// `participants`, `mentors` and `mentees` hold the two people; what tells a pairing's
    /// progress reads as nothing.
    pub(crate) fn eval_rule(
        &self,
        program: &mentorflow_dsl::Program,
        rule: &Script,
        people: &[Dynamic; 2],
    ) -> Result<bool, ScriptError> {
        let mut criteria = Vec::new();
        for name in &rule.criteria_read {
            if let Some(c) = program.criterion(name) {
                criteria.push((name.clone(), self.eval_rule(program, &c.script, people)?));
            }
        }
        let mut scope = Scope::with_capacity(4);
        for (i, name) in SCRIPT_VARIABLES.iter().enumerate() {
            if rule.variables & (1 << i) == 0 {
                continue;
            }
            let value = match *name {
                "participants" => Dynamic::from_array(people.to_vec()),
                "mentors" => Dynamic::from_array(vec![people[0].clone()]),
                "mentees" => Dynamic::from_array(vec![people[1].clone()]),
                _ => Dynamic::UNIT,
            };
            scope.push_constant_dynamic(*name, value);
        }
        for (name, value) in criteria {
            scope.push_constant(name, value);
        }
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &rule.ast)
            .map_err(|e| self.script_error(&e, &rule.origin))?;
        Ok(value.as_bool().unwrap_or(false))
    }

    /// Evaluates a matching script on a candidate pair.
    pub(crate) fn eval_pair(
        &self,
        script: &mentorflow_dsl::PairScript,
        mentor: &Dynamic,
        mentee: &Dynamic,
    ) -> Result<Dynamic, ScriptError> {
        let mut scope = Scope::with_capacity(2);
        scope.push_constant_dynamic("mentor", mentor.clone());
        scope.push_constant_dynamic("mentee", mentee.clone());
        self.engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast)
            .map_err(|e| self.script_error(&e, &script.origin))
    }

    /// The error for a matching score that is not a number.
    pub(crate) fn not_a_number(
        &self,
        script: &mentorflow_dsl::PairScript,
        value: &Dynamic,
    ) -> ScriptError {
        ScriptError {
            what: script.origin.what.clone(),
            location: location(&script.origin, rhai::Position::NONE),
            problem: ScriptProblem::NotANumber {
                type_name: value.type_name().to_string(),
                value: value.to_string(),
            },
        }
    }

    fn script_error(&self, err: &EvalAltResult, origin: &ScriptOrigin) -> ScriptError {
        let l = &self.limits;
        let problem = match err {
            EvalAltResult::ErrorTooManyOperations(_) => {
                ScriptProblem::Limit(Limit::Operations(l.max_operations))
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                ScriptProblem::Limit(Limit::CallDepth(l.max_call_levels))
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => ScriptProblem::Limit(Limit::Size {
                what: what.clone(),
                strings: l.max_string_size,
                arrays: l.max_array_size,
                maps: l.max_map_size,
            }),
            EvalAltResult::ErrorTerminated(token, _)
                if token.clone().into_string().as_deref() == Ok(MEMORY) =>
            {
                ScriptProblem::Limit(Limit::Memory(l.max_memory))
            }
            EvalAltResult::ErrorTerminated(..) => {
                ScriptProblem::Limit(Limit::Deadline(self.wall.as_millis()))
            }
            EvalAltResult::ErrorTooManyVariables(_) | EvalAltResult::ErrorTooManyModules(_) => {
                ScriptProblem::Limit(Limit::Other(err.to_string()))
            }
            other => ScriptProblem::Rhai(first_line(&other.to_string())),
        };
        ScriptError {
            what: origin.what.clone(),
            location: location(origin, err.position()),
            problem,
        }
    }
}

fn first_line(s: &str) -> String {
    // Rhai appends " (line x, position y)"; we print the file position ourselves.
    let s = s.lines().next().unwrap_or(s);
    match s.rfind(" (line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn location(origin: &ScriptOrigin, position: rhai::Position) -> String {
    let at = match (position.line(), position.position()) {
        (Some(line), col) => origin.locate(line, col.unwrap_or(1)),
        _ => origin.start,
    };
    format!("{}:{}:{}", origin.path.display(), at.line, at.col)
}

/// Someone erased whose values `script` would read, if any: it reads a value of people
/// (an attribute, a fact kept per person, `facts`, `managers`: as a property, or named in a
/// library call) from a group they are in (everyone, or their role's). Counting people, or
/// reading their ids and roles, reads nothing erased.
fn erased_read<'c>(script: &Script, ctx: &Context<'c>) -> Option<&'c str> {
    if ctx.pairing.erased.is_empty() {
        return None;
    }
    let program = ctx.program;
    let reads_values = program
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .chain(
            program
                .facts
                .iter()
                .filter(|f| f.per.is_some())
                .map(|f| f.name.as_str()),
        )
        .chain(["facts", "managers"])
        .any(|name| {
            script.properties_read.contains(name) || script.source.contains(&format!("\"{name}\""))
        });
    let reads = |name: &str| {
        mentorflow_dsl::sandbox::SCRIPT_VARIABLES
            .iter()
            .position(|v| *v == name)
            .is_some_and(|i| script.variables & (1 << i) != 0)
    };
    ctx.participants
        .iter()
        .filter(|p| reads_values && ctx.pairing.erased.contains(&p.id))
        .find(|p| reads("participants") || reads(&format!("{}s", p.role)))
        .map(|p| p.id.as_str())
}
