//! The one place where errors become HTTP responses: a status, a stable snake_case code and
//! a message, answered as JSON (`ApiError`), as a public HTML page (`Page`) or as a dashboard
//! page (`AdminPage`). Every module's own error converts into `ApiError`; nothing else maps
//! an error to a response. A 5xx never carries internal text: it is logged once, with its
//! cause chain, inside the request's span (which carries the request id).
use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::limits::RateLimited;
use crate::moderation::{FieldErrors, ModerationError};

mod convert;
mod page;

pub use crate::http::render::html;
pub use page::{AdminPage, Page, PageBack};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(FieldErrors),
    /// Input that is wrong as a whole, said in one sentence (dashboard forms).
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("malformed request body: {0}")]
    Malformed(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("unknown site")]
    UnknownSite,
    #[error("not found")]
    NotFound,
    #[error("no such route")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("gone")]
    Gone,
    #[error("forbidden")]
    Forbidden,
    #[error("authentication required")]
    Unauthorized,
    /// A dashboard form's security token is missing or wrong.
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// A link from a mail that has expired.
    #[error("link expired")]
    LinkExpired,
    /// A link from a mail that is not ours, or no longer points at anything.
    #[error("link not valid")]
    LinkInvalid,
    /// A one-click moderation link that was cut short or changed.
    #[error("link changed")]
    LinkTampered,
    #[error("too many requests")]
    RateLimited(RateLimited),
    #[error("duplicate comment")]
    Duplicate,
    /// The request conflicts with the current state: a stable code and a sentence.
    #[error("conflict: {1}")]
    Conflict(&'static str, String),
    /// The page takes no new comments.
    #[error("comments closed")]
    CommentsClosed,
    /// An `Idempotency-Key` reused with another request body.
    #[error("idempotency key reused")]
    KeyReused,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The error body every endpoint uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `validation_failed`.
    pub code: &'static str,
    /// Human-readable summary.
    pub message: String,
    /// Per-field messages, present for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
    /// Seconds to wait before trying again, present for `rate_limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError as E;
        match self {
            E::Validation(_) | E::Invalid(_) | E::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            E::Malformed(_) | E::LinkTampered => StatusCode::BAD_REQUEST,
            E::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            E::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            E::UnknownSite | E::NotFound | E::NoRoute | E::LinkInvalid => StatusCode::NOT_FOUND,
            E::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            E::Gone | E::LinkExpired => StatusCode::GONE,
            E::Unauthorized => StatusCode::UNAUTHORIZED,
            E::Forbidden | E::Csrf | E::CommentsClosed => StatusCode::FORBIDDEN,
            E::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            E::Duplicate | E::Conflict(..) => StatusCode::CONFLICT,
            E::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        use ApiError as E;
        match self {
            E::Validation(_) => "validation_failed",
            E::Invalid(_) => "invalid_input",
            E::Malformed(_) => "malformed_request",
            E::PayloadTooLarge => "payload_too_large",
            E::UnsupportedMediaType => "unsupported_media_type",
            E::UnknownSite => "unknown_site",
            E::NotFound => "not_found",
            E::NoRoute => "no_route",
            E::MethodNotAllowed => "method_not_allowed",
            E::Gone => "gone",
            E::Unauthorized => "unauthorized",
            E::Forbidden => "forbidden",
            E::Csrf => "csrf_failed",
            E::LinkExpired => "link_expired",
            E::LinkInvalid => "link_invalid",
            E::LinkTampered => "link_tampered",
            E::RateLimited(_) => "rate_limited",
            E::Duplicate => "duplicate_comment",
            E::CommentsClosed => "comments_closed",
            E::Conflict(code, _) => code,
            E::KeyReused => "idempotency_key_reused",
            E::Internal(_) => "internal_error",
        }
    }

    /// The message of the JSON answer and the public pages.
    pub fn message(&self) -> String {
        use ApiError as E;
        match self {
            E::Validation(_) => "Some fields are not valid.".into(),
            E::Invalid(why) => why.clone(),
            E::Malformed(why) => format!("The request body could not be read: {why}"),
            E::PayloadTooLarge => "The request body is larger than this server accepts.".into(),
            E::UnsupportedMediaType => {
                "Send application/json or application/x-www-form-urlencoded.".into()
            }
            E::UnknownSite => "No site with that id is configured.".into(),
            E::NotFound => "Not found.".into(),
            E::NoRoute => "No such endpoint.".into(),
            E::MethodNotAllowed => "That method is not allowed here.".into(),
            E::Gone => "That comment was deleted.".into(),
            E::Unauthorized => "A valid moderator token is required.".into(),
            E::Forbidden => "That is not allowed, or the time to do it has passed.".into(),
            E::Csrf => "The form's security token is missing or out of date.".into(),
            E::LinkExpired => {
                "This link has expired. Comment again with notifications on to get a new one."
                    .into()
            }
            E::LinkInvalid | E::LinkTampered => "This link is not valid.".into(),
            E::RateLimited(r) => format!(
                "You are posting too quickly. Please try again in {} seconds.",
                r.retry_after_secs
            ),
            E::Duplicate => "You already posted this comment here; it was not posted twice.".into(),
            E::CommentsClosed => "Comments are closed.".into(),
            E::Conflict(_, why) => why.clone(),
            E::KeyReused => {
                "This Idempotency-Key was used for another request; use a new key.".into()
            }
            E::Internal(_) => "Something went wrong on our side.".into(),
        }
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::Validation(f) => Some(f),
            _ => None,
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.message(),
                fields: self.fields().cloned(),
                retry_after: match self {
                    ApiError::RateLimited(r) => Some(r.retry_after_secs),
                    _ => None,
                },
            },
        }
    }

    /// Logs a 5xx once, with its cause chain. Called by every surface's answer.
    fn log_if_internal(&self) {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
    }

    /// The headers every surface adds: the 429's rate-limit fields, the 401's challenge.
    fn headers(&self, res: &mut Response) {
        if let ApiError::RateLimited(r) = self {
            res.headers_mut().extend(rate_limit_headers(r));
        }
        if matches!(self, ApiError::Unauthorized) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
    }
}

