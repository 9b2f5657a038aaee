//! The pages behind the links in mail to commenters: confirming an address and
//! unsubscribing. A GET only shows a page with a button; only a POST changes anything, and a
//! POST to the List-Unsubscribe URL (RFC 8058 one-click) unsubscribes at once.
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use super::error::{Page, html};
use crate::notify::Scope;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/confirm/{token}", get(confirm_page).post(confirm))
        .route(
            "/mail/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
}

#[derive(Template)]
#[template(path = "mail_confirm.html")]
struct ConfirmPage;

#[derive(Template)]
#[template(path = "mail_unsubscribe.html")]
struct UnsubscribePage {
    thread: bool,
}

#[derive(Template)]
#[template(path = "mail_done.html")]
struct DonePage {
    heading: &'static str,
    message: &'static str,
}

fn done(heading: &'static str, message: &'static str) -> Response {
    html(StatusCode::OK, DonePage { heading, message }.render())
}

async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.notify.check_confirm(&token) {
        Ok(_) => html(StatusCode::OK, ConfirmPage.render()),
        Err(e) => Page(e.into()).into_response(),
    }
}

async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.notify.confirm(&token).await {
        Ok(()) => done(
            "Address confirmed",
            "You will get mail about replies to the comments you asked about.",
        ),
        Err(e) => Page(e.into()).into_response(),
    }
}

async fn unsubscribe_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.notify.check_unsubscribe(&token) {
        Ok(u) => html(
            StatusCode::OK,
            UnsubscribePage {
                thread: matches!(u.scope, Scope::Page(_)),
            }
            .render(),
        ),
        Err(e) => Page(e.into()).into_response(),
    }
}

/// The form's button sends `scope=thread` or `scope=all`; a mail client's one-click POST
/// sends `List-Unsubscribe=One-Click` and gets the link's own scope.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let everything = url::form_urlencoded::parse(&body).any(|(k, v)| k == "scope" && v == "all");
    match state.notify.unsubscribe(&token, everything).await {
        Ok(()) => done(
            "Unsubscribed",
            "You will get no more of this mail. Thank you for letting us know.",
        ),
        Err(e) => Page(e.into()).into_response(),
    }
}
