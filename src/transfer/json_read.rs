//! Reading replyd's own export, page by page, without holding the document.
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::atomic::Ordering;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::error::{Position, ReadError};
use super::json::{self, FORMAT, VERSION};
use super::source::Reading;
use crate::moderation::input::PageUri;
use crate::moderation::{ImportedBody, ImportedComment, ImportedPage};

/// Counts the bytes read, for the progress bar.
struct Counted<R> {
    inner: R,
    read: u64,
    progress: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.progress.store(self.read, Ordering::Relaxed);
        Ok(n)
    }
}

pub fn read(path: &Path, cx: &mut Reading<'_>) -> Result<(), ReadError> {
    let file = BufReader::with_capacity(
        256 * 1024,
        Counted {
            inner: File::open(path)?,
            read: 0,
            progress: cx.progress.clone(),
        },
    );
    let mut de = serde_json::Deserializer::from_reader(file);
    let mut stopped = false;
    let result = Document {
        cx: &mut *cx,
        stopped: &mut stopped,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        Err(_) if stopped => Err(ReadError::Stopped),
        Err(e) if e.is_io() => Err(ReadError::Io(std::io::Error::other(e))),
        Err(e) => Err(ReadError::Malformed {
            at: Position::Line {
                line: e.line() as u64,
                column: e.column() as u64,
            },
            message: format!("not a replyd export: {}", strip_position(&e)),
        }),
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

struct Document<'a, 'b> {
    cx: &'a mut Reading<'b>,
    stopped: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with \"format\": \"{FORMAT}\" and \"pages\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut format_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let f: String = map.next_value()?;
                    if f != FORMAT {
                        return Err(de::Error::custom(format!(
                            "\"format\" is {f:?}, not {FORMAT:?}"
                        )));
                    }
                    format_seen = true;
                }
                "version" => {
                    let v: u32 = map.next_value()?;
                    if v > VERSION {
                        return Err(de::Error::custom(format!(
                            "version {v} is newer than this replyd reads ({VERSION})"
                        )));
                    }
                }
                "pages" => {
                    if !format_seen {
                        return Err(de::Error::custom("\"pages\" before \"format\""));
                    }
                    map.next_value_seed(Pages {
                        cx: &mut *self.cx,
                        stopped: &mut *self.stopped,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !format_seen {
            return Err(de::Error::custom(format!("no \"format\": \"{FORMAT}\"")));
        }
        Ok(())
    }
}

struct Pages<'a, 'b> {
    cx: &'a mut Reading<'b>,
    stopped: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for Pages<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Pages<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of pages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(page) = seq.next_element::<json::Page>()? {
            let page = imported(page).map_err(de::Error::custom)?;
            if self.cx.emit(page).is_err() {
                *self.stopped = true;
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn imported(page: json::Page) -> Result<ImportedPage, String> {
    let uri = PageUri::parse(&page.uri).map_err(|e| format!("page uri {:?} {e}", page.uri))?;
    let keys: HashMap<i64, String> = page.comments.iter().map(|c| (c.id, key(c))).collect();
    let comments = page
        .comments
        .into_iter()
        .map(|c| ImportedComment {
            source_id: key(&c),
            parent: c.parent_id.map(|p| {
                keys.get(&p)
                    .cloned()
                    .unwrap_or_else(|| format!("replyd:{p}"))
            }),
            author_name: c.author_name,
            author_email: c.author_email.unwrap_or_default(),
            author_url: c.author_url.as_deref().and_then(super::source::website),
            body: if c.html.is_empty() {
                ImportedBody::Markdown(c.text)
            } else {
                ImportedBody::Replyd {
                    text: c.text,
                    html: c.html,
                }
            },
            status: c.status,
            deleted: c.deleted,
            by_moderator: c.by_moderator,
            created_at: c.created_at,
            ip: None,
            user_agent: None,
        })
        .collect();
    Ok(ImportedPage {
        uri,
        title: page.title,
        wp_post_id: page.wp_post_id,
        comments_closed: page.comments_closed,
        comments,
    })
}

/// The comment's source id: where it first came from, or its id in the exporting install.
fn key(c: &json::Comment) -> String {
    c.source_id
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("replyd:{}", c.id))
}
