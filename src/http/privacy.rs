//! The privacy self-service pages: the request form (`/privacy?site=S`, which posts to
//! `/api/v1/privacy`), and the page behind the mailed link. Opening the link only shows what
//! it will do; the button (a POST) does it: downloads everything as JSON, or erases it.
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::api::privacy::PrivacyFormPage;
use super::api::views::rfc3339;
use super::error::{ApiError, Page, html};
use crate::moderation::privacy::{AddressData, Outcome};
use crate::notify::LinkError;
use entity::enums::{CommentStatus, PrivacyKind};
use entity::privacy_request;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(form))
        .route("/privacy/{token}", get(confirm_page).post(confirm))
}

#[derive(Debug, Deserialize)]
struct SiteQuery {
    #[serde(default)]
    site: String,
}

/// The request form for one site.
async fn form(State(state): State<AppState>, Query(q): Query<SiteQuery>) -> Response {
    let Some(site) = state.config.site(&q.site) else {
        return Page(ApiError::UnknownSite).into_response();
    };
    let page = PrivacyFormPage {
        site: &site.id,
        site_name: &site.name,
        email: "",
        request: "export",
        errors: Vec::new(),
    };
    html(StatusCode::OK, page.render())
}

#[derive(Template)]
#[template(path = "privacy_confirm.html")]
struct ConfirmPage<'a> {
    site_name: &'a str,
    erase: bool,
}

#[derive(Template)]
#[template(path = "privacy_done.html")]
struct DonePage<'a> {
    heading: &'a str,
    message: String,
}

fn done(status: StatusCode, heading: &str, message: String) -> Response {
    html(status, DonePage { heading, message }.render())
}

/// The request behind a link, or the page that says why there is none.
async fn request_of(state: &AppState, token: &str) -> Result<privacy_request::Model, Response> {
    let expired = || {
        done(
            StatusCode::GONE,
            "This link has expired",
            "Privacy links work for a limited time. Ask again for a new one.".into(),
        )
    };
    let (id, kind) = match state.notify.check_privacy(token) {
        Ok(found) => found,
        Err(LinkError::Expired) => return Err(expired()),
        Err(e) => return Err(Page(e.into()).into_response()),
    };
    match state.moderation.privacy_request(id, kind).await {
        Ok(Some(r)) if r.expires_at > state.clock.now() => Ok(r),
        Ok(Some(_)) => Err(expired()),
        Ok(None) => Err(Page(ApiError::LinkInvalid).into_response()),
        Err(e) => Err(Page(e.into()).into_response()),
    }
}

/// Shows what the link will do, and changes nothing.
async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let req = match request_of(&state, &token).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    if req.kind == PrivacyKind::Delete && req.completed_at.is_some() {
        return already_erased();
    }
    let name = state
        .config
        .site(&req.site_id)
        .map_or("", |s| s.name.as_str());
    let page = ConfirmPage {
        site_name: name,
        erase: req.kind == PrivacyKind::Delete,
    };
    html(StatusCode::OK, page.render())
}

fn already_erased() -> Response {
    done(
        StatusCode::OK,
        "Already erased",
        "This request was carried out already: nothing is left under the address.".into(),
    )
}

/// Carries the request out: the JSON download, or the erasure.
async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let req = match request_of(&state, &token).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    match state.moderation.carry_out_privacy(&req).await {
        Ok(Outcome::Exported(data)) => download(&data, state.clock.now()),
        Ok(Outcome::Erased(e)) => done(
            StatusCode::OK,
            "Erased",
            format!(
                "Your comments are erased: {} removed, {} kept as “deleted” because others \
                 replied to them. Your mail subscription is gone too.",
                e.removed, e.tombstones
            ),
        ),
        Ok(Outcome::AlreadyErased) => already_erased(),
        Err(e) => Page(e.into()).into_response(),
    }
}

/// Everything stored under one address, as the download gives it.
#[derive(Debug, Serialize)]
pub struct PrivacyExport {
    pub site: String,
    pub email: String,
    pub exported_at: String,
    pub comments: Vec<ExportedComment>,
    pub subscription: Option<ExportedSubscription>,
}

#[derive(Debug, Serialize)]
pub struct ExportedComment {
    pub id: i64,
    pub page: String,
    pub page_title: Option<String>,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub text: String,
    pub status: CommentStatus,
    /// The network the comment came from (/24 or /48); the full address is never stored.
    pub network: Option<String>,
    pub user_agent: Option<String>,
    pub notify_replies: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedSubscription {
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub unsubscribed_from_all: bool,
}

impl PrivacyExport {
    pub fn new(d: &AddressData, now: chrono::DateTime<chrono::Utc>) -> PrivacyExport {
        PrivacyExport {
            site: d.site.clone(),
            email: d.email_norm.clone(),
            exported_at: rfc3339(now),
            comments: d
                .comments
                .iter()
                .map(|(c, p)| ExportedComment {
                    id: c.id,
                    page: p.uri.clone(),
                    page_title: p.title.clone(),
                    parent_id: c.parent_id,
                    author_name: c.author_name.clone(),
                    author_email: c.author_email.clone(),
                    author_url: c.author_url.clone(),
                    text: c.text.clone(),
                    status: c.status,
                    network: c.ip_prefix.clone(),
                    user_agent: c.user_agent.clone(),
                    notify_replies: c.notify_replies,
                    created_at: rfc3339(c.created_at),
                    updated_at: rfc3339(c.updated_at),
                })
                .collect(),
            subscription: d.subscriber.as_ref().map(|s| ExportedSubscription {
                created_at: rfc3339(s.created_at),
                confirmed_at: s.confirmed_at.map(rfc3339),
                unsubscribed_from_all: s.unsubscribed_all,
            }),
        }
    }
}

/// The export as a JSON file to save.
pub fn download(d: &AddressData, now: chrono::DateTime<chrono::Utc>) -> Response {
    let mut res = Json(PrivacyExport::new(d, now)).into_response();
    let name = format!("attachment; filename=\"{}-comments.json\"", d.site);
    if let Ok(v) = HeaderValue::from_str(&name) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
