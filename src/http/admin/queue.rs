//! The queue: pending first, tabs for the other statuses, filters, search and pages.
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::auth::SignedIn;
use super::render::{Chrome, render};
use super::views::{Card, CommentPage, Link, QueuePage};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::http::urlencode;
use crate::moderation::{QueueFilter, QueueOrder};
use entity::{comment, enums::CommentStatus, page};

const PER_PAGE: u64 = 20;
const TABS: [(&str, &str); 4] = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("spam", "Spam"),
    ("rejected", "Rejected"),
];

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    site: Option<String>,
    uri: Option<String>,
    q: Option<String>,
    order: Option<String>,
    page: Option<u64>,
    done: Option<String>,
    n: Option<u64>,
}

fn status_of(s: &str) -> CommentStatus {
    match s {
        "approved" => CommentStatus::Approved,
        "spam" => CommentStatus::Spam,
        "rejected" => CommentStatus::Rejected,
        _ => CommentStatus::Pending,
    }
}

/// The sentence shown (and announced) after an action redirected back here.
pub fn notice(done: Option<&str>, n: Option<u64>) -> String {
    let n = n.unwrap_or(1);
    let what = if n == 1 {
        "1 comment".to_owned()
    } else {
        format!("{n} comments")
    };
    match done {
        Some("approve") => format!("Approved {what}."),
        Some("reject") => format!("Rejected {what}."),
        Some("spam") => format!("Marked {what} as spam."),
        Some("delete") => format!("Deleted {what}."),
        Some("edit") => "Saved the edit.".into(),
        Some("reply") => "Published your reply.".into(),
        Some("none") => "No comments were selected.".into(),
        Some("pin") => "Pinned the comment to the top of its thread.".into(),
        Some("unpin") => "Unpinned the comment.".into(),
        Some("dismiss") => "Dismissed the reports; the comment stays up.".into(),
        Some("close_page") => "Closed comments on the page.".into(),
        Some("open_page") => "Reopened comments on the page.".into(),
        Some(b @ ("ban_email" | "ban_address" | "ban_network")) => {
            let kind = b.trim_start_matches("ban_");
            format!("Banned the {kind} of the author of {what}.")
        }
        _ => String::new(),
    }
}

/// What the moderator asked to see: a tab, filters, an order and a page number.
struct Selection {
    status: CommentStatus,
    site: Option<String>,
    uri: Option<String>,
    search: Option<String>,
    oldest: bool,
    /// Sorted by the spam filter's score, highest first.
    by_score: bool,
    page_no: u64,
}

impl Selection {
    fn of(q: &QueueQuery, state: &AppState) -> Selection {
        let trimmed = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Selection {
            status: status_of(q.status.as_deref().unwrap_or("pending")),
            site: q.site.clone().filter(|s| state.config.site(s).is_some()),
            uri: trimmed(&q.uri),
            search: trimmed(&q.q),
            oldest: q.order.as_deref() == Some("oldest"),
            by_score: q.order.as_deref() == Some("spam_score"),
            page_no: q.page.unwrap_or(1).clamp(1, 100_000),
        }
    }

    fn filter(&self) -> QueueFilter {
        QueueFilter {
            status: Some(self.status),
            site: self.site.clone(),
            uri: self.uri.clone(),
            search: self.search.clone(),
            order: if self.by_score {
                QueueOrder::SpamScore
            } else if self.oldest {
                QueueOrder::Oldest
            } else {
                QueueOrder::Newest
            },
            offset: (self.page_no - 1) * PER_PAGE,
            limit: PER_PAGE,
        }
    }

    /// This selection's queue URL, with `extra` parameters.
    fn href(&self, extra: &[(&str, String)]) -> String {
        let mut params = vec![("status", self.status.as_str().to_owned())];
        for (k, v) in [
            ("site", &self.site),
            ("uri", &self.uri),
            ("q", &self.search),
        ] {
            if let Some(v) = v {
                params.push((k, v.clone()));
            }
        }
        if self.by_score {
            params.push(("order", "spam_score".into()));
        } else if self.oldest {
            params.push(("order", "oldest".into()));
        }
        let qs: Vec<String> = params
            .iter()
            .chain(extra.iter())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("/admin/?{}", qs.join("&"))
    }

