//! The row an imported comment becomes: rendered and sanitised, its address hashed (or
//! dropped when older than retention keeps addresses), its fields fitted to their columns.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, NotSet};

use super::import::ImportedComment;
use crate::moderation::submit::address_prefix;
use entity::{comment, enums::CommentStatus};

/// Column widths: longer values from a source are shortened to fit (and counted).
const NAME_CHARS: usize = 400;
const EMAIL_CHARS: usize = 1016;
const URL_CHARS: usize = 2000;
pub(super) const TITLE_CHARS: usize = 500;
const AGENT_CHARS: usize = 512;
/// Rows per insert statement, well under SQLite's limit of bound values.
pub(super) const INSERT_CHUNK: usize = 500;

/// Each comment with its row (all but page and parent) and whether a value was shortened.
pub(super) fn rendered(
    comments: Vec<ImportedComment>,
    keys: &crate::keys::Keys,
    cutoff: Option<DateTime<Utc>>,
) -> Vec<(ImportedComment, comment::ActiveModel, bool)> {
    comments
        .into_iter()
        .map(|c| {
            let (am, short) = row(&c, keys, cutoff);
            (c, am, short)
        })
        .collect()
}

/// A deleted comment kept for its replies: published as a placeholder, holding nothing
/// of its author or its text, as when a moderator deletes a comment with replies.
pub(super) fn tombstone(am: &mut comment::ActiveModel) {
    am.status = Set(CommentStatus::Approved);
    crate::moderation::placeholder::erase(am);
}

fn row(
    c: &ImportedComment,
    keys: &crate::keys::Keys,
    cutoff: Option<DateTime<Utc>>,
) -> (comment::ActiveModel, bool) {
    let (text, html) = c.body.render();
    // As WordPress shows a comment without a name.
    let name = Some(c.author_name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("Anonymous");
    let (name, a) = clip(name, NAME_CHARS);
    let (email, b) = clip(c.author_email.trim(), EMAIL_CHARS);
    let (url, d) = match c.author_url.as_deref() {
        Some(u) => {
            let (u, d) = clip(u, URL_CHARS);
            (Some(u), d)
        }
        None => (None, false),
    };
    let ip = c.ip.filter(|_| cutoff.is_none_or(|t| c.created_at >= t));
    let am = comment::ActiveModel {
        id: NotSet,
        page_id: NotSet,
        parent_id: NotSet,
        email_norm: Set(email.to_lowercase()),
        author_name: Set(name),
        author_email: Set(email),
        author_url: Set(url),
        text: Set(text),
        html: Set(html),
        status: Set(c.status),
        reasons: Set("[]".into()),
        ip_hash: Set(ip.map(|ip| keys.address_hash(ip))),
        ip_prefix: Set(ip.map(address_prefix)),
        user_agent: Set(c.user_agent.as_deref().map(|u| clip(u, AGENT_CHARS).0)),
        notify_replies: Set(false),
        by_moderator: Set(c.by_moderator),
        deleted: Set(false),
        created_at: Set(c.created_at),
        updated_at: Set(c.created_at),
        dup_key: Set(None),
        source_id: Set(Some(c.source_id.clone())),
        pinned_at: Set(None),
        reports_dismissed: Set(false),
    };
    (am, a || b || d)
}

/// `s` cut to `max` characters, and whether it was cut.
pub(super) fn clip(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((at, _)) => (s[..at].to_owned(), true),
        None => (s.to_owned(), false),
    }
}
