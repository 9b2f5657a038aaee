//! Reading an Isso database (its SQLite file, opened read-only): `threads(id, uri, title)`
//! and `comments(tid, id, parent, created, mode, remote_addr, text, author, email,
//! website)`. Mode 1 is approved, 2 pending, 4 a deleted placeholder; the text is Markdown
//! that may hold inline HTML.
use std::path::Path;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement};

use super::error::{Position, ReadError};
use super::source::{self, Reading};
use crate::moderation::input::PageUri;
use crate::moderation::{ImportedBody, ImportedComment, ImportedPage};
use entity::enums::CommentStatus;

fn bad(at: impl Into<String>, message: impl Into<String>) -> ReadError {
    ReadError::Malformed {
        at: Position::Record(at.into()),
        message: message.into(),
    }
}

pub async fn read(path: &Path, cx: &mut Reading<'_>) -> Result<(), ReadError> {
    if !path.is_file() {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        )));
    }
    let url = format!("sqlite://{}?mode=ro", path.display());
    let db = Database::connect(&url)
        .await
        .map_err(|e| bad("the file", format!("not an SQLite database: {e}")))?;
    let threads = db
        .query_all_raw(sql(
            "SELECT id, uri, title FROM threads ORDER BY id",
            vec![],
        ))
        .await
        .map_err(|e| bad("table threads", format!("not an Isso database: {e}")))?;
    let size = std::fs::metadata(path)?.len();
    let total = threads.len().max(1) as u64;
    for (n, t) in threads.iter().enumerate() {
        let page = thread(&db, t).await?;
        cx.progress
            .store(size * (n as u64 + 1) / total, Ordering::Relaxed);
        if !page.comments.is_empty() {
            cx.emit(page)?;
        }
    }
    let _ = db.close().await;
    Ok(())
}

fn sql(s: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, s, values)
}

async fn thread(db: &DatabaseConnection, t: &QueryResult) -> Result<ImportedPage, ReadError> {
    let id: i64 = t
        .try_get("", "id")
        .map_err(|e| bad("a thread", e.to_string()))?;
    let at = format!("thread {id}");
    let uri: String = t.try_get("", "uri").map_err(|e| bad(&at, e.to_string()))?;
    let uri = PageUri::parse(&uri)
        .ok()
        .or_else(|| source::page_uri(&uri))
        .ok_or_else(|| bad(&at, format!("uri {uri:?} is not a page path")))?;
    let title: Option<String> = t.try_get("", "title").unwrap_or(None);
    let rows = db
        .query_all_raw(sql(
            "SELECT id, parent, created, mode, remote_addr, text, author, email, website \
             FROM comments WHERE tid = ? ORDER BY id",
            vec![id.into()],
        ))
        .await
        .map_err(|e| bad("table comments", format!("not an Isso database: {e}")))?;
    let mut comments = Vec::with_capacity(rows.len());
    for r in &rows {
        comments.push(comment(r, &at)?);
    }
    Ok(ImportedPage {
        uri,
        title,
        wp_post_id: None,
        comments_closed: false,
        comments,
    })
}

fn comment(r: &QueryResult, thread: &str) -> Result<ImportedComment, ReadError> {
    let id: i64 = r
        .try_get("", "id")
        .map_err(|e| bad(thread, e.to_string()))?;
    let at = format!("comment {id} of {thread}");
    let text = |col: &str| -> String {
        r.try_get::<Option<String>>("", col)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let parent: Option<i64> = r
        .try_get("", "parent")
        .map_err(|e| bad(&at, e.to_string()))?;
    let created: f64 = r
        .try_get("", "created")
        .map_err(|e| bad(&at, e.to_string()))?;
    let mode: i64 = r.try_get("", "mode").map_err(|e| bad(&at, e.to_string()))?;
    let (status, deleted) = match mode {
        1 => (CommentStatus::Approved, false),
        2 => (CommentStatus::Pending, false),
        4 => (CommentStatus::Approved, true),
        other => return Err(bad(&at, format!("mode {other} is none of 1, 2, 4"))),
    };
    let created_at = DateTime::<Utc>::from_timestamp_millis((created * 1000.0) as i64)
        .ok_or_else(|| bad(&at, format!("created {created} is not a time")))?;
    Ok(ImportedComment {
        source_id: format!("isso:{id}"),
        parent: parent.map(|p| format!("isso:{p}")),
        author_name: text("author"),
        author_email: text("email"),
        author_url: source::website(&text("website")),
        body: ImportedBody::MarkdownWithHtml(super::wp_html::renamed(&text("text"))),
        status,
        deleted,
        by_moderator: false,
        created_at,
        ip: source::address(&text("remote_addr")),
        user_agent: None,
    })
}
