//! Property runs: seeded walks of random steps (facts, time, moves, people joining and
//! leaving) through a scenario's cohort, the program's invariants checked after every step.
//! A walk that breaks one is shrunk to the fewest steps that still break it, and handed back
//! as steps a tester can keep as a scenario.

use mentorflow_dsl::value::Bound;
use mentorflow_dsl::{Program, ValueKind};

use crate::decide::invariants::Broken;
use crate::model::pairing::Pairing;

use super::files::Files;
use super::run::Run;
use super::scenario::{Scenario, ScenarioParticipant, Step};
use super::transcript::{Problem, Transcript};

/// How to explore.
#[derive(Debug, Clone, Copy)]
pub struct Exploration {
    /// How many walks.
    pub runs: usize,
    /// The seed of the first walk; walk `i` uses `seed + i`.
    pub seed: u64,
    /// Random steps per walk, at most.
    pub steps: usize,
}

/// What the walks found.
#[derive(Debug)]
pub struct Explored {
    /// Walks made.
    pub runs: usize,
    /// Random steps tried, and how many the coordinator took (the rest it refused).
    pub tried: usize,
    /// Steps taken.
    pub taken: usize,
    /// The first broken invariant, shrunk.
    pub found: Option<Found>,
}

/// A broken invariant and the fewest steps found that break it.
#[derive(Debug)]
pub struct Found {
    /// The walk that found it (from 1) and its seed.
    pub run: usize,
    /// That walk's seed.
    pub seed: u64,
    /// How many steps that walk had taken when the invariant broke.
    pub walked: usize,
    /// The steps after the scenario's own that break it, as few as shrinking found.
    pub steps: Vec<Step>,
    /// The pairing it broke on and the invariant.
    pub pairing: String,
    /// Which invariant, and why.
    pub broken: Broken,
    /// The scenario with those steps, run as `simulate` runs it.
    pub transcript: Transcript,
}

/// Walks `how.runs` random walks from `scenario` (its people, pairings and steps first); the
/// scenario's own transcript when it does not pass by itself.
pub fn explore(
    program: &Program,
    source: &str,
    scenario: &Scenario,
    files: &dyn Files,
    how: &Exploration,
) -> Result<Explored, Box<Transcript>> {
    let own = super::run::run(program, source, scenario, files);
    if !own.failures.is_empty() {
        return Err(Box::new(own));
    }
    let walker = Walker {
        program,
        source,
        scenario,
        files,
    };
    let mut explored = Explored {
        runs: 0,
        tried: 0,
        taken: 0,
        found: None,
    };
    for run in 0..how.runs {
        let seed = how.seed.wrapping_add(run as u64);
        let walk = walker.walk(&mut Rng(seed), how.steps);
        explored.runs += 1;
        explored.tried += walk.tried;
        explored.taken += walk.steps.len();
        if let Some((pairing, broken)) = walk.broken {
            let walked = walk.steps.len();
            let name = broken.name.clone();
            let (steps, pairing, broken) = walker.shrink(walk.steps, &name, pairing, broken);
            let mut minimal = scenario.clone();
            minimal.steps.extend(steps.iter().cloned());
            let transcript = super::run::run(program, source, &minimal, files);
            explored.found = Some(Found {
                run: run + 1,
                seed,
                walked,
                steps,
                pairing,
                broken,
                transcript,
            });
            break;
        }
    }
    Ok(explored)
}

/// One walk: the steps the coordinator took, and the invariant the last one broke.
struct Walk {
    steps: Vec<Step>,
    tried: usize,
    broken: Option<(String, Broken)>,
}

struct Walker<'s> {
    program: &'s Program,
    source: &'s str,
    scenario: &'s Scenario,
    files: &'s dyn Files,
}

