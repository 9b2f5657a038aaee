//! Reading a WordPress export (WXR 1.0 to 1.2, as `export_wp()` writes it; the `wp`
//! namespace over http or https, values as CDATA or plain text), one `<item>` at a time.
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::error::ReadError;
use super::source::{self, NOTES, PINGS, Reading};
use super::wp_html;
use super::xml::{Step, Xml, decode_html_entities};
use crate::moderation::{ImportedBody, ImportedComment, ImportedPage};
use entity::enums::CommentStatus;

/// Comment meta keys that replyd's own WXR export writes, so a round trip loses nothing.
pub const META_STATUS: &str = "_replyd_status";
pub const META_SOURCE: &str = "_replyd_source_id";
pub const META_DELETED: &str = "_replyd_deleted";
pub const META_MODERATOR: &str = "_replyd_by_moderator";
/// Post meta: the post id was made up by replyd's export, not WordPress's.
pub const META_NO_POST_ID: &str = "_replyd_no_post_id";

fn is_wp(ns: &Option<String>) -> bool {
    ns.as_deref().is_some_and(|n| {
        let rest = n
            .strip_prefix("http://wordpress.org/export/")
            .or_else(|| n.strip_prefix("https://wordpress.org/export/"));
        rest.is_some_and(|r| r.starts_with("1.") && r.ends_with('/') && !r.contains("excerpt"))
    })
}

#[derive(Default)]
struct Item {
    at: u64,
    title: String,
    link: String,
    guid: String,
    post_id: Option<i64>,
    post_type: String,
    closed: bool,
    made_up_id: bool,
    comments: Vec<Raw>,
}

#[derive(Default)]
struct Raw {
    at: u64,
    fields: HashMap<String, String>,
    meta: HashMap<String, String>,
}

/// What the reader is inside of.
#[derive(Default)]
struct State {
    version: bool,
    item: Option<Item>,
    comment: Option<Raw>,
    meta: Option<(String, String)>,
    postmeta: Option<(String, String)>,
}

pub fn read(path: &Path, cx: &mut Reading<'_>) -> Result<(), ReadError> {
    let mut x = Xml::open(path, cx.progress.clone())?;
    let mut st = State::default();
    let mut items = 0u64;
    loop {
        let at = x.position();
        match x.step()? {
            Step::Open { ns, name, .. } => opened(&mut st, &ns, &name, at)?,
            Step::Close { name, text } => {
                if let Some(item) = closed(&mut st, &name, text) {
                    items += 1;
                    if let Some(page) = page(item, cx)? {
                        cx.emit(page)?;
                    }
                }
            }
            Step::Eof => break,
        }
    }
    if !st.version && items == 0 {
        return Err(ReadError::at(
            0,
            "not a WordPress export: no <wp:wxr_version>",
        ));
    }
    Ok(())
}

fn opened(st: &mut State, ns: &Option<String>, name: &str, at: u64) -> Result<(), ReadError> {
    let wp = is_wp(ns);
    match name {
        "item" if ns.is_none() => {
            if !st.version {
                return Err(ReadError::at(
                    at,
                    "not a WordPress export: <item> before <wp:wxr_version>",
                ));
            }
            st.item = Some(Item {
                at,
                ..Item::default()
            });
        }
        "comment" if wp && st.item.is_some() => {
            st.comment = Some(Raw {
                at,
                ..Raw::default()
            });
        }
        "commentmeta" if wp && st.comment.is_some() => st.meta = Some(Default::default()),
        "postmeta" if wp && st.comment.is_none() && st.item.is_some() => {
            st.postmeta = Some(Default::default());
        }
        _ => {}
    }
    // Namespaces are resolved once per element; remember the `wp` ones by name.
    if wp && name == "wxr_version" {
        st.version = true;
    }
    Ok(())
}

/// Handles a closing element; returns the item when one ends.
fn closed(st: &mut State, name: &str, text: String) -> Option<Item> {
    if let Some((k, v)) = st.meta.as_mut() {
        match name {
            "meta_key" => *k = text,
            "meta_value" => *v = text,
            "commentmeta" => {
                let (k, v) = st.meta.take().unwrap_or_default();
                if let Some(c) = st.comment.as_mut() {
                    c.meta.insert(k, v);
                }
            }
            _ => {}
        }
        return None;
    }
    if let Some(c) = st.comment.as_mut() {
        if name == "comment" {
            let c = st.comment.take().unwrap_or_default();
            if let Some(item) = st.item.as_mut() {
                item.comments.push(c);
            }
        } else {
            c.fields.insert(name.to_owned(), text);
        }
        return None;
    }
    if let Some((k, v)) = st.postmeta.as_mut() {
        match name {
            "meta_key" => *k = text,
            "meta_value" => *v = text,
            "postmeta" => {
                let (k, v) = st.postmeta.take().unwrap_or_default();
                if let Some(item) = st.item.as_mut() {
                    item.made_up_id |= k == META_NO_POST_ID && v == "1";
                }
            }
            _ => {}
        }
        return None;
    }
    let item = st.item.as_mut()?;
    let text = text.trim();
    match name {
        "title" => item.title = text.to_owned(),
        "link" => item.link = text.to_owned(),
        "guid" => item.guid = text.to_owned(),
        "post_id" => item.post_id = text.parse().ok(),
        "post_type" => item.post_type = text.to_owned(),
        "comment_status" => item.closed = text == "closed",
        "item" => return st.item.take(),
        _ => {}
    }
    None
}

