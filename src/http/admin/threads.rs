//! Moderation after publication on the dashboard: the Reported tab, and one form per card
//! to pin or unpin a comment, dismiss its reports, and close or reopen its page. Each form
//! POSTs, then 303 back with a notice.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use serde::Deserialize;

use super::actions::back;
use super::auth::{Posted, SignedIn};
use super::queue::{cards, notice};
use super::render::{Chrome, render};
use super::views::ReportsPage;
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::moderation::input::PageUri;

const LIMIT: u64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ReportsQuery {
    done: Option<String>,
    n: Option<u64>,
}

/// `GET /admin/reports`: reported comments not yet dismissed, most reported first.
pub async fn reports(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<ReportsQuery>,
) -> Result<Response, AdminPage> {
    let (rows, _) = state.moderation.reported(0, LIMIT).await?;
    let pairs: Vec<_> = rows
        .iter()
        .map(|r| (r.comment.clone(), r.page.clone()))
        .collect();
    let mut cards = cards(&state, &pairs).await?;
    for (card, r) in cards.iter_mut().zip(&rows) {
        let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        // The author's spam reports are on every card (`cards`).
        card.reports = Some(format!("{} ({})", r.total, counts.join(", ")));
        card.report_notes = r.notes.clone();
    }
    let view = ReportsPage {
        chrome: Chrome::signed_in(&user, "reports"),
        notice: notice(q.done.as_deref(), q.n),
        cards,
        back: "/admin/reports".into(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// `POST /admin/comments/{id}/thread`: pin, unpin, dismiss, close_page or open_page.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    let actor = form.user.actor();
    let m = &state.moderation;
    let action = form.fields.get("action").unwrap_or_default();
    match action {
        "pin" => m.set_pinned(&actor, id, true).await.map(drop)?,
        "unpin" => m.set_pinned(&actor, id, false).await.map(drop)?,
        "dismiss" => m.dismiss_reports(&actor, id).await.map(drop)?,
        "close_page" | "open_page" => {
            let (_, page) = m.comment(id).await?;
            let uri = PageUri::parse(&page.uri).map_err(|e| AdminPage(ApiError::Invalid(e)))?;
            let closed = action == "close_page";
            m.set_page_closed(&actor, &page.site_id, &uri, closed)
                .await?;
        }
        _ => {
            let why = "Choose pin, unpin, dismiss, close_page or open_page.";
            return Err(AdminPage(ApiError::Invalid(why.into())));
        }
    }
    Ok(back(&form, action, 1))
}
