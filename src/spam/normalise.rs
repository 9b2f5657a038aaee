//! Text normalisation for the spam filter: the same word spelt with other code points
//! becomes the same token. NFKC (full-width and compatibility forms), case folding,
//! accents and other combining marks stripped, zero-width and invisible characters dropped,
//! and, inside a word that mixes Latin with Cyrillic or Greek, the look-alike letters mapped
//! to Latin (the "раypal" trick). A word wholly in another script is left alone, so Russian
//! or Greek text keeps its own words.
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters that render as nothing (or as a soft break) and only serve to split a word
/// so that a word list or a filter misses it.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

/// Folds text: NFKC, lower case (with the full folds of final sigma, sharp s and long s),
/// combining marks and invisible characters removed. Emoji and other symbols stay.
pub fn fold_text(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    // ASCII is its own NFKC and nothing composes across an ASCII space, so the ASCII
    // words (most of most comments) skip the normaliser, the costliest step of scoring.
    for word in s.split_inclusive(|c: char| c.is_ascii_whitespace()) {
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            fold_into(word, &mut out);
        }
    }
    out
}

fn fold_into(s: &str, out: &mut String) {
    for c in s.nfkc() {
        if is_invisible(c) {
            continue;
        }
        for l in c.to_lowercase() {
            match l {
                'ς' => out.push('σ'),
                'ß' => out.push_str("ss"),
                'ſ' => out.push('s'),
                other if other.is_ascii() => out.push(other),
                other => {
                    for d in std::iter::once(other).nfd() {
                        if !is_combining_mark(d) {
                            out.push(d);
                        }
                    }
                }
            }
        }
    }
}

/// The Latin letter a Cyrillic or Greek lower-case letter is mistaken for, if any.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' => 'c',
        'е' | 'ε' => 'e',
        'һ' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'н' | 'η' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ѵ' | 'ν' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => return None,
    })
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}')
}

/// A folded word with its look-alike letters mapped to Latin when it mixes Latin letters
/// with letters of another script; any other word comes back unchanged.
pub fn unmix(word: &str) -> std::borrow::Cow<'_, str> {
    let latin = word.chars().any(is_latin_letter);
    let lookalike = word.chars().any(|c| latin_lookalike(c).is_some());
    if !(latin && lookalike) {
        return std::borrow::Cow::Borrowed(word);
    }
    word.chars()
        .map(|c| latin_lookalike(c).unwrap_or(c))
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_accents_and_compatibility_forms_fold_away() {
        assert_eq!(fold_text("CAFÉ Crème"), "cafe creme");
        assert_eq!(fold_text("ＶＩＡＧＲＡ"), "viagra");
        assert_eq!(fold_text("Straße ΣΟΦΟΣ"), "strasse σοφοσ");
        assert_eq!(fold_text("ﬁnance"), "finance");
    }

    #[test]
    fn zero_width_and_direction_marks_are_dropped() {
        assert_eq!(fold_text("vi\u{200B}ag\u{200D}ra\u{FEFF}"), "viagra");
        assert_eq!(fold_text("ca\u{00AD}sino"), "casino");
        assert_eq!(fold_text("\u{202E}abc\u{202C}"), "abc");
    }

    #[test]
    fn mixed_script_look_alikes_map_to_latin_but_real_words_stay() {
        // Cyrillic а and р inside a Latin word.
        assert_eq!(unmix(&fold_text("\u{0440}\u{0430}ypal")), "paypal");
        assert_eq!(unmix(&fold_text("Саsinо")), "casino");
        assert_eq!(unmix("привет"), "привет");
        assert_eq!(unmix("σοφοσ"), "σοφοσ");
    }

    #[test]
    fn emoji_rtl_and_other_scripts_survive() {
        assert_eq!(fold_text("Great 👍🏽!"), "great 👍🏽!");
        assert_eq!(fold_text("مرحبا بالعالم"), "مرحبا بالعالم");
        assert_eq!(fold_text("שָׁלוֹם"), "שלום");
        assert_eq!(fold_text("日本語テキスト"), "日本語テキスト");
    }
}
