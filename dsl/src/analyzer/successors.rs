//! `[stages.ID.successor]`: a terminal stage continues into a new pairing of this program (a
//! one-off session into a long-term one-on-one), with the same participants and chosen facts.

use super::*;
use crate::model::Successor;

impl Analyzer<'_> {
    /// Reads each stage's successor, now that types, facts and criteria are known.
    pub(super) fn successors(
        &mut self,
        top: &Table<'_, '_>,
        stages: &mut [Stage],
        types: &[MentoringType],
        facts: &[Declaration],
    ) {
        let Some(DeValue::Table(declared)) = top.table.get("stages").map(Spanned::get_ref) else {
            return;
        };
        let all = stages.to_vec();
        for stage in stages.iter_mut() {
            let Some(value) = declared
                .get(stage.id.as_str())
                .and_then(|s| match s.get_ref() {
                    DeValue::Table(t) => t.get("successor"),
                    _ => None,
                })
            else {
                continue;
            };
            let what = format!("successor of stage `{}`", stage.id);
            let Some(t) = self
                .reader()
                .as_table(value, "successor", "[stages]", what.clone())
            else {
                continue;
            };
            stage.successor = self.successor(&t, stage, &all, types, facts, value.span());
        }
    }

    fn successor(
        &mut self,
        t: &Table<'_, '_>,
        stage: &Stage,
        stages: &[Stage],
        types: &[MentoringType],
        facts: &[Declaration],
        span: Range<usize>,
    ) -> Option<Successor> {
        let mut r = self.reader();
        r.unknown_keys(t, &super::keys::SUCCESSOR);
        let mut ok = true;
        if !stage.is_terminal() {
            ok = false;
            r.error(
                Code::E038,
                format!("stage `{}` has a successor but is not terminal", stage.id),
                span,
            )
            .help = Some(
                "a pairing continues into its successor when it ends: give the stage an outcome, or move the successor to a terminal stage".into(),
            );
        }
        let type_id = r.string(t, "type", false);
        if let Some((id, span)) = &type_id {
            if !types.iter().any(|ty| ty.id == *id) && !types.is_empty() {
                ok = false;
                let known: Vec<&str> = types.iter().map(|ty| ty.id.as_str()).collect();
                r.error(
                    Code::E038,
                    format!("the successor of stage `{}` has type `{id}`, which the program does not declare", stage.id),
                    span.clone(),
                )
                .help = Some(help_did_you_mean(id, known.iter().copied()).unwrap_or_else(|| {
                    format!("the types are: {}", known.join(", "))
                }));
            }
        }
        let start = r.string(t, "stage", false);
        if let Some((id, span)) = &start {
            let running: Vec<&str> = stages
                .iter()
                .filter(|s| !s.is_terminal())
                .map(|s| s.id.as_str())
                .collect();
            if !running.contains(&id.as_str()) {
                ok = false;
                r.error(
                    Code::E038,
                    format!("the successor of stage `{}` starts in `{id}`, which is not a running stage", stage.id),
                    span.clone(),
                )
                .help = Some(help_did_you_mean(id, running.iter().copied()).unwrap_or_else(|| {
                    format!("the running stages are: {}", running.join(", "))
                }));
            }
        }
        let mut carried = Vec::new();
        for (name, span) in r.strings(t, "facts").unwrap_or_default() {
            if facts.iter().any(|f| f.name == name) {
                carried.push(name);
                continue;
            }
            ok = false;
            let known: Vec<&str> = facts.iter().map(|f| f.name.as_str()).collect();
            r.error(
                Code::E038,
                format!(
                    "the successor of stage `{}` carries fact `{name}`, which is not declared",
                    stage.id
                ),
                span,
            )
            .help = help_did_you_mean(&name, known.iter().copied());
        }
        let when = match self.reader().string(t, "when", false) {
            Some((source, span)) => {
                let what = format!("`when` of the successor of stage `{}`", stage.id);
                let script = self.script_or_criterion(&source, span, &what);
                ok &= script.is_some();
                script
            }
            None => None,
        };
        ok.then(|| Successor {
            type_id: type_id.map(|t| t.0),
            facts: carried,
            when,
            stage: start.map(|s| s.0),
        })
    }
}
