//! The privacy page (`/admin/privacy`): a moderator gives a commenter what is stored under
//! their address on a site (the same JSON the commenter's own link downloads) or erases it,
//! as the privacy self-service does. Both land in the audit log, which names the address by
//! a keyed digest only.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{Posted, SignedIn};
use super::render::{Chrome, render};
use super::rules::field_error;
use crate::http::AppState;
use crate::http::error::AdminPage;
use crate::moderation::FieldErrors;
use crate::moderation::input::AuthorEmail;

#[derive(Template)]
#[template(path = "admin/privacy.html")]
pub struct PrivacyPage {
    pub chrome: Chrome,
    pub notice: String,
    pub sites: Vec<(String, String)>,
    pub site: String,
    pub email: String,
    pub email_error: Option<String>,
    pub confirm_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Erased {
    removed: Option<usize>,
    kept: Option<usize>,
}

fn page(
    state: &AppState,
    user: &SignedIn,
    status: StatusCode,
    notice: String,
    typed: (String, String),
    errors: &FieldErrors,
) -> Response {
    let view = PrivacyPage {
        chrome: Chrome::signed_in(user, "privacy"),
        notice,
        sites: state
            .config
            .sites
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        site: typed.0,
        email: typed.1,
        email_error: field_error(errors, "email"),
        confirm_error: field_error(errors, "confirm"),
    };
    render(status, &view)
}

pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<Erased>,
) -> Response {
    let notice = match (q.removed, q.kept) {
        (Some(r), Some(k)) => {
            format!("Erased: {r} comments removed, {k} kept as “deleted” placeholders.")
        }
        _ => String::new(),
    };
    let typed = (String::new(), String::new());
    page(
        &state,
        &user,
        StatusCode::OK,
        notice,
        typed,
        &FieldErrors::new(),
    )
}

/// Exports (a JSON download) or erases what is stored under the address on the site.
pub async fn act(State(state): State<AppState>, form: Posted) -> Result<Response, AdminPage> {
    let (site, email) = (form.fields.text("site"), form.fields.text("email"));
    let mut errors = FieldErrors::new();
    let parsed = AuthorEmail::parse(&email)
        .map_err(|m| errors.insert("email".into(), vec![m]))
        .ok();
    let erase = form.fields.get("request") == Some("delete");
    if erase && form.fields.get("confirm").is_none() {
        errors.insert(
            "confirm".into(),
            vec!["tick the box to confirm: an erasure cannot be undone".into()],
        );
    }
    let Some(address) = parsed.filter(|_| errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page(
            &state,
            &form.user,
            status,
            String::new(),
            (site, email),
            &errors,
        ));
    };
    let actor = form.user.actor();
    let norm = address.normalized();
    if erase {
        let done = state.moderation.erase_address(&actor, &site, &norm).await?;
        let to = format!(
            "/admin/privacy?removed={}&kept={}",
            done.removed, done.tombstones
        );
        return Ok(axum::response::Redirect::to(&to).into_response());
    }
    let data = state
        .moderation
        .export_address(&actor, &site, &norm)
        .await?;
    Ok(crate::http::privacy::download(&data, state.clock.now()))
}
