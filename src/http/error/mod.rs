//! The one place where errors become HTTP responses: a status and a stable snake_case code.
//! A 5xx never carries internal text; it is logged once with its cause.
use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::limits::RateLimited;
use crate::moderation::{FieldErrors, ModerationError};

mod page;

pub use page::{Page, html};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(FieldErrors),
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
    #[error("gone")]
    Gone,
    #[error("forbidden")]
    Forbidden,
    #[error("authentication required")]
    Unauthorized,
    #[error("too many requests")]
    RateLimited(RateLimited),
    #[error("duplicate comment")]
    Duplicate,
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
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UnknownSite | ApiError::NotFound | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::Gone => StatusCode::GONE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Duplicate => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::Malformed(_) => "malformed_request",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::UnknownSite => "unknown_site",
            ApiError::NotFound => "not_found",
            ApiError::NoRoute => "no_route",
            ApiError::Gone => "gone",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Duplicate => "duplicate_comment",
            ApiError::Internal(_) => "internal_error",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::Validation(_) => "Some fields are not valid.".into(),
            ApiError::Malformed(why) => format!("The request body could not be read: {why}"),
            ApiError::PayloadTooLarge => {
                "The request body is larger than this server accepts.".into()
            }
            ApiError::UnsupportedMediaType => {
                "Send application/json or application/x-www-form-urlencoded.".into()
            }
            ApiError::UnknownSite => "No site with that id is configured.".into(),
            ApiError::NotFound => "Not found.".into(),
            ApiError::NoRoute => "No such endpoint.".into(),
            ApiError::Gone => "That comment was deleted.".into(),
            ApiError::Unauthorized => "A valid moderator token is required.".into(),
            ApiError::Forbidden => "That is not allowed, or the time to do it has passed.".into(),
            ApiError::RateLimited(r) => format!(
                "You are posting too quickly. Please try again in {} seconds.",
                r.retry_after_secs
            ),
            ApiError::Duplicate => {
                "You already posted this comment here; it was not posted twice.".into()
            }
            ApiError::Internal(_) => "Something went wrong on our side.".into(),
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
            ModerationError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

impl From<crate::notify::NotifyError> for ApiError {
    fn from(e: crate::notify::NotifyError) -> Self {
        use crate::notify::{LinkError, NotifyError};
        match e {
            NotifyError::Link(LinkError::Expired) => ApiError::Gone,
            NotifyError::Link(_) => ApiError::NotFound,
            NotifyError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

impl From<crate::team::TeamError> for ApiError {
    fn from(e: crate::team::TeamError) -> Self {
        use crate::team::TeamError;
        match e {
            TeamError::Invalid(why) => field_error("request", why),
            e @ TeamError::Exists => field_error("email", e.to_string()),
            TeamError::UnknownModerator => ApiError::NotFound,
            TeamError::Forbidden | TeamError::CannotDeactivateSelf => ApiError::Forbidden,
            TeamError::SetupClosed => ApiError::NotFound,
            TeamError::Hash => ApiError::Internal(anyhow::anyhow!("password hashing failed")),
            TeamError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

fn field_error(field: &str, why: String) -> ApiError {
    ApiError::Validation([(field.to_owned(), vec![why])].into())
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

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::Malformed(e.body_text())
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.into())
    }
}

impl ApiError {
    /// Logs a 5xx once, with its cause chain, inside the request's span (which carries the
    /// request id). Nothing internal ever reaches the response.
    fn log_if_internal(&self) {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let mut res = (self.status(), Json(self.body())).into_response();
        if let ApiError::RateLimited(r) = &self {
            res.headers_mut().extend(rate_limit_headers(r));
        }
        if matches!(self, ApiError::Unauthorized) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
