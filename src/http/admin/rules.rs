//! The word rules page (`/admin/rules`): moderation words (hold) and disallowed words
//! (spam), listed, added and removed through `moderation::screening`, each change audited. Every
//! moderator may manage them, as with the moderator API. Errors are shown beside the field.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{Posted, SignedIn};
use super::render::{Chrome, render};
use super::views::{iso, when};
use crate::http::AppState;
use crate::http::error::AdminPage;
use crate::moderation::FieldErrors;
use crate::moderation::ModerationError;
use crate::moderation::screening::RuleKind;

pub struct RuleRow {
    pub id: i64,
    pub word: String,
    pub added: String,
    pub added_iso: String,
}

pub struct RuleList {
    pub heading: &'static str,
    pub help: &'static str,
    pub rows: Vec<RuleRow>,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub notice: String,
    pub lists: Vec<RuleList>,
    pub kind: String,
    pub word: String,
    pub kind_error: Option<String>,
    pub word_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// The first message for `field`, to show beside it.
pub fn field_error(errors: &FieldErrors, field: &str) -> Option<String> {
    errors.get(field).map(|m| {
        let mut s = m.join("; ");
        if let Some(c) = s.get(..1) {
            s = format!("{}{}", c.to_uppercase(), &s[1..]);
        }
        format!("{s}.")
    })
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    status: StatusCode,
    notice: &str,
    typed: (String, String),
    errors: &FieldErrors,
) -> Result<Response, AdminPage> {
    let rows = state.moderation.rules().await?;
    let list = |kind: RuleKind, heading, help| RuleList {
        heading,
        help,
        rows: rows
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| RuleRow {
                id: r.id,
                word: r.word.clone(),
                added: when(r.created_at),
                added_iso: iso(r.created_at),
            })
            .collect(),
    };
    let view = RulesPage {
        chrome: Chrome::signed_in(user, "rules"),
        notice: notice.to_owned(),
        lists: vec![
            list(
                RuleKind::ModerationWord,
                "Moderation words",
                "A comment containing one of these waits for a moderator.",
            ),
            list(
                RuleKind::DisallowedWord,
                "Disallowed words",
                "A comment containing one of these goes to spam.",
            ),
        ],
        kind: typed.0,
        word: typed.1,
        kind_error: field_error(errors, "kind"),
        word_error: field_error(errors, "word"),
    };
    Ok(render(status, &view))
}

pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<Done>,
) -> Result<Response, AdminPage> {
    let notice = match q.done.as_deref() {
        Some("added") => "Word added.",
        Some("removed") => "Word removed.",
        _ => "",
    };
    let typed = ("moderation_word".to_owned(), String::new());
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
    let (kind, word) = (form.fields.text("kind"), form.fields.text("word"));
    let actor = form.user.actor();
    match state.moderation.add_rule(&actor, &kind, &word).await {
        Ok(_) => Ok(Redirect::to("/admin/rules?done=added").into_response()),
        Err(ModerationError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, &form.user, status, "", (kind, word), &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: Posted,
) -> Result<Redirect, AdminPage> {
    state.moderation.delete_rule(&form.user.actor(), id).await?;
    Ok(Redirect::to("/admin/rules?done=removed"))
}
