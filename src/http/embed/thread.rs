//! The thread as server-rendered HTML: shared by the embeddable no-JS page and the demo page.
use std::collections::HashMap;

use serde::Deserialize;

use super::form::FormView;
use crate::http::AppState;
use crate::http::api::views::PublicComment;
use crate::http::error::ApiError;
use crate::moderation::closing::parse_published;
use crate::moderation::screening::form_token;

/// Replies deeper than this are shown at this depth.
const MAX_DEPTH: usize = 3;
const PAGE: u64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ThreadQuery {
    pub site: Option<String>,
    pub uri: Option<String>,
    pub replyd: Option<String>,
    pub replyto: Option<String>,
    pub limit: Option<u64>,
    /// The embed's publication date (`data-published`).
    pub published: Option<String>,
    /// The comment whose report form is open.
    pub report: Option<String>,
}

/// Where a rendered thread lives, so its links keep their own query string.
pub struct Placement<'a> {
    pub site: &'a str,
    pub uri: &'a str,
    /// Prefix for same-page links, ending in `?` or `&`.
    pub reply_base: String,
    pub return_to: Option<String>,
}

pub struct CommentView {
    pub id: i64,
    pub depth: usize,
    pub author_name: String,
    pub author_url: Option<String>,
    pub avatar: String,
    pub html: String,
    pub created_at: String,
    pub created_at_text: String,
    pub by_moderator: bool,
    pub deleted: bool,
    pub pinned: bool,
    /// Its report form is open.
    pub reporting: bool,
}

pub struct ThreadView {
    pub total: u64,
    pub notice: String,
    pub comments: Vec<CommentView>,
    pub reply_base: String,
    pub more: bool,
    /// The page takes no new comments: no form, no reply links.
    pub closed: bool,
    /// The page's Atom feed.
    pub feed_href: String,
}

impl ThreadView {
    pub async fn load(
        state: &AppState,
        place: &Placement<'_>,
        q: &ThreadQuery,
    ) -> Result<(ThreadView, FormView), ApiError> {
        let limit = q.limit.unwrap_or(PAGE).clamp(1, 500);
        let published = parse_published(q.published.as_deref()).map_err(|e| {
            ApiError::Validation(crate::moderation::FieldErrors::from([(
                "published".into(),
                vec![e],
            )]))
        })?;
        let wanted = crate::moderation::ThreadView {
            offset: 0,
            limit,
            newest_first: false,
            published,
        };
        let thread = state
            .moderation
            .thread(place.site, place.uri, wanted)
            .await?;
        let view = ThreadView {
            total: thread.total,
            notice: q.replyd.clone().unwrap_or_default(),
            more: thread.total > limit,
            comments: comment_views(&thread.comments, report_target(q)),
            reply_base: place.reply_base.clone(),
            closed: thread.closed,
            feed_href: crate::http::feeds::thread_feed_href(
                &state.config.server.public_url,
                place.site,
                place.uri,
            ),
        };
        let now = state.clock.now();
        let max_age = state.config.spam.form_token_max_age_secs;
        let form = FormView {
            site: place.site.to_owned(),
            uri: place.uri.to_owned(),
            title: thread.title,
            parent_id: q.replyto.clone().filter(|r| r.parse::<i64>().is_ok()),
            cancel_href: format!("{}#respond", place.reply_base.trim_end_matches(['?', '&'])),
            return_to: place.return_to.clone(),
            published: q.published.clone().filter(|p| !p.is_empty()),
            form_token: form_token::issue(&state.keys, place.site, place.uri, now, max_age),
            ..FormView::default()
        };
        Ok((view, form))
    }
}

/// The comments as the page shows them, each at its reply depth (capped at `MAX_DEPTH`).
fn report_target(q: &ThreadQuery) -> Option<i64> {
    q.report.as_deref().and_then(|r| r.parse().ok())
}

fn comment_views(comments: &[entity::comment::Model], reporting: Option<i64>) -> Vec<CommentView> {
    let parents: HashMap<i64, Option<i64>> = comments.iter().map(|c| (c.id, c.parent_id)).collect();
    let depth_of = |mut cur: Option<i64>| {
        let mut depth = 0;
        while let Some(p) = cur {
            depth += 1;
            if depth >= MAX_DEPTH {
                break;
            }
            cur = parents.get(&p).copied().flatten();
        }
        depth
    };
    comments
        .iter()
        .map(|c| {
            let p = PublicComment::from(c);
            CommentView {
                id: c.id,
                depth: depth_of(c.parent_id),
                author_name: p.author_name.unwrap_or_default(),
                author_url: p.author_url,
                avatar: p.avatar,
                html: p.html,
                created_at: p.created_at,
                created_at_text: c.created_at.format("%B %-d, %Y at %H:%M UTC").to_string(),
                by_moderator: c.by_moderator,
                deleted: c.deleted,
                pinned: c.pinned_at.is_some(),
                reporting: reporting == Some(c.id),
            }
        })
        .collect()
}
