//! One-click moderation from a notification mail. GET (and HEAD) only shows the comment
//! and a confirm button, so link scanners and prefetching change nothing; POST acts, once.
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{AnonForm, anonymous_token};
use super::render::{Chrome, render};
use super::views::{ActPage, Card, when};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::keys::token::TokenError;
use crate::moderation::{Action, LinkOutcome, ModerationError, SpentLink, link_is_stale};
use crate::notify::links::{self, OneClick};
use entity::enums::CommentStatus;

fn past(a: Action) -> &'static str {
    match a {
        Action::Approve => "approved",
        Action::Reject => "rejected",
        Action::Spam => "marked as spam",
    }
}

fn verb(a: Action) -> &'static str {
    match a {
        Action::Approve => "Approve",
        Action::Reject => "Reject",
        Action::Spam => "Mark as spam",
    }
}

fn message_page(status: StatusCode, heading: &str, message: String) -> Response {
    render(
        status,
        &ActPage {
            chrome: Chrome::bare(),
            heading: heading.into(),
            message,
            confirm: None,
            card: None,
        },
    )
}

fn verified(state: &AppState, token: &str) -> Result<OneClick, TokenError> {
    links::verify_one_click(&state.keys, token, state.clock.now())
}

fn stale(now: CommentStatus) -> String {
    format!(
        "This comment changed after this mail was sent (it is {} now), so the link no longer \
         acts. Open the dashboard to moderate it.",
        now.as_str()
    )
}

fn already(spent: &SpentLink) -> String {
    format!(
        "This comment was already {} on {}.",
        past(spent.action),
        when(spent.at)
    )
}

#[derive(Debug, Deserialize)]
pub struct ActQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ActQuery>,
    headers: HeaderMap,
) -> Result<Response, AdminPage> {
    let link = match verified(&state, &token) {
        Ok(l) => l,
        Err(e) => return Err(e.into()),
    };
    if let Some(spent) = state.moderation.spent_link(&link).await? {
        let (heading, message) = if q.done.is_some() {
            ("Done", format!("The comment was {}.", past(spent.action)))
        } else {
            ("Link already used", already(&spent))
        };
        return Ok(message_page(StatusCode::OK, heading, message));
    }
    let (c, p) = state.moderation.comment(link.comment_id).await?;
    if c.deleted {
        return Err(AdminPage(ApiError::Gone));
    }
    if link_is_stale(&link, &c) {
        return Ok(message_page(
            StatusCode::OK,
            "Link out of date",
            stale(c.status),
        ));
    }
    let parent = match c.parent_id {
        Some(id) => state.moderation.comments_by_ids(&[id]).await?.pop(),
        None => None,
    };
    let (csrf, set) = anonymous_token(&state, &headers);
    let page = ActPage {
        chrome: Chrome::anonymous(csrf),
        heading: format!("{} this comment?", verb(link.action)),
        message: format!(
            "It is {} now. Nothing changes until you press the button.",
            c.status.as_str()
        ),
        confirm: Some(verb(link.action).to_owned()),
        card: Some(Card::new(&state.config, &c, &p, parent.as_ref())),
    };
    let mut res = render(StatusCode::OK, &page);
    if let Some(c) = set {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    _form: AnonForm,
) -> Result<Response, AdminPage> {
    let link = match verified(&state, &token) {
        Ok(l) => l,
        Err(e) => return Err(e.into()),
    };
    match state.moderation.act_by_link(&link).await {
        Ok(LinkOutcome::Done(_)) => {
            Ok(Redirect::to(&format!("/admin/act/{token}?done=1")).into_response())
        }
        Ok(LinkOutcome::Stale(now)) => Ok(message_page(
            StatusCode::CONFLICT,
            "Link out of date",
            stale(now),
        )),
        Ok(LinkOutcome::AlreadyUsed(spent)) => Ok(message_page(
            StatusCode::CONFLICT,
            "Link already used",
            already(&spent),
        )),
        Err(ModerationError::Db(e)) => {
            // The loser of a race on the same link: report what the winner did.
            match state.moderation.spent_link(&link).await? {
                Some(spent) => Ok(message_page(
                    StatusCode::CONFLICT,
                    "Link already used",
                    already(&spent),
                )),
                None => Err(AdminPage(ApiError::Internal(e.into()))),
            }
        }
        Err(e) => Err(e.into()),
    }
}
