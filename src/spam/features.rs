//! What the filter sees of a comment: its features, as strings with a prefix naming the
//! kind. Words and sparse bigrams of the text (`tokens`), the domains its links point to and
//! how many there are, the domain of the author's website and of their e-mail, and the
//! shape of the name and text (capitals, repetition, length). Never the raw e-mail or the
//! client's address: only domains and shapes, so the model holds nothing personal.
use super::buffer::{Features, KeySet};
use super::model::key;
use super::normalise::fold_text;
use super::tokens::tokens;

/// One comment as the filter reads it.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub website: Option<&'a str>,
    pub text: &'a str,
}

/// Which features to extract. `Full` is the product's; `WordsOnly` is the plain
/// bag-of-words baseline the evaluation compares it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSet {
    Full,
    WordsOnly,
}

/// The distinct features of a message, in no particular order.
pub fn features(m: &Message<'_>, set: FeatureSet) -> Vec<String> {
    feature_buffer(m, set).to_strings()
}

/// The same, in one buffer: what scoring reads, without a string per feature.
pub fn feature_buffer(m: &Message<'_>, set: FeatureSet) -> Features {
    let mut out = Features::with_capacity(64 + m.text.len() * 3);
    let folded = fold_text(m.text);
    let (prose, links) = split_links(&folded);
    let full = set == FeatureSet::Full;
    tokens(&prose, full, &mut out);
    if full {
        link_features(&links, &mut out);
        author_features(m, &mut out);
        shape_features(m.text, &prose, &mut out);
    }
    out
}

enum Found {
    Link(String),
    Mail(String),
}

/// The text without its links and e-mail addresses, and what was taken out: link hosts and
/// mail domains (the rest of an address is dropped).
fn split_links(folded: &str) -> (String, Vec<Found>) {
    let mut prose = String::with_capacity(folded.len());
    let mut found = Vec::new();
    let seps = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '<' | '>' | '[' | ']' | '{' | '}' | '"' | '\''
            )
    };
    for chunk in folded.split(seps) {
        let bare = chunk.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if let Some(host) = link_host(bare) {
            found.push(Found::Link(host));
        } else if let Some((_, domain)) = bare
            .split_once('@')
            .filter(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
        {
            found.push(Found::Mail(domain.to_owned()));
        } else {
            prose.push_str(chunk);
            prose.push(' ');
        }
    }
    (prose, found)
}

/// The host of a link written as `http(s)://…` or `www.…`, without `www.` or a port.
pub fn link_host(s: &str) -> Option<String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .or_else(|| s.starts_with("www.").then_some(s))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') || host.parse::<std::net::IpAddr>().is_ok()).then(|| host.to_owned())
}

/// The last two labels of a host ("news.example.co" → "example.co"), the part a spammer
/// registers; a numeric address stays as it is.
fn registered(host: &str) -> &str {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return host;
    }
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((i, _))) => &host[i + 1..],
        _ => host,
    }
}

fn tld(host: &str) -> &str {
    host.rsplit('.').next().unwrap_or(host)
}

fn link_features(found: &[Found], out: &mut Features) {
    let links = found.iter().filter(|f| matches!(f, Found::Link(_))).count();
    match links {
        0..=2 => out.push_fmt(format_args!("links:{links}")),
        3..=5 => out.push("links:3-5"),
        _ => out.push("links:6+"),
    }
    for f in found {
        match f {
            Found::Link(host) => {
                if host.parse::<std::net::IpAddr>().is_ok() {
                    out.push("url:numeric address");
                }
                out.push_parts(&["url:", registered(host)]);
                out.push_parts(&["url:", host]);
                out.push_parts(&["url:.", tld(host)]);
            }
            Found::Mail(domain) => out.push_parts(&["mailto:", registered(domain)]),
        }
    }
}

fn author_features(m: &Message<'_>, out: &mut Features) {
    match m.website.map(fold_text).as_deref().and_then(link_host) {
        Some(host) => {
            out.push_parts(&["site:", registered(&host)]);
            out.push_parts(&["site:.", tld(&host)]);
        }
        None => out.push("site:none"),
    }
    let email = fold_text(m.email);
    match email.rsplit_once('@') {
        Some((local, domain)) if !domain.is_empty() => {
            out.push_parts(&["email:", registered(domain)]);
            out.push_parts(&["email:.", tld(domain)]);
            let digits = local.chars().filter(char::is_ascii_digit).count();
            out.push_fmt(format_args!("email:digits {}", digits.min(3)));
        }
        _ => out.push("email:none"),
    }
    name_features(m.name, out);
}

