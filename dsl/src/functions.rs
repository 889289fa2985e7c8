//! The functions a script may call: Rhai's own, mentorflow's helpers, and those of the
//! program's libraries. Rhai finds a function only when a script runs; the checker finds an
//! unknown one, or a library function given the wrong number of arguments, where it is called.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{ASTNode, Expr, Position, Stmt, AST};

/// Names Rhai treats as calls that no package lists.
const KEYWORDS: [&str; 8] = [
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "is_def_fn",
    "is_def_var",
];

/// Every function scripts of one program may call.
#[derive(Debug, Default)]
pub(crate) struct Functions {
    /// Rhai's and mentorflow's, by name, with the numbers of arguments they take.
    builtin: BTreeMap<String, BTreeSet<usize>>,
    /// The libraries', by name: the numbers of arguments, and the library each is in.
    library: BTreeMap<String, (BTreeSet<usize>, String)>,
    /// The libraries' functions, merged into every script of the program.
    merged: Option<AST>,
    /// The memo points handed out to the program's scripts.
    points: crate::native::Points,
}

/// A call that cannot work: what is wrong, where, and how to fix it.
pub(crate) type BadCall = (String, Position, String);

impl Functions {
    /// The functions of the sandbox's engine ([`BUILTINS`]).
    pub fn standard() -> Functions {
        let mut builtin: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for line in BUILTINS.lines() {
            if let Some((name, arity)) = line.split_once(' ') {
                if let Ok(arity) = arity.parse() {
                    builtin.entry(name.to_string()).or_default().insert(arity);
                }
            }
        }
        Functions {
            builtin,
            ..Functions::default()
        }
    }

    /// The memo points of the program's scripts.
    pub fn points(&self) -> &crate::native::Points {
        &self.points
    }

    /// Adds a library's functions (its AST holds functions only); a function another library
    /// already defines with as many parameters is returned, to be reported.
    pub fn add_library(&mut self, name: &str, ast: &AST) -> Vec<(String, String)> {
        let mut clashes = Vec::new();
        for f in ast.iter_functions() {
            let entry = self
                .library
                .entry(f.name.to_string())
                .or_insert_with(|| (BTreeSet::new(), name.to_string()));
            if !entry.0.insert(f.params.len()) {
                clashes.push((f.name.to_string(), entry.1.clone()));
            }
        }
        self.merged = Some(match self.merged.take() {
            Some(all) => all.merge(&ast.clone_functions_only()),
            None => ast.clone_functions_only(),
        });
        clashes
    }

    /// Whether a library defines a function called `name` (it stands over Rhai's own).
    pub fn defines(&self, name: &str) -> bool {
        self.library.contains_key(name)
    }

    /// The libraries' functions, merged.
    pub fn library(&self) -> Option<&AST> {
        self.merged.as_ref()
    }

    /// `ast` with the libraries' functions it may call (its own override them). A script
    /// without functions of its own shares the libraries' (one copy per program, not one per
    /// script: a large library cost megabytes for every guard and part).
    pub fn with_library(&self, ast: AST) -> AST {
        match &self.merged {
            Some(library) if !ast.has_functions() => {
                let shared = AST::new(ast.statements().to_vec(), library.shared_lib().clone());
                match ast.source() {
                    Some(source) => {
                        let mut shared = shared;
                        shared.set_source(source);
                        shared
                    }
                    None => shared,
                }
            }
            Some(library) => library.merge(&ast),
            None => ast,
        }
    }

    /// Every call in `ast` to a function nobody defines, or to a library function with another
    /// number of arguments.
    pub fn bad_calls(&self, ast: &AST) -> Vec<BadCall> {
        let local: BTreeMap<String, BTreeSet<usize>> =
            ast.iter_functions().fold(BTreeMap::new(), |mut m, f| {
                m.entry(f.name.to_string())
                    .or_default()
                    .insert(f.params.len());
                m
            });
        let mut bad = Vec::new();
        ast.walk(&mut |path: &[ASTNode<'_>]| {
            // A call is an expression, or a statement of its own (`f(x)` as a whole guard).
            let call = match path.last() {
                Some(ASTNode::Expr(Expr::FnCall(call, position))) => Some((call, position)),
                Some(ASTNode::Stmt(Stmt::FnCall(call, position))) => Some((call, position)),
                _ => None,
            };
            if let Some((call, position)) = call {
                let name = call.name.as_str();
                let arity = call.args.len();
                let plain = !call.is_operator_call()
                    && name.starts_with(|c: char| c.is_alphabetic() || c == '_');
                if plain {
                    if let Some(problem) = self.problem(name, arity, &local) {
                        bad.push((problem.0, *position, problem.1));
                    }
                }
            }
            true
        });
        bad
    }

