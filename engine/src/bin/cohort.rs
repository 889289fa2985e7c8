//! The "cohort" workload (shared/bench/WORKLOAD.md) through mentorflow's public engine API, so
//! our numbers stand in the same table as the peer engines'. Prints the workload's one line.
//!
//! usage: cohort [N=100000] [MODE=memory] [--batch B] [--people] [--lived]
//!   --people       the "cohort-people" variant: 1 mentor and 5 mentees with attributes, an
//!                  enrolment rule and two guards that read them (engine name `...-people`)
//!   memory         the engine alone (enrol, record, advance), nothing stored
//!   store-batch    through the SQLite store, B pairings (default 1000) per transaction, synchronous=NORMAL
//!   store-pairing  through the SQLite store, one transaction per pairing, synchronous=NORMAL
//!   store-durable  one durable transaction (synchronous=FULL) per command: enrol with the
//!                  facts (`enrol --fact`), each advance; stops after the first 2,000
//!                  transitions, like the peers' per-row mode
//!   populate PATH|URL  leaves a store (SQLite file or postgres:// URL) with N pairings enrolled
//!                  and their facts recorded
//!                  (ready to advance), for measuring single commands on a large store
//!   --lived        with populate: each pairing's whole life instead (enrolled, facts recorded,
//!                  advanced to its end: about ten events each), for commands that read
//!                  every event (verify, report)

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use mentorflow_dsl::{Name, Value};
use mentorflow_engine::store::sqlite::{Durability, SqliteStore};
use mentorflow_engine::Ledger;
use mentorflow_engine::{Actor, Engine, EngineError, Event, EventKind, Move, Pairing, Participant};

// `--features mimalloc`: the engine allocates a few small strings per event, and an embedding
// application may choose an allocator that serves them faster than the system's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Suffix of the engine name in the summary line, so runs with another allocator stand apart.
const ALLOCATOR_TAG: &str = if cfg!(feature = "mimalloc") {
    "+mimalloc"
} else {
    ""
};

const TYPES: [&str; 5] = ["one-on-one", "peer", "group", "reverse", "virtual"];
const T0: i64 = 1_767_603_600;
const MOD: u64 = 1_000_000_007;
const DURABLE_LIMIT: u64 = 2000;
/// Where the program comes from, as recorded with its stored version.
const SOURCE: &str = "engine/benches/cohort.toml";

/// One record of the workload's log: stages as indices into the program's stages.
struct Record {
    from: u8,
    to: u8,
    ts: i64,
    seq: u64,
}

/// The driver: the workload's log, its global seq, and the stage indices it needs.
struct Driver<'e> {
    engine: &'e Engine,
    /// The "cohort-people" variant: five mentees with attributes.
    people: bool,
    names: PeopleNames,
    log: Vec<Record>,
    seq: u64,
    /// (from, to) stage index of each transition.
    moves: Vec<(u8, u8)>,
    evaluation: u8,
    goal_setting: u8,
    completed: u8,
}

fn stage_index(engine: &Engine, id: &str) -> u8 {
    engine
        .program
        .stages
        .iter()
        .position(|s| s.id == id)
        .unwrap_or(usize::MAX) as u8
}