    /// Links to the neighbouring pages of `total` results.
    fn pager(&self, total: u64) -> Vec<Link> {
        let page = |label: &str, n: u64| Link {
            label: label.to_owned(),
            href: self.href(&[("page", n.to_string())]),
            current: false,
        };
        let mut pager = Vec::new();
        if self.page_no > 1 {
            let label = if self.oldest || self.by_score {
                "Previous page"
            } else {
                "Newer page"
            };
            pager.push(page(label, self.page_no - 1));
        }
        if self.page_no < total.div_ceil(PER_PAGE).max(1) {
            pager.push(page("Next page", self.page_no + 1));
        }
        pager
    }

    fn label(&self) -> &'static str {
        TABS.iter()
            .find(|(s, _)| *s == self.status.as_str())
            .map_or("Pending", |(_, l)| l)
    }

    /// "Showing 21–40 of 55." or why there is nothing.
    fn summary(&self, shown: usize, total: u64) -> String {
        let first = (self.page_no - 1) * PER_PAGE + 1;
        let last = first + shown as u64 - 1;
        if shown == 0 {
            format!("No {} comments match.", self.label().to_lowercase())
        } else {
            format!("Showing {first}–{last} of {total}.")
        }
    }

    fn tabs(&self) -> Vec<Link> {
        TABS.iter()
            .map(|(s, l)| Link {
                label: (*l).to_owned(),
                href: format!("/admin/?status={s}"),
                current: *s == self.status.as_str(),
            })
            .collect()
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AdminPage> {
    let sel = Selection::of(&q, &state);
    let found = state.moderation.queue(&sel.filter()).await?;
    let cards = cards(&state, &found.items).await?;
    let view = QueuePage {
        chrome: Chrome::signed_in(&user, "queue"),
        heading: format!("{} comments", sel.label()),
        notice: notice(q.done.as_deref(), q.n),
        tabs: sel.tabs(),
        status: sel.status.as_str().to_owned(),
        sites: state
            .config
            .sites
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        summary: sel.summary(cards.len(), found.total),
        pager: sel.pager(found.total),
        back: sel.href(&[("page", sel.page_no.to_string())]),
        cards,
        oldest: sel.oldest,
        by_score: sel.by_score,
        site: sel.site.unwrap_or_default(),
        uri: sel.uri.unwrap_or_default(),
        q: sel.search.unwrap_or_default(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// Cards for queue rows, each with the comment it replies to, its page's real state (closed
/// by hand or by age) and the spam reports readers filed against its author.
pub(super) async fn cards(
    state: &AppState,
    items: &[(comment::Model, page::Model)],
) -> Result<Vec<Card>, AdminPage> {
    let parent_ids: Vec<i64> = items.iter().filter_map(|(c, _)| c.parent_id).collect();
    let parents: HashMap<i64, comment::Model> = state
        .moderation
        .comments_by_ids(&parent_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let pages: Vec<&page::Model> = items.iter().map(|(_, p)| p).collect();
    let closed = state.moderation.pages_closed(&pages).await?;
    let emails: Vec<String> = items.iter().map(|(c, _)| c.email_norm.clone()).collect();
    let spam_reports = state.moderation.spam_reports_by_author(&emails).await?;
    Ok(items
        .iter()
        .map(|(c, p)| {
            let parent = c.parent_id.and_then(|id| parents.get(&id));
            let mut card = Card::new(&state.config, c, p, parent);
            card.page_closed = closed.get(&p.id).copied().unwrap_or(card.page_closed);
            card.author_spam_reports = spam_reports.get(&c.email_norm).copied().unwrap_or(0);
            card
        })
        .collect())
}

/// One comment on a page of its own (linked from the audit log).
pub async fn one(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AdminPage> {
    let (c, p) = state.moderation.comment(id).await?;
    let card = cards(&state, &[(c, p)])
        .await?
        .pop()
        .ok_or(AdminPage(ApiError::NotFound))?;
    let view = CommentPage {
        chrome: Chrome::signed_in(&user, ""),
        notice: notice(q.done.as_deref(), q.n),
        card,
        back: format!("/admin/comments/{id}"),
    };
    Ok(render(StatusCode::OK, &view))
}
