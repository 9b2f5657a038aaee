//! Splitting folded text into the filter's word tokens: words in any script (CJK runs as
//! character pairs, since they have no spaces), the plain word hidden in an obfuscated one
//! ("v1@gra", "c-i-a-l-i-s", "v i a g r a") with its character trigrams, and orthogonal
//! sparse bigrams (a word paired with each of the next three, the gap marked), which catch
//! phrases without the blow-up of all n-grams.
use super::normalise::unmix;

/// Words longer than this are not words (hashes, base64, glued-together junk): only their
/// first letter and length bucket are kept.
const MAX_WORD: usize = 24;
/// How many words of a long text feed the bigrams: enough for a comment, bounded for mail.
const MAX_BIGRAM_WORDS: usize = 400;
/// How far apart the words of one sparse bigram may be.
const BIGRAM_REACH: usize = 3;

/// The word-level tokens of folded text, in order (bigrams last). Links and e-mail
/// addresses are expected to be gone already.
pub fn tokens(folded: &str, bigrams: bool, out: &mut Vec<String>) {
    let mut words: Vec<String> = Vec::new();
    let mut letters = String::new();
    for chunk in folded.split(char::is_whitespace) {
        let core = chunk.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            continue;
        }
        let single = core.chars().count() == 1 && core.chars().all(char::is_alphabetic);
        if single {
            letters.push_str(core);
        } else {
            flush_letters(&mut letters, out);
        }
        if let Some(plain) = deobfuscate(core) {
            trigrams(&plain, out);
            words.push(plain);
        }
        for word in core.split(|c: char| !c.is_alphanumeric()) {
            push_word(word, &mut words, out);
        }
    }
    flush_letters(&mut letters, out);
    if bigrams {
        sparse_bigrams(&words, out);
    }
    out.extend(words);
}

fn push_word(word: &str, words: &mut Vec<String>, out: &mut Vec<String>) {
    let len = word.chars().count();
    if len == 0 {
        return;
    }
    if word.chars().all(is_cjk) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() == 1 {
            words.push(word.to_owned());
        }
        for pair in chars.windows(2) {
            words.push(pair.iter().collect());
        }
        return;
    }
    if len < 2 {
        return;
    }
    if len > MAX_WORD {
        let first = word.chars().next().unwrap_or('?');
        out.push(format!("skip:{first} {}", len / 10 * 10));
        return;
    }
    if word.chars().all(|c| c.is_ascii_digit()) && len > 4 {
        out.push(format!("num:{len}"));
        return;
    }
    words.push(unmix(word).into_owned());
}

/// Single letters spaced out ("v i a g r a") are read as the word they spell.
fn flush_letters(letters: &mut String, out: &mut Vec<String>) {
    if letters.chars().count() >= 4 {
        let word = unmix(letters).into_owned();
        trigrams(&word, out);
        out.push(format!("spaced:{word}"));
        out.push(word);
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
    let segments: Vec<&str> = core
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    let spaced = segments.len() >= 4 && segments.iter().all(|s| s.chars().count() == 1);
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
fn trigrams(word: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = word.chars().collect();
    for t in chars.windows(3) {
        let mut s = String::from("c:");
        s.extend(t);
        out.push(s);
    }
}

fn sparse_bigrams(words: &[String], out: &mut Vec<String>) {
    let words = &words[..words.len().min(MAX_BIGRAM_WORDS)];
    for (i, a) in words.iter().enumerate() {
        for gap in 1..=BIGRAM_REACH {
            let Some(b) = words.get(i + gap) else { break };
            let mut s = String::with_capacity(a.len() + b.len() + 2 * gap);
            s.push_str(a);
            for _ in 1..gap {
                s.push_str(" _");
            }
            s.push(' ');
            s.push_str(b);
            out.push(s);
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
        let mut out = Vec::new();
        tokens(&crate::spam::normalise::fold_text(s), bigrams, &mut out);
        out
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
