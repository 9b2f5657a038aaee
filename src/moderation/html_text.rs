//! Sanitised HTML back to the Markdown subset comments are written in, so that a comment
//! imported as HTML can be edited like any other. Reads only what `markdown::clean_html`
//! lets through (well-formed, lower-case tags, quoted attributes); anything else is text.

/// A node of sanitised HTML.
#[derive(Debug)]
enum Node {
    Text(String),
    Element {
        name: String,
        href: Option<String>,
        children: Vec<Node>,
    },
}

/// The Markdown source of sanitised HTML.
pub fn markdown_of(html: &str) -> String {
    let nodes = parse(html);
    blocks(&nodes).join("\n\n").trim().to_owned()
}

fn parse(html: &str) -> Vec<Node> {
    let mut stack: Vec<(String, Option<String>, Vec<Node>)> =
        vec![(String::new(), None, Vec::new())];
    let mut rest = html;
    while !rest.is_empty() {
        let (text, tag) = match rest.find('<') {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        if !text.is_empty()
            && let Some(top) = stack.last_mut()
        {
            top.2.push(Node::Text(decode(text)));
        }
        let Some(tag) = tag else { break };
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        rest = &tag[end..];
        let inner = tag[1..end.saturating_sub(1).max(1)].trim_end_matches('/');
        if let Some(name) = inner.strip_prefix('/') {
            close(&mut stack, name.trim());
        } else {
            let name: String = inner
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let href = attribute(inner, "href");
            if name == "br" {
                if let Some(top) = stack.last_mut() {
                    top.2.push(element("br", None, Vec::new()));
                }
            } else {
                stack.push((name, href, Vec::new()));
            }
        }
    }
    while stack.len() > 1 {
        let name = stack.last().map(|t| t.0.clone()).unwrap_or_default();
        close(&mut stack, &name);
    }
    stack.pop().map(|t| t.2).unwrap_or_default()
}

fn close(stack: &mut Vec<(String, Option<String>, Vec<Node>)>, name: &str) {
    if stack.len() < 2 || !stack.iter().skip(1).any(|t| t.0 == name) {
        return;
    }
    while stack.len() > 1 {
        let Some((n, href, children)) = stack.pop() else {
            return;
        };
        let done = n == name;
        if let Some(parent) = stack.last_mut() {
            parent.2.push(element(&n, href, children));
        }
        if done {
            return;
        }
    }
}

fn element(name: &str, href: Option<String>, children: Vec<Node>) -> Node {
    Node::Element {
        name: name.to_owned(),
        href,
        children,
    }
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[at..].find('"')?;
    Some(decode(&tag[at..at + len]))
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn is_block(n: &Node) -> bool {
    matches!(n, Node::Element { name, .. }
        if matches!(name.as_str(), "p" | "blockquote" | "ul" | "ol" | "pre" | "li"))
}

/// Each block of `nodes` as Markdown; runs of inline nodes make a paragraph.
fn blocks(nodes: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<&Node> = Vec::new();
    for n in nodes {
        if is_block(n) {
            flush(&mut run, &mut out);
            out.push(block(n));
        } else {
            run.push(n);
        }
    }
    flush(&mut run, &mut out);
    out.retain(|b| !b.trim().is_empty());
    out
}

fn flush(run: &mut Vec<&Node>, out: &mut Vec<String>) {
    let text = joined(run.iter().copied());
    if !text.trim().is_empty() {
        out.push(text.trim().to_owned());
    }
    run.clear();
}

fn block(n: &Node) -> String {
    let Node::Element { name, children, .. } = n else {
        return inline(n);
    };
    match name.as_str() {
        "blockquote" => blocks(children)
            .join("\n\n")
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">".into()
                } else {
                    format!("> {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "ul" | "ol" => list(name == "ol", children),
        "pre" => format!("```\n{}\n```", raw(children).trim_end_matches('\n')),
        _ => joined(children.iter()).trim().to_owned(),
    }
}

/// Inline nodes as one paragraph's Markdown. A line break is already followed by the
/// newline that the HTML usually carries after `<br>`.
fn joined<'a>(nodes: impl Iterator<Item = &'a Node>) -> String {
    nodes
        .map(inline)
        .collect::<String>()
        .replace("\\\n\n", "\\\n")
}

fn list(ordered: bool, items: &[Node]) -> String {
    let mut out = Vec::new();
    let mut n = 0;
    for item in items {
        let Node::Element { children, .. } = item else {
            continue;
        };
        n += 1;
        let marker = if ordered {
            format!("{n}. ")
        } else {
            "- ".to_owned()
        };
        let pad = " ".repeat(marker.len());
        let body = blocks(children).join("\n\n");
        let mut lines = body.lines();
        let first = lines.next().unwrap_or_default();
        let mut text = format!("{marker}{first}");
        for l in lines {
            text.push('\n');
            if !l.is_empty() {
                text.push_str(&pad);
                text.push_str(l);
            }
        }
        out.push(text);
    }
    out.join("\n")
}

fn inline(n: &Node) -> String {
    match n {
        Node::Text(t) => escape(t),
        Node::Element {
            name,
            href,
            children,
        } => {
            let inner: String = children.iter().map(inline).collect();
            match name.as_str() {
                "em" => format!("*{inner}*"),
                "strong" => format!("**{inner}**"),
                "del" => format!("~~{inner}~~"),
                "code" => code_span(&raw(children)),
                "br" => "\\\n".to_owned(),
                "a" => match href {
                    Some(h) => format!("[{inner}](<{h}>)"),
                    None => inner,
                },
                _ => inner,
            }
        }
    }
}

fn code_span(code: &str) -> String {
    let fence = if code.contains('`') { "``" } else { "`" };
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{code}{pad}{fence}")
}

/// The text of `nodes` without any Markdown: for code.
fn raw(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| match n {
            Node::Text(t) => t.clone(),
            Node::Element { children, .. } => raw(children),
        })
        .collect()
}

/// Text with every character that Markdown would read as syntax escaped.
fn escape(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let line_start = prev.is_none_or(|p| p == '\n');
        let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        let special = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '~' | '|' => true,
            '_' => !(word(prev) && word(next)),
            '&' => next.is_some_and(|n| n == '#' || n.is_ascii_alphabetic()),
            '#' | '+' | '-' | '=' => line_start,
            '.' | ')' => {
                prev.is_some_and(|p| p.is_ascii_digit())
                    && chars[..i]
                        .iter()
                        .rev()
                        .take_while(|p| p.is_ascii_digit())
                        .count()
                        == chars[..i].iter().rev().take_while(|p| **p != '\n').count()
            }
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markdown_of;
    use crate::moderation::markdown::{clean_html, render};

    /// Markdown written here, rendered, read back and rendered again: the same HTML.
    #[test]
    fn rendered_comments_read_back_to_the_same_html() {
        let samples = [
            "Hello *there* **you** and ~~gone~~",
            "First paragraph.\n\nSecond, with a [link](https://example.org/a?b=1&c=2).",
            "> quoted\n>\n> twice\n\nafter",
            "- one\n- two *em*\n\n1. first\n2. second",
            "`x < y` and ``a`b``",
            "```\nfn main() {\n    println!(\"<hi>\");\n}\n```",
            "Stars * and _under_scores_ and snake_case, 1. not a list, # not a heading",
            "Line one\\\nline two",
            "Unicode: naïve café, emoji 🎉, עברית, 李雷 & &amp; <b>tags</b>",
        ];
        for md in samples {
            let html = render(md);
            let back = markdown_of(&html);
            assert_eq!(render(&back), html, "{md:?} came back as {back:?}");
        }
    }

    #[test]
    fn imported_html_becomes_editable_markdown() {
        let html = clean_html(
            "<p>Hi <strong>you</strong>,<br>see <a href=\"https://e.example/\">this</a></p>\
             <blockquote><p>quote</p></blockquote>",
        );
        let md = markdown_of(&html);
        assert_eq!(
            md,
            "Hi **you**,\\\nsee [this](<https://e.example/>)\n\n> quote"
        );
        assert_eq!(render(&md).replace('\n', ""), html);
    }
}
