//! Property tests of the Markdown and sanitiser path: for any text, rendering returns (never
//! panics), every tag and attribute in the output is one the sanitiser allows, no link has a
//! scheme other than http, https or mailto, nesting stays capped, and the output is at most
//! a fixed multiple of the input.
use proptest::prelude::*;

use super::{MAX_NESTING, render, render_with_html};

const TAGS: [&str; 12] = super::ALLOWED_TAGS;

/// Markdown-heavy text: the characters that open structure, raw HTML and risky schemes.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(">".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("  ".to_owned()),
        Just("\n".to_owned()),
        Just("*".to_owned()),
        Just("`".to_owned()),
        Just("[x](".to_owned()),
        Just(")".to_owned()),
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("\"".to_owned()),
        Just("&".to_owned()),
        Just("<script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("<a href=\"javascript:alert(1)\">".to_owned()),
        Just("javascript:".to_owned()),
        Just("JaVaScRiPt:".to_owned()),
        Just("java\tscript:".to_owned()),
        Just("data:text/html,".to_owned()),
        Just("vbscript:".to_owned()),
        Just("<a@b.c>".to_owned()),
        Just("<http://a>".to_owned()),
        Just(" onclick=".to_owned()),
        Just("![i](".to_owned()),
        Just("~~".to_owned()),
        Just("&#106;avascript:".to_owned()),
        "[a-z]{1,5}".prop_map(|s| s),
        "\\PC{1,3}".prop_map(|s| s),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

/// Everything wrong with `html` as sanitised output: tags outside the allowed set,
/// attributes other than `href` (on `a`), `start` (on `ol`) and `rel`, hrefs with other
/// schemes, and nesting past the cap. Text never holds a raw `<` (it is escaped), so every
/// `<` opens a tag.
fn problems(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    for tag in html.split('<').skip(1) {
        let Some((inner, _)) = tag.split_once('>') else {
            out.push(format!("unclosed tag {tag:?}"));
            continue;
        };
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let (name, attrs) = inner.split_once(' ').unwrap_or((inner, ""));
        if !TAGS.contains(&name) {
            out.push(format!("tag {name:?}"));
        }
        if matches!(name, "blockquote" | "ul" | "ol") {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
        }
        for attr in attrs.split("\" ").filter(|a| !a.is_empty()) {
            let (key, value) = attr.split_once("=\"").unwrap_or((attr, ""));
            let value = value.trim_end_matches('"');
            match (name, key) {
                ("a", "rel") if value == "nofollow ugc noopener" => {}
                ("a", "href") => {
                    let v = value.to_ascii_lowercase();
                    if !(v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:"))
                    {
                        out.push(format!("href {value:?}"));
                    }
                }
                ("ol", "start") if value.bytes().all(|b| b.is_ascii_digit()) => {}
                _ => out.push(format!("attribute {attr:?} on {name}")),
            }
        }
    }
    if max_depth > MAX_NESTING {
        out.push(format!("nesting {max_depth}"));
    }
    out
}

/// The longest output a text may render to: entity escapes and links make each input
/// byte at most a few dozen output bytes, never an unbounded amount.
fn bound(input: &str) -> usize {
    16 * input.len() + 64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_markdown_renders_to_allowed_html_only(text in markdownish()) {
        for html in [render(&text), render_with_html(&text)] {
            let found = problems(&html);
            prop_assert!(found.is_empty(), "{text:?} -> {html:?}: {found:?}");
            prop_assert!(html.len() <= bound(&text), "{} -> {} bytes", text.len(), html.len());
            prop_assert!(!html.to_ascii_lowercase().contains("<script"));
        }
    }

    #[test]
    fn any_text_at_all_renders(text in "\\PC{0,400}") {
        let html = render(&text);
        prop_assert!(problems(&html).is_empty(), "{text:?} -> {html:?}");
        prop_assert!(html.len() <= bound(&text));
    }

    #[test]
    fn any_bytes_as_text_render(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let html = render_with_html(&text);
        prop_assert!(problems(&html).is_empty(), "{text:?} -> {html:?}");
    }

    #[test]
    fn deep_nesting_of_any_mix_stays_capped(
        markers in proptest::collection::vec(prop_oneof![Just("> "), Just("- "), Just("1. ")], 0..300),
        text in "[a-z ]{0,20}",
    ) {
        let md = format!("{}{text}", markers.concat());
        let html = render(&md);
        prop_assert!(problems(&html).is_empty(), "{md:?} -> {html:?}");
        prop_assert!(html.len() <= 16 * (MAX_NESTING * 4 + text.len()) + 256, "{} bytes", html.len());
    }
}

#[test]
fn the_checker_sees_what_it_must_refuse() {
    assert!(problems("<p>ok &lt;script&gt;</p>").is_empty());
    assert!(!problems("<script>x</script>").is_empty());
    assert!(!problems("<a href=\"javascript:x\">a</a>").is_empty());
    assert!(!problems("<p onclick=\"x\">a</p>").is_empty());
    assert!(!problems(&"<blockquote>".repeat(MAX_NESTING + 1)).is_empty());
}
