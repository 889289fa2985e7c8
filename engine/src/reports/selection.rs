//! Which pairings a coordinator asks about: the store's own filter (stage, type, program,
//! outcome, overdue) and the questions only a program answers (the reason it ended, its
//! schedules, its timers, what it waits on). `list` and `report` select alike.

use crate::coordinator::error::Error;
use crate::coordinator::ledger::LIST_PAGE;
use crate::coordinator::Coordinator;
use crate::decide::attention::Attention;
use crate::model::pairing::Pairing;
use crate::store::{Filter, OutcomeFilter};

/// What to select; every field left empty selects all.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only pairings in this stage.
    pub stage: Option<String>,
    /// Only this mentoring type.
    pub type_id: Option<String>,
    /// Only this program id.
    pub program: Option<String>,
    /// Only this outcome, or `active` for running pairings.
    pub outcome: Option<String>,
    /// Only overdue pairings.
    pub overdue: bool,
    /// Only running pairings that cannot advance now.
    pub blocked: bool,
    /// Only ended pairings whose reason is this code (`other`: none of the program's codes).
    pub reason: Option<String>,
    /// Only pairings with a missed occurrence of a schedule.
    pub missed: bool,
    /// Only pairings with a deadline within this long from now: their stage falls due, or an
    /// occurrence of a schedule.
    pub due_within: Option<mentorflow_dsl::Due>,
    /// Only pairings a tick warned that a timer will move them.
    pub warned: bool,
    /// Only pairings this person takes or took part in.
    pub person: Option<String>,
}

impl Selection {
    /// The part the store answers itself.
    fn filter(&self, now: chrono::DateTime<chrono::Utc>) -> Filter {
        Filter {
            stage: self.stage.clone(),
            type_id: self.type_id.clone(),
            program: self.program.clone(),
            outcome: self.outcome.as_deref().map(OutcomeFilter::parse),
            due_before: self.overdue.then_some(now),
        }
    }
}

/// A page of a selection: the number of the last pairing the page looked at, and the
/// pairings selected among them, each with where it stands.
pub type SelectedPage = (u64, Vec<(Pairing, Attention)>);

impl Coordinator {
    /// The pairings `selection` asks for, each with where it stands; a filter value no stored
    /// program knows is refused (it would select nothing, silently).
    pub fn select(&mut self, selection: &Selection) -> Result<Vec<(Pairing, Attention)>, Error> {
        let (mut all, mut after) = (Vec::new(), 0);
        while let Some((last, page)) = self.select_page(selection, after)? {
            all.extend(page);
            after = last;
        }
        Ok(all)
    }

    /// The pairings `selection` asks for among a page of the store's ([`LIST_PAGE`] pairings
    /// numbered after `after`, those the store's filter picks), with the number of the page's
    /// last; none past the last page. A reader that folds as it goes (the report) holds one
    /// page at a time.
    pub fn select_page(
        &mut self,
        selection: &Selection,
        after: u64,
    ) -> Result<Option<SelectedPage>, Error> {
        let now = self.now();
        let filter = selection.filter(now);
        if after == 0 {
            self.check_filter(&filter)?;
        }
        let Some((last, mut selected)) = self.ledger.list_page(&filter, after, LIST_PAGE)? else {
            return Ok(None);
        };
        if let Some(person) = &selection.person {
            selected.retain(|p| p.has_taken_part(person));
        }
        // The questions that read a program come before `attention`, which explains every
        // pairing it is given.
        if let Some(code) = &selection.reason {
            selected = keep(selected, |p| {
                Ok(self.ended_because(p)?.as_deref() == Some(code.as_str()))
            })?;
        }
        if selection.missed || selection.due_within.is_some() {
            let until = selection.due_within.map(|d| d.after(now));
            selected = keep(selected, |p| {
                let standings = self.schedules(p)?;
                let missed = !selection.missed || standings.iter().any(|(_, st)| st.missed > 0);
                let due = until.is_none_or(|until| {
                    let stage = p.outcome.is_none() && p.due.is_some_and(|d| d > now && d <= until);
                    stage
                        || standings
                            .iter()
                            .any(|(_, st)| st.next.is_some_and(|(_, at)| at <= until))
                });
                Ok(missed && due)
            })?;
        }
        if selection.warned {
            selected = keep(selected, |p| Ok(self.timers(p)?.iter().any(|u| u.warned)))?;
        }
        let mut pairings = self.attention(selected)?;
        if selection.blocked {
            pairings.retain(|(_, a)| a.is_blocked());
        }
        Ok(Some((last, pairings)))
    }
}

/// The pairings `wanted` says yes to; it may read the store, and its first error stops.
fn keep(
    pairings: Vec<Pairing>,
    mut wanted: impl FnMut(&Pairing) -> Result<bool, Error>,
) -> Result<Vec<Pairing>, Error> {
    let mut kept = Vec::with_capacity(pairings.len());
    for p in pairings {
        if wanted(&p)? {
            kept.push(p);
        }
    }
    Ok(kept)
}
