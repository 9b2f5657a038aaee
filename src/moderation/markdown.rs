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
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).filter_map(|ev| match ev {
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

/// Counts the links a comment carries, written as Markdown links or bare URLs.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()
        - lower.matches("://www.").count()
}

#[cfg(test)]
mod tests {
    use super::render;

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
    fn images_become_their_alt_text() {
        let html = render("![a cat](https://example.org/cat.png)");
        assert!(!html.contains("<img"));
        assert!(html.contains("a cat"));
    }
}