impl<'e> Driver<'e> {
    fn new(engine: &'e Engine) -> Driver<'e> {
        let moves = engine
            .program
            .transitions
            .iter()
            .map(|t| {
                let from = match &t.from {
                    mentorflow_dsl::From::Stage(s) => stage_index(engine, s),
                    mentorflow_dsl::From::Any => u8::MAX,
                };
                (from, stage_index(engine, &t.to))
            })
            .collect();
        Driver {
            engine,
            people: engine.program.id == "cohort-people",
            names: PeopleNames::new(),
            log: Vec::new(),
            seq: 0,
            moves,
            evaluation: stage_index(engine, "evaluation"),
            goal_setting: stage_index(engine, "goal_setting"),
            completed: stage_index(engine, "completed"),
        }
    }

    fn enrol(&self, id: &str, i: u64, actor: &Actor<'_>) -> Result<(Pairing, Event), EngineError> {
        let people = if self.people {
            people(i, &self.names)
        } else {
            vec![
                Participant {
                    id: numbered("mentor-", i, ""),
                    role: self.names.mentor,
                    attributes: Default::default(),
                    facts: Default::default(),
                    managers: Vec::new(),
                },
                Participant {
                    id: numbered("mentee-", i, ""),
                    role: self.names.mentee,
                    attributes: Default::default(),
                    facts: Default::default(),
                    managers: Vec::new(),
                },
            ]
        };
        self.engine
            .enrol(id, TYPES[(i % 5) as usize], people, actor)
    }

    fn facts(i: u64) -> [(&'static str, Value); 7] {
        [
            ("mentor_assigned", Value::Bool(true)),
            ("schedule_set", Value::Bool(true)),
            ("orientation_done", Value::Bool(true)),
            ("goals_total", Value::Int(3)),
            ("meetings", Value::Int(6 + (i % 3) as i64)),
            ("rating", Value::Int(3 + (i % 3) as i64)),
            (
                "goals_met",
                Value::Int(if i.is_multiple_of(4) { 1 } else { 3 }),
            ),
        ]
    }

    fn record_all(
        &self,
        p: &mut Pairing,
        facts: &[(&str, Value)],
        actor: &Actor<'_>,
    ) -> Result<Event, EngineError> {
        let facts = facts.iter().map(|(n, v)| (*n, v.clone())).collect();
        self.engine.record(p, None, facts, actor)
    }

    /// One advance; logs the transition and adds its events to `kept` (the retry's fact updates
    /// included, which the workload does not log).
    fn step(
        &mut self,
        p: &mut Pairing,
        actor: &Actor<'_>,
        mut kept: Option<&mut Vec<Event>>,
    ) -> Result<(), EngineError> {
        let event = self.engine.advance(p, None, None, actor)?;
        let Some(transition) = event.kind.transition() else {
            return Err(EngineError::NoSuchTransition {
                from: p.stage.to_string(),
                to: String::new(),
                options: Vec::new(),
            });
        };
        let (from, to) = self.moves[transition - 1];
        self.seq += 1;
        self.log.push(Record {
            from,
            to,
            ts: T0 + self.seq as i64,
            seq: self.seq,
        });
        if let Some(kept) = kept.as_mut() {
            kept.push(event);
        }
        if from == self.evaluation && to == self.goal_setting {
            let record = self.record_all(
                p,
                &[("goals_met", Value::Int(3)), ("rating", Value::Int(5))],
                actor,
            )?;
            if let Some(kept) = kept {
                kept.push(record);
            }
        }
        Ok(())
    }

    /// A whole pairing: enrol, record its facts, advance until completed; every event is
    /// added to `kept` (the store modes collect them; the memory mode passes none and they are
    /// dropped where they are made, not copied into a sink).
    fn pairing(
        &mut self,
        id: &str,
        i: u64,
        actor: &Actor<'_>,
        mut kept: Option<&mut Vec<Event>>,
    ) -> Result<Pairing, EngineError> {
        let (mut p, first) = self.enrol(id, i, actor)?;
        let record = self.record_all(&mut p, &Self::facts(i), actor)?;
        if let Some(kept) = kept.as_mut() {
            kept.extend([first, record]);
        }
        while !self.done(&p) {
            self.step(&mut p, actor, kept.as_deref_mut())?;
        }
        Ok(p)
    }

    fn done(&self, p: &Pairing) -> bool {
        self.engine
            .program
            .stages
            .get(self.completed as usize)
            .is_some_and(|s| *s.id == *p.stage)
    }

    fn summary(&self, name: &str, n: u64, completed: usize, secs: f64) -> String {
        let checksum = self
            .log
            .iter()
            .filter(|r| r.to == self.completed)
            .fold(0, |acc, r| (acc + r.seq) % MOD);
        let retries = self
            .log
            .iter()
            .filter(|r| r.from == self.evaluation && r.to == self.goal_setting)
            .count();
        let transitions = self.log.last().map_or(0, |r| r.seq);
        format!(
            "engine={name}{}{ALLOCATOR_TAG} pairings={n} transitions={transitions} log_len={} completed={completed} retries={retries} \
             checksum={checksum} last_ts={} elapsed_s={secs:.6} tps={:.0}",
            if self.people { "-people" } else { "" },
            self.log.len(),
            self.log.last().map_or(0, |r| r.ts),
            transitions as f64 / secs
        )
    }
}

/// The names the driver gives its people, interned once (an interned name costs a lock).
struct PeopleNames {
    mentor: Name,
    mentee: Name,
    grade: Name,
    department: Name,
}

impl PeopleNames {
    fn new() -> PeopleNames {
        PeopleNames {
            mentor: Name::new("mentor"),
            mentee: Name::new("mentee"),
            grade: Name::new("grade"),
            department: Name::new("department"),
        }
    }
}

/// The "cohort-people" participants of pairing `i`: mentor grade 12 in eng; mentee k grade
/// 3 + k, in ops for even k and sales for odd k.
fn people(i: u64, names: &PeopleNames) -> Vec<Participant> {
    let person = |id: String, role: Name, grade: i64, department: &str| Participant {
        id,
        role,
        attributes: [
            (names.department, Value::Text(department.into())),
            (names.grade, Value::Int(grade)),
        ]
        .into(),
        facts: Default::default(),
        managers: Vec::new(),
    };
    let mut all = Vec::with_capacity(6);
    all.push(person(numbered("mentor-", i, ""), names.mentor, 12, "eng"));
    // `mentee-<i>-<k>`: the number formatted once, each id its copy and one digit.
    let prefix = numbered("mentee-", i, "-");
    for k in 0..5u8 {
        let department = if k % 2 == 0 { "ops" } else { "sales" };
        let mut id = String::with_capacity(prefix.len() + 1);
        id.push_str(&prefix);
        id.push(char::from(b'0' + k));
        all.push(person(id, names.mentee, 3 + i64::from(k), department));
    }
    all
}

/// `PREFIX<i>SUFFIX`, written digit by digit: the ids are made in the timed part, and the
/// formatting machinery took longer than the rest of making a person.
fn numbered(prefix: &str, i: u64, suffix: &str) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = i;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut id = String::with_capacity(prefix.len() + digits.len() - at + suffix.len());
    id.push_str(prefix);
    id.extend(digits[at..].iter().map(|d| char::from(*d)));
    id.push_str(suffix);
    id
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("cohort: {message}");
    std::process::exit(1)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut batch = 1000usize;
    let (mut people, mut lived) = (false, false);
    while let Some(a) = args.next() {
        if a == "--people" {
            people = true;
        } else if a == "--lived" {
            lived = true;
        } else if a == "--batch" {
            batch = args
                .next()
                .and_then(|b| b.parse().ok())
                .filter(|b| *b > 0)
                .unwrap_or_else(|| fail("--batch needs a positive number"));
        } else {
            positional.push(a);
        }
    }
    let n: u64 = positional
        .first()
        .map_or(Ok(100_000), |s| s.parse())
        .unwrap_or_else(|_| fail("N must be a whole number"));
    let mode = positional.get(1).map_or("memory", String::as_str);
    let file = if people {
        "benches/cohort-people.toml"
    } else {
        "benches/cohort.toml"
    };
    let program_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let loaded = mentorflow_dsl::load(&program_path);
    let report = loaded.render();
    let program = loaded.program.unwrap_or_else(|| fail(report));
    let engine = Engine::new(program);
    let now = Utc
        .timestamp_opt(T0, 0)
        .single()
        .unwrap_or_else(|| fail("bad T0"));
    let actor = Actor { name: "bench", now };
    let result = match mode {
        "memory" => memory(&engine, n, &actor),
        "store-batch" => stored(&engine, n, batch, &actor),
        "store-pairing" => stored(&engine, n, 1, &actor),
        "store-durable" => durable(&engine, n, now),
        "populate" => match positional.get(2) {
            Some(path) => populate(&engine, n, path, lived, &actor),
            None => fail("populate needs the store: cohort N populate PATH|postgres://..."),
        },
        other => fail(format!(
            "unknown mode `{other}`; modes: memory, store-batch, store-pairing, store-durable"
        )),
    };
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => fail(e),
    }
}

