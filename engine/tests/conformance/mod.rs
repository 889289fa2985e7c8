//! The store conformance suite: what every store adapter must do, checked through the same
//! public API the CLI uses. An adapter's test file implements [`Harness`] and invokes
//! `conformance!(harness)`; nothing here knows which database is underneath.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mentorflow_dsl::{Program, Value};
use mentorflow_engine::store::codec::chain;
use mentorflow_engine::store::{Abort, EventRow, PairingRow, Store, StoreError};
use mentorflow_engine::Breach;
use mentorflow_engine::{
    Advance, Change, Coordinator, EngineError, Enrolment, Error, FactChange, FixedClock, Options,
    Participant, PersonEdit,
};

/// Makes stores for the suite.
pub trait Harness {
    /// A new, empty store named `name` (unique per test).
    fn create(&self, name: &str) -> Box<dyn Store>;
    /// Another handle on the store named `name`, as a second coordinator would open it.
    fn open(&self, name: &str) -> Box<dyn Store>;
}

/// Generates, in module `$store`, one `#[test]` per conformance check for `$harness` (so
/// `cargo test $store` runs them all).
#[macro_export]
macro_rules! conformance {
    ($store:ident, $harness:expr) => {
        $crate::conformance_tests!(
            $store, $harness;
            enrolled_pairings_are_numbered_and_read_back,
            a_refused_import_stores_nothing_not_even_the_program,
            commands_append_events_and_update_the_projection,
            a_refused_command_stores_nothing,
            an_unknown_pairing_is_named_with_the_known_ids,
            bulk_commands_reach_every_running_pairing_across_batches,
            a_second_coordinator_decides_on_the_state_the_first_left,
            a_stale_projection_is_a_conflict_not_a_lost_update,
            verify_passes_on_an_intact_store,
            verify_detects_a_forged_event,
            verify_detects_an_event_filed_under_another_kind,
            verify_detects_a_projection_that_differs_from_its_events,
            commands_dated_before_the_latest_event_are_refused,
            a_clock_behind_the_latest_event_never_writes_before_it,
            pairings_stay_on_the_program_version_they_were_enrolled_with,
            list_filters_by_stage_type_program_outcome_and_due,
            pairings_move_to_a_new_version_under_a_mapping,
            a_write_gives_up_on_a_held_store_after_its_lock_wait,
            memberships_follow_who_takes_part_and_whether_the_pairing_runs,
            a_label_names_its_pairing,
            people_edits_are_chained_and_verified,
            verify_detects_a_members_index_that_differs_from_the_participants,
            a_late_delivery_result_from_a_taken_over_claim_changes_nothing,
            erased_people_leave_no_value_of_theirs_in_any_table_and_the_store_verifies,
            a_notice_and_a_reason_that_name_someone_go_with_their_erasure,
        );
    };
}

/// Helper of [`conformance!`].
#[macro_export]
macro_rules! conformance_tests {
    ($store:ident, $harness:expr; $($name:ident),* $(,)?) => {
        mod $store {
            $(
                #[test]
                fn $name() {
                    $crate::conformance::$name(&$harness, stringify!($name));
                }
            )*
        }
    };
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

/// `programs/NAME` of the workspace, from whichever crate's folder the tests run in.
fn shipped(name: &str) -> std::path::PathBuf {
    let here = Path::new("programs").join(name);
    if here.exists() {
        here
    } else {
        Path::new("..").join("programs").join(name)
    }
}

fn mentoring() -> Program {
    let loaded = mentorflow_dsl::load(&shipped("mentoring.toml"));
    let report = loaded.render();
    loaded.program.unwrap_or_else(|| panic!("{report}"))
}

fn coordinator(store: Box<dyn Store>, at: Option<DateTime<Utc>>) -> Coordinator {
    Coordinator::with_store(
        store,
        Options {
            actor: "tester".into(),
            at,
            clock: Arc::new(FixedClock::new(start())),
            script_budget: mentorflow_engine::SCRIPT_BUDGET,
            lock_wait: mentorflow_engine::LOCK_WAIT,
        },
    )
}

fn person(id: &str, role: &str, years: i64) -> Participant {
    Participant {
        id: id.into(),
        role: role.into(),
        attributes: [("experience_years".to_string(), Value::Int(years))].into(),
        facts: Default::default(),
        managers: Vec::new(),
    }
}

fn one_on_one(n: usize) -> Enrolment {
    Enrolment {
        type_id: "one-on-one".into(),
        participants: vec![
            person(&format!("mentor-{n}"), "mentor", 10),
            person(&format!("mentee-{n}"), "mentee", 1),
        ],
        label: None,
        facts: Vec::new(),
    }
}

fn facts(pairs: &[(&str, &str)]) -> Vec<(String, FactChange)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_string(), FactChange::Set((*v).to_string())))
        .collect()
}

/// A store with `n` one-on-one pairings of mentoring.toml.
fn enrolled(h: &dyn Harness, name: &str, n: usize) -> Coordinator {
    let mut c = coordinator(h.create(name), None);
    let all: Vec<Enrolment> = (1..=n).map(one_on_one).collect();
    c.import(&mentoring(), "programs/mentoring.toml", &all)
        .expect("import");
    c
}

