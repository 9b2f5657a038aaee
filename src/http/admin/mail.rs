//! The mail page (`/admin/mail`): dead letters (and mail still waiting) with recipient,
//! attempts and last error, and "Send again" for a dead one (`Notifier::retry`). Admins
//! only: recipients are private addresses of commenters and moderators.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use serde::Deserialize;

use super::auth::{AdminOnly, Posted};
use super::render::{Chrome, render};
use super::views::{Link, iso, when};
use crate::http::AppState;
use crate::http::error::{AdminPage, ApiError};
use crate::notify::outbox::State as MailState;

const LIMIT: u64 = 200;

pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub attempts: i32,
    pub last_error: String,
    pub created: String,
    pub created_iso: String,
    pub due: String,
    pub dead: bool,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
pub struct MailPage {
    pub chrome: Chrome,
    pub notice: String,
    pub tabs: Vec<Link>,
    pub heading: &'static str,
    pub rows: Vec<MailRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MailQuery {
    state: Option<String>,
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    AdminOnly(user): AdminOnly,
    Query(q): Query<MailQuery>,
) -> Result<Response, AdminPage> {
    let which = match q.state.as_deref() {
        Some("pending") => MailState::Pending,
        _ => MailState::Dead,
    };
    let rows = state
        .notify
        .outbox(which, LIMIT)
        .await?
        .into_iter()
        .map(|r| MailRow {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            recipient: r.recipient,
            attempts: r.attempts,
            last_error: r.last_error.unwrap_or_default(),
            created: when(r.created_at),
            created_iso: iso(r.created_at),
            due: when(r.due_at),
            dead: r.state == MailState::Dead,
        })
        .collect();
    let tabs = [("dead", "Given up"), ("pending", "Waiting")]
        .iter()
        .map(|(s, l)| Link {
            label: (*l).to_owned(),
            href: format!("/admin/mail?state={s}"),
            current: *s == which.as_str(),
        })
        .collect();
    let view = MailPage {
        chrome: Chrome::signed_in(&user, "mail"),
        notice: match q.done.as_deref() {
            Some("retried") => "The mail is queued to be sent again.".into(),
            _ => String::new(),
        },
        tabs,
        heading: if which == MailState::Dead {
            "Mail that was given up"
        } else {
            "Mail waiting to be sent"
        },
        rows,
    };
    Ok(render(StatusCode::OK, &view))
}

pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    if !form.user.acting().is_admin() {
        return Err(AdminPage(ApiError::Forbidden));
    }
    state
        .notify
        .retry(id)
        .await?
        .ok_or(AdminPage(ApiError::NotFound))?;
    Ok(Redirect::to("/admin/mail?done=retried"))
}