/// The page of an item, with the comments that are imported; none for an item that is
/// neither a post or page nor has comments.
fn page(item: Item, cx: &mut Reading<'_>) -> Result<Option<ImportedPage>, ReadError> {
    if item.comments.is_empty() && !matches!(item.post_type.as_str(), "post" | "page") {
        return Ok(None);
    }
    let fallback = item
        .post_id
        .map(|id| format!("/?p={id}"))
        .unwrap_or_default();
    let uri = [item.link.as_str(), item.guid.as_str(), fallback.as_str()]
        .into_iter()
        .find_map(source::page_uri)
        .ok_or_else(|| ReadError::at(item.at, "an <item> with comments has no usable <link>"))?;
    let ids: HashMap<String, String> = item
        .comments
        .iter()
        .map(|c| (field(c, "comment_id").to_owned(), source_id(c)))
        .collect();
    let mut comments = Vec::with_capacity(item.comments.len());
    for raw in &item.comments {
        if let Some(c) = comment(raw, &ids, cx)? {
            comments.push(c);
        }
    }
    Ok(Some(ImportedPage {
        uri,
        title: Some(item.title).filter(|t| !t.is_empty()),
        wp_post_id: item.post_id.filter(|_| !item.made_up_id),
        comments_closed: item.closed,
        comments,
    }))
}

fn field<'a>(c: &'a Raw, name: &str) -> &'a str {
    c.fields.get(name).map_or("", |s| s.trim())
}

fn source_id(c: &Raw) -> String {
    match c.meta.get(META_SOURCE) {
        Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => format!("wordpress:{}", field(c, "comment_id")),
    }
}

fn comment(
    c: &Raw,
    ids: &HashMap<String, String>,
    cx: &mut Reading<'_>,
) -> Result<Option<ImportedComment>, ReadError> {
    match field(c, "comment_type") {
        "" | "comment" => {}
        "pingback" | "trackback" if cx.with_pings => {}
        "pingback" | "trackback" => {
            cx.skip(PINGS);
            return Ok(None);
        }
        "note" => {
            cx.skip(NOTES);
            return Ok(None);
        }
        other => {
            cx.skip(&format!("comments of type `{other}`"));
            return Ok(None);
        }
    }
    let id = field(c, "comment_id");
    if id.parse::<i64>().is_err() {
        return Err(ReadError::at(
            c.at,
            format!("<wp:comment_id> {id:?} is not a number"),
        ));
    }
    let (status, deleted) = status(c)?;
    let parent = field(c, "comment_parent");
    let parent = (!parent.is_empty() && parent != "0").then(|| {
        ids.get(parent)
            .cloned()
            .unwrap_or_else(|| format!("wordpress:{parent}"))
    });
    Ok(Some(ImportedComment {
        source_id: source_id(c),
        parent,
        author_name: decode_html_entities(field(c, "comment_author")),
        author_email: field(c, "comment_author_email").to_owned(),
        author_url: source::website(field(c, "comment_author_url")),
        body: ImportedBody::Html(wp_html::content(field(c, "comment_content"))),
        status,
        deleted,
        by_moderator: c.meta.get(META_MODERATOR).is_some_and(|v| v == "1"),
        created_at: time(c)?,
        ip: source::address(field(c, "comment_author_IP")),
        user_agent: Some(field(c, "comment_agent").to_owned()).filter(|a| !a.is_empty()),
    }))
}

/// `comment_approved` as a status: `1`, `0`, `spam`; `trash` and `post-trashed` are
/// deleted. replyd's own export says exactly in its comment meta.
fn status(c: &Raw) -> Result<(CommentStatus, bool), ReadError> {
    let deleted = c.meta.get(META_DELETED).is_some_and(|v| v == "1");
    if let Some(s) = c.meta.get(META_STATUS) {
        let status = serde_json::from_value(serde_json::Value::String(s.clone()))
            .map_err(|_| ReadError::at(c.at, format!("unknown {META_STATUS} {s:?}")))?;
        return Ok((status, deleted));
    }
    Ok(match field(c, "comment_approved") {
        "1" | "approve" | "approved" => (CommentStatus::Approved, deleted),
        "0" | "hold" | "" => (CommentStatus::Pending, deleted),
        "spam" => (CommentStatus::Spam, deleted),
        "trash" | "post-trashed" => (CommentStatus::Rejected, true),
        other => {
            return Err(ReadError::at(
                c.at,
                format!("<wp:comment_approved> {other:?} is none of 1, 0, spam, trash"),
            ));
        }
    })
}

/// `comment_date_gmt`; WordPress leaves it zero for some drafts, and then the local
/// `comment_date` is all there is.
fn time(c: &Raw) -> Result<DateTime<Utc>, ReadError> {
    let parse = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok();
    let gmt = field(c, "comment_date_gmt");
    let local = field(c, "comment_date");
    let t = parse(gmt)
        .filter(|_| !gmt.starts_with("0000"))
        .or_else(|| parse(local).filter(|_| !local.starts_with("0000")))
        .ok_or_else(|| {
            ReadError::at(
                c.at,
                format!(
                    "comment {} has no date: <wp:comment_date_gmt> {gmt:?}",
                    field(c, "comment_id")
                ),
            )
        })?;
    Ok(t.and_utc())
}
