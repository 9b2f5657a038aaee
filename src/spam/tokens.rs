//! Splitting folded text into the filter's word tokens: words in any script (CJK runs as
//! character pairs, since they have no spaces), the plain word hidden in an obfuscated one
//! ("v1@gra", "c-i-a-l-i-s", "v i a g r a") with its character trigrams, and orthogonal
//! sparse bigrams (a word paired with each of the next three, the gap marked), which catch
//! phrases without the blow-up of all n-grams.
use std::borrow::Cow;

use super::buffer::Features;
use super::normalise::unmix;

/// Words longer than this are not words (hashes, base64, glued-together junk): only their
/// first letter and length bucket are kept.
const MAX_WORD: usize = 24;
/// How many words of a long text feed the bigrams: enough for a comment, bounded for mail.
const MAX_BIGRAM_WORDS: usize = 400;
/// How far apart the words of one sparse bigram may be.
const BIGRAM_REACH: usize = 3;

/// The word-level tokens of folded text, in order (bigrams last). Links and e-mail
/// addresses are expected to be gone already. Words borrow from `folded` unless a
/// disguise had to be undone.
pub fn tokens(folded: &str, bigrams: bool, out: &mut Features) {
    let mut words: Vec<Cow<'_, str>> = Vec::with_capacity(folded.len() / 5);
    let mut letters = String::new();
    for chunk in folded.split(char::is_whitespace) {
        let core = chunk.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            continue;
        }
        let alphabetic = core.chars().all(char::is_alphabetic);
        if alphabetic && core.chars().nth(1).is_none() {
            letters.push_str(core);
        } else {
            flush_letters(&mut letters, out);
        }
        if alphabetic {
            // A plain word (the common case) hides nothing and is one word.
            push_word(core, &mut words, out);
            continue;
        }
        if let Some(plain) = deobfuscate(core) {
            trigrams(&plain, out);
            words.push(Cow::Owned(plain));
        }
        for word in core.split(|c: char| !c.is_alphanumeric()) {
            push_word(word, &mut words, out);
        }
    }
    flush_letters(&mut letters, out);
    if bigrams {
        sparse_bigrams(&words, out);
    }
    for w in &words {
        out.push(w);
    }
}

fn push_word<'a>(word: &'a str, words: &mut Vec<Cow<'a, str>>, out: &mut Features) {
    if word.is_empty() {
        return;
    }
    let ascii = word.is_ascii();
    let len = if ascii {
        word.len()
    } else {
        word.chars().count()
    };
    if !ascii && word.chars().all(is_cjk) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() == 1 {
            words.push(Cow::Borrowed(word));
        }
        for pair in chars.windows(2) {
            words.push(Cow::Owned(pair.iter().collect()));
        }
        return;
    }
    if len < 2 {
        return;
    }
    if len > MAX_WORD {
        let first = word.chars().next().unwrap_or('?');
        out.push_fmt(format_args!("skip:{first} {}", len / 10 * 10));
        return;
    }
    if len > 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        out.push_fmt(format_args!("num:{len}"));
        return;
    }
    words.push(if ascii {
        Cow::Borrowed(word)
    } else {
        unmix(word)
    });
}

/// Single letters spaced out ("v i a g r a") are read as the word they spell.
fn flush_letters(letters: &mut String, out: &mut Features) {
    if letters.chars().count() >= 4 {
        let word = unmix(letters).into_owned();
        trigrams(&word, out);
        out.push_parts(&["spaced:", &word]);
        out.push(&word);
    }
    letters.clear();
}

fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        _ => return None,
    })
}

