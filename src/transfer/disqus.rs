//! Reading a Disqus XML export: `<thread>`s first, then every `<post>` of every thread,
//! in no order that groups them. A first pass notes each thread and where each post
//! starts; the second reads the posts of one thread at a time from those offsets, so each
//! page is still one transaction and memory holds a few numbers per post.
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::error::ReadError;
use super::source::{self, Reading};
use super::wp_html;
use super::xml::{Step, Xml};
use crate::moderation::{ImportedBody, ImportedComment, ImportedPage};
use entity::enums::CommentStatus;

#[derive(Default)]
struct Thread {
    at: u64,
    link: String,
    ident: String,
    title: String,
    closed: bool,
}

/// What the first pass learns.
#[derive(Default)]
struct Index {
    threads: Vec<Thread>,
    by_dsq: HashMap<String, u32>,
    by_ident: HashMap<String, u32>,
    /// Each post's thread and where the post starts.
    posts: Vec<(u32, u64)>,
}

pub fn read(path: &Path, cx: &mut Reading<'_>) -> Result<(), ReadError> {
    let mut index = scan(path, Arc::new(AtomicU64::new(0)))?;
    index.posts.sort_by_key(|(t, _)| *t);
    let total = index.posts.len().max(1) as u64;
    let size = std::fs::metadata(path)?.len();
    let mut done = 0u64;
    for group in index.posts.chunk_by(|a, b| a.0 == b.0) {
        let thread = &index.threads[group[0].0 as usize];
        let uri = [thread.link.as_str(), thread.ident.as_str()]
            .into_iter()
            .find_map(source::page_uri)
            .ok_or_else(|| {
                ReadError::at(thread.at, "a <thread> with posts has no usable <link>")
            })?;
        let mut comments = Vec::with_capacity(group.len());
        for (_, at) in group {
            comments.push(post(path, *at)?);
        }
        done += group.len() as u64;
        cx.progress.store(size * done / total, Ordering::Relaxed);
        cx.emit(ImportedPage {
            uri,
            title: Some(thread.title.clone()).filter(|t| !t.is_empty()),
            wp_post_id: None,
            comments_closed: thread.closed,
            comments,
        })?;
    }
    Ok(())
}

/// The first pass: every thread, and every post's thread and offset.
fn scan(path: &Path, progress: Arc<AtomicU64>) -> Result<Index, ReadError> {
    let mut x = Xml::open(path, progress)?;
    let mut ix = Index::default();
    let mut depth = 0usize;
    let mut root = false;
    let mut thread: Option<(Thread, Option<String>)> = None;
    let mut post: Option<(u64, Option<u32>)> = None;
    loop {
        let at = x.position();
        match x.step()? {
            Step::Open { name, id, .. } => {
                depth += 1;
                match (depth, name.as_str()) {
                    (1, "disqus") => root = true,
                    (1, other) => {
                        return Err(ReadError::at(
                            at,
                            format!("not a Disqus export: <{other}> where <disqus> belongs"),
                        ));
                    }
                    (2, "thread") => {
                        thread = Some((
                            Thread {
                                at,
                                ..Thread::default()
                            },
                            id,
                        ))
                    }
                    (2, "post") => post = Some((at, None)),
                    (3, "thread") if post.is_some() => {
                        let t = id.as_ref().and_then(|i| ix.by_dsq.get(i)).copied();
                        if let Some(p) = post.as_mut() {
                            p.1 = t;
                        }
                    }
                    _ => {}
                }
            }
            Step::Close { name, text } => {
                let _ = at;
                closed(&mut ix, &mut thread, &mut post, (depth, &name), text)?;
                depth -= 1;
            }
            Step::Eof => break,
        }
    }
    if !root {
        return Err(ReadError::at(0, "not a Disqus export: no <disqus> element"));
    }
    Ok(ix)
}

fn closed(
    ix: &mut Index,
    thread: &mut Option<(Thread, Option<String>)>,
    post: &mut Option<(u64, Option<u32>)>,
    (depth, name): (usize, &str),
    text: String,
) -> Result<(), ReadError> {
    let text = text.trim();
    if let Some((t, _)) = thread.as_mut() {
        match (depth, name) {
            (3, "link") => t.link = text.to_owned(),
            (3, "id") => t.ident = text.to_owned(),
            (3, "title") => t.title = text.to_owned(),
            (3, "isClosed") => t.closed = text == "true",
            (2, "thread") => {
                let (t, dsq) = thread.take().unwrap_or_default();
                let n = u32::try_from(ix.threads.len()).unwrap_or(u32::MAX);
                if let Some(d) = dsq {
                    ix.by_dsq.insert(d, n);
                }
                if !t.ident.is_empty() {
                    ix.by_ident.insert(t.ident.clone(), n);
                }
                ix.threads.push(t);
            }
            _ => {}
        }
        return Ok(());
    }
    if let Some((_, t)) = post.as_mut() {
        if depth == 3 && name == "thread" && t.is_none() {
            *t = ix.by_ident.get(text).copied();
        }
        if depth == 2 && name == "post" {
            let (start, t) = post.take().unwrap_or_default();
            let t = t.ok_or_else(|| {
                ReadError::at(start, "a <post> names no <thread> declared before it")
            })?;
            ix.posts.push((t, start));
        }
    }
    Ok(())
}

/// Reads the one `<post>` that starts at byte `at`.
fn post(path: &Path, at: u64) -> Result<ImportedComment, ReadError> {
    let mut x = Xml::open_at(path, at, 16 * 1024, Arc::new(AtomicU64::new(0)))?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut dsq = None;
    let mut parent = None;
    let mut depth = 0usize;
    loop {
        match x.step()? {
            Step::Open { name, id, .. } => {
                depth += 1;
                match (depth, name.as_str()) {
                    (1, _) => dsq = id,
                    (2, "parent") => parent = id.map(|p| format!("disqus:{p}")),
                    _ => {}
                }
            }
            Step::Close { name, text } => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                if name == "parent" && parent.is_none() && !text.trim().is_empty() {
                    parent = Some(format!("disqus-id:{}", text.trim()));
                }
                fields.insert(name, text.trim().to_owned());
            }
            Step::Eof => break,
        }
    }
    let get = |k: &str| fields.get(k).map_or("", String::as_str);
    let source_id = match dsq {
        Some(d) => format!("disqus:{d}"),
        None if !get("id").is_empty() => format!("disqus-id:{}", get("id")),
        None => return Err(ReadError::at(at, "a <post> has neither dsq:id nor <id>")),
    };
    let status = status(get("isSpam"), get("isApproved"));
    Ok(ImportedComment {
        source_id,
        parent,
        author_name: get("name").to_owned(),
        author_email: get("email").to_owned(),
        author_url: source::website(get("url")),
        body: ImportedBody::Html(wp_html::content(get("message"))),
        status,
        deleted: get("isDeleted") == "true",
        by_moderator: false,
        created_at: time(get("createdAt")).ok_or_else(|| {
            ReadError::at(
                at,
                format!("<createdAt> {:?} is not a time", get("createdAt")),
            )
        })?,
        ip: source::address(get("ipAddress")),
        user_agent: None,
    })
}

/// Disqus marks spam, and (in some exports) posts still waiting for approval.
fn status(spam: &str, approved: &str) -> CommentStatus {
    if spam == "true" {
        CommentStatus::Spam
    } else if approved == "false" {
        CommentStatus::Pending
    } else {
        CommentStatus::Approved
    }
}

fn time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
}