pub fn enrolled_pairings_are_numbered_and_read_back(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let created = c
        .import(
            &mentoring(),
            "programs/mentoring.toml",
            &[one_on_one(1), one_on_one(2)][..],
        )
        .expect("import");
    let ids: Vec<&str> = created.iter().map(|id| &**id).collect();
    assert_eq!(ids, ["p-1", "p-2"]);
    let more = c
        .enrol(&mentoring(), "programs/mentoring.toml", &one_on_one(3))
        .expect("enrol");
    assert_eq!(&*more.id, "p-3", "numbers continue after the highest");
    let second = c.pairing("p-2").expect("read back");
    assert_eq!((&*second.id, &*second.type_id), ("p-2", "one-on-one"));
    let versions = c.programs().expect("programs");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].pairings, 3);
    assert_eq!(versions[0].path, "programs/mentoring.toml");
}

pub fn a_refused_import_stores_nothing_not_even_the_program(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let mut bad = one_on_one(2);
    bad.participants[0].attributes = Default::default();
    // Pairings are written as they are made: a good one before the first refusal is rolled
    // back, and the ones after it are still checked, so every refusal is reported.
    let err = c
        .import(
            &mentoring(),
            "m.toml",
            &[one_on_one(1), bad.clone(), one_on_one(3), bad][..],
        )
        .expect_err("the second and fourth enrolments lack an attribute");
    let refused = |row: &(usize, Error)| matches!(&row.1, Error::Engine(e) if matches!(**e, EngineError::EnrolmentRefused { .. }));
    assert!(
        matches!(&err, Error::Rows(rows) if rows.len() == 2 && rows[0].0 == 1 && rows[1].0 == 3
            && rows.iter().all(refused)),
        "{err:?}"
    );
    assert!(c.list(&Default::default()).expect("list").is_empty());
    assert!(c.programs().expect("programs").is_empty());
    assert!(c.log(None).expect("log").is_empty());
}

pub fn commands_append_events_and_update_the_projection(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 1);
    c.record(
        "p-1",
        &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
    )
    .expect("record");
    let moved = c.advance("p-1", &Advance::Next).expect("advance");
    assert_eq!(moved.len(), 1);
    let p = c.pairing("p-1").expect("pairing");
    assert_eq!(&*p.stage, "orientation");
    assert_eq!(p.last_seq, 3);
    let log = c.log(Some("p-1")).expect("log");
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(log[2], moved[0]);
}

pub fn a_refused_command_stores_nothing(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 1);
    let before = c.log(None).expect("log");
    let err = c
        .advance("p-1", &Advance::Next)
        .expect_err("no guard holds");
    assert!(
        matches!(&err, Error::Engine(e) if matches!(**e, EngineError::Refused(_))),
        "{err:?}"
    );
    let err = c
        .record(
            "p-1",
            &facts(&[("goals_total", "2"), ("mentee_rating", "9")]),
        )
        .expect_err("9 is out of range");
    assert!(matches!(&err, Error::Engine(_)), "{err:?}");
    assert_eq!(c.log(None).expect("log"), before);
    assert_eq!(c.pairing("p-1").expect("pairing").last_seq, 1);
}

pub fn an_unknown_pairing_is_named_with_the_known_ids(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 2);
    let err = c
        .record("p-9", &facts(&[("meetings", "1")]))
        .expect_err("no p-9");
    match err {
        Error::UnknownPairing { id, known } => {
            assert_eq!(id, "p-9");
            assert_eq!(known, ["p-1", "p-2"]);
        }
        other => panic!("{other:?}"),
    }
}

pub fn bulk_commands_reach_every_running_pairing_across_batches(h: &dyn Harness, name: &str) {
    let n = 1_203;
    let mut c = enrolled(h, name, n);
    for id in ["p-1", "p-600", "p-1203"] {
        c.record(
            id,
            &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
        )
        .expect("record");
    }
    c.withdraw("p-2", "moved").expect("withdraw");
    let (mut seen, mut total) = (Vec::new(), None);
    let mut stored = 0;
    let report = c
        .advance_all(&mut |step| match step {
            mentorflow_engine::BulkStep::Total(t) => total = Some(t),
            mentorflow_engine::BulkStep::Seen(k) => seen.push(k),
            mentorflow_engine::BulkStep::Stored(_) => stored += 1,
        })
        .expect("advance all");
    assert_eq!(
        total,
        Some(n as u64 - 1),
        "the total is said first: the running pairings"
    );
    assert_eq!(
        report.seen,
        n as u64 - 1,
        "every running pairing, not the withdrawn one"
    );
    assert_eq!(report.stored, 3);
    assert_eq!(stored, 3);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert!(seen.len() >= 3, "progress after each batch: {seen:?}");
    assert_eq!(seen.last(), Some(&(n as u64 - 1)));
    assert_eq!(&*c.pairing("p-1203").expect("last").stage, "orientation");
    let tick = c.tick(&mut |_| {}).expect("tick");
    assert_eq!(tick.bulk.seen, n as u64 - 1);
    assert!(c.verify(None).expect("verify").breaches.is_empty());
}

pub fn a_write_gives_up_on_a_held_store_after_its_lock_wait(h: &dyn Harness, name: &str) {
    let mut first = h.create(name);
    let mut second = h.open(name);
    second
        .set_lock_wait(std::time::Duration::ZERO)
        .expect("lock wait");
    // The second store tries to write while the first holds the write lock.
    let mut waited = None;
    first
        .write(&mut |_| {
            waited = Some(second.write(&mut |_| Ok(())));
            Ok(())
        })
        .expect("the first writes");
    match waited {
        Some(Err(Abort::Store(StoreError::Busy(_, wait)))) => {
            assert_eq!(wait, std::time::Duration::ZERO)
        }
        other => panic!("expected the store to be busy, got {other:?}"),
    }
    second
        .write(&mut |_| Ok(()))
        .expect("once the lock is free, the second writes");
}

