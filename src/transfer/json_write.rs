//! Writing replyd's own export: the header, then one page per line.
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use super::export::PageOut;
use super::json::{self, FORMAT, VERSION};

pub struct Writer {
    with_emails: bool,
    first: bool,
}

impl Writer {
    pub fn new(with_emails: bool) -> Writer {
        Writer {
            with_emails,
            first: true,
        }
    }

    pub fn start(&mut self, out: &mut dyn Write, site: &str, now: DateTime<Utc>) -> io::Result<()> {
        #[derive(serde::Serialize)]
        struct Header<'a> {
            format: &'a str,
            version: u32,
            site: &'a str,
            exported_at: DateTime<Utc>,
            with_emails: bool,
        }
        let header = serde_json::to_string(&Header {
            format: FORMAT,
            version: VERSION,
            site,
            exported_at: now,
            with_emails: self.with_emails,
        })
        .map_err(io::Error::other)?;
        // The header without its closing brace, then the pages.
        write!(out, "{},\"pages\":[", &header[..header.len() - 1])
    }

    pub fn page(&mut self, out: &mut dyn Write, p: &PageOut) -> io::Result<()> {
        let page = json::Page {
            uri: p.page.uri.clone(),
            title: p.page.title.clone(),
            wp_post_id: p.wp_post_id,
            comments_closed: p.page.comments_closed,
            comments: p.comments.iter().map(|c| self.comment(c)).collect(),
        };
        out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut *out, &page).map_err(io::Error::other)
    }

    fn comment(&self, c: &entity::comment::Model) -> json::Comment {
        json::Comment {
            id: c.id,
            parent_id: c.parent_id,
            source_id: c.source_id.clone(),
            status: c.status,
            deleted: c.deleted,
            by_moderator: c.by_moderator,
            author_name: c.author_name.clone(),
            author_email: self.with_emails.then(|| c.author_email.clone()),
            author_url: c.author_url.clone(),
            text: c.text.clone(),
            html: c.html.clone(),
            created_at: c.created_at,
        }
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"\n]}\n")
    }
}