impl Walker<'_> {
    /// The scenario set up and its own steps run (they passed alone).
    fn started(&self) -> Option<Run<'_>> {
        let mut run = Run::start(self.program, self.source, self.scenario, self.files).ok()?;
        for step in &self.scenario.steps {
            run.checked_step(step).ok()?;
        }
        Some(run)
    }

    /// A random walk of at most `steps` steps.
    fn walk(&self, rng: &mut Rng, steps: usize) -> Walk {
        let mut walk = Walk {
            steps: Vec::new(),
            tried: 0,
            broken: None,
        };
        let Some(mut run) = self.started() else {
            return walk;
        };
        for n in 0..steps {
            let step = random_step(&mut run, rng, n);
            walk.tried += 1;
            match run.checked_step(&step) {
                Ok(()) => walk.steps.push(step),
                Err(Problem::Invariant { pairing, broken }) => {
                    walk.steps.push(step);
                    walk.broken = Some((pairing, broken));
                    break;
                }
                // Refused: nothing was stored, the walk goes on.
                Err(_) => {}
            }
        }
        walk
    }

    /// `steps` replayed: those taken up to the first that breaks `invariant`, if one does.
    fn replay(&self, steps: &[Step], invariant: &str) -> Option<(Vec<Step>, String, Broken)> {
        let mut run = self.started()?;
        let mut taken = Vec::new();
        for step in steps {
            match run.checked_step(step) {
                Ok(()) => taken.push(step.clone()),
                Err(Problem::Invariant { pairing, broken }) if broken.name == invariant => {
                    taken.push(step.clone());
                    return Some((taken, pairing, broken));
                }
                Err(Problem::Invariant { .. }) => return None,
                Err(_) => {}
            }
        }
        None
    }

    /// The fewest steps found that still break `invariant`: runs of steps left out, halves
    /// first, then ever shorter runs down to single steps, while it still breaks.
    fn shrink(
        &self,
        mut steps: Vec<Step>,
        invariant: &str,
        mut pairing: String,
        mut broken: Broken,
    ) -> (Vec<Step>, String, Broken) {
        let mut chunk = steps.len().div_ceil(2).max(1);
        loop {
            let mut i = 0;
            let mut shrunk = false;
            while i < steps.len() {
                let mut fewer = steps.clone();
                fewer.drain(i..(i + chunk).min(steps.len()));
                match self.replay(&fewer, invariant) {
                    Some((taken, p, b)) => {
                        (steps, pairing, broken) = (taken, p, b);
                        shrunk = true;
                    }
                    None => i += chunk,
                }
            }
            if chunk == 1 && !shrunk {
                break;
            }
            if !shrunk {
                chunk = chunk.div_ceil(2);
            }
        }
        (steps, pairing, broken)
    }
}

/// A small seeded generator (SplitMix64): the same seed walks the same steps everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        match items.len() {
            0 => None,
            n => items.get(self.below(n)),
        }
    }
}

/// Waits a walk picks from.
const WAITS: [&str; 6] = ["1d", "3d", "1w", "2w", "4w", "8w"];

/// A random step for the cohort as it stands; `n` numbers the walk's steps (new people's ids).
fn random_step(run: &mut Run<'_>, rng: &mut Rng, n: usize) -> Step {
    let pairings = run.pairings().unwrap_or_default();
    let running: Vec<&Pairing> = pairings.iter().filter(|p| p.outcome.is_none()).collect();
    let program = run.program();
    let wait = |rng: &mut Rng| Step {
        wait: rng.pick(&WAITS).map(|w| w.to_string()),
        ..Step::default()
    };
    let Some(p) = rng.pick(&running).copied() else {
        return wait(rng);
    };
    let mut step = Step {
        pairing: Some(p.label.clone().unwrap_or_else(|| p.id.to_string())),
        ..Step::default()
    };
    match rng.below(100) {
        0..=19 => return wait(rng),
        20..=29 => {
            return Step {
                tick: true,
                ..Step::default()
            }
        }
        30..=49 => record(program, p, rng, &mut step),
        50..=66 => step.advance = Some(toml::Value::Boolean(true)),
        67..=76 => {
            let Some(s) = rng.pick(&program.schedules) else {
                return wait(rng);
            };
            step.done = Some(s.name.clone());
            step.person = s.per.as_ref().and_then(|role| someone(p, Some(role), rng));
        }
        77..=82 => {
            step.withdraw = Some(reason(program, rng));
        }
        83..=91 => {
            step.leave = someone(p, None, rng);
            step.reason = Some(reason(program, rng));
        }
        _ => {
            let roles: Vec<&str> = program
                .types
                .iter()
                .filter(|t| *t.id == *p.type_id)
                .flat_map(|t| t.roles.iter().map(|r| &*r.name))
                .collect();
            step.join = Some(ScenarioParticipant {
                id: format!("walker-{}", n + 1),
                role: rng.pick(&roles).map_or("mentee", |r| r).to_string(),
                attributes: Default::default(),
            });
        }
    }
    if step.record.is_none()
        && step.advance.is_none()
        && step.done.is_none()
        && step.withdraw.is_none()
        && step.leave.is_none()
        && step.join.is_none()
    {
        return wait(rng);
    }
    step
}