fn memory(engine: &Engine, n: u64, actor: &Actor<'_>) -> Result<String, String> {
    let mut d = Driver::new(engine);
    let mut pairings = Vec::with_capacity(n as usize);
    let started = Instant::now();
    for i in 0..n {
        // The events are the engine's output; the workload keeps only its own log.
        let p = d
            .pairing(&numbered("p-", i, ""), i, actor, None)
            .map_err(|e| e.to_string())?;
        pairings.push(p);
    }
    let secs = started.elapsed().as_secs_f64();
    let completed = pairings.iter().filter(|p| d.done(p)).count();
    Ok(d.summary("mentorflow-memory", n, completed, secs))
}

fn fresh_store(name: &str, durability: Durability) -> Result<(Ledger, PathBuf), String> {
    let path = std::env::temp_dir().join(format!(
        "mentorflow-cohort-{name}-{}.db",
        std::process::id()
    ));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    SqliteStore::create(&path).map_err(|e| e.to_string())?;
    let store = SqliteStore::open(&path, durability).map_err(|e| e.to_string())?;
    Ok((Ledger::new(Box::new(store)), path))
}

fn stored_transitions(store: &Ledger) -> u64 {
    let advance = |e: &&Event| {
        matches!(
            e.kind,
            EventKind::Moved {
                by: Move::Advance,
                ..
            }
        )
    };
    store
        .events(None)
        .map(|e| e.iter().filter(advance).count() as u64)
        .unwrap_or(0)
}

