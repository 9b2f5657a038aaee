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
        Some(b @ ("ban_email" | "ban_address" | "ban_network")) => {
            let kind = b.trim_start_matches("ban_");
            format!("Banned the {kind} of the author of {what}.")
        }
        _ => String::new(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AdminPage> {
    let status = status_of(q.status.as_deref().unwrap_or("pending"));
    let site = q.site.clone().filter(|s| state.config.site(s).is_some());
    let uri = q
        .uri
        .clone()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    let search =
        q.q.clone()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
    let oldest = q.order.as_deref() == Some("oldest");
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let filter = QueueFilter {
        status: Some(status),
        site: site.clone(),
        uri: uri.clone(),
        search: search.clone(),
        order: if oldest {
            QueueOrder::Oldest
        } else {
            QueueOrder::Newest
        },
        offset: (page_no - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let found = state.moderation.queue(&filter).await?;
    let cards = cards(&state, &found.items).await?;

    let mut params = vec![("status", status.as_str().to_owned())];
    for (k, v) in [("site", &site), ("uri", &uri), ("q", &search)] {
        if let Some(v) = v {
            params.push((k, v.clone()));
        }
    }
    if oldest {
        params.push(("order", "oldest".into()));
    }
    let href = |extra: &[(&str, String)]| {
        let qs: Vec<String> = params
            .iter()
            .chain(extra.iter())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("/admin/?{}", qs.join("&"))
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let mut pager = Vec::new();
    if page_no > 1 {
        pager.push(Link {
            label: "Newer page".into(),
            href: href(&[("page", (page_no - 1).to_string())]),
            current: false,
        });
    }
    if page_no < pages {
        pager.push(Link {
            label: "Next page".into(),
            href: href(&[("page", (page_no + 1).to_string())]),
            current: false,
        });
    }
    if oldest {
        pager
            .iter_mut()
            .for_each(|l| l.label = l.label.replace("Newer", "Previous"));
    }
    let first = filter.offset + 1;
    let last = filter.offset + cards.len() as u64;
    let label = TABS
        .iter()
        .find(|(s, _)| *s == status.as_str())
        .map_or("Pending", |(_, l)| l);
    let summary = if cards.is_empty() {
        format!("No {} comments match.", label.to_lowercase())
    } else {
        format!("Showing {first}–{last} of {}.", found.total)
    };
    let back = href(&[("page", page_no.to_string())]);
    let tabs = TABS
        .iter()
        .map(|(s, l)| Link {
            label: (*l).to_owned(),
            href: format!("/admin/?status={s}"),
            current: *s == status.as_str(),
        })
        .collect();
    let view = QueuePage {
        chrome: Chrome::signed_in(&user, "queue"),
        heading: format!("{label} comments"),
        notice: notice(q.done.as_deref(), q.n),
        tabs,
        status: status.as_str().to_owned(),
        sites: state
            .config
            .sites
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        site: site.unwrap_or_default(),
        uri: uri.unwrap_or_default(),
        q: search.unwrap_or_default(),
        oldest,
        cards,
        summary,
        pager,
        back,
    };
    Ok(render(StatusCode::OK, &view))
}

/// Cards for queue rows, each with the comment it replies to.
async fn cards(
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
    Ok(items
        .iter()
        .map(|(c, p)| {
            let parent = c.parent_id.and_then(|id| parents.get(&id));
            Card::new(&state.config, c, p, parent)
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
