//! Proposing pairs and a new mentor for a mentee.

use super::*;

impl Coordinator {
    /// Proposes pairs of `type_id` in `program` from `candidates` (role `mentor` or `mentee`;
    /// a mentor's capacity given, else their registry attribute `capacity`, else 1), each
    /// completed from the people registry and limited by the program's `[capacity]` and the
    /// running pairings they are in, as the store sees it under its write lock. Nothing is
    /// stored; `excluded` pairs (mentor, mentee) are never proposed. `progress` hears how
    /// many pairs are judged, of how many, while they are.
    pub fn propose_matches(
        &mut self,
        program: &Program,
        type_id: &str,
        (candidates, excluded): (&[MatchCandidate], &[(String, String)]),
        progress: crate::decide::matching::Judged<'_>,
    ) -> Result<crate::decide::matching::Proposal, Error> {
        let engine = self.registry.pin(program);
        let mut sides: (Vec<MatchPerson>, Vec<MatchPerson>) = (Vec::new(), Vec::new());
        // Who were paired before in this program are not proposed again, unless it allows it.
        let mut excluded = excluded.to_vec();
        if !program.matching.as_ref().is_some_and(|m| m.repeat) {
            excluded.extend(self.paired_before(program)?);
        }
        self.ledger.inspect(&mut |writer| {
            sides = (Vec::new(), Vec::new());
            for c in candidates {
                let person = writer.person(&c.participant.id)?;
                // Someone inactive is never proposed.
                if person.as_ref().is_some_and(|p| p.inactive.is_some()) {
                    continue;
                }
                let mut p = completed(program, writer, c.participant.clone())?;
                without_unconsented(program, &mut p);
                // As enrolment does: an attribute nobody gave takes its declared default, so
                // a criterion reads `experience_years` as 0, not as nothing.
                crate::rules::enrolment::apply_defaults(program, &mut p);
                let wanted = c
                    .capacity
                    .or_else(|| person.as_ref()?.capacity())
                    .unwrap_or(1);
                let all = writer.memberships(&p.id)?;
                // Their own capacity counts every running pairing they are in already; the
                // program's, those of this program.
                let own = wanted.saturating_sub(all.len() as u32);
                let memberships: Vec<crate::store::Membership> = all
                    .into_iter()
                    .filter(|m| m.program_id == program.id)
                    .collect();
                let memberships =
                    crate::coordinator::capacity::counting(program, memberships, writer)?;
                let room = crate::coordinator::capacity::room(program, &p.role, &memberships);
                let candidate = MatchPerson {
                    capacity: own.min(room),
                    participant: p,
                };
                match candidate.participant.role.as_str() {
                    "mentor" => sides.0.push(candidate),
                    _ => sides.1.push(candidate),
                }
            }
            Ok(())
        })?;
        let budget = self.script_budget;
        let sides = (sides.0.as_slice(), sides.1.as_slice());
        crate::decide::matching::propose(&engine, type_id, sides, &excluded, budget, progress)
            .map_err(|e| Error::Match(Box::new(e)))
    }

    /// Every (mentor, mentee) who took part together in a pairing of `program`, running or
    /// ended, those who left it included.
    fn paired_before(&mut self, program: &Program) -> Result<Vec<(String, String)>, Error> {
        let filter = Filter {
            program: Some(program.id.clone()),
            ..Filter::default()
        };
        let mut pairs = Vec::new();
        for p in self.ledger.list(&filter)? {
            let everyone: Vec<&Participant> = p
                .participants
                .iter()
                .chain(p.former.iter().map(|f| &f.participant))
                .collect();
            for mentor in everyone.iter().filter(|m| m.role == "mentor") {
                for mentee in everyone.iter().filter(|m| m.role == "mentee") {
                    pairs.push((mentor.id.clone(), mentee.id.clone()));
                }
            }
        }
        Ok(pairs)
    }