fn name_features(name: &str, out: &mut Features) {
    let folded = fold_text(name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    out.push_fmt(format_args!("name:words {}", words.len().min(4)));
    for w in words.iter().take(6) {
        out.push_parts(&["name:", w]);
    }
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 3 && letters.iter().all(|c| !c.is_lowercase()) && has_case(&letters) {
        out.push("name:all capitals");
    }
    if name.chars().any(|c| c.is_ascii_digit()) {
        out.push("name:has digits");
    }
    if name.contains(['@', '/', '$']) || name.contains("http") {
        out.push("name:has symbols");
    }
}

fn has_case(letters: &[char]) -> bool {
    letters.iter().any(|c| c.is_uppercase())
}

fn shape_features(raw: &str, prose: &str, out: &mut Features) {
    // One pass over the characters: length, letters and capitals, the longest run.
    let (mut chars, mut letters, mut upper) = (0usize, 0usize, 0usize);
    let (mut longest, mut run, mut prev) = (0usize, 0usize, None);
    for c in raw.chars() {
        chars += 1;
        if c.is_alphabetic() {
            letters += 1;
            upper += usize::from(c.is_uppercase());
        }
        if Some(c) == prev && !c.is_whitespace() {
            run += 1;
        } else {
            run = 1;
            prev = Some(c);
        }
        longest = longest.max(run);
    }
    let len_bucket = [16, 64, 256, 1024, 4096]
        .iter()
        .position(|limit| chars < *limit)
        .unwrap_or(5);
    out.push_fmt(format_args!("shape:length {len_bucket}"));
    if letters >= 20 && upper > 0 {
        let pct = upper * 100 / letters;
        let bucket = [5, 15, 30, 60].iter().position(|p| pct < *p).unwrap_or(4);
        out.push_fmt(format_args!("shape:capitals {bucket}"));
    }
    let mut distinct = KeySet::with_capacity(prose.len() / 6);
    let mut words = 0usize;
    for w in prose.split_whitespace() {
        words += 1;
        distinct.insert(key(w));
    }
    if words >= 20 {
        let tenths = distinct.len() * 10 / words;
        out.push_fmt(format_args!("shape:distinct words {}", tenths.min(9)));
    }
    // The longest run of one non-space character repeated.
    if longest >= 4 {
        out.push("shape:repeated character");
    }
    for (mark, name) in [("!!", "shape:!!"), ("$", "shape:$"), ("€", "shape:$")] {
        if raw.contains(mark) {
            out.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Vec<String> {
        features(
            &Message {
                name: "Ada LOVELACE",
                email: "Ada.1984@Mail.Example.ORG",
                website: Some("https://www.blog.example.net/about"),
                text,
            },
            FeatureSet::Full,
        )
    }

    #[test]
    fn links_give_domains_and_a_count_not_words() {
        let f = of("See https://www.Shop.Spam.example/buy?x=1 and [here](http://10.0.0.1:8080/x).");
        for want in [
            "links:2",
            "url:spam.example",
            "url:shop.spam.example",
            "url:.example",
            "url:numeric address",
            "see",
        ] {
            assert!(f.contains(&want.to_owned()), "{want} missing from {f:?}");
        }
        assert!(!f.iter().any(|t| t == "buy" || t == "https"), "{f:?}");
    }

    #[test]
    fn the_author_gives_domains_and_shapes_never_the_address() {
        let f = of("hello there");
        for want in [
            "email:example.org",
            "email:.org",
            "email:digits 3",
            "site:example.net",
            "name:ada",
            "name:lovelace",
            "name:words 2",
        ] {
            assert!(f.contains(&want.to_owned()), "{want} missing from {f:?}");
        }
        assert!(!f.iter().any(|t| t.contains("1984")), "{f:?}");
    }

    #[test]
    fn addresses_in_the_text_keep_only_their_domain() {
        let f = of("write to bob.smith@corp.example.com now");
        assert!(f.contains(&"mailto:example.com".to_owned()), "{f:?}");
        assert!(!f.iter().any(|t| t.contains("bob")), "{f:?}");
    }

    #[test]
    fn shape_of_shouting_and_repetition() {
        let f = of(&"BUY NOW!!!! CHEAP PILLS ".repeat(6));
        for want in [
            "shape:capitals 4",
            "shape:!!",
            "shape:repeated character",
            "shape:distinct words 1",
        ] {
            assert!(f.contains(&want.to_owned()), "{want} missing from {f:?}");
        }
    }

    #[test]
    fn words_only_is_just_words() {
        let m = Message {
            name: "X",
            email: "x@y.example",
            website: None,
            text: "Cheap pills at https://a.example",
        };
        let mut f = features(&m, FeatureSet::WordsOnly);
        f.sort();
        assert_eq!(f, ["at", "cheap", "pills"]);
    }
}
