//! Renders a comment's Markdown subset to safe HTML, once, at write time.
//! Raw HTML is shown as text, images become their alt text, and ammonia has the last word.
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The only tags a rendered comment may contain.
pub(super) const ALLOWED_TAGS: [&str; 12] = [
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
];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.add_tags(ALLOWED_TAGS)
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

/// Deepest nesting of quotes and lists that is rendered; deeper ones keep their text at
/// this depth, so 10 KB of `>` cannot become hundreds of KB of HTML.
pub const MAX_NESTING: usize = 8;

/// Drops the quote and list tags past [`MAX_NESTING`] (keeping what they contain), pairing
/// each end with its start.
#[derive(Default)]
struct Nesting {
    /// For each open quote, list or item: whether its tags are rendered.
    kept: Vec<bool>,
    depth: usize,
}

impl Nesting {
    fn filter<'a>(&mut self, ev: Event<'a>) -> Option<Event<'a>> {
        match &ev {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                let keep = self.depth < MAX_NESTING;
                self.kept.push(keep);
                self.depth += usize::from(keep);
                keep.then_some(ev)
            }
            // An item goes with its list.
            Event::Start(Tag::Item) => {
                let keep = self.kept.last().copied().unwrap_or(true);
                self.kept.push(keep);
                keep.then_some(ev)
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                let keep = self.kept.pop().unwrap_or(true);
                self.depth -= usize::from(keep && self.depth > 0);
                keep.then_some(ev)
            }
            Event::End(TagEnd::Item) => self.kept.pop().unwrap_or(true).then_some(ev),
            _ => Some(ev),
        }
    }
}

fn render_markdown(text: &str, keep_html: bool) -> String {
    let mut nesting = Nesting::default();
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
        .filter_map(move |ev| nesting.filter(ev))
        .filter_map(|ev| match ev {
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
    use super::{MAX_NESTING, count_links, render};

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

    #[test]
    fn nesting_is_capped_and_the_text_kept() {
        let deep = ">".repeat(10 * 1024) + " deep";
        let html = render(&deep);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert_eq!(html.matches("</blockquote>").count(), MAX_NESTING);
        assert!(
            html.contains("deep") && html.len() < 500,
            "{} bytes",
            html.len()
        );
        let lists = (0..40)
            .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
            .collect::<String>();
        let html = render(&lists);
        assert!(html.matches("<ul>").count() <= MAX_NESTING, "{html}");
        assert!(html.contains("item 39"));
        assert_eq!(html.matches("<li>").count(), html.matches("</li>").count());
        let shallow = render("> one\n>\n> > two");
        assert_eq!(shallow.matches("<blockquote>").count(), 2, "{shallow}");
    }
}

#[cfg(test)]
#[path = "markdown_props.rs"]
mod props;
