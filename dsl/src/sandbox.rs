//! The one place where the Rhai engine that runs program scripts is configured. The checker
//! compiles with it and the engine runs with it, so a script that checks is a script that runs.

use rhai::{Dynamic, Engine, Scope};

/// The variables every script may read; anything else is an error at check time.
pub const SCRIPT_VARIABLES: [&str; 20] = [
    "facts",
    "participants",
    "mentors",
    "mentees",
    "type",
    "stage",
    "days_in_stage",
    "cycle",
    "now",
    "today",
    "days_in_program",
    "weeks_in_program",
    "months_in_program",
    "weeks_in_stage",
    "months_in_stage",
    "entries",
    "first_entered",
    "taken",
    "schedules",
    "reason",
];

/// Script variables added after programs could name a criterion freely: a criterion of that
/// name in an older program is not refused, and scripts read the criterion (it shadows the
/// variable).
pub const LATER_VARIABLES: [&str; 1] = ["reason"];

/// Whether `name` is a script variable a criterion may not be named after.
pub fn reserved(name: &str) -> bool {
    SCRIPT_VARIABLES.contains(&name) && !LATER_VARIABLES.contains(&name)
}

/// The script variables that tell a pairing's progress (what was recorded, where it is, for
/// how long, what it did): at enrolment they only hold their starting values.
pub const PROGRESS_VARIABLES: [&str; 14] = [
    "facts",
    "stage",
    "days_in_stage",
    "cycle",
    "days_in_program",
    "weeks_in_program",
    "months_in_program",
    "weeks_in_stage",
    "months_in_stage",
    "entries",
    "first_entered",
    "taken",
    "schedules",
    "reason",
];

/// The script variables that hold a map keyed by the program's stages (`entries`,
/// `first_entered`), transition labels (`taken`) or schedules (`schedules`): the checker
/// checks the keys read.
pub const HISTORY_VARIABLES: [&str; 4] = ["entries", "first_entered", "taken", "schedules"];

/// Limits a script runs under. Generous for real guards, small enough that a hostile script
/// is stopped in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rhai operations per evaluation.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Expression nesting depth (and inside functions).
    pub max_expr_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Bytes one evaluation may allocate beyond what it started with: the sum of everything it
    /// builds, which the per-collection limits above do not bound. Enforced by the engine's
    /// runtime where the counting allocator is installed (the `mentorflow` binary).
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 16,
            max_expr_depth: 64,
            max_string_size: 64 * 1024,
            max_array_size: 1_000,
            max_map_size: 1_000,
            max_memory: 16 * 1024 * 1024,
        }
    }
}

/// A Rhai engine with the sandbox applied: limits, strict variables, no `eval`, no modules,
/// and `print`/`debug` discarded (the run-time engine replaces them to capture the output).
pub fn engine(limits: Limits) -> Engine {
    // What `Engine::new` does, less the module resolver (no `import`) and with the standard
    // package built once per process: building it is most of the cost of an engine, and a
    // command that loads a program makes two (the checker's and the runtime's).
    static STANDARD: std::sync::OnceLock<rhai::Shared<rhai::Module>> = std::sync::OnceLock::new();
    let standard = STANDARD.get_or_init(|| {
        use rhai::packages::Package;
        rhai::packages::StandardPackage::new().as_shared_module()
    });
    let mut engine = Engine::new_raw();
    engine.register_global_module(standard.clone());
    engine.set_max_strings_interned(256);
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_strict_variables(true)
        .disable_symbol("eval");
    // Rhai's shifts give 0 when shifting past the integer's width (`1 << 70` is 0, silently),
    // where every other overflow is an error; guards have no use for bits, so they are refused.
    for shift in ["<<", ">>", "<<=", ">>="] {
        engine.disable_symbol(shift);
    }
    crate::dates::register(&mut engine);
    crate::aggregates::register(&mut engine);
    crate::occurrences::register(&mut engine);
    crate::effects::register(&mut engine);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
}

/// A scope declaring every script variable, for compiling with strict variables. They are
/// pushed as variables, not constants: Rhai's optimizer would otherwise fold the placeholder
/// `()` into the compiled script. At run time they are constants, so scripts cannot change them.
pub fn compile_scope() -> Scope<'static> {
    compile_scope_with(&[])
}

/// [`compile_scope`] with the program's criteria as variables too: a criterion can be read as
/// a bool inside any expression (`success && weeks_in_program >= 12`).
pub fn compile_scope_with(criteria: &[String]) -> Scope<'static> {
    let mut scope = Scope::new();
    for name in SCRIPT_VARIABLES {
        scope.push(name, Dynamic::UNIT);
    }
    for name in criteria {
        scope.push(name.clone(), Dynamic::UNIT);
    }
    scope
}
