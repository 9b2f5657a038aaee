//! What can go wrong when moderators manage word lists and bans.
use sea_orm::DbErr;

use crate::moderation::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AbuseError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("database error")]
    Db(#[from] DbErr),
}

impl AbuseError {
    pub fn field(name: &str, message: impl Into<String>) -> AbuseError {
        AbuseError::Invalid(FieldErrors::from([(name.to_owned(), vec![message.into()])]))
    }
}