fn stored(engine: &Engine, n: u64, batch: usize, actor: &Actor<'_>) -> Result<String, String> {
    let name = if batch == 1 {
        "mentorflow-store-pairing"
    } else {
        "mentorflow-store-batch"
    };
    let (mut store, path) = fresh_store(name, Durability::Normal)?;
    let mut d = Driver::new(engine);
    let (mut done, mut completed) = (0u64, 0usize);
    let started = Instant::now();
    while done < n {
        let count = (batch as u64).min(n - done);
        let first = done;
        let created = store
            .enrol(
                &engine.program,
                SOURCE,
                actor.now,
                count as usize,
                true,
                &mut |k, id: String, _| {
                    let mut events = Vec::new();
                    let p = d.pairing(&id, first + k as u64, actor, Some(&mut events))?;
                    Ok((p, events))
                },
            )
            .map_err(|e| e.to_string())?;
        completed += created.len();
        done += count;
    }
    let secs = started.elapsed().as_secs_f64();
    let line = d.summary(name, n, completed, secs);
    let rows = stored_transitions(&store);
    drop(store);
    cleanup(&path);
    Ok(format!(
        "{line} db_transitions={rows} synchronous=NORMAL batch={batch}"
    ))
}

fn durable(engine: &Engine, n: u64, now: DateTime<Utc>) -> Result<String, String> {
    let (mut store, path) = fresh_store("durable", Durability::Full)?;
    let mut d = Driver::new(engine);
    let actor = Actor { name: "bench", now };
    let mut completed = 0usize;
    let started = Instant::now();
    'run: for i in 0..n {
        let created = store
            .enrol(
                &engine.program,
                SOURCE,
                now,
                1,
                true,
                // Enrolled with its facts in one command, as `enrol --fact` does.
                &mut |_, id: String, _| {
                    let (mut p, e) = d.enrol(&id, i, &actor)?;
                    let mut events = vec![e];
                    events.push(d.record_all(&mut p, &Driver::facts(i), &actor)?);
                    Ok((p, events))
                },
            )
            .map_err(|e| e.to_string())?;
        let id = created.first().cloned().unwrap_or_else(|| "".into());
        loop {
            let mut finished = false;
            store
                .update(&id, &mut |p, _| {
                    let mut events = Vec::new();
                    d.step(p, &actor, Some(&mut events))?;
                    finished = d.done(p);
                    Ok(events)
                })
                .map_err(|e| e.to_string())?;
            if d.seq >= DURABLE_LIMIT {
                break 'run;
            }
            if finished {
                completed += 1;
                break;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let line = d.summary("mentorflow-store-durable", n, completed, secs);
    let rows = stored_transitions(&store);
    drop(store);
    cleanup(&path);
    Ok(format!(
        "{line} db_transitions={rows} synchronous=FULL (first {DURABLE_LIMIT} transitions)"
    ))
}

fn populate(
    engine: &Engine,
    n: u64,
    path: &str,
    lived: bool,
    actor: &Actor<'_>,
) -> Result<String, String> {
    let location = mentorflow_engine::Location::parse(path).map_err(|e| e.to_string())?;
    let store: Box<dyn mentorflow_engine::store::Store> = match &location {
        mentorflow_engine::Location::File(file) => Box::new(
            SqliteStore::create(file)
                .and_then(|_| SqliteStore::open(file, Durability::Normal))
                .map_err(|e| e.to_string())?,
        ),
        postgres => mentorflow_engine::store::open(postgres, true).map_err(|e| e.to_string())?,
    };
    let mut store = Ledger::new(store);
    let mut d = Driver::new(engine);
    let started = Instant::now();
    let mut done = 0u64;
    while done < n {
        let count = 10_000.min(n - done);
        let first = done;
        store
            .enrol(
                &engine.program,
                SOURCE,
                actor.now,
                count as usize,
                true,
                &mut |k, id: String, _| {
                    let i = first + k as u64;
                    if lived {
                        let mut events = Vec::new();
                        let p = d.pairing(&id, i, actor, Some(&mut events))?;
                        return Ok((p, events));
                    }
                    let (mut p, e) = d.enrol(&id, i, actor)?;
                    let mut events = vec![e];
                    events.push(d.record_all(&mut p, &Driver::facts(i), actor)?);
                    Ok((p, events))
                },
            )
            .map_err(|e| e.to_string())?;
        done += count;
    }
    Ok(format!(
        "populated {location} with {n} pairings in {:.1}s",
        started.elapsed().as_secs_f64()
    ))
}

fn cleanup(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn ids_are_written_as_format_would() {
        for i in [0, 7, 10, 99_999, 1_000_000, u64::MAX] {
            assert_eq!(numbered("p-", i, ""), format!("p-{i}"));
            assert_eq!(numbered("mentee-", i, "-"), format!("mentee-{i}-"));
        }
    }
}