pub fn a_second_coordinator_decides_on_the_state_the_first_left(h: &dyn Harness, name: &str) {
    let mut first = enrolled(h, name, 1);
    let mut second = coordinator(h.open(name), None);
    first
        .record(
            "p-1",
            &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
        )
        .expect("first records");
    second
        .advance("p-1", &Advance::Next)
        .expect("second sees the facts");
    first
        .record("p-1", &facts(&[("orientation_done", "true")]))
        .expect("first continues after the second's move");
    let log = second.log(Some("p-1")).expect("log");
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert!(first.verify(None).expect("verify").breaches.is_empty());
}

pub fn a_stale_projection_is_a_conflict_not_a_lost_update(h: &dyn Harness, name: &str) {
    let c = enrolled(h, name, 1);
    let state = serde_json::to_string(&c.pairing("p-1").expect("p-1")).expect("json");
    drop(c);
    let mut store = h.open(name);
    let row = PairingRow {
        id: "p-1",
        program_hash: "x",
        program_id: "mentoring",
        type_id: "one-on-one",
        stage: "preparation",
        outcome: None,
        due: None,
        last_seq: 2,
        state: &state,
        label: None,
        members: None,
    };
    let mut applied = None;
    store
        .write(&mut |tx| {
            applied = Some(tx.update_pairing(&row, 7)?);
            Ok(())
        })
        .expect("write");
    assert_eq!(
        applied,
        Some(false),
        "an update from a stale seq must not apply"
    );
    let c = coordinator(h.open(name), None);
    assert_eq!(c.pairing("p-1").expect("p-1").last_seq, 1);
}

pub fn verify_passes_on_an_intact_store(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 3);
    c.record(
        "p-1",
        &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
    )
    .expect("record");
    c.advance("p-1", &Advance::Next).expect("advance");
    c.withdraw("p-2", "moved").expect("withdraw");
    let report = c.verify(None).expect("verify");
    assert_eq!(report.events, 6);
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
}

/// Pairing p-1 with its facts recorded, and then, behind the ledger's back, a copy of that
/// last event as seq 3 under `kind`, its hash made by `link` from the chain head and its body.
/// The verify report afterwards.
fn forged_third_event(
    h: &dyn Harness,
    name: &str,
    kind: &str,
    link: impl Fn(&str, &str) -> String,
) -> mentorflow_engine::VerifyReport {
    let mut c = enrolled(h, name, 1);
    c.record("p-1", &facts(&[("meetings", "3")]))
        .expect("record");
    let head = c.verify(None).expect("verify").head;
    let mut forged = c.log(Some("p-1")).expect("log").pop().expect("event");
    drop(c);
    forged.seq = 3;
    let body = serde_json::to_string(&forged).expect("json");
    let mut store = h.open(name);
    store
        .write(&mut |tx| {
            tx.append(&EventRow {
                pairing: "p-1",
                seq: 3,
                kind,
                body: &body,
                hash: &link(&head, &body),
            })?;
            Ok(())
        })
        .expect("forge");
    coordinator(h.open(name), None)
        .verify(None)
        .expect("verify")
}

pub fn verify_detects_a_forged_event(h: &dyn Harness, name: &str) {
    // A hash that does not continue the chain.
    let report = forged_third_event(h, name, "facts_recorded", |_, body| chain("", body));
    assert!(
        matches!(report.breaches.first(), Some(Breach::ChainBroken(at)) if at.pairing == "p-1" && at.seq == 3),
        "{:?}",
        report.breaches
    );
    assert!(
        report
            .breaches
            .iter()
            .any(|b| matches!(b, Breach::StateDiffers { pairing, .. } if pairing == "p-1")),
        "the extra event makes the fold differ from the state: {:?}",
        report.breaches
    );
}

pub fn verify_detects_an_event_filed_under_another_kind(h: &dyn Harness, name: &str) {
    // A link that continues the chain, under a kind the report reads (a move) that its body
    // is not: the report would read it, so verify must notice.
    let report = forged_third_event(h, name, "moved", chain);
    assert!(
        report
            .breaches
            .iter()
            .any(|b| matches!(b, Breach::BodyMismatch(at) if at.pairing == "p-1" && at.seq == 3)),
        "{:?}",
        report.breaches
    );
    assert!(
        !report
            .breaches
            .iter()
            .any(|b| matches!(b, Breach::ChainBroken(_))),
        "the chain itself is intact: {:?}",
        report.breaches
    );
}

