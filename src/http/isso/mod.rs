//! An Isso-compatible API under `/isso/{site}/`, for pages that keep Isso 0.14's own client
//! (`embed.min.js`, `count.min.js`) after moving to replyd: config, thread, new, view, edit,
//! delete, count, preview, and like/dislike (answered, but replyd keeps no votes and tells
//! the client to show none). New comments go through the same front door as every other:
//! `ValidatedJson`, one `TryFrom` into `NewComment`, the rate limits, then the domain.
mod handlers;
mod request;
mod views;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Submitter, ValidatedJson};
use crate::moderation::NewComment;
use request::{IssoNew, IssoSubmission};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/isso/{site}/", get(handlers::fetch))
        .route("/isso/{site}/config", get(handlers::config))
        .route("/isso/{site}/new", post(handlers::new))
        .route("/isso/{site}/count", post(handlers::count))
        .route("/isso/{site}/preview", post(handlers::preview))
        .route(
            "/isso/{site}/id/{id}",
            get(handlers::view)
                .put(handlers::edit)
                .delete(handlers::delete),
        )
        .route("/isso/{site}/id/{id}/like", post(handlers::vote))
        .route("/isso/{site}/id/{id}/dislike", post(handlers::vote))
}

/// The site of an Isso API path (`/isso/{site}/...`), for the CORS rules.
pub fn site_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/isso/")?;
    let site = rest.split('/').next()?;
    (!site.is_empty()).then_some(site)
}

/// The `{site}` of the path, which must be configured.
pub struct SitePath(pub String);

impl FromRequestParts<AppState> for SitePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let site = params
            .into_iter()
            .find(|(k, _)| k == "site")
            .map(|(_, v)| v)
            .ok_or(ApiError::NotFound)?;
        state.config.site(&site).ok_or(ApiError::UnknownSite)?;
        Ok(SitePath(site))
    }
}

/// `{site}` and `{id}` of `/isso/{site}/id/{id}`; an id that is not a number is a 404.
pub struct CommentPath {
    pub site: String,
    pub id: i64,
}

impl FromRequestParts<AppState> for CommentPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let SitePath(site) = SitePath::from_request_parts(parts, state).await?;
        let Path((_, id)) = Path::<(String, i64)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Ok(CommentPath { site, id })
    }
}

#[derive(Debug, Deserialize)]
struct UriQuery {
    #[serde(default)]
    uri: String,
}

/// A new comment from Isso's client: read, validated, converted once, then limited, with
/// what its `Idempotency-Key` found, as on the JSON API.
pub struct IssoIncoming(pub NewComment, pub Option<crate::moderation::Begun>);

impl FromRequest<AppState> for IssoIncoming {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let Ok(submitter) = Submitter::from_request_parts(&mut parts, state).await;
        let key = crate::http::api::submission::idempotency_key(&parts.headers);
        let SitePath(site) = SitePath::from_request_parts(&mut parts, state).await?;
        let Query(q) = Query::<UriQuery>::from_request_parts(&mut parts, state)
            .await
            .map_err(|e| ApiError::Malformed(e.body_text()))?;
        let ValidatedJson(body) =
            ValidatedJson::<IssoNew>::from_request(Request::from_parts(parts, body), state).await?;
        let sub = IssoSubmission {
            site,
            uri: q.uri,
            body,
        };
        let new = NewComment::try_from((sub, submitter, &*state.config))?;
        let once = crate::http::api::submission::admit(state, &new, key).await?;
        Ok(IssoIncoming(new, once))
    }
}

/// An answer with the edit cookies Isso's client expects.
fn with_cookies(mut res: Response, cookies: &request::EditCookies) -> Response {
    use axum::http::{HeaderName, HeaderValue, header};
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cookies.server) {
        h.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cookies.page) {
        h.append(HeaderName::from_static("x-set-cookie"), v);
    }
    res
}

impl IntoResponse for views::IssoThread {
    fn into_response(self) -> Response {
        axum::Json(self).into_response()
    }
}
