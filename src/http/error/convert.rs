//! Every module's own error into `ApiError`: the domain facts each one names, read as the
//! kind of answer they call for.
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;

use super::ApiError;
use crate::keys::token::TokenError;
use crate::notify::{LinkError, NotifyError};
use crate::team::TeamError;

impl From<NotifyError> for ApiError {
    fn from(e: NotifyError) -> Self {
        match e {
            NotifyError::Link(LinkError::Expired) => ApiError::LinkExpired,
            NotifyError::Link(LinkError::Invalid | LinkError::Unknown) => ApiError::LinkInvalid,
            NotifyError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        NotifyError::Link(e).into()
    }
}

/// A one-click moderation link that did not verify.
impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => ApiError::LinkExpired,
            TokenError::Malformed | TokenError::Forged => ApiError::LinkTampered,
        }
    }
}

impl From<TeamError> for ApiError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::Invalid(why) => ApiError::Invalid(why),
            TeamError::Exists => {
                ApiError::Invalid("A moderator with that email already exists.".into())
            }
            TeamError::UnknownModerator | TeamError::UnknownToken => ApiError::NotFound,
            TeamError::Forbidden => ApiError::Forbidden,
            TeamError::CannotDeactivateSelf => {
                ApiError::Invalid("You cannot deactivate yourself.".into())
            }
            TeamError::SetupClosed => ApiError::Invalid(
                "This setup link has expired or was already used. Ask an admin for an \
                 account, or add one with `replyd moderator add`."
                    .into(),
            ),
            TeamError::Hash => ApiError::Internal(anyhow::anyhow!("password hashing failed")),
            // Every password-check slot is busy: come back in a second.
            TeamError::Busy => ApiError::RateLimited(crate::limits::RateLimited {
                policy: "login-concurrency",
                quota: 1,
                window_secs: 1,
                retry_after_secs: 1,
            }),
            TeamError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
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