pub fn verify_detects_a_projection_that_differs_from_its_events(h: &dyn Harness, name: &str) {
    let c = enrolled(h, name, 1);
    let mut p = c.pairing("p-1").expect("p-1");
    drop(c);
    p.stage = "evaluation".into();
    let state = serde_json::to_string(&p).expect("json");
    let mut store = h.open(name);
    store
        .write(&mut |tx| {
            let row = PairingRow {
                id: "p-1",
                program_hash: &p.program_hash,
                program_id: &p.program_id,
                type_id: &p.type_id,
                stage: "preparation",
                outcome: None,
                due: None,
                last_seq: 1,
                state: &state,
                label: None,
                members: None,
            };
            assert!(tx.update_pairing(&row, 1)?);
            Ok(())
        })
        .expect("tamper");
    let mut c = coordinator(h.open(name), None);
    let breaches = c.verify(None).expect("verify").breaches;
    assert!(
        breaches
            .iter()
            .any(|b| matches!(b, Breach::StateDiffers { pairing, .. } if pairing == "p-1")),
        "{breaches:?}"
    );
    assert!(
        breaches
            .iter()
            .any(|b| matches!(b, Breach::ColumnsDiffer { pairing } if pairing == "p-1")),
        "{breaches:?}"
    );
}

pub fn commands_dated_before_the_latest_event_are_refused(h: &dyn Harness, name: &str) {
    drop(enrolled(h, name, 1));
    let mut later = coordinator(h.open(name), Some(start() + Duration::days(3)));
    later
        .record("p-1", &facts(&[("meetings", "1")]))
        .expect("record");
    let mut earlier = coordinator(h.open(name), Some(start() + Duration::days(1)));
    let err = earlier
        .record("p-1", &facts(&[("meetings", "2")]))
        .expect_err("dated before the latest event");
    assert!(
        matches!(&err, Error::Engine(e) if matches!(**e, EngineError::BeforeLatestEvent { .. })),
        "{err:?}"
    );
    assert_eq!(earlier.pairing("p-1").expect("p-1").last_seq, 2);
}

pub fn a_clock_behind_the_latest_event_never_writes_before_it(h: &dyn Harness, name: &str) {
    drop(enrolled(h, name, 1));
    let ahead = start() + Duration::days(5);
    let mut other = coordinator(h.open(name), Some(ahead));
    other
        .record("p-1", &facts(&[("meetings", "1")]))
        .expect("record");
    // This coordinator's clock stands at the start, five days behind the other's event.
    let mut behind = coordinator(h.open(name), None);
    let events = behind
        .record("p-1", &facts(&[("meetings", "2")]))
        .expect("the clock is moved up to the latest event, not refused");
    assert_eq!(events.events[0].at, ahead);
}

pub fn pairings_stay_on_the_program_version_they_were_enrolled_with(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 1);
    let old = mentoring();
    // The same program with a looser first guard: a new version.
    let text = std::fs::read_to_string(shipped("mentoring.toml"))
        .expect("read")
        .replace(
            "guard = \"facts.mentor_assigned && facts.schedule_set\"",
            "guard = \"facts.mentor_assigned\"",
        );
    let loaded = mentorflow_dsl::load_str(Path::new("mentoring-v2.toml"), &text);
    let new = loaded.program.expect("v2 checks");
    assert_ne!(new.hash, old.hash);
    c.enrol(&new, "mentoring-v2.toml", &one_on_one(2))
        .expect("enrol on v2");
    for id in ["p-1", "p-2"] {
        c.record(id, &facts(&[("mentor_assigned", "true")]))
            .expect("record");
    }
    assert!(
        c.advance("p-1", &Advance::Next).is_err(),
        "v1 still needs a schedule"
    );
    c.advance("p-2", &Advance::Next).expect("v2 does not");
    let versions = c.programs().expect("programs");
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v.pairings == 1), "{versions:?}");
    assert_eq!(c.status("p-1").expect("status").program.hash, old.hash);
    drop(c);
    // A new process loads each version from the store's copy, not from any file.
    let mut fresh = coordinator(h.open(name), None);
    assert_eq!(fresh.program(&new.hash).expect("v2").hash, new.hash);
    assert!(fresh.verify(None).expect("verify").breaches.is_empty());
}

pub fn list_filters_by_stage_type_program_outcome_and_due(h: &dyn Harness, name: &str) {
    use mentorflow_engine::store::{Filter, OutcomeFilter};
    let mut c = enrolled(h, name, 3);
    c.record(
        "p-1",
        &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
    )
    .expect("record");
    c.advance("p-1", &Advance::Next).expect("advance");
    c.withdraw("p-3", "moved").expect("withdraw");
    let ids = |c: &mut Coordinator, f: Filter| -> Vec<String> {
        c.list(&f)
            .expect("list")
            .iter()
            .map(|p| p.id.to_string())
            .collect()
    };
    let stage = Filter {
        stage: Some("orientation".into()),
        ..Filter::default()
    };
    assert_eq!(ids(&mut c, stage), ["p-1"]);
    let active = Filter {
        outcome: Some(OutcomeFilter::Active),
        ..Filter::default()
    };
    assert_eq!(ids(&mut c, active), ["p-1", "p-2"]);
    let withdrawn = Filter {
        outcome: Some(OutcomeFilter::Is("withdrawn".into())),
        type_id: Some("one-on-one".into()),
        program: Some("mentoring".into()),
        ..Filter::default()
    };
    assert_eq!(ids(&mut c, withdrawn), ["p-3"]);
    // Orientation (p-1) is due after 7 days, preparation (p-2) after 14.
    let overdue = |days| Filter {
        due_before: Some(start() + Duration::days(days)),
        ..Filter::default()
    };
    assert_eq!(ids(&mut c, overdue(8)), ["p-1"]);
    assert_eq!(ids(&mut c, overdue(15)), ["p-1", "p-2"]);
    let typo = Filter {
        stage: Some("orientaton".into()),
        ..Filter::default()
    };
    assert!(matches!(
        c.list(&typo),
        Err(Error::UnknownFilter { what: "stage", .. })
    ));
}

