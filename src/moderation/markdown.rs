//! Renders a comment's Markdown subset to safe HTML, once, at write time.
//! Raw HTML is shown as text, images become their alt text, and ammonia has the last word.
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.add_tags([
        "p",
        "br",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
    ])
    .add_tag_attributes("a", ["href"])
    .add_tag_attributes("ol", ["start"])
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .url_relative(UrlRelative::Deny)
    .link_rel(Some("nofollow ugc noopener"));
    b
});

/// Markdown to sanitised HTML.
pub fn render(text: &str) -> String {
    render_markdown(text, false)
}

/// Markdown whose raw HTML is kept, then cleaned by the same sanitiser: for imported
/// history from systems whose comments allowed inline HTML (Isso).
pub fn render_with_html(text: &str) -> String {
    render_markdown(text, true)
}

/// HTML from elsewhere (an import), through the same sanitiser as every comment: what it
/// does not allow is dropped, its text kept.
pub fn clean_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

fn render_markdown(text: &str, keep_html: bool) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).filter_map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) if keep_html => Some(Event::Html(s)),
        // Raw HTML is escaped, never passed through.
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Heading { .. }) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::Heading(_)) => Some(Event::End(TagEnd::Paragraph)),
        other => Some(other),
    });
    let mut html = String::with_capacity(text.len() + text.len() / 4 + 16);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string()
}

/// Counts the links a comment carries: Markdown links, autolinks and images, plus bare
/// `http://`, `https://` and `www.` addresses in text, code or raw HTML.
pub fn count_links(text: &str) -> usize {
    let mut links = 0;
    let mut inside = 0usize;
    for ev in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                links += 1;
                inside += 1;
            }
            Event::End(TagEnd::Link | TagEnd::Image) => inside = inside.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t)
                if inside == 0 =>
            {
                links += bare_urls(&t);
            }
            _ => {}
        }
    }
    links
}

fn bare_urls(t: &str) -> usize {
    t.split(|c: char| c.is_whitespace() || "()<>[]{}\"'".contains(c))
        .filter(|w| {
            let w = w.get(..8).unwrap_or(w).to_ascii_lowercase();
            w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::{count_links, render};

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(count_links("no links here. Awww. www"), 0);
        assert_eq!(count_links("see https://www.example.org/a"), 1);
        assert_eq!(count_links("[https://a.example](https://a.example)"), 1);
        assert_eq!(count_links("<https://a.example> and www.b.example"), 2);
        assert_eq!(
            count_links("![img](http://x.example/i.png) (HTTP://Y.example)"),
            2
        );
        assert_eq!(count_links("<a href=\"http://spam.example\">x</a>"), 1);
        assert_eq!(count_links("`curl https://x.example`"), 1);
    }

    #[test]
    fn the_markdown_subset_renders() {
        let html = render("Hello *there* **you**\n\n> quoted\n\n- a\n- b\n\n`x < y`");
        assert!(html.contains("<em>there</em>"));
        assert!(html.contains("<strong>you</strong>"));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains("<li>a</li>"));
        assert!(html.contains("<code>x &lt; y</code>"));
    }

    #[test]
    fn raw_html_is_escaped_not_passed_through() {
        let html = render("<script>alert(1)</script> <b onclick=x>hi</b>");
        assert!(!html.contains("<script"));
        assert!(!html.contains("<b "));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn links_are_safe_and_marked_nofollow() {
        let html = render("[a](https://example.org) [b](javascript:alert(1)) [c](/relative)");
        assert!(
            html.contains(r#"<a href="https://example.org" rel="nofollow ugc noopener">a</a>"#)
        );
        assert!(!html.contains("javascript"));
        assert!(!html.contains("/relative"));
        assert!(render("[m](mailto:a@example.org)").contains("mailto:"));
    }

    #[test]
    fn imported_html_is_cleaned_by_the_same_rules() {
        let html = super::clean_html(
            "<p onclick=x>hi <script>alert(1)</script><a href=\"javascript:x\">a</a></p>",
        );
        assert_eq!(html, "<p>hi <a rel=\"nofollow ugc noopener\">a</a></p>");
        assert_eq!(
            super::clean_html(&html),
            html,
            "cleaning twice changes nothing"
        );
        let kept = super::render_with_html("*a* <strong>b</strong><img src=x>");
        assert_eq!(kept, "<p><em>a</em> <strong>b</strong></p>\n");
    }

    #[test]
    fn images_become_their_alt_text() {
        let html = render("![a cat](https://example.org/cat.png)");
        assert!(!html.contains("<img"));
        assert!(html.contains("a cat"));
    }
}
