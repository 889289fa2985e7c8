//! A time-bounded mutation fuzzer for everything that reads user or stored input: the program
//! loader, the scenario loader and runner, the roster reader, fact and attribute values, and the
//! store's JSON readers. Not run in CI (it is built there, so it keeps compiling); run it with
//! `tests/fuzz/run.sh` or
//!
//! ```text
//! FUZZ_SECONDS=60 cargo run --release --example fuzz -- [TARGET...]
//! ```
//!
//! Each target starts from its corpus in `tests/fuzz/corpus/TARGET/` and mutates inputs at
//! random (bytes flipped, cut, repeated, tokens of the format inserted, inputs spliced). There
//! is no coverage feedback; an input whose outcome (the error class it gets) is new joins the
//! corpus, which steers mutation toward unexplored messages. A panic is a finding: the input is
//! written to `tests/fuzz/findings/` and the run fails.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mentorflow_engine::parse_attribute;
use mentorflow_engine::scenario::{self, Scenario};
use mentorflow_engine::store::codec::{decode_event, decode_state};

const TARGETS: [&str; 5] = ["program", "scenario", "roster", "values", "json"];
/// Tokens of the formats read, inserted by mutation.
const TOKENS: [&str; 24] = [
    "\"",
    "'''",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    "\n",
    "#",
    "\\u0000",
    "-1",
    "99999999999999999999",
    "1e309",
    "nan",
    "2026-02-30",
    "10000-01-01",
    "..",
    "&&",
    "facts.",
    "[[transitions]]\nfrom = \"",
    "guard = \"",
];
/// A corpus entry larger than this is not kept.
const MAX_INPUT: usize = 64 * 1024;
/// Entries kept per target, seeds included.
const MAX_CORPUS: usize = 120;

/// Small, fast, seedable: the fuzzer needs spread, not cryptography.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                let piece = out[start..end].to_vec();
                out.splice(at..at, piece);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            _ => out.insert(at, rng.next() as u8),
        }
    }
    out.truncate(MAX_INPUT);
    out
}

/// Runs one input; the outcome class it got (for novelty), or a panic.
type Target = Box<dyn FnMut(&[u8]) -> String>;

fn target(name: &str, work: &Path) -> Target {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mentoring = mentorflow_dsl::load(&root.join("programs/mentoring.toml"))
        .program
        .expect("the shipped program checks");
    match name {
        "program" => Box::new(|bytes| {
            let text = String::from_utf8_lossy(bytes);
            let loaded = mentorflow_dsl::load_str(Path::new("fuzz.toml"), &text);
            let report = loaded.render();
            match loaded.program {
                Some(p) => format!("ok {}", p.stages.len().min(5)),
                None => class(&report),
            }
        }),
        "scenario" => {
            let file = work.join("scenario.toml");
            Box::new(move |bytes| {
                std::fs::write(&file, bytes).expect("write the input");
                match Scenario::load(&file) {
                    Ok(s) => {
                        let transcript =
                            scenario::run(&mentoring, "mentoring.toml", &s, &scenario::NoFiles);
                        format!(
                            "ran {} {}",
                            transcript.entries.len().min(20),
                            transcript.failures.len().min(5)
                        )
                    }
                    Err(e) => class(&e.to_string()),
                }
            })
        }
        "roster" => {
            let (file, store) = (work.join("roster.csv"), work.join("store.db"));
            let program = root.join("programs/mentoring.toml");
            let store = store.to_string_lossy().into_owned();
            cli(&["init", "--store", &store]);
            let (file_arg, program) = (
                file.to_string_lossy().into_owned(),
                program.to_string_lossy().into_owned(),
            );
            Box::new(move |bytes| {
                std::fs::write(&file, bytes).expect("write the input");
                let args = [
                    "import",
                    &file_arg,
                    "--program",
                    &program,
                    "--store",
                    &store,
                ];
                let (code, err) = cli(&[&args[..], &["--dry-run"]].concat());
                format!("{code} {}", class(&err))
            })
        }
        "values" => Box::new(move |bytes| {
            // Each line `name=value`: parsed as every fact and attribute of the shipped program.
            let text = String::from_utf8_lossy(bytes);
            let mut outcome = String::new();
            for line in text.lines().take(64) {
                let value = line.split_once('=').map_or(line, |(_, v)| v);
                let accepted = mentoring.facts.iter().chain(&mentoring.attributes);
                let accepted = accepted.filter(|d| d.parse(value).is_ok()).count();
                outcome.push_str(&format!("{accepted} "));
                let _ = parse_attribute(&mentoring, "experience_years", value);
            }
            outcome
        }),
        "json" => Box::new(|bytes| {
            let text = String::from_utf8_lossy(bytes);
            let state = decode_state(&text).map_err(|e| class(&e.to_string()));
            let event = decode_event(&text).map_err(|e| class(&e.to_string()));
            format!("{:?} {:?}", state.map(|_| ()), event.map(|_| ()))
        }),
        other => panic!("no target `{other}`; targets: {}", TARGETS.join(", ")),
    }
}

