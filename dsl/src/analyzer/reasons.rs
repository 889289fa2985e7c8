//! The `[reasons]` section: the reason codes a withdrawal or a forced move must give.

use super::*;
use crate::model::Reason;

impl Analyzer<'_> {
    pub(super) fn reasons(&mut self, top: &Table<'_, '_>) -> Vec<Reason> {
        let Some(table) = self.reader().table(top, "reasons", "[reasons]".into()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in table.table {
            let code = key.get_ref().to_string();
            check_id(&mut self.reader(), &code, key.span(), "reason code");
            let DeValue::String(description) = value.get_ref() else {
                self.reader()
                    .error(
                        Code::E004,
                        format!(
                            "reason `{code}` must be a description string, found {}",
                            reader::type_name(value.get_ref())
                        ),
                        value.span(),
                    )
                    .help = Some(format!("write it as {code} = \"what it means\""));
                continue;
            };
            out.push(Reason {
                code,
                description: description.to_string(),
            });
        }
        out
    }
}