    /// Proposes a new mentor for the mentee of the ended pairing `id` (a "not a fit"), from
    /// the mentors among `candidates` and never their previous mentor: the proposal
    /// [`Coordinator::continue_pairing`] makes a successor of.
    pub fn propose_rematch(
        &mut self,
        program: &Program,
        type_id: &str,
        id: &str,
        candidates: &[MatchCandidate],
        progress: crate::decide::matching::Judged<'_>,
    ) -> Result<crate::decide::matching::Proposal, Error> {
        let ended = self.ledger.pairing(id)?;
        if ended.outcome.is_none() {
            return Err(EngineError::NotEnded(ended.id.to_string()).into());
        }
        if let Some(successor) = &ended.successor {
            return Err(EngineError::AlreadyContinued {
                pairing: ended.id.to_string(),
                successor: successor.clone(),
            }
            .into());
        }
        let mentees: Vec<&Participant> = ended.with_role("mentee").collect();
        if mentees.len() != 1 {
            return Err(Error::Match(Box::new(
                crate::decide::matching::MatchError::RematchOneMentee {
                    pairing: ended.id.to_string(),
                    mentees: mentees.len(),
                },
            )));
        }
        let mut excluded = Vec::new();
        for mentor in ended.with_role("mentor") {
            for mentee in &mentees {
                excluded.push((mentor.id.clone(), mentee.id.clone()));
            }
        }
        let mut all: Vec<MatchCandidate> = candidates
            .iter()
            .filter(|c| c.participant.role == "mentor")
            .filter(|c| !mentees.iter().any(|m| m.id == c.participant.id))
            .cloned()
            .collect();
        all.extend(mentees.iter().map(|m| MatchCandidate {
            participant: Participant {
                facts: Default::default(),
                ..(*m).clone()
            },
            capacity: Some(1),
        }));
        self.propose_matches(program, type_id, (&all, &excluded), progress)
    }

    /// The registry's people whose attribute `role` is mentor or mentee, as match candidates
    /// (their attributes and capacity come from the registry when matched).
    pub fn registered_candidates(&self) -> Result<Vec<MatchCandidate>, Error> {
        Ok(self
            .people()?
            .iter()
            .filter_map(|p| {
                let role = p.attributes.get("role")?;
                matches!(role.as_str(), "mentor" | "mentee").then(|| MatchCandidate {
                    participant: Participant {
                        id: p.id.clone(),
                        role: role.as_str().into(),
                        attributes: Default::default(),
                        facts: Default::default(),
                        managers: Vec::new(),
                    },
                    capacity: None,
                })
            })
            .collect())
    }

    /// Enrols the pairings `proposal` makes of `candidates` as `type_id`, all or none, every
    /// rule checked again under the lock (`match --apply`). The new pairings' ids, in the
    /// order of [`Proposal::pairings`](crate::decide::matching::Proposal::pairings).
    pub fn enrol_proposal(
        &mut self,
        program: &Program,
        source: &str,
        type_id: &str,
        candidates: &[MatchCandidate],
        proposal: &crate::decide::matching::Proposal,
    ) -> Result<Vec<Arc<str>>, Error> {
        let person = |id: &str, role: &str| {
            candidates
                .iter()
                .find(|c| c.participant.id == id && c.participant.role == role)
                .map(|c| c.participant.clone())
        };
        let enrolments: Vec<Enrolment> = proposal
            .pairings()
            .into_iter()
            .filter_map(|(label, mentor, mentees)| {
                let mut participants = vec![person(mentor, "mentor")?];
                for mentee in mentees {
                    participants.push(person(mentee, "mentee")?);
                }
                Some(Enrolment {
                    type_id: type_id.to_string(),
                    participants,
                    label: Some(label),
                    facts: Vec::new(),
                })
            })
            .collect();
        if enrolments.is_empty() {
            return Ok(Vec::new());
        }
        self.import(program, source, &enrolments)
    }

