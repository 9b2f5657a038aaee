//! What can go wrong in the dashboard, and the one place it becomes an HTML error page.
//! Internal causes are logged once and never shown.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::render::{Chrome, render};
use super::views::ErrorPage;
use crate::moderation::ModerationError;
use crate::team::TeamError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the form's security token is missing or wrong")]
    Csrf,
    #[error("admins only")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("deleted")]
    Gone,
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("too many attempts")]
    TooMany { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AdminError {
    fn status(&self) -> StatusCode {
        match self {
            AdminError::Csrf | AdminError::Forbidden => StatusCode::FORBIDDEN,
            AdminError::NotFound => StatusCode::NOT_FOUND,
            AdminError::Gone => StatusCode::GONE,
            AdminError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AdminError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn text(&self) -> (&'static str, String) {
        match self {
            AdminError::Csrf => (
                "Form expired",
                "This form's security token is missing or out of date. Go back, reload the \
                 page and try again."
                    .into(),
            ),
            AdminError::Forbidden => ("Admins only", "Only admins can see or change this.".into()),
            AdminError::NotFound => ("Not found", "There is nothing here.".into()),
            AdminError::Gone => ("Deleted", "That comment was deleted.".into()),
            AdminError::Invalid(why) => ("Please check your input", why.clone()),
            AdminError::TooMany { .. } => (
                "Too many attempts",
                "Too many login attempts from your address. Wait a minute and try again.".into(),
            ),
            AdminError::Internal(_) => (
                "Something went wrong",
                "Something went wrong on our side.".into(),
            ),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if let AdminError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "admin internal error");
        }
        let (heading, message) = self.text();
        let mut res = render(
            self.status(),
            &ErrorPage {
                chrome: Chrome::bare(),
                heading: heading.into(),
                message,
            },
        );
        if let AdminError::TooMany { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

impl From<ModerationError> for AdminError {
    fn from(e: ModerationError) -> Self {
        match e {
            ModerationError::NotFound => AdminError::NotFound,
            ModerationError::Deleted => AdminError::Gone,
            ModerationError::UnknownSite => AdminError::Invalid("Unknown site.".into()),
            ModerationError::Invalid(fields) => AdminError::Invalid(
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                    .collect::<Vec<_>>()
                    .join(". "),
            ),
            ModerationError::Forbidden => AdminError::Forbidden,
            ModerationError::Duplicate => {
                AdminError::Invalid("The same comment was already posted there.".into())
            }
            ModerationError::Db(db) => AdminError::Internal(db.into()),
        }
    }
}

impl From<TeamError> for AdminError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::Invalid(why) => AdminError::Invalid(why),
            TeamError::Exists => {
                AdminError::Invalid("A moderator with that email already exists.".into())
            }
            TeamError::UnknownModerator => AdminError::NotFound,
            TeamError::Forbidden => AdminError::Forbidden,
            TeamError::CannotDeactivateSelf => {
                AdminError::Invalid("You cannot deactivate yourself.".into())
            }
            TeamError::SetupClosed => AdminError::Invalid(
                "This setup link has expired or was already used. Ask an admin for an \
                 account, or add one with `replyd moderator add`."
                    .into(),
            ),
            TeamError::Hash => AdminError::Internal(anyhow::anyhow!("password hashing failed")),
            TeamError::Db(db) => AdminError::Internal(db.into()),
        }
    }
}

impl From<crate::notify::NotifyError> for AdminError {
    fn from(e: crate::notify::NotifyError) -> Self {
        match e {
            crate::notify::NotifyError::Link(_) => AdminError::NotFound,
            crate::notify::NotifyError::Db(db) => AdminError::Internal(db.into()),
        }
    }
}

impl From<sea_orm::DbErr> for AdminError {
    fn from(e: sea_orm::DbErr) -> Self {
        AdminError::Internal(e.into())
    }
}

pub async fn not_found() -> AdminError {
    AdminError::NotFound
}
