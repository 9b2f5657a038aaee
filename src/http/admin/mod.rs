//! The moderation dashboard under `/admin/`: server-rendered pages that work without
//! JavaScript (forms POST, then 303), cookie sessions with CSRF tokens, and one-click links
//! from notification mails. Every response here carries a strict CSP and is never cached
//! by shared caches. Domain work is delegated to `moderation`, `moderators` and `sessions`.
mod actions;
mod auth;
mod ban;
mod bans;
mod login;
mod mail;
mod one_click;
mod pages;
mod privacy;
mod queue;
mod render;
mod rules;
mod setup;
mod threads;
mod views;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Redirect;
use axum::routing::{any, get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use super::AppState;
use super::error::{AdminPage, ApiError};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// All dashboard routes, with their security headers. Merged into the app router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(queue::page))
        .route("/admin/login", get(login::form).post(login::submit))
        .route("/admin/logout", post(login::logout))
        .route("/admin/setup/{token}", get(setup::form).post(setup::submit))
        .route("/admin/comments/{id}", get(queue::one))
        .route("/admin/comments/{id}/act", post(actions::act))
        .route("/admin/comments/{id}/edit", post(actions::edit))
        .route("/admin/comments/{id}/reply", post(actions::reply))
        .route("/admin/comments/{id}/ban", post(ban::one))
        .route("/admin/bulk", post(actions::bulk))
        // Moderation after publication: the Reported tab, pins, dismissals, closing pages.
        .route("/admin/reports", get(threads::reports))
        .route("/admin/comments/{id}/thread", post(threads::act))
        .route("/admin/audit", get(pages::audit))
        .route(
            "/admin/moderators",
            get(pages::moderators).post(pages::add_moderator),
        )
        .route("/admin/moderators/{id}/active", post(pages::set_active))
        .route("/admin/rules", get(rules::show).post(rules::add))
        .route("/admin/rules/{id}/delete", post(rules::remove))
        .route("/admin/bans", get(bans::show).post(bans::add))
        .route("/admin/bans/{id}/delete", post(bans::remove))
        .route("/admin/privacy", get(privacy::show).post(privacy::act))
        .route("/admin/mail", get(mail::show))
        .route("/admin/mail/{id}/retry", post(mail::retry))
        .route(
            "/admin/act/{token}",
            get(one_click::show).post(one_click::submit),
        )
        .route("/admin/assets/admin.css", get(crate::http::assets::css))
        .route("/admin/assets/admin.js", get(crate::http::assets::js))
        .route(
            "/admin/{*rest}",
            any(|| async { AdminPage(ApiError::NotFound) }),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Assets set their own (private) lifetime; everything else is never stored.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, private"),
        ))
}
