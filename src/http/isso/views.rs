//! What Isso 0.14's client reads: its comment shape (`mode` 1 published, 2 waiting, 4 deleted
//! but replied to; UNIX-second floats), its two-level thread (every reply shown under its
//! top-level comment, as Isso nests them) and its client configuration. Nothing here carries
//! an email address or anything derived from one: the avatar `hash` comes from the name.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use entity::{comment, enums::CommentStatus};

/// One comment as Isso's client reads it.
#[derive(Debug, Clone, Serialize)]
pub struct IssoComment {
    pub id: i64,
    pub parent: Option<i64>,
    /// Sanitised HTML (or, for `plain=1`, the text as written).
    pub text: String,
    pub author: Option<String>,
    pub website: Option<String>,
    pub mode: u8,
    pub created: f64,
    pub modified: Option<f64>,
    pub likes: i64,
    pub dislikes: i64,
    /// What the client draws the avatar from: a digest of the public name alone.
    pub hash: String,
    pub notification: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_replies: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_replies: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<IssoComment>>,
}

/// Seconds since the epoch, with milliseconds, as Isso writes times.
pub fn seconds(t: DateTime<Utc>) -> f64 {
    // Millisecond timestamps of any real date fit an f64 exactly.
    #[allow(clippy::cast_precision_loss)]
    let ms = t.timestamp_millis() as f64;
    ms / 1000.0
}

/// The avatar digest of a name: 12 hex digits, the same for the same name, and derived from
/// nothing private.
pub fn name_hash(name: &str) -> String {
    hex::encode(&Sha256::digest(name.as_bytes())[..6])
}

impl IssoComment {
    pub fn from_model(c: &comment::Model, plain: bool) -> IssoComment {
        let mode = match (c.deleted, c.status) {
            (true, _) => 4,
            (false, CommentStatus::Approved) => 1,
            (false, _) => 2,
        };
        IssoComment {
            id: c.id,
            parent: c.parent_id,
            text: if plain {
                c.text.clone()
            } else {
                c.html.clone()
            },
            author: (!c.deleted).then(|| c.author_name.clone()),
            website: if c.deleted {
                None
            } else {
                c.author_url.clone()
            },
            mode,
            created: seconds(c.created_at),
            modified: (c.updated_at > c.created_at).then(|| seconds(c.updated_at)),
            likes: 0,
            dislikes: 0,
            hash: name_hash(if c.deleted { "" } else { &c.author_name }),
            notification: u8::from(c.notify_replies && !c.deleted),
            total_replies: None,
            hidden_replies: None,
            replies: None,
        }
    }
}

/// The answer to `GET /?uri=`: one level of comments, each with its own replies.
#[derive(Debug, Serialize)]
pub struct IssoThread {
    /// The comment whose replies these are; null for the top level.
    pub id: Option<i64>,
    pub total_replies: usize,
    pub hidden_replies: usize,
    pub replies: Vec<IssoComment>,
    pub config: IssoConfig,
}

/// The client settings that depend on the server (`GET /config`, and in every thread).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct IssoConfig {
    #[serde(rename = "reply-to-self")]
    pub reply_to_self: bool,
    #[serde(rename = "require-email")]
    pub require_email: bool,
    #[serde(rename = "require-author")]
    pub require_author: bool,
    #[serde(rename = "reply-notifications")]
    pub reply_notifications: bool,
    pub gravatar: bool,
    pub avatar: bool,
    pub feed: bool,
    /// replyd keeps no votes, so the client shows no vote buttons.
    pub vote: bool,
}

/// replyd's rules as Isso's client settings: name and email are required, replies can be
/// mailed (after a confirmation), no Gravatar (it would publish a digest of the email).
pub const CONFIG: IssoConfig = IssoConfig {
    reply_to_self: true,
    require_email: true,
    require_author: true,
    reply_notifications: true,
    gravatar: false,
    avatar: true,
    feed: false,
    vote: false,
};

#[derive(Debug, Serialize)]
pub struct ConfigResponse {
    pub config: IssoConfig,
}

/// The order of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Oldest,
    Newest,
}

/// Which part of a thread the client asks for.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// The comment whose replies are wanted; `None` for the top level.
    pub parent: Option<i64>,
    pub limit: Option<usize>,
    pub nested_limit: Option<usize>,
    pub offset: usize,
    /// Only comments created after this UNIX time.
    pub after: f64,
    pub sort: Sort,
    pub plain: bool,
}

/// Isso's two levels over replyd's tree: each comment goes under its top-level ancestor.
/// `comments` are the published ones of one page (tombstones included), oldest first.
pub fn thread(comments: &[comment::Model], w: &Window) -> IssoThread {
    let parent_of: HashMap<i64, Option<i64>> =
        comments.iter().map(|c| (c.id, c.parent_id)).collect();
    let root_of = |mut id: i64| {
        // A parent that is not published ends the climb: the comment shows at the top.
        while let Some(Some(p)) = parent_of.get(&id) {
            if !parent_of.contains_key(p) {
                break;
            }
            id = *p;
        }
        id
    };
    let mut shown: Vec<&comment::Model> = comments
        .iter()
        .filter(|c| seconds(c.created_at) > w.after)
        .collect();
    if w.sort == Sort::Newest {
        shown.reverse();
    }
    let mut children: HashMap<i64, Vec<&comment::Model>> = HashMap::new();
    let mut roots = Vec::new();
    for c in &shown {
        match root_of(c.id) {
            root if root == c.id => roots.push(*c),
            root => children.entry(root).or_default().push(*c),
        }
    }
    let level: Vec<&comment::Model> = match w.parent {
        Some(p) => children.remove(&p).unwrap_or_default(),
        None => roots,
    };
    let page: Vec<IssoComment> = level
        .iter()
        .skip(w.offset)
        .take(w.limit.unwrap_or(usize::MAX))
        .map(|c| match w.parent {
            None => with_replies(c, children.get(&c.id).map(Vec::as_slice), w),
            Some(_) => IssoComment::from_model(c, w.plain),
        })
        .collect();
    IssoThread {
        id: w.parent,
        total_replies: if w.parent.is_some() {
            level.len()
        } else {
            shown.len()
        },
        hidden_replies: level.len().saturating_sub(page.len() + w.offset),
        replies: page,
        config: CONFIG,
    }
}