/// The CLI in-process: exit code and standard error.
fn cli(args: &[&str]) -> (u8, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("mentorflow").chain(args.iter().copied());
    let code = mentorflow::run(argv, &mut out, &mut err);
    (code, String::from_utf8_lossy(&err).into_owned())
}

/// The shape of a message without its particulars: its first words, digits dropped.
fn class(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    first
        .split_whitespace()
        .take(6)
        .map(|w| {
            w.chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Figures {
    executions: u64,
    corpus: usize,
    classes: usize,
    findings: u64,
}

fn fuzz(name: &str, seconds: u64, seed: u64) -> Figures {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let dir = root.join("corpus").join(name);
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|entries| {
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
        })
        .unwrap_or_default();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let work = std::env::temp_dir().join(format!("mentorflow-fuzz-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work folder");
    let mut run = target(name, &work);
    let mut rng = Rng(seed | 1);
    let mut classes = BTreeSet::new();
    let (mut executions, mut findings) = (0u64, 0u64);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        let parent = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, parent, &corpus);
        executions += 1;
        match catch_unwind(AssertUnwindSafe(|| run(&input))) {
            Ok(outcome) => {
                if classes.insert(outcome) && corpus.len() < MAX_CORPUS {
                    let file = dir.join(format!("{name}-{:016x}", fnv(&input)));
                    let _ = std::fs::create_dir_all(&dir);
                    let _ = std::fs::write(file, &input);
                    corpus.push(input);
                }
            }
            Err(_) => {
                findings += 1;
                let found = root.join("findings");
                let _ = std::fs::create_dir_all(&found);
                let file = found.join(format!("{name}-{:016x}", fnv(&input)));
                let _ = std::fs::write(&file, &input);
                eprintln!("finding: {name} panicked; input kept in {}", file.display());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Figures {
        executions,
        corpus: corpus.len(),
        classes: classes.len(),
        findings,
    }
}

/// A stable name for an input.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() -> std::process::ExitCode {
    let seconds = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let names: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = if names.is_empty() {
        TARGETS.to_vec()
    } else {
        names.iter().map(String::as_str).collect()
    };
    // A panic is reported once, by the fuzzer, with the input's file.
    std::panic::set_hook(Box::new(|_| {}));
    let mut total = 0;
    println!(
        "{:<10} {:>8} {:>12} {:>8} {:>8} {:>9}",
        "target", "seconds", "executions", "classes", "corpus", "findings"
    );
    for name in names {
        let started = Instant::now();
        let f = fuzz(name, seconds, seed);
        total += f.findings;
        println!(
            "{name:<10} {:>8.1} {:>12} {:>8} {:>8} {:>9}",
            started.elapsed().as_secs_f64(),
            f.executions,
            f.classes,
            f.corpus,
            f.findings
        );
    }
    if total == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
