//! Moderator account rows: what a new account must satisfy, and the queries by email.
//! Validation and hashing happen before any write transaction, so the write lock is never
//! held while argon2 runs.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet,
    QueryFilter,
};

use super::{TeamError, passwords};
use crate::moderation::input::{AuthorEmail, AuthorName};
use chrono::{DateTime, Utc};
use entity::{enums::Role, moderator};

/// A moderator to add, as typed.
pub struct NewModerator<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// A new account that passed every check, its password already hashed.
pub(super) struct Checked {
    email: String,
    name: String,
    password_hash: String,
    role: Role,
}

impl NewModerator<'_> {
    pub(super) async fn check(&self) -> Result<Checked, TeamError> {
        let email =
            AuthorEmail::parse(self.email).map_err(|e| TeamError::Invalid(format!("email {e}")))?;
        let name =
            AuthorName::parse(self.name).map_err(|e| TeamError::Invalid(format!("name {e}")))?;
        let chars = self.password.chars().count();
        if !(10..=1024).contains(&chars) {
            return Err(TeamError::Invalid(
                "password must be 10 to 1024 characters".into(),
            ));
        }
        Ok(Checked {
            email: email.normalized(),
            name: name.into_inner(),
            password_hash: passwords::hash(self.password).await?,
            role: self.role,
        })
    }
}

/// Inserts a checked account, unless its email is taken.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    new: Checked,
    now: DateTime<Utc>,
) -> Result<moderator::Model, TeamError> {
    if by_email(db, &new.email).await?.is_some() {
        return Err(TeamError::Exists);
    }
    Ok(moderator::ActiveModel {
        id: NotSet,
        email: Set(new.email),
        name: Set(new.name),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        created_at: Set(now),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// The account with this email, compared as the login form and the CLI compare it:
/// trimmed and lower-cased.
pub(super) async fn by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<moderator::Model>, DbErr> {
    moderator::Entity::find()
        .filter(moderator::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}
