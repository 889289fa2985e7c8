//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| {
            *distance <= (c.chars().count().max(word.chars().count()) / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// `did you mean `x`?` as a help text, when there is a likely candidate.
pub fn help_did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_typo_is_suggested() {
        assert_eq!(
            did_you_mean("metings", ["meetings", "rating"]),
            Some("meetings")
        );
        assert_eq!(
            did_you_mean("orientaton", ["preparation", "orientation"]),
            Some("orientation")
        );
    }

    #[test]
    fn unrelated_word_gets_no_suggestion() {
        assert_eq!(did_you_mean("banana", ["meetings", "rating"]), None);
    }
}