pub fn pairings_move_to_a_new_version_under_a_mapping(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 2);
    c.record(
        "p-1",
        &facts(&[("mentor_assigned", "true"), ("schedule_set", "true")]),
    )
    .expect("record");
    c.advance("p-1", &Advance::Next).expect("to orientation");
    // The new version renames orientation and adds a fact with no default.
    let text = std::fs::read_to_string(shipped("mentoring.toml"))
        .expect("read")
        .replace("[stages.orientation]", "[stages.induction]")
        .replace("\"orientation\"", "\"induction\"")
        .replace(
            "[facts.video_ready]",
            "[facts.buddy]\ntype = \"text\"\n\n[facts.video_ready]",
        )
        .replace(
            "guard = \"facts.orientation_done\"",
            "guard = \"facts.orientation_done && facts.buddy != ()\"",
        );
    let loaded = mentorflow_dsl::load_str(Path::new("mentoring-v2.toml"), &text);
    let report = loaded.render();
    let new = loaded.program.unwrap_or_else(|| panic!("{report}"));
    let mut mapping = mentorflow_engine::Mapping::default();
    let refused = c.migrate(
        &new,
        "mentoring-v2.toml",
        &mapping,
        &Default::default(),
        false,
    );
    assert!(
        matches!(&refused, Err(Error::Rows(rows)) if rows.len() == 1),
        "{refused:?}"
    );
    assert_eq!(
        c.programs().expect("programs").len(),
        1,
        "a refused run stores nothing"
    );
    mapping
        .stages
        .insert("orientation".into(), "induction".into());
    mapping.set.insert("buddy".into(), "kim".into());
    let dry = c
        .migrate(
            &new,
            "mentoring-v2.toml",
            &mapping,
            &Default::default(),
            true,
        )
        .expect("dry run");
    assert_eq!(dry.len(), 2);
    assert_eq!(
        c.pairing("p-1").expect("p-1").stage.as_ref(),
        "orientation",
        "dry run"
    );
    let moved = c
        .migrate(
            &new,
            "mentoring-v2.toml",
            &mapping,
            &Default::default(),
            false,
        )
        .expect("migrate");
    assert_eq!(moved.len(), 2);
    let p1 = c.pairing("p-1").expect("p-1");
    assert_eq!(
        (&*p1.stage, &*p1.program_hash),
        ("induction", new.hash.as_str())
    );
    assert!(c
        .programs()
        .expect("programs")
        .iter()
        .all(|v| v.pairings == u64::from(v.hash == new.hash) * 2));
    c.record("p-1", &facts(&[("orientation_done", "true")]))
        .expect("record on the new version");
    c.advance("p-1", &Advance::Next)
        .expect("the new version's guard holds");
    let mut fresh = coordinator(h.open(name), None);
    assert!(fresh.verify(None).expect("verify").breaches.is_empty());
}

/// The members index the rules across pairings read: who takes part in which running
/// pairing, kept through joins, leaves and endings, and rebuilt by nothing but the adapter.
pub fn memberships_follow_who_takes_part_and_whether_the_pairing_runs(h: &dyn Harness, name: &str) {
    let mut c = enrolled(h, name, 2);
    let read = |h: &dyn Harness, person: &str| {
        let mut store = h.open(name);
        let mut found = Vec::new();
        store
            .write(&mut |tx| {
                found = tx.memberships(person)?;
                Ok(())
            })
            .expect("read memberships");
        found
            .into_iter()
            .map(|m| (m.pairing, m.program_id, m.role, m.members))
            .collect::<Vec<_>>()
    };
    let one = |p: &str, role: &str, n: u32| (p.to_string(), "mentoring".into(), role.into(), n);
    assert_eq!(read(h, "mentor-1"), [one("p-1", "mentor", 2)]);
    c.replace("p-2", "mentee-2", &person("mentor-1", "mentee", 1), None)
        .expect("replace");
    assert_eq!(
        read(h, "mentor-1"),
        [one("p-1", "mentor", 2), one("p-2", "mentee", 2)]
    );
    assert!(read(h, "mentee-2").is_empty(), "who left is no member");
    c.withdraw("p-1", "moved").expect("withdraw");
    assert_eq!(
        read(h, "mentor-1"),
        [one("p-2", "mentee", 2)],
        "an ended pairing is not counted"
    );
    assert!(c.verify(None).expect("verify").breaches.is_empty());
}

pub fn a_label_names_its_pairing(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let labelled = |n: usize, label: &str| Enrolment {
        label: Some(label.into()),
        ..one_on_one(n)
    };
    c.import(
        &mentoring(),
        "programs/mentoring.toml",
        &[labelled(1, "r01"), labelled(2, "r02")][..],
    )
    .expect("import");
    assert_eq!(&*c.pairing("r02").expect("by label").id, "p-2");
    c.record("r01", &facts(&[("mentor_assigned", "true")]))
        .expect("record by label");
    assert_eq!(c.log(Some("r01")).expect("log").len(), 2);
    c.import(
        &mentoring(),
        "programs/mentoring.toml",
        &[labelled(3, "r01")][..],
    )
    .expect("import");
    match c.pairing("r01") {
        Err(Error::AmbiguousLabel { pairings, .. }) => assert_eq!(pairings, ["p-1", "p-3"]),
        other => panic!("expected an ambiguous label, got {other:?}"),
    }
}

