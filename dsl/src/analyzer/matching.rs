//! The `[matching]` section: how `mentorflow match` judges a candidate pair. `allow` says
//! who may be paired at all; each `[matching.criteria.NAME]` is a weighted part of the score.

use super::*;
use crate::model::{MatchCriterion, Matching, PairScript};

impl Analyzer<'_> {
    pub(super) fn matching(&mut self, top: &Table<'_, '_>) -> Option<Matching> {
        self.matching_of(top, "[matching]")
    }

    /// The `matching` table of `parent` (the program, or a type overriding it), named `what`.
    pub(super) fn matching_of(&mut self, parent: &Table<'_, '_>, what: &str) -> Option<Matching> {
        let table = self.reader().table(parent, "matching", what.into())?;
        self.reader().unknown_keys(&table, &super::keys::MATCHING);
        let allow = match self.reader().string(&table, "allow", false) {
            Some((source, span)) => self.pair_script(&source, span, &format!("`allow` of {what}")),
            None => None,
        };
        let mut criteria = Vec::new();
        let mut declared_any = false;
        let criteria_table = format!("{}.criteria]", what.trim_end_matches(']'));
        if let Some(declared) = self
            .reader()
            .table(&table, "criteria", criteria_table.clone())
        {
            for (key, value) in declared.table {
                declared_any = true;
                let name = key.get_ref().to_string();
                let what = format!("matching criterion `{name}`");
                let Some(t) = self
                    .reader()
                    .as_table(value, &name, &criteria_table, what.clone())
                else {
                    continue;
                };
                if let Some(c) = self.match_criterion(&t, name, key.span()) {
                    criteria.push(c);
                }
            }
        }
        if !declared_any {
            self.reader()
                .error(
                    Code::E039,
                    format!("{what} has no criteria, so every allowed pair would score the same"),
                    table.span.clone(),
                )
                .help = Some(
                "add one, e.g. [matching.criteria.seniority] weight = 2, score = \"min(mentor.grade - mentee.grade, 4) / 4.0\"".into(),
            );
        }
        let repeat = self
            .reader()
            .bool(&table, "repeat")
            .is_some_and(|(repeat, _)| repeat);
        let (sensitive, consent) = self.matching_consent(&table, what);
        let read = allow.iter().chain(criteria.iter().map(|c| &c.score));
        let sources: Vec<String> = read.map(|s| s.source.clone()).collect();
        self.sensitive_read(&table, what, &sources, &sensitive);
        Some(Matching {
            allow,
            criteria,
            repeat,
            sensitive,
            consent,
        })
    }

    /// `sensitive` and `consent` of a `[matching]` table: each listed attribute must be
    /// declared sensitive, and a list needs the consent attribute (declared).
    fn matching_consent(
        &mut self,
        table: &Table<'_, '_>,
        what: &str,
    ) -> (Vec<String>, Option<String>) {
        let mut r = self.reader();
        let listed = r.strings(table, "sensitive").unwrap_or_default();
        let consent = r.string(table, "consent", false);
        for (name, span) in &listed {
            if !self.sensitive_attributes.contains(name) {
                self.reader()
                    .error(
                        Code::E049,
                        format!("{what} lists `{name}` as sensitive, but no attribute `{name}` is declared sensitive"),
                        span.clone(),
                    )
                    .help = Some(format!("declare it: [attributes.{name}] sensitive = true"));
            }
        }
        if let Some((name, span)) = &consent {
            if !self.attribute_names.contains(name) {
                self.reader()
                    .error(
                        Code::E049,
                        format!("{what}'s consent attribute `{name}` is not declared"),
                        span.clone(),
                    )
                    .help = Some(format!("declare it: [attributes.{name}] type = \"bool\""));
            }
        }
        if consent.is_none() {
            if let Some((name, span)) = listed.first() {
                self.reader()
                    .error(
                        Code::E049,
                        format!("{what} uses sensitive attribute `{name}` without a `consent` attribute"),
                        span.clone(),
                    )
                    .help = Some("name the attribute that records who agreed: consent = \"erg_consent\"".into());
            }
        }
        (
            listed.into_iter().map(|(n, _)| n).collect(),
            consent.map(|c| c.0),
        )
    }

    /// E049 for each sensitive attribute the matching scripts (`sources`) read that `listed`
    /// does not name.
    fn sensitive_read(
        &mut self,
        table: &Table<'_, '_>,
        what: &str,
        sources: &[String],
        listed: &[String],
    ) {
        let unlisted: Vec<String> = self
            .sensitive_attributes
            .iter()
            .filter(|a| !listed.contains(a))
            .filter(|a| sources.iter().any(|s| crate::templates::mentions(s, a)))
            .cloned()
            .collect();
        for name in unlisted {
            self.reader()
                .error(
                    Code::E049,
                    format!("{what} reads sensitive attribute `{name}`, which its `sensitive` list does not name"),
                    table.span.clone(),
                )
                .help = Some(format!("say so, and for whom: sensitive = [\"{name}\"], consent = \"{name}_consent\"; or leave `{name}` out of the matching scripts"));
        }
    }

    fn match_criterion(
        &mut self,
        t: &Table<'_, '_>,
        name: String,
        key: Range<usize>,
    ) -> Option<MatchCriterion> {
        let mut r = self.reader();
        r.unknown_keys(t, &super::keys::MATCH_CRITERION);
        let description = r
            .string(t, "description", false)
            .map(|d| d.0)
            .unwrap_or_default();
        let weight = match r.get(t, "weight", false) {
            None => 1.0,
            Some(value) => {
                match reader::number(value.get_ref()) {
                    Some(w) if w.is_finite() && w > 0.0 => w,
                    _ => {
                        r.error(
                        Code::E039,
                        format!("the weight of matching criterion `{name}` must be a number above 0"),
                        value.span(),
                    )
                    .help = Some("e.g. weight = 2 (it counts twice as much as weight = 1)".into());
                        return None;
                    }
                }
            }
        };
        let Some((source, span)) = r.string(t, "score", false) else {
            r.error(
                Code::E039,
                format!("matching criterion `{name}` has no `score`"),
                key,
            )
            .help = Some(
                "give a script over mentor and mentee that gives a number, e.g. score = 'if mentor.department != mentee.department { 1.0 } else { 0.0 }'".into(),
            );
            return None;
        };
        let what = format!("`score` of matching criterion `{name}`");
        let score = self.pair_script(&source, span, &what)?;
        Some(MatchCriterion {
            name,
            description,
            weight,
            score,
        })
    }

    fn pair_script(&mut self, source: &str, span: Range<usize>, what: &str) -> Option<PairScript> {
        let file = self.sources.file(self.file)?;
        let content_start =
            verbatim_start(&file.text[span.clone()], source).map(|o| span.start + o);
        let placement = Placement {
            file,
            file_index: self.file,
            content_start,
            whole: span,
        };
        scripts::compile_pair(
            &self.engine,
            source,
            what,
            &placement,
            (&self.functions, &self.attribute_names),
            &mut self.diagnostics,
        )
    }
}