/// A top-level comment with the first `nested_limit` of its replies.
fn with_replies(
    c: &comment::Model,
    replies: Option<&[&comment::Model]>,
    w: &Window,
) -> IssoComment {
    let replies = replies.unwrap_or_default();
    let kept: Vec<IssoComment> = replies
        .iter()
        .take(w.nested_limit.unwrap_or(usize::MAX))
        .map(|r| IssoComment::from_model(r, w.plain))
        .collect();
    let mut out = IssoComment::from_model(c, w.plain);
    out.total_replies = Some(replies.len());
    out.hidden_replies = Some(replies.len() - kept.len());
    out.replies = Some(kept);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>) -> comment::Model {
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000 + id, 0).unwrap_or_default();
        comment::Model {
            id,
            page_id: 1,
            parent_id: parent,
            author_name: format!("Author {id}"),
            author_email: format!("a{id}@example.org"),
            email_norm: format!("a{id}@example.org"),
            author_url: None,
            text: format!("text {id}"),
            html: format!("<p>text {id}</p>"),
            status: CommentStatus::Approved,
            reasons: "[]".into(),
            ip_hash: None,
            ip_prefix: None,
            user_agent: None,
            notify_replies: false,
            by_moderator: false,
            deleted: false,
            created_at: at,
            updated_at: at,
            dup_key: None,
            source_id: None,
            pinned_at: None,
            reports_dismissed: false,
        }
    }

    fn window() -> Window {
        Window {
            parent: None,
            limit: None,
            nested_limit: None,
            offset: 0,
            after: 0.0,
            sort: Sort::Oldest,
            plain: false,
        }
    }

    #[test]
    fn deep_replies_show_under_their_top_level_comment() {
        let all = [
            c(1, None),
            c(2, Some(1)),
            c(3, Some(2)),
            c(4, None),
            c(5, Some(3)),
        ];
        let t = thread(&all, &window());
        assert_eq!(t.total_replies, 5);
        let ids: Vec<i64> = t.replies.iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 4]);
        let under: Vec<(i64, Option<i64>)> = t.replies[0]
            .replies
            .iter()
            .flatten()
            .map(|r| (r.id, r.parent))
            .collect();
        assert_eq!(under, [(2, Some(1)), (3, Some(2)), (5, Some(3))]);
        assert_eq!(t.replies[1].total_replies, Some(0));
    }

    #[test]
    fn limits_hide_what_they_leave_out_and_a_parent_pages_its_replies() {
        let all = [
            c(1, None),
            c(2, Some(1)),
            c(3, Some(1)),
            c(4, None),
            c(5, None),
        ];
        let w = Window {
            limit: Some(1),
            nested_limit: Some(1),
            offset: 1,
            ..window()
        };
        let t = thread(&all, &w);
        assert_eq!(t.replies.iter().map(|r| r.id).collect::<Vec<_>>(), [4]);
        assert_eq!(t.hidden_replies, 1);
        let w = Window {
            parent: Some(1),
            offset: 1,
            ..window()
        };
        let t = thread(&all, &w);
        assert_eq!(t.id, Some(1));
        assert_eq!(t.replies.iter().map(|r| r.id).collect::<Vec<_>>(), [3]);
        assert!(t.replies[0].replies.is_none());
        assert_eq!((t.total_replies, t.hidden_replies), (2, 0));
    }

    #[test]
    fn a_tombstone_is_mode_4_without_author_and_newest_first_reverses() {
        let mut gone = c(1, None);
        gone.deleted = true;
        gone.author_name = String::new();
        gone.html = String::new();
        let all = [gone, c(2, Some(1)), c(3, None)];
        let t = thread(
            &all,
            &Window {
                sort: Sort::Newest,
                ..window()
            },
        );
        assert_eq!(t.replies.iter().map(|r| r.id).collect::<Vec<_>>(), [3, 1]);
        let tomb = &t.replies[1];
        assert_eq!((tomb.mode, tomb.author.as_deref()), (4, None));
        assert_eq!(tomb.replies.as_ref().map(Vec::len), Some(1));
    }

    #[test]
    fn the_avatar_hash_comes_from_the_name_alone() {
        let a = IssoComment::from_model(&c(1, None), false);
        let mut other = c(1, None);
        other.author_email = "someone-else@example.org".into();
        assert_eq!(a.hash, IssoComment::from_model(&other, false).hash);
        assert_eq!(a.hash.len(), 12);
        let json = serde_json::to_string(&a).unwrap_or_default();
        assert!(!json.contains("example.org"), "{json}");
    }
}