/// The headers of a 429: `Retry-After`, and the `RateLimit-Policy` / `RateLimit` fields of
/// the IETF httpapi-ratelimit-headers draft: the policy that refused, its quota and window,
/// and that nothing remains until the reset.
pub fn rate_limit_headers(r: &RateLimited) -> [(HeaderName, HeaderValue); 3] {
    let value = |s: String| HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static("0"));
    [
        (header::RETRY_AFTER, value(r.retry_after_secs.to_string())),
        (
            HeaderName::from_static("ratelimit-policy"),
            value(format!(
                "\"{}\";q={};w={}",
                r.policy, r.quota, r.window_secs
            )),
        ),
        (
            HeaderName::from_static("ratelimit"),
            value(format!("\"{}\";r=0;t={}", r.policy, r.retry_after_secs)),
        ),
    ]
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let mut res = (self.status(), Json(self.body())).into_response();
        self.headers(&mut res);
        res
    }
}

impl From<ModerationError> for ApiError {
    fn from(e: ModerationError) -> Self {
        match e {
            ModerationError::UnknownSite => ApiError::UnknownSite,
            ModerationError::Invalid(f) => ApiError::Validation(f),
            ModerationError::NotFound => ApiError::NotFound,
            ModerationError::Deleted => ApiError::Gone,
            ModerationError::Forbidden => ApiError::Forbidden,
            ModerationError::Duplicate => ApiError::Duplicate,
            ModerationError::CommentsClosed => ApiError::CommentsClosed,
            ModerationError::TooManyPinned(n) => ApiError::Conflict(
                "too_many_pinned",
                format!("This page already has {n} pinned comments; unpin one first."),
            ),
            ModerationError::KeyReused => ApiError::KeyReused,
            ModerationError::KeyInProgress => ApiError::Conflict(
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly."
                    .into(),
            ),
            ModerationError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}