pub fn people_edits_are_chained_and_verified(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let person = |id: &str, manager: Option<&str>, grade: &str| PersonEdit {
        id: id.into(),
        name: Some(Change::Set(format!("Person {id}"))),
        manager: manager.map(|m| Change::Set(m.to_string())),
        attributes: [("grade".to_string(), Change::Set(grade.to_string()))].into(),
        inactive: None,
    };
    let report = c
        .record_people(
            &[person("boss", None, "12"), person("ana", Some("boss"), "9")],
            false,
        )
        .expect("record");
    assert_eq!(report.added, ["boss", "ana"]);
    let report = c
        .record_people(
            &[
                person("ana", Some("boss"), "10"),
                person("boss", None, "12"),
            ],
            false,
        )
        .expect("record");
    assert_eq!((report.changed.len(), report.unchanged.len()), (1, 1));
    let people = c.people().expect("people");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].attributes["grade"], "10", "by id: ana first");
    assert_eq!(people[0].manager.as_deref(), Some("boss"));
    let refused = c.record_people(&[person("x", Some("nobody"), "1")], false);
    assert!(
        matches!(refused, Err(Error::Rows(ref rows)) if rows.len() == 1),
        "{refused:?}"
    );
    // An edit merges: what it does not name stays; a dry run stores nothing.
    let department = PersonEdit {
        id: "ana".into(),
        attributes: [("department".to_string(), Change::Set("sales".into()))].into(),
        ..PersonEdit::default()
    };
    let dry = c
        .record_people(std::slice::from_ref(&department), true)
        .expect("dry run");
    assert!(dry.dry_run);
    assert_eq!(dry.differences[0].1[0].field, "department");
    assert!(!c.people().expect("people")[0]
        .attributes
        .contains_key("department"));
    c.record_people(&[department], false).expect("merge");
    let ana = c.people().expect("people").remove(0);
    assert_eq!(ana.attributes["grade"], "10");
    assert_eq!(ana.attributes["department"], "sales");
    assert_eq!(ana.name, "Person ana");
    let cleared = PersonEdit {
        id: "ana".into(),
        attributes: [("department".to_string(), Change::Unset)].into(),
        ..PersonEdit::default()
    };
    c.record_people(&[cleared], false).expect("clear");
    let ana = c.people().expect("people").remove(0);
    assert!(!ana.attributes.contains_key("department"));
    assert_eq!(ana.attributes["grade"], "10");
    assert_eq!(c.log(Some("person:ana")).expect("log").len(), 4);
    // Enrolment takes the registry's line: ana reports to boss.
    let mut enrolment = one_on_one(1);
    enrolment.participants[0].id = "ana".into();
    let p = c
        .enrol(&mentoring(), "programs/mentoring.toml", &enrolment)
        .expect("enrol");
    assert_eq!(p.participants[0].managers, ["boss"]);
    let report = c.verify(None).expect("verify");
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    assert_eq!(report.events, 5 + 1, "five edits, one enrolment");
}

pub fn verify_detects_a_members_index_that_differs_from_the_participants(
    h: &dyn Harness,
    name: &str,
) {
    let c = enrolled(h, name, 2);
    let p = c.pairing("p-2").expect("p-2");
    drop(c);
    let state = serde_json::to_string(&p).expect("json");
    let mut store = h.open(name);
    store
        .write(&mut |tx| {
            // The projection as it is, but an index that leaves the mentor out.
            let row = PairingRow {
                id: "p-2",
                program_hash: &p.program_hash,
                program_id: &p.program_id,
                type_id: &p.type_id,
                stage: &p.stage,
                outcome: None,
                due: None,
                last_seq: p.last_seq,
                state: &state,
                label: None,
                members: Some(&[("mentee-2", "mentee")]),
            };
            assert!(tx.update_pairing(&row, p.last_seq)?);
            Ok(())
        })
        .expect("tamper");
    let mut c = coordinator(h.open(name), None);
    let breaches = c.verify(None).expect("verify").breaches;
    assert!(
        breaches
            .iter()
            .any(|b| matches!(b, Breach::MembersDiffer { pairing } if pairing == "p-2")),
        "{breaches:?}"
    );
    assert!(
        !breaches
            .iter()
            .any(|b| matches!(b, Breach::MembersDiffer { pairing } if pairing == "p-1")),
        "{breaches:?}"
    );
}

/// `tests/fixtures/store/notifying.toml` of the workspace: a notice on entering each stage.
fn notifying() -> Program {
    fixture("notifying.toml")
}

/// `tests/fixtures/store/FILE` of the workspace, checked.
fn fixture(file: &str) -> Program {
    let here = Path::new("tests/fixtures/store").join(file);
    let path = if here.exists() {
        here
    } else {
        Path::new("..").join(here)
    };
    let loaded = mentorflow_dsl::load(&path);
    let report = loaded.render();
    loaded.program.unwrap_or_else(|| panic!("{report}"))
}

