//! Moving a store between SQLite and PostgreSQL (either way): everything is copied as stored
//! (event bodies and their chain hashes byte for byte), in one transaction on the destination,
//! and both ends are verified.

use std::sync::Arc;

use crate::store::codec::{decode_state, stamp};
use crate::store::store_error::{CopyError, CopyProblem};
use crate::store::verify::{verify, VerifyReport};
use crate::store::{
    each_row, Abort, EventRow, Location, PairingRow, ProgramRow, Store, StoreError, StoredPairing,
    Tx,
};

/// What a copy moved.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyReport {
    /// Program versions.
    pub programs: usize,
    /// Events.
    pub events: u64,
    /// Pairings.
    pub pairings: usize,
    /// The destination's verification (intact when the copy returns).
    pub verified: VerifyReport,
}

fn verified(store: &dyn Store) -> Result<VerifyReport, StoreError> {
    // Each stored version, read back once; one that does not load is a breach of its pairings.
    let mut programs: std::collections::BTreeMap<String, Arc<mentorflow_dsl::Program>> =
        std::collections::BTreeMap::new();
    for row in store.program_rows()? {
        if let Ok(program) = crate::store::codec::stored_program(store, &row.hash) {
            programs.insert(row.hash.clone(), Arc::new(program));
        }
    }
    verify(
        store,
        &mut |hash| {
            programs
                .get(hash)
                .map(Arc::clone)
                .ok_or_else(|| format!("program version {hash} does not load"))
        },
        None,
    )
}

/// Copies the store at `from` to `to`, which must not exist yet (or be an empty store). The
/// source is verified first (a damaged store is not copied), the destination after.
pub fn copy(from: &Location, to: &Location) -> Result<CopyReport, CopyError> {
    if from == to {
        return Err(CopyError::Refused(CopyProblem::SameStore(from.clone())));
    }
    let source = crate::store::open(from, false)?;
    let before = verified(&*source)?;
    if !before.breaches.is_empty() {
        return Err(CopyError::Refused(CopyProblem::SourceDamaged {
            from: from.clone(),
            breaches: before.breaches.len(),
        }));
    }
    let mut destination = match crate::store::open(to, true) {
        Ok(store) => store,
        Err(StoreError::Exists(_)) => {
            let store = crate::store::open(to, false)?;
            if !store.programs()?.is_empty() || !store.pairing_ids()?.is_empty() {
                return Err(StoreError::Exists(to.clone()).into());
            }
            store
        }
        Err(e) => return Err(e.into()),
    };
    let programs = source.program_rows()?;
    let (mut events, mut pairings) = (0u64, 0usize);
    destination
        .write(&mut |tx| {
            for p in &programs {
                tx.add_program(&ProgramRow {
                    hash: &p.hash,
                    id: &p.id,
                    title: &p.title,
                    path: &p.path,
                    sources: &p.sources,
                    stored_at: &p.stored_at,
                })?;
            }
            (events, pairings) = (0, 0);
            source.read(&mut |reading| {
                each_row(
                    reading,
                    |r| r.events_in_order(),
                    |e| {
                        events += 1;
                        tx.append(&EventRow {
                            pairing: &e.pairing,
                            seq: e.seq as u64,
                            kind: &e.kind,
                            body: &e.body,
                            hash: &e.hash,
                        })
                    },
                )?;
                each_row(
                    reading,
                    |r| r.people(),
                    |person| {
                        // Always stored: the destination has no one yet (expected seq 0).
                        tx.put_person(&person.id, person.last_seq, &person.state, 0)
                            .map(drop)
                    },
                )?;
                // The outbox with its delivery state: nothing pending is lost, nothing
                // delivered sent again.
                each_row(reading, |r| r.outbox_in_order(), |row| tx.queue(&row))?;
                // The keys of everyone not erased: an erased person's values stay sealed
                // for good in the copy too.
                for (person, key) in reading.person_keys()? {
                    tx.add_person_key(&person, &key)?;
                }
                each_row(
                    reading,
                    |r| r.pairings(),
                    |row| {
                        pairings += 1;
                        insert_pairing(tx, &row)
                    },
                )
            })?;
            Ok(())
        })
        .map_err(|abort| match abort {
            Abort::Store(e) => e,
            // The copy's work fails only with the store's errors.
            Abort::Work(_) => StoreError::Database("the copy failed".into()),
        })?;
    let after = verified(&*destination)?;
    if !after.breaches.is_empty() || after.events != before.events {
        return Err(CopyError::Refused(CopyProblem::CopyDamaged {
            to: to.clone(),
            breaches: after.breaches.len(),
            events: after.events,
            expected: before.events,
        }));
    }
    Ok(CopyReport {
        programs: programs.len(),
        events,
        pairings,
        verified: after,
    })
}

/// Inserts the stored pairing `row` with its number, state and members.
fn insert_pairing(tx: &mut dyn Tx, row: &StoredPairing) -> Result<(), StoreError> {
    let p = decode_state(&row.state)?;
    let due = p.due.map(stamp);
    let members: Vec<(&str, &str)> = p
        .participants
        .iter()
        .map(|m| (m.id.as_str(), m.role.as_str()))
        .collect();
    tx.insert_pairing(
        row.number,
        &PairingRow {
            id: &row.id,
            program_hash: &p.program_hash,
            program_id: &p.program_id,
            type_id: &p.type_id,
            stage: &row.stage,
            outcome: row.outcome.as_deref(),
            due: due.as_deref(),
            last_seq: p.last_seq,
            state: &row.state,
            label: p.label.as_deref(),
            members: Some(&members),
        },
    )
}
