//! The `[stages]` section.

use super::*;

impl Analyzer<'_> {
    pub(super) fn stages(&mut self, top: &Table<'_, '_>) -> Vec<Stage> {
        let (stages, complete) = self.read_stages(top);
        self.graph_incomplete |= !complete;
        stages
    }

    /// The stages, and whether every declared stage could be read.
    fn read_stages(&mut self, top: &Table<'_, '_>) -> (Vec<Stage>, bool) {
        let mut r = self.reader();
        let Some(table) = r.table(top, "stages", "[stages]".into()) else {
            r.error(Code::E003, "the program declares no stages".into(), 0..0)
                .help = Some("add stages as [stages.preparation] title = \"Preparation\"".into());
            return (Vec::new(), false);
        };
        let mut complete = true;
        let mut stages = Vec::new();
        for (key, value) in table.table {
            let id = key.get_ref().to_string();
            check_id(&mut r, &id, key.span(), "stage id");
            let Some(stage) = r.as_table(value, &id, "[stages]", format!("stage `{id}`")) else {
                complete = false;
                continue;
            };
            r.unknown_keys(&stage, &super::keys::STAGE);
            let title = r
                .string(&stage, "title", false)
                .map_or_else(|| id.clone(), |t| t.0);
            let description = r
                .string(&stage, "description", false)
                .map(|d| d.0)
                .unwrap_or_default();
            let due = r.string(&stage, "due", false).and_then(|d| due(&mut r, d));
            let outcome = r.string(&stage, "outcome", false);
            if let Some((text, span)) = &outcome {
                if text.trim().is_empty() {
                    r.error(Code::E004, format!("outcome of stage `{id}` is empty"), span.clone())
                        .help = Some(
                        "name the outcome, e.g. outcome = \"success\", or remove the key for a stage that is not terminal".into(),
                    );
                } else if let Some(due_value) = stage.table.get("due") {
                    r.diagnostics.push(
                        crate::Diagnostic::warning(
                            Code::W003,
                            format!("terminal stage `{id}` has a due duration, which is never used"),
                            r.span(due_value.span()),
                        )
                        .with_help("pairings never leave a terminal stage, so it cannot be overdue; remove `due`"),
                    );
                }
            }
            let outcome = outcome
                .map(|o| o.0)
                .filter(|o| !o.trim().is_empty())
                .map(crate::Name::from);
            let pause = r.bool(&stage, "pause");
            if let (Some((true, span)), Some(_)) = (&pause, &outcome) {
                r.error(
                    Code::E004,
                    format!("terminal stage `{id}` cannot be a pause: pairings never leave it"),
                    span.clone(),
                )
                .help =
                    Some("remove `pause`, or `outcome` for a stage pairings come back from".into());
            }
            stages.push(Stage {
                id: id.into(),
                title,
                description,
                due,
                outcome,
                pause: pause.is_some_and(|p| p.0),
                successor: None,
                actions: Default::default(),
                span: r.span(key.span()),
            });
        }
        (stages, complete)
    }
}