    /// What is wrong with calling `name` with `arity` arguments, and how to fix it.
    fn problem(
        &self,
        name: &str,
        arity: usize,
        local: &BTreeMap<String, BTreeSet<usize>>,
    ) -> Option<(String, String)> {
        let takes = |set: Option<&BTreeSet<usize>>| set.is_some_and(|s| s.contains(&arity));
        if takes(local.get(name))
            || takes(self.builtin.get(name))
            || takes(self.library.get(name).map(|l| &l.0))
            || KEYWORDS.contains(&name)
        {
            return None;
        }
        if let Some((arities, library)) = self.library.get(name) {
            return Some((
                format!(
                    "calls `{name}` with {}, but `{name}` in library {library} takes {}",
                    count(arity),
                    arities
                        .iter()
                        .map(|n| count(*n))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                format!(
                    "give it {} (see {library})",
                    arities
                        .iter()
                        .map(|n| count(*n))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        }
        if local.contains_key(name) || self.builtin.contains_key(name) {
            // Rhai's own functions are overloaded in ways its list does not always show.
            return None;
        }
        let known = self
            .library
            .keys()
            .chain(self.builtin.keys())
            .chain(local.keys())
            .map(String::as_str);
        let help = crate::suggest::help_did_you_mean(name, known).unwrap_or_else(|| {
            "define it in a library the program names ([program] libraries), or use one of Rhai's or mentorflow's functions (programs/README.md, Scripts)".into()
        });
        Some((format!("calls unknown function `{name}`"), help))
    }
}

/// `1 argument`, `2 arguments`.
fn count(n: usize) -> String {
    format!("{n} argument{}", if n == 1 { "" } else { "s" })
}

/// Every function the sandbox's engine offers scripts, a line each: its name and number of
/// parameters (property getters and setters, `get$x`, are not called by name). Kept equal to
/// the engine's by a test: asking the engine, from its functions' metadata, cost a millisecond
/// of every command that loads a program.
const BUILTINS: &str = include_str!("builtins.txt");

/// The engine's functions as [`BUILTINS`] lists them, in order.
#[cfg(test)]
fn builtin_functions(engine: &rhai::Engine) -> Vec<(String, usize)> {
    engine
        .collect_fn_metadata(
            None,
            |f| {
                let name = f.metadata.name.as_str();
                (!name.contains('$') && !name.is_empty())
                    .then(|| (name.to_string(), f.metadata.num_params))
            },
            true,
        )
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `MENTORFLOW_BLESS_BUILTINS=1 cargo test -p mentorflow-dsl builtins` writes the list anew
    /// (after a change of Rhai, or of the functions mentorflow registers).
    #[test]
    fn the_builtins_list_is_the_engines() {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let now: String = builtin_functions(&engine)
            .into_iter()
            .map(|(name, arity)| format!("{name} {arity}\n"))
            .collect();
        if std::env::var_os("MENTORFLOW_BLESS_BUILTINS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/builtins.txt");
            std::fs::write(path, &now).expect("write builtins.txt");
            return;
        }
        assert!(
            now == BUILTINS,
            "dsl/src/builtins.txt is not the engine's list of functions; write it anew with \
             MENTORFLOW_BLESS_BUILTINS=1 cargo test -p mentorflow-dsl builtins"
        );
    }

    #[test]
    fn builtins_are_known_by_name_and_parameter_count() {
        let f = Functions::standard();
        let arities = |name: &str| f.builtin.get(name).cloned().unwrap_or_default();
        assert!(arities("len").contains(&1), "{:?}", arities("len"));
        assert!(arities("min").contains(&2), "{:?}", arities("min"));
        assert!(arities("all").contains(&2), "{:?}", arities("all"));
        assert!(
            f.builtin.keys().all(|n| !n.contains('$')),
            "property getters and setters are not called by name"
        );
    }

    fn functions() -> Functions {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let mut f = Functions::standard();
        let lib = engine
            .compile("fn overlap(a, b) { a + b }")
            .expect("library");
        f.add_library("helpers.rhai", &lib);
        f
    }

    fn problems(source: &str) -> Vec<String> {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let ast = engine.compile(source).expect("compiles");
        functions()
            .bad_calls(&ast)
            .into_iter()
            .map(|(p, _, h)| format!("{p} / {h}"))
            .collect()
    }

    #[test]
    fn calls_are_checked_against_the_libraries_rhai_and_the_script_itself() {
        assert!(problems("overlap(1, 2) > 0 && max(1, 2) == 2 && [1].len() == 1").is_empty());
        assert!(problems("fn twice(x) { x * 2 } twice(3) == 6").is_empty());
        assert_eq!(
            problems("overlap(1) > 0"),
            ["calls `overlap` with 1 argument, but `overlap` in library helpers.rhai takes 2 arguments / give it 2 arguments (see helpers.rhai)"]
        );
        let unknown = problems("ovrlap(1, 2) > 0");
        assert!(
            unknown[0].starts_with("calls unknown function `ovrlap` / did you mean `overlap`"),
            "{unknown:?}"
        );
    }

    #[test]
    fn every_shipped_standard_library_compiles_and_calls_only_what_exists() {
        let engine = crate::sandbox::engine(crate::sandbox::Limits::default());
        let mut f = Functions::standard();
        let libs: Vec<(&str, AST)> = crate::libraries::STANDARD
            .iter()
            .map(|(name, text)| (*name, engine.compile(text).expect(name)))
            .collect();
        for (name, ast) in &libs {
            assert!(ast.statements().is_empty(), "{name} holds statements");
            f.add_library(name, ast);
        }
        for (name, ast) in &libs {
            assert_eq!(f.bad_calls(ast), Vec::new(), "{name}");
        }
    }
}
