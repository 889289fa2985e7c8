//! The `[[invariants]]` array: what must hold of every pairing at every moment, each a named
//! script read like a criterion's table.

use super::*;
use crate::model::Invariant;

impl Analyzer<'_> {
    pub(super) fn invariants(&mut self, top: &Table<'_, '_>) -> Vec<Invariant> {
        let Some(value) = self.reader().get(top, "invariants", false) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.reader()
                .error(
                    Code::E004,
                    "`invariants` must be an array of tables: [[invariants]]".into(),
                    value.span(),
                )
                .help = Some("write each as [[invariants]] with name and script".into());
            return Vec::new();
        };
        let mut out: Vec<Invariant> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let what = format!("invariant #{}", index + 1);
            let Some(table) =
                self.reader()
                    .as_table(item, "invariants", "the program", what.clone())
            else {
                continue;
            };
            self.reader().unknown_keys(&table, &super::keys::INVARIANT);
            let Some((name, span)) = self.reader().string(&table, "name", true) else {
                continue;
            };
            check_id(&mut self.reader(), &name, span.clone(), "invariant name");
            if out.iter().any(|i| i.name == name) {
                self.reader()
                    .error(
                        Code::E006,
                        format!("invariant `{name}` is declared twice"),
                        span.clone(),
                    )
                    .help = Some("give each invariant a name of its own".into());
            }
            let what = format!("invariant `{name}`");
            if let (Some(script), description) = self.script_table(&table, &what) {
                out.push(Invariant {
                    name,
                    description,
                    script,
                });
            }
        }
        out
    }
}
