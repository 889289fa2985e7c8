//! Moving running pairings to a new version of their program: a mapping says where each old
//! stage and fact goes and which values new facts start with; a pairing whose state has no
//! place in the new version is refused, with every reason.

use mentorflow_dsl::{Program, Value};

use crate::rules::engine_error::EngineError;

// The mapping's data lives in the model (a `migrated` event carries it); its path here is kept.
pub use crate::model::mapping::Mapping;

// Why a pairing cannot move is one of the errors of a command on a pairing; its path here is
// kept.
pub use crate::rules::engine_error::MigrationProblem;

/// A pairing's place in the new version: its stage and its recorded facts.
pub type Placed = (String, Vec<(String, Value)>);

impl Mapping {
    /// Where `pairing`'s stage and facts go in `new`, or every reason they cannot.
    pub fn apply(
        &self,
        new: &Program,
        stage: &str,
        facts: &crate::base::short_map::Facts,
    ) -> Result<Placed, Vec<MigrationProblem>> {
        let mut problems = Vec::new();
        let target = self.stages.get(stage).map_or(stage, String::as_str);
        match new.stage(target) {
            None => problems.push(MigrationProblem::StageHasNoPlace {
                stage: stage.into(),
                known: new.stages.iter().map(|s| s.id.to_string()).collect(),
            }),
            Some(s) if s.is_terminal() => problems.push(MigrationProblem::StageEnds {
                stage: target.into(),
            }),
            Some(_) => {}
        }
        let mut moved: Vec<(String, Value)> = Vec::new();
        for (name, value) in facts {
            let target = self.facts.get(&**name).map_or(&**name, String::as_str);
            if target == "-" {
                continue;
            }
            let Some(decl) = new.fact(target) else {
                problems.push(MigrationProblem::FactHasNoPlace {
                    fact: name.to_string(),
                    target: target.to_string(),
                    known: new.facts.iter().map(|f| f.name.clone()).collect(),
                });
                continue;
            };
            match decl.check(value) {
                Ok(()) => moved.push((target.to_string(), value.clone())),
                Err(problem) => problems.push(MigrationProblem::ValueRefused {
                    fact: target.into(),
                    problem,
                }),
            }
        }
        for (name, text) in &self.set {
            if moved.iter().any(|(n, _)| n == name) {
                continue;
            }
            let parsed = match new.fact(name) {
                Some(decl) => decl.parse(text).map_err(|problem| EngineError::BadValue {
                    name: name.clone(),
                    problem,
                }),
                None => Err(EngineError::UnknownFact {
                    program: new.id.clone(),
                    name: name.clone(),
                    known: new.facts.iter().map(|f| f.name.clone()).collect(),
                }),
            };
            match parsed {
                Ok(v) => moved.push((name.clone(), v)),
                Err(e) => problems.push(MigrationProblem::BadSet(e)),
            }
        }
        if problems.is_empty() {
            Ok((target.to_string(), moved))
        } else {
            Err(problems)
        }
    }
}