/// The plain word behind an obfuscated one, when `core` looks obfuscated: letters mixed
/// with look-alike digits or symbols ("v1agra", "fr€e" is not), or letters kept apart by
/// separators ("c-i-a-l-i-s", "v.i.a.g.r.a").
fn deobfuscate(core: &str) -> Option<String> {
    // A plain word (letters only, the common case) hides nothing.
    if core.chars().all(char::is_alphabetic) {
        return None;
    }
    let letters = core.chars().filter(|c| c.is_alphabetic()).count();
    let other_digits = core
        .chars()
        .any(|c| c.is_ascii_digit() && leet(c).is_none());
    if letters < 2 || other_digits || core.chars().count() > MAX_WORD {
        return None;
    }
    let leets = core
        .chars()
        .filter(|c| !c.is_alphabetic() && leet(*c).is_some())
        .count();
    let segments = core
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty());
    let mut count = 0;
    let mut all_single = true;
    for s in segments {
        count += 1;
        all_single &= s.chars().nth(1).is_none();
    }
    let spaced = count >= 4 && all_single;
    let mixed = leets > 0 && letters >= 3 && leets * 2 <= letters;
    if !(spaced || mixed) {
        return None;
    }
    let plain: String = core
        .chars()
        .filter_map(|c| if c.is_alphabetic() { Some(c) } else { leet(c) })
        .collect();
    (plain.chars().count() >= 4).then(|| unmix(&plain).into_owned())
}

/// Character trigrams of an obfuscated word, so partial disguises still share tokens.
fn trigrams(word: &str, out: &mut Features) {
    let chars: Vec<char> = word.chars().collect();
    for t in chars.windows(3) {
        out.push_chars("c:", t);
    }
}

fn sparse_bigrams(words: &[Cow<'_, str>], out: &mut Features) {
    const GAPS: [&str; BIGRAM_REACH] = [" ", " _ ", " _ _ "];
    let words = &words[..words.len().min(MAX_BIGRAM_WORDS)];
    for (i, a) in words.iter().enumerate() {
        for (gap, sep) in GAPS.iter().enumerate() {
            let Some(b) = words.get(i + gap + 1) else {
                break;
            };
            out.push_parts(&[a, sep, b]);
        }
    }
}

/// Han, kana and Hangul: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str, bigrams: bool) -> Vec<String> {
        let mut out = Features::default();
        tokens(&crate::spam::normalise::fold_text(s), bigrams, &mut out);
        out.to_strings()
    }

    #[test]
    fn words_in_any_script() {
        let t = toks("Hello, wörld! Привет мир 👍 שלום", false);
        assert_eq!(t, ["hello", "world", "привет", "мир", "שלום"]);
    }

    #[test]
    fn cjk_runs_become_character_pairs() {
        let t = toks("日本語 and 中文", false);
        assert_eq!(t, ["日本", "本語", "and", "中文"]);
    }

    #[test]
    fn obfuscated_words_read_as_the_plain_word() {
        for disguised in [
            "V1@GRA",
            "v.i.a.g.r.a",
            "v i a g r a",
            "ví\u{200B}agra",
            "vіagra",
        ] {
            let t = toks(&format!("buy {disguised} now"), false);
            assert!(t.contains(&"viagra".to_owned()), "{disguised}: {t:?}");
            if disguised != "ví\u{200B}agra" && disguised != "vіagra" {
                assert!(t.contains(&"c:agr".to_owned()), "{disguised}: {t:?}");
            }
        }
    }

    #[test]
    fn ordinary_words_are_not_taken_for_obfuscation() {
        let t = toks("e.g. mp3 files and well-known 2002 results", false);
        assert!(!t.iter().any(|x| x.starts_with("c:")), "{t:?}");
        assert!(t.contains(&"mp3".to_owned()));
    }

    #[test]
    fn sparse_bigrams_mark_their_gaps() {
        let t = toks("make money fast today", true);
        assert!(t.contains(&"make money".to_owned()));
        assert!(t.contains(&"make _ fast".to_owned()));
        assert!(t.contains(&"make _ _ today".to_owned()));
        assert!(!t.iter().any(|x| x.starts_with("money _ _")));
    }

    #[test]
    fn long_junk_and_long_numbers_are_bucketed() {
        let t = toks("aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ 12345678", false);
        assert_eq!(t, ["skip:a 30", "num:8"]);
    }
}
