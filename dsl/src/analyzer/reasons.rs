//! The `[reasons]` section: the reason codes a withdrawal or a forced move must give, and
//! the codes a transition's `reasons` asks for.

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

    /// Each transition's `reasons` against the declared codes: every code declared, and only
    /// on a transition someone takes with a reason (`advance`, `withdraw`).
    pub(super) fn transition_reasons(&mut self, transitions: &[Transition], reasons: &[Reason]) {
        let given = std::mem::take(&mut self.transition_reasons);
        for (t, codes) in transitions.iter().zip(given) {
            let Some((_, first)) = codes.first() else {
                continue;
            };
            if matches!(t.trigger, Trigger::Timer(_) | Trigger::Auto) {
                self.reader()
                    .error(
                        Code::E048,
                        format!(
                            "transition {} is taken by {}, which gives no reason: it cannot require one",
                            t.describe(),
                            if t.trigger == Trigger::Auto { "the engine" } else { "tick" }
                        ),
                        first.clone(),
                    )
                    .help = Some("remove `reasons`; a coordinator gives a reason with `advance --reason CODE` on a transition without a timer or `auto`".into());
                continue;
            }
            for (code, span) in codes {
                if reasons.iter().any(|r| r.code == code) {
                    continue;
                }
                let help = if reasons.is_empty() {
                    Some(format!(
                        "declare the codes in a [reasons] section: {code} = \"what it means\""
                    ))
                } else {
                    help_did_you_mean(&code, reasons.iter().map(|r| r.code.as_str())).or_else(
                        || {
                            Some(format!(
                                "declared codes: {}; or add {code} = \"what it means\" to [reasons]",
                                reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", ")
                            ))
                        },
                    )
                };
                self.reader()
                    .error(
                        Code::E048,
                        format!(
                            "transition {} asks for reason `{code}`, which {}",
                            t.describe(),
                            if reasons.is_empty() {
                                "is no code: the program declares no [reasons]"
                            } else {
                                "[reasons] does not declare"
                            }
                        ),
                        span,
                    )
                    .help = help;
            }
        }
    }
}
