//! The `[program]` section: id, title, description, the initial stage, and how long people's
//! values are kept.

use super::*;

impl Analyzer<'_> {
    pub(super) fn header(&mut self, top: &Table<'_, '_>) -> Option<Header> {
        let mut r = self.reader();
        let Some(program) = r.table(top, "program", "[program]".into()) else {
            r.error(
                Code::E003,
                "the program file has no [program] section".into(),
                0..0,
            )
            .help =
                Some("start the file with [program] and its id, title and initial stage".into());
            return None;
        };
        r.unknown_keys(&program, &super::keys::HEADER);
        let id = r.string(&program, "id", true);
        let title = r.string(&program, "title", true);
        let description = r
            .string(&program, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let initial = r.string(&program, "initial", false);
        if initial.is_none() && program.table.get("initial").is_none() {
            let key = top
                .table
                .keys()
                .find(|k| k.get_ref() == "program")
                .map_or(0..0, Spanned::span);
            r.error(Code::E011, "the program has no initial stage".into(), key)
                .help = Some(
                "add `initial = \"<stage id>\"` to [program]: the stage every pairing starts in"
                    .into(),
            );
        }
        if let Some((id, span)) = &id {
            check_id(&mut r, id, span.clone(), "program id");
        }
        let retention = r
            .string(&program, "retention", false)
            .and_then(|text| due(&mut r, text));
        self.coordinators = r
            .strings(&program, "coordinators")
            .unwrap_or_default()
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        self.retention = retention;
        Some((id?.0, title?.0, description, initial?))
    }

    pub(super) fn initial_stage(&mut self, initial: &(String, Range<usize>), stages: &[Stage]) {
        if !stages.iter().any(|s| s.id == initial.0) {
            let help = help_did_you_mean(&initial.0, stages.iter().map(|s| s.id.as_str()));
            self.reader()
                .error(
                    Code::E010,
                    format!("initial stage `{}` is not a declared stage", initial.0),
                    initial.1.clone(),
                )
                .help = help.or(Some("declare it as [stages.NAME]".into()));
        }
    }
}