/// Fencing: deliverer A's claim on #1 runs out and B takes it over and delivers it; A's late
/// failure (and a late success) changes nothing, and a live claim is respected.
pub fn a_late_delivery_result_from_a_taken_over_claim_changes_nothing(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let runner = |id: &str| Enrolment {
        type_id: "solo".into(),
        participants: vec![Participant {
            id: id.into(),
            role: "runner".into(),
            attributes: Default::default(),
            facts: Default::default(),
            managers: Vec::new(),
        }],
        label: None,
        facts: Vec::new(),
    };
    let roster = vec![runner("ana"), runner("bo")];
    c.import(&notifying(), "notifying.toml", roster.as_slice())
        .expect("import");
    let mut store = h.open(name);
    let (t0, t1, t2) = (
        "2026-01-05T09:00:00.000Z",
        "2026-01-05T09:00:00.500Z",
        "2026-01-05T09:00:01.000Z",
    );
    assert!(store.claim(1, t0, t1, "a").expect("claim"));
    // A's claim is live at 0.4 s, expired at 0.5 s: to the millisecond.
    assert!(!store
        .claim(1, "2026-01-05T09:00:00.400Z", t2, "b")
        .expect("claim"));
    assert!(store.claim(1, t1, t2, "b").expect("claim"));
    assert!(store.attempted(1, "b", t1, None).expect("B delivers"));
    assert!(!store
        .attempted(1, "a", t2, Some("mail server down"))
        .expect("A late"));
    assert!(!store.attempted(1, "a", t2, None).expect("A late"));
    let rows = store.outbox(true).expect("outbox");
    let first = &rows[0].0;
    assert_eq!(first.delivered_at.as_deref(), Some(t1));
    assert_eq!((first.attempts, first.last_error.as_deref()), (1, None));
    assert_eq!(store.pending_count().expect("count"), 1);
    let page = store.pending(0, 10).expect("page");
    assert_eq!(page.iter().map(|(r, _)| r.id).collect::<Vec<_>>(), [2]);
}

/// A value only `id` has: their name, department and e-mail carry it.
fn secret(id: &str) -> String {
    format!("secret<{id}>")
}

/// Every row of every table `store` holds, as text.
fn every_row(store: &dyn Store) -> Vec<String> {
    let mut rows = Vec::new();
    store
        .read(&mut |r| {
            loop {
                let page = r.events_in_order()?;
                if page.is_empty() {
                    break;
                }
                rows.extend(page.into_iter().map(|e| format!("event {}", e.body)));
            }
            loop {
                let page = r.pairings()?;
                if page.is_empty() {
                    break;
                }
                rows.extend(page.into_iter().map(|p| p.state));
            }
            loop {
                let page = r.people()?;
                if page.is_empty() {
                    break;
                }
                rows.extend(page.into_iter().map(|p| format!("{} {}", p.id, p.state)));
            }
            rows.extend(
                r.person_keys()?
                    .into_iter()
                    .map(|(p, k)| format!("{p} {k}")),
            );
            Ok(())
        })
        .expect("read");
    rows.extend(
        store
            .outbox(true)
            .expect("outbox")
            .into_iter()
            .map(|(row, body)| format!("outbox {row:?} {body}")),
    );
    rows
}

pub fn erased_people_leave_no_value_of_theirs_in_any_table_and_the_store_verifies(
    h: &dyn Harness,
    name: &str,
) {
    let mut c = coordinator(h.create(name), None);
    let entry = |id: String| PersonEdit {
        name: Some(Change::Set(format!("Name {}", secret(&id)))),
        attributes: [
            ("department".to_string(), Change::Set(secret(&id))),
            (
                "email".to_string(),
                Change::Set(format!("{}@corp", secret(&id))),
            ),
        ]
        .into(),
        id,
        ..PersonEdit::default()
    };
    let people: Vec<PersonEdit> = (1..=40)
        .flat_map(|n| [format!("mentor-{n}"), format!("mentee-{n}")])
        .map(entry)
        .collect();
    c.record_people(&people, false).expect("people");
    let all: Vec<Enrolment> = (1..=40).map(one_on_one).collect();
    c.import(&mentoring(), "programs/mentoring.toml", &all)
        .expect("import");
    c.record("p-7", &facts(&[("mentor_assigned", "true")]))
        .expect("record");
    let before = c.verify(None).expect("verify").events;
    for (id, why) in [
        ("mentor-3", "asked on 2026-01-05"),
        ("mentee-7", "left the company"),
        ("mentee-12", "asked"),
    ] {
        let erased = c.erase_person(id, why).expect("erase");
        assert_eq!(erased.pairings.len(), 1, "{erased:?}");
        assert!(erased.registered && !erased.key.is_empty(), "{erased:?}");
        // The store's files were rewritten too (SQLite's log folded in, PostgreSQL vacuumed).
        assert_eq!(erased.lingers, None);
    }
    let report = c.verify(None).expect("verify");
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    assert_eq!(
        report.events,
        before + 6,
        "an erasure each, and in each pairing"
    );
    // Nothing of theirs in any table; someone not erased is still there to be found.
    let rows = every_row(&*h.open(name));
    for id in ["mentor-3", "mentee-7", "mentee-12"] {
        let found: Vec<&String> = rows.iter().filter(|r| r.contains(&secret(id))).collect();
        assert!(found.is_empty(), "{id}'s values: {found:?}");
        assert!(
            !rows.iter().any(|r| r.starts_with(&format!("{id} "))),
            "{id}'s key or entry"
        );
    }
    // Everyone's values are sealed in the log; the projections hold the living's in clear.
    let in_clear = |r: &&String| r.contains(&secret("mentor-4"));
    assert!(rows
        .iter()
        .filter(|r| r.starts_with("event "))
        .all(|r| !in_clear(&r)));
    assert!(rows.iter().any(|r| in_clear(&r)));
    // Every pairing is still counted, with its people's ids and roles.
    let pairings = c
        .list(&mentorflow_engine::store::Filter::default())
        .expect("list");
    assert_eq!(pairings.len(), 40);
    let p7 = c.pairing("p-7").expect("p-7");
    assert_eq!(p7.erased, ["mentee-7"]);
    assert_eq!(p7.participants[1].id, "mentee-7");
    assert!(p7.participants[1].attributes.is_empty());
    assert_eq!(c.people().expect("people").len(), 77);
    let export = c.export_person("mentee-7", true).expect("export");
    assert!(export.registered.is_none());
    assert_eq!(
        export.erased.as_ref().and_then(|e| e.reason.as_deref()),
        Some("left the company")
    );
    assert!(matches!(
        c.erase_person("mentee-7", "again"),
        Err(Error::AlreadyErased { .. })
    ));
    drop(c);
    // A pairing enrolled with someone after their pairings were read (here: not handed to
    // the erasure at all) would keep their values: the erasure stops and changes nothing.
    let mut ledger = mentorflow_engine::Ledger::new(h.open(name));
    let raced = ledger.erase("mentee-8", (start(), "tester", "asked"), &[]);
    assert!(
        matches!(raced, Err(Error::Store(StoreError::Conflict(ref p))) if p == "p-8"),
        "{raced:?}"
    );
    let mut c = coordinator(h.open(name), None);
    assert_eq!(c.verify(None).expect("verify").events, before + 6);
}

