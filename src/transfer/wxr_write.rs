//! Writing a WordPress export (WXR 1.2) as `export_wp()` does, so that WordPress's
//! importer takes it: each page an `<item>` (a published post), each comment a
//! `<wp:comment>` with ids that put parents first. What WordPress has no field for
//! (replyd's exact status, earlier source ids, tombstones) travels as comment meta, which
//! WordPress keeps and replyd's importer reads back.
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use super::export::PageOut;
use super::wxr_read::{META_DELETED, META_MODERATOR, META_NO_POST_ID, META_SOURCE, META_STATUS};
use crate::config::SiteConfig;
use entity::{comment, enums::CommentStatus};

/// RSS dates, as WordPress writes them.
const RFC822: &str = "%a, %d %b %Y %H:%M:%S +0000";

pub struct Writer {
    name: String,
    origin: String,
    with_emails: bool,
    /// Pages that came from no WordPress post get ids above every real one.
    made_up_base: i64,
}

impl Writer {
    pub fn new(site: &SiteConfig, with_emails: bool, max_wp_post_id: i64) -> Writer {
        let origin = site
            .origins
            .first()
            .map(|o| o.as_str().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Writer {
            name: site.name.clone(),
            origin,
            with_emails,
            made_up_base: max_wp_post_id,
        }
    }

    pub fn start(&mut self, out: &mut dyn Write, now: DateTime<Utc>) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>")?;
        writeln!(
            out,
            "<!-- A WordPress eXtended RSS file of the comments of one replyd site. -->"
        )?;
        writeln!(
            out,
            "<!-- WordPress: Tools > Import > WordPress takes it; so does `replyd import wordpress`. -->"
        )?;
        writeln!(
            out,
            "<rss version=\"2.0\"\n\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\t\
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\t\
             xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\t\
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\t\
             xmlns:wp=\"http://wordpress.org/export/1.2/\"\n>\n<channel>"
        )?;
        writeln!(out, "\t<title>{}</title>", escape(&self.name))?;
        writeln!(out, "\t<link>{}</link>", escape(&self.origin))?;
        writeln!(out, "\t<description></description>")?;
        writeln!(out, "\t<pubDate>{}</pubDate>", now.format(RFC822))?;
        writeln!(out, "\t<language></language>")?;
        writeln!(out, "\t<wp:wxr_version>1.2</wp:wxr_version>")?;
        writeln!(
            out,
            "\t<wp:base_site_url>{}</wp:base_site_url>",
            escape(&self.origin)
        )?;
        writeln!(
            out,
            "\t<wp:base_blog_url>{}</wp:base_blog_url>",
            escape(&self.origin)
        )?;
        writeln!(out, "\t<generator>replyd</generator>")
    }

    pub fn page(&mut self, out: &mut dyn Write, p: &PageOut) -> io::Result<()> {
        let page = &p.page;
        let link = escape(&format!("{}{}", self.origin, page.uri));
        let post_id = p.wp_post_id.unwrap_or(self.made_up_base + page.id);
        let date = cdata(&mysql(page.created_at));
        let title = page.title.clone().unwrap_or_else(|| page.uri.clone());
        let status = if page.comments_closed {
            "closed"
        } else {
            "open"
        };
        let empty = cdata("");
        writeln!(out, "\t<item>")?;
        let fields = [
            ("title", escape(&title)),
            ("link", link.clone()),
            ("pubDate", page.created_at.format(RFC822).to_string()),
            ("dc:creator", empty.clone()),
            ("description", String::new()),
            ("content:encoded", empty.clone()),
            ("excerpt:encoded", empty.clone()),
            ("wp:post_id", post_id.to_string()),
            ("wp:post_date", date.clone()),
            ("wp:post_date_gmt", date),
            ("wp:comment_status", cdata(status)),
            ("wp:ping_status", cdata("closed")),
            ("wp:post_name", cdata(&slug(&page.uri))),
            ("wp:status", cdata("publish")),
            ("wp:post_parent", "0".into()),
            ("wp:menu_order", "0".into()),
            ("wp:post_type", cdata("post")),
            ("wp:post_password", empty),
            ("wp:is_sticky", "0".into()),
        ];
        for (tag, value) in fields {
            if tag == "description" {
                writeln!(out, "\t\t<guid isPermaLink=\"false\">{link}</guid>")?;
            }
            writeln!(out, "\t\t<{tag}>{value}</{tag}>")?;
        }
        if p.wp_post_id.is_none() {
            meta(out, "postmeta", META_NO_POST_ID, "1")?;
        }
        for c in &p.comments {
            self.comment(out, c)?;
        }
        writeln!(out, "\t</item>")
    }

    fn comment(&self, out: &mut dyn Write, c: &comment::Model) -> io::Result<()> {
        let email = if self.with_emails {
            c.author_email.as_str()
        } else {
            ""
        };
        let date = cdata(&mysql(c.created_at));
        let url = c.author_url.as_deref().unwrap_or_default();
        writeln!(out, "\t\t<wp:comment>")?;
        let fields = [
            ("comment_id", c.id.to_string()),
            ("comment_author", cdata(&c.author_name)),
            ("comment_author_email", cdata(email)),
            ("comment_author_url", escape(url)),
            ("comment_author_IP", cdata("")),
            ("comment_date", date.clone()),
            ("comment_date_gmt", date),
            ("comment_content", cdata(&c.html)),
            ("comment_approved", cdata(approved(c))),
            ("comment_type", cdata("comment")),
            ("comment_parent", c.parent_id.unwrap_or(0).to_string()),
            ("comment_user_id", "0".into()),
        ];
        for (tag, value) in fields {
            writeln!(out, "\t\t\t<wp:{tag}>{value}</wp:{tag}>")?;
        }
        meta(out, "commentmeta", META_STATUS, c.status.as_str())?;
        if let Some(s) = &c.source_id {
            meta(out, "commentmeta", META_SOURCE, s)?;
        }
        if c.deleted {
            meta(out, "commentmeta", META_DELETED, "1")?;
        }
        if c.by_moderator {
            meta(out, "commentmeta", META_MODERATOR, "1")?;
        }
        writeln!(out, "\t\t</wp:comment>")
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "</channel>\n</rss>")
    }
}

/// WordPress's `comment_approved`: rejected comments and placeholders are in the trash.
fn approved(c: &comment::Model) -> &'static str {
    match c.status {
        _ if c.deleted => "trash",
        CommentStatus::Approved => "1",
        CommentStatus::Pending => "0",
        CommentStatus::Spam => "spam",
        CommentStatus::Rejected => "trash",
    }
}

fn meta(out: &mut dyn Write, kind: &str, key: &str, value: &str) -> io::Result<()> {
    writeln!(
        out,
        "\t\t\t<wp:{kind}>\n\t\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t\t</wp:{kind}>",
        cdata(key),
        cdata(value)
    )
}

/// MySQL's `DATETIME`, as WordPress stores dates.
fn mysql(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The last segment of a path, as a post slug.
fn slug(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or_default();
    path.trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Characters XML 1.0 cannot carry at all are dropped.
fn xml_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| {
        matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && *c != '\u{fffe}' && *c != '\u{ffff}')
    })
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in xml_chars(s) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `wxr_cdata()`: a CDATA section, split where the text itself holds `]]>`.
fn cdata(s: &str) -> String {
    let clean: String = xml_chars(s).collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cdata_survives_its_own_terminator() {
        assert_eq!(super::cdata("a]]>b\u{1}"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(super::slug("/2024/05/hello/?x=1"), "hello");
    }
}
