//! WordPress comment content as WordPress shows it: stored with bare line breaks, made into
//! paragraphs on display (`wpautop`), and with `<b>`, `<i>` and `<strike>` among its allowed
//! tags. This makes that HTML, for the sanitiser every comment goes through.

/// Block-level tags: a line that starts or ends with one is not wrapped in a paragraph.
const BLOCKS: [&str; 14] = [
    "p",
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// The HTML WordPress would show for a comment's stored content.
pub fn content(raw: &str) -> String {
    autop(&renamed(&raw.replace("\r\n", "\n").replace('\r', "\n")))
}

/// Blank lines separate paragraphs and single line breaks become `<br>`, except next to
/// block tags and inside `<pre>`.
fn autop(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut para = false;
    let mut depth = 0usize;
    let mut pre = false;
    let mut prev_blocky_end = true;
    let mut prev_br = false;
    for line in text.split('\n') {
        if pre {
            out.push('\n');
            out.push_str(line);
            pre = !line.contains("</pre");
            depth = depth.saturating_sub(closes(line));
            prev_blocky_end = ends_with_block(line.trim());
            continue;
        }
        let t = line.trim();
        if t.is_empty() {
            if para {
                out.push_str("</p>");
                para = false;
            }
            prev_blocky_end = true;
            continue;
        }
        let starts = starts_with_block(t);
        // As `wpautop`: no second break after a `<br>` the text already has.
        let broken = prev_blocky_end || prev_br;
        if starts || depth > 0 {
            if para {
                out.push_str("</p>");
                para = false;
            }
            if !starts && !broken {
                out.push_str("<br>");
            }
            out.push('\n');
        } else if para {
            out.push_str(if broken { "\n" } else { "<br>\n" });
        } else {
            out.push_str("\n<p>");
            para = true;
        }
        out.push_str(t);
        depth = (depth + opens(t)).saturating_sub(closes(t));
        pre = t.contains("<pre") && !t.contains("</pre");
        prev_blocky_end = ends_with_block(t);
        prev_br = ends_with_br(t);
    }
    if para {
        out.push_str("</p>");
    }
    out.trim().to_owned()
}

fn tag_name(t: &str) -> Option<(bool, String)> {
    let rest = t.strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    Some((closing, name))
}

fn starts_with_block(t: &str) -> bool {
    tag_name(t).is_some_and(|(_, n)| BLOCKS.contains(&n.as_str()))
}

fn ends_with_block(t: &str) -> bool {
    let Some(open) = t.rfind('<') else {
        return false;
    };
    t.ends_with('>') && starts_with_block(&t[open..])
}

fn ends_with_br(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    ["<br>", "<br/>", "<br />"].iter().any(|b| t.ends_with(b))
}

fn count(t: &str, closing: bool) -> usize {
    t.match_indices('<')
        .filter_map(|(i, _)| tag_name(&t[i..]))
        .filter(|(c, n)| *c == closing && BLOCKS.contains(&n.as_str()))
        .count()
}

fn opens(t: &str) -> usize {
    count(t, false)
}

fn closes(t: &str) -> usize {
    count(t, true)
}

/// `<b>`, `<i>`, `<strike>` and `<s>` as the tags the sanitiser keeps.
pub fn renamed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some((closing, name)) = tag_name(rest) else {
            break;
        };
        let to = match name.as_str() {
            "b" => "strong",
            "i" => "em",
            "strike" | "s" => "del",
            _ => "",
        };
        let skip = 1 + usize::from(closing) + name.len();
        if to.is_empty() || rest[skip..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        out.push('<');
        if closing {
            out.push('/');
        }
        out.push_str(to);
        rest = &rest[skip..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::content;

    #[test]
    fn blank_lines_make_paragraphs_and_line_breaks_stay() {
        assert_eq!(
            content("First line\nsecond line\n\nNew <b>para</b>"),
            "<p>First line<br>\nsecond line</p>\n<p>New <strong>para</strong></p>"
        );
    }

    #[test]
    fn block_tags_are_not_wrapped_and_pre_is_left_alone() {
        assert_eq!(
            content("<blockquote>quoted\nmore</blockquote>\nafter"),
            "<blockquote>quoted<br>\nmore</blockquote>\n<p>after</p>"
        );
        assert_eq!(
            content("<pre>a\n\nb</pre>\n<i>x</i>"),
            "<pre>a\n\nb</pre>\n<p><em>x</em></p>"
        );
    }

    #[test]
    fn a_paragraph_over_several_lines_stays_one() {
        let html = "<p>First!<br>\nSecond line</p>\n<p>Third\nline</p>";
        assert_eq!(
            content(html),
            "<p>First!<br>\nSecond line</p>\n<p>Third<br>\nline</p>"
        );
    }

    #[test]
    fn html_that_is_already_paragraphs_is_unchanged() {
        let html =
            "<p>a <em>b</em></p>\n<blockquote>\n<p>q</p>\n</blockquote>\n<ul>\n<li>x</li>\n</ul>";
        assert_eq!(content(html), html);
    }
}