/// A notice and a reason that name someone are sealed for everyone of their pairing: they
/// read in full until one of them is erased, then only a reason's code is left, the notice
/// leaves the outbox, and the store verifies.
pub fn a_notice_and_a_reason_that_name_someone_go_with_their_erasure(h: &dyn Harness, name: &str) {
    let mut c = coordinator(h.create(name), None);
    let entry = |id: &str| PersonEdit {
        id: id.into(),
        attributes: [("email".to_string(), Change::Set(secret(id)))].into(),
        ..PersonEdit::default()
    };
    let people: Vec<PersonEdit> = ["ana", "bo", "cy", "dee"].map(entry).into();
    c.record_people(&people, false).expect("people");
    let pair = |mentor: &str, mentee: &str| Enrolment {
        type_id: "pair".into(),
        participants: vec![
            Participant {
                id: mentor.into(),
                role: "mentor".into(),
                attributes: Default::default(),
                facts: Default::default(),
                managers: Vec::new(),
            },
            Participant {
                id: mentee.into(),
                role: "mentee".into(),
                attributes: Default::default(),
                facts: Default::default(),
                managers: Vec::new(),
            },
        ],
        label: None,
        facts: Vec::new(),
    };
    c.import(
        &fixture("welcoming.toml"),
        "welcoming.toml",
        &[pair("ana", "bo"), pair("cy", "dee")][..],
    )
    .expect("import");
    for (id, who) in [("p-1", "bo"), ("p-2", "dee")] {
        let why = format!("no-time: {} moved away", secret(who));
        c.withdraw(id, &why).expect("withdraw");
    }
    // In full while everyone is kept: the deliverer and the log read them.
    let notice = |c: &Coordinator, id: &str| {
        c.outbox(true)
            .expect("outbox")
            .into_iter()
            .find(|q| q.row.pairing == id)
            .map(|q| q.event.kind)
    };
    let body = |kind: Option<mentorflow_engine::EventKind>| match kind {
        Some(mentorflow_engine::EventKind::Notified { body, .. }) => Some(body),
        _ => None,
    };
    assert!(body(notice(&c, "p-1")).is_some_and(|b| b.contains(&secret("bo"))));
    let reason = |c: &Coordinator, id: &str| {
        c.pairing(id)
            .expect("pairing")
            .history
            .and_then(|h| h.reason)
    };
    assert_eq!(
        reason(&c, "p-1"),
        Some(format!("no-time: {} moved away", secret("bo")))
    );
    let events = every_row(&*h.open(name));
    assert!(
        !events
            .iter()
            .any(|r| r.starts_with("event ") && r.contains("secret<")),
        "nothing in clear in the log"
    );
    c.erase_person("bo", "asked").expect("erase");
    let report = c.verify(None).expect("verify");
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    let rows = every_row(&*h.open(name));
    let found: Vec<&String> = rows.iter().filter(|r| r.contains(&secret("bo"))).collect();
    assert!(found.is_empty(), "bo's values: {found:?}");
    // p-1's notice is gone from the outbox and its reason keeps its code; p-2 is untouched.
    assert_eq!(notice(&c, "p-1"), None);
    assert!(body(notice(&c, "p-2")).is_some_and(|b| b.contains(&secret("dee"))));
    assert_eq!(reason(&c, "p-1").as_deref(), Some("no-time"));
    assert_eq!(
        reason(&c, "p-2"),
        Some(format!("no-time: {} moved away", secret("dee")))
    );
    let logged = c.log(Some("p-1")).expect("log");
    assert!(logged
        .iter()
        .any(|e| e.reason.as_deref() == Some("no-time")));
    let bos = secret("bo");
    assert!(
        logged.iter().all(|e| !format!("{e:?}").contains(&bos)),
        "{logged:?}"
    );
}
