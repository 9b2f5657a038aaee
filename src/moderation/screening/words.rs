//! Word rules, matched like WordPress's moderation and disallowed keys: a case-insensitive
//! substring match, Unicode-aware on both sides.

pub use entity::enums::RuleKind;

/// Case-folds text for comparison. Lower-cases character by character (so Greek capital
/// sigma is always `σ`, whatever its position) and then applies the full case folds that
/// lower-casing leaves out: final sigma, sharp s and long s.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match l {
                'ς' => out.push('σ'),
                'ß' => out.push_str("ss"),
                'ſ' => out.push('s'),
                other => out.push(other),
            }
        }
    }
    out
}

/// The first folded word that occurs in the folded haystack.
pub fn first_match<'w>(haystack: &str, words: &'w [String]) -> Option<&'w str> {
    words
        .iter()
        .find(|w| !w.is_empty() && haystack.contains(w.as_str()))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(word: &str, text: &str) -> bool {
        first_match(&fold(text), &[fold(word)]).is_some()
    }

    #[test]
    fn matching_ignores_case_in_any_script() {
        assert!(matches("спам", "Это СПАМ!"));
        assert!(matches("СПАМ", "это спам"));
        assert!(matches("ΣΠΑΜ", "ένα σπαμ εδώ"));
        assert!(matches("σας", "ΓΕΙΑ ΣΑΣ"), "final sigma folds like sigma");
        assert!(matches("STRASSE", "die Straße"));
        assert!(matches("Viagra", "buy VIAGRA now"));
        assert!(!matches("spam", "a nice comment"));
    }

    #[test]
    fn words_match_inside_longer_words_like_wordpress() {
        assert!(matches("press", "WordPress"));
        assert!(matches("192.0.2.", "from 192.0.2.7"));
    }
}