    /// Continues the ended pairing `ended` with the new mentor `proposal` (a
    /// [`Coordinator::propose_rematch`]) names for its mentee, as `type_id` in `program`
    /// (`match --rematch --apply`). The successor's id; `None` when the proposal has no pair.
    pub fn continue_with_proposal(
        &mut self,
        ended: &str,
        (program, source): (&Program, &str),
        type_id: &str,
        candidates: &[MatchCandidate],
        proposal: &crate::decide::matching::Proposal,
    ) -> Result<Option<String>, Error> {
        let Some(pair) = proposal.pairs.first() else {
            return Ok(None);
        };
        let mentor = candidates
            .iter()
            .find(|c| c.participant.id == pair.mentor && c.participant.role == "mentor")
            .map(|c| c.participant.clone());
        let mentee = self
            .ledger
            .pairing(ended)?
            .participants
            .iter()
            .find(|m| m.id == pair.mentee)
            .map(|m| Participant {
                facts: Default::default(),
                ..m.clone()
            });
        let (Some(mentor), Some(mentee)) = (mentor, mentee) else {
            return Ok(None);
        };
        let how = Continue {
            type_id: Some(type_id.to_string()),
            participants: Some(vec![mentor, mentee]),
            ..Default::default()
        };
        self.continue_pairing(ended, Some((program, source)), &how)
            .map(Some)
    }
}

/// `p` without the sensitive attributes matching may not read of them: all of them unless the
/// program's `[matching]` lists them and `p`'s consent attribute holds (true, or `yes`).
fn without_unconsented(program: &Program, p: &mut Participant) {
    let matching = program.matching.as_ref();
    let consented = matching
        .and_then(|m| m.consent.as_deref())
        .and_then(|c| p.attributes.get(c))
        .is_some_and(|v| {
            matches!(v, mentorflow_dsl::Value::Bool(true))
                || matches!(v, mentorflow_dsl::Value::Text(t) if t.eq_ignore_ascii_case("yes"))
        });
    let hidden: Vec<String> = program
        .attributes
        .iter()
        .filter(|a| a.sensitive)
        .filter(|a| !consented || !matching.is_some_and(|m| m.sensitive.contains(&a.name)))
        .map(|a| a.name.clone())
        .collect();
    for name in hidden {
        p.attributes.remove(&name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sensitive_attribute_reaches_matching_only_when_listed_and_consented() {
        let text = r#"
[program]
id = "m"
title = "M"
initial = "a"
[attributes.erg]
type = "text"
sensitive = true
[attributes.ok]
type = "bool"
[attributes.grade]
type = "int"
[stages.a]
[stages.b]
outcome = "success"
[[transitions]]
from = "a"
to = "b"
[types.one]
roles = { mentor = 1, mentee = 1 }
[matching]
sensitive = ["erg"]
consent = "ok"
[matching.criteria.same]
score = 'if mentor.erg == mentee.erg && mentor.grade > 0 { 1.0 } else { 0.0 }'
"#;
        let loaded = mentorflow_dsl::load_str(std::path::Path::new("m.toml"), text);
        let report = loaded.render();
        let program = loaded.program.unwrap_or_else(|| panic!("{report}"));
        let person = |ok: Option<bool>| {
            let mut attributes = crate::base::short_map::Attributes::new();
            attributes.insert("erg".into(), mentorflow_dsl::Value::Text("pride".into()));
            attributes.insert("grade".into(), mentorflow_dsl::Value::Int(3));
            if let Some(ok) = ok {
                attributes.insert("ok".into(), mentorflow_dsl::Value::Bool(ok));
            }
            Participant {
                id: "x".into(),
                role: "mentor".into(),
                attributes,
                facts: Default::default(),
                managers: Vec::new(),
            }
        };
        for (ok, kept) in [(Some(true), true), (Some(false), false), (None, false)] {
            let mut p = person(ok);
            without_unconsented(&program, &mut p);
            assert_eq!(p.attributes.contains_key("erg"), kept, "consent {ok:?}");
            assert!(p.attributes.contains_key("grade"), "not sensitive: kept");
        }
    }
}
