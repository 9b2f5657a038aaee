//! What can go wrong in moderation, as domain facts. `http::error` maps these to responses.
use std::collections::BTreeMap;

use sea_orm::DbErr;

/// Field name to the messages that explain what is wrong with it.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error("unknown site")]
    UnknownSite,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("comment not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("the same comment was already posted on this page")]
    Duplicate,
    #[error("the page takes no new comments")]
    CommentsClosed,
    #[error("the page already has {0} pinned comments")]
    TooManyPinned(u32),
    #[error("the comment was deleted")]
    Deleted,
    /// An `Idempotency-Key` already used for a submission with other fields.
    #[error("the idempotency key was used with another request")]
    KeyReused,
    /// A request with the same `Idempotency-Key` is still running.
    #[error("a request with this idempotency key is in progress")]
    KeyInProgress,
    #[error("database error")]
    Db(#[from] DbErr),
}

impl ModerationError {
    pub fn field(name: &str, message: impl Into<String>) -> ModerationError {
        let mut f = FieldErrors::new();
        f.insert(name.to_owned(), vec![message.into()]);
        ModerationError::Invalid(f)
    }
}
