//! The bans page (`/admin/bans`): every ban with its expiry, adding bans by email, email
//! domain or address/network, and lifting any ban (exact-address bans, made from a comment,
//! are shown by their label). Changes go through `moderation::screening`, each audited. Every
//! moderator may manage bans, as with the moderator API.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::{Posted, SignedIn};
use super::ban::{DURATIONS, duration};
use super::render::{Chrome, render};
use super::rules::{Done, field_error};
use super::views::{iso, when};
use crate::http::AppState;
use crate::http::error::AdminPage;
use crate::moderation::screening::{BanKind, BanRequest};
use crate::moderation::{FieldErrors, ModerationError};

pub struct BanRow {
    pub id: i64,
    pub kind: &'static str,
    pub what: String,
    pub reason: String,
    pub expires: String,
    pub expires_iso: String,
    pub active: bool,
    pub added: String,
}

/// What the add form shows again after an error.
#[derive(Default)]
pub struct Typed {
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub duration: String,
}

#[derive(Template)]
#[template(path = "admin/bans.html")]
pub struct BansPage {
    pub chrome: Chrome,
    pub notice: String,
    pub rows: Vec<BanRow>,
    pub typed: Typed,
    pub durations: &'static [(&'static str, &'static str)],
    pub kind_error: Option<String>,
    pub value_error: Option<String>,
    pub reason_error: Option<String>,
    pub duration_error: Option<String>,
}

fn kind_label(kind: BanKind) -> &'static str {
    match kind {
        BanKind::Email => "Email",
        BanKind::EmailDomain => "Email domain",
        BanKind::Address => "Address or network",
        BanKind::AddressHash => "Exact address",
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    status: StatusCode,
    notice: &str,
    typed: Typed,
    errors: &FieldErrors,
) -> Result<Response, AdminPage> {
    let now = state.clock.now();
    let rows = state
        .moderation
        .bans()
        .await?
        .into_iter()
        .map(|b| BanRow {
            id: b.id,
            kind: kind_label(b.kind),
            what: b.label.clone().unwrap_or_else(|| b.value.clone()),
            reason: b.reason,
            expires: b.expires_at.map_or_else(|| "never".into(), when),
            expires_iso: b.expires_at.map(iso).unwrap_or_default(),
            active: b.expires_at.is_none_or(|t| t > now),
            added: when(b.created_at),
        })
        .collect();
    let view = BansPage {
        chrome: Chrome::signed_in(user, "bans"),
        notice: notice.to_owned(),
        rows,
        typed,
        durations: &DURATIONS,
        kind_error: field_error(errors, "kind"),
        value_error: field_error(errors, "value"),
        reason_error: field_error(errors, "reason"),
        duration_error: field_error(errors, "duration_secs"),
    };
    Ok(render(status, &view))
}

pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<Done>,
) -> Result<Response, AdminPage> {
    let notice = match q.done.as_deref() {
        Some("added") => "Ban added.",
        Some("removed") => "Ban lifted.",
        _ => "",
    };
    let typed = Typed {
        kind: "email".into(),
        ..Typed::default()
    };
    page(
        &state,
        &user,
        StatusCode::OK,
        notice,
        typed,
        &FieldErrors::new(),
    )
    .await
}

pub async fn add(State(state): State<AppState>, form: Posted) -> Result<Response, AdminPage> {
    let f = &form.fields;
    let typed = Typed {
        kind: f.text("kind"),
        value: f.text("value"),
        reason: f.text("reason"),
        duration: f.text("duration"),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(duration_secs) = duration(f, "duration") else {
        let errors =
            FieldErrors::from([("duration_secs".into(), vec!["choose from the list".into()])]);
        return page(&state, &form.user, unprocessable, "", typed, &errors).await;
    };
    // Exact-address bans are made from a comment: the address itself is never stored.
    let kind = if typed.kind == BanKind::AddressHash.as_str() {
        ""
    } else {
        typed.kind.as_str()
    };
    let req = BanRequest {
        kind,
        value: &typed.value,
        reason: Some(&typed.reason),
        expires_at: None,
        duration_secs,
    };
    match state.moderation.add_ban(&form.user.actor(), &req).await {
        Ok(_) => Ok(Redirect::to("/admin/bans?done=added").into_response()),
        Err(ModerationError::Invalid(errors)) => {
            page(&state, &form.user, unprocessable, "", typed, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    state.moderation.delete_ban(&form.user.actor(), id).await?;
    Ok(Redirect::to("/admin/bans?done=removed"))
}