/// Someone in the pairing (of `role`, when given).
fn someone(p: &Pairing, role: Option<&String>, rng: &mut Rng) -> Option<String> {
    let people: Vec<&str> = p
        .participants
        .iter()
        .filter(|m| role.is_none_or(|r| *m.role == **r))
        .map(|m| m.id.as_str())
        .collect();
    rng.pick(&people).map(|s| s.to_string())
}

/// A reason code of the program, or a reason in words when it declares none.
fn reason(program: &Program, rng: &mut Rng) -> String {
    rng.pick(&program.reasons)
        .map_or_else(|| "moved on".to_string(), |r| r.code.clone())
}

/// `record` of one fact with a value its declaration accepts (for the person it is kept
/// for, when it is kept per person).
fn record(program: &Program, p: &Pairing, rng: &mut Rng, step: &mut Step) {
    let facts: Vec<_> = program
        .facts
        .iter()
        .filter(|f| f.kind != ValueKind::List)
        .collect();
    let Some(fact) = rng.pick(&facts) else {
        return;
    };
    let number = |b: &Option<Bound>| match b {
        Some(Bound::Number(x)) => Some(*x),
        _ => None,
    };
    let low = number(&fact.min).unwrap_or(0.0);
    let high = number(&fact.max).unwrap_or(low + 10.0).max(low);
    let value = match fact.kind {
        ValueKind::Bool => toml::Value::Boolean(rng.below(2) == 1),
        ValueKind::Int => {
            let span = (high - low) as usize + 1;
            toml::Value::Integer(low as i64 + rng.below(span) as i64)
        }
        ValueKind::Float => {
            let steps = ((high - low) * 2.0) as usize + 1;
            toml::Value::Float(low + rng.below(steps) as f64 / 2.0)
        }
        ValueKind::Date => {
            let day = p.enrolled_at.date_naive() + chrono::Days::new(rng.below(180) as u64);
            toml::Value::String(day.format("%Y-%m-%d").to_string())
        }
        _ => match &fact.allowed {
            Some(allowed) => toml::Value::String(rng.pick(allowed).cloned().unwrap_or_default()),
            None => toml::Value::String("noted".into()),
        },
    };
    if let Some(role) = &fact.per {
        let role = (role != "participant").then_some(role);
        step.person = someone(p, role, rng);
    }
    step.record = Some(toml::Table::from_iter([(fact.name.clone(), value)]));
}

/// A step as a scenario file writes it (the keys a walk uses).
pub fn step_table(step: &Step) -> toml::Table {
    let mut t = toml::Table::new();
    let mut put = |key: &str, value: Option<toml::Value>| {
        if let Some(v) = value {
            t.insert(key.to_string(), v);
        }
    };
    let text = |s: &Option<String>| s.clone().map(toml::Value::String);
    put("pairing", text(&step.pairing));
    put("wait", text(&step.wait));
    put("tick", step.tick.then_some(toml::Value::Boolean(true)));
    put("advance", step.advance.clone());
    put("record", step.record.clone().map(toml::Value::Table));
    put("done", text(&step.done));
    put("withdraw", text(&step.withdraw));
    put("leave", text(&step.leave));
    put("person", text(&step.person));
    put("reason", text(&step.reason));
    put(
        "join",
        step.join.as_ref().map(|j| {
            toml::Value::Table(toml::Table::from_iter([
                ("id".to_string(), toml::Value::String(j.id.clone())),
                ("role".to_string(), toml::Value::String(j.role.clone())),
            ]))
        }),
    );
    t
}
