//! Moderator accounts and API tokens: creating them and recognising them.
//! Passwords are argon2id hashes; tokens are random and stored only as SHA-256.
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet,
    QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::moderation::Actor;
use crate::moderation::input::{AuthorEmail, AuthorName};
use entity::{api_token, enums::Role, moderator};

const TOKEN_PREFIX: &str = "rpd_";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("a moderator with that email already exists")]
    Exists,
    #[error("no moderator with that email")]
    UnknownModerator,
    #[error("password hashing failed")]
    Hash,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

pub struct NewModerator<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: Role,
}

pub async fn add_moderator<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    m: NewModerator<'_>,
) -> Result<moderator::Model, AccountError> {
    let email =
        AuthorEmail::parse(m.email).map_err(|e| AccountError::Invalid(format!("email {e}")))?;
    let name = AuthorName::parse(m.name).map_err(|e| AccountError::Invalid(format!("name {e}")))?;
    let chars = m.password.chars().count();
    if !(10..=1024).contains(&chars) {
        return Err(AccountError::Invalid(
            "password must be 10 to 1024 characters".into(),
        ));
    }
    let email = email.normalized();
    if moderator::Entity::find()
        .filter(moderator::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AccountError::Exists);
    }
    let hash = hash_password(m.password)?;
    Ok(moderator::ActiveModel {
        id: NotSet,
        email: Set(email),
        name: Set(name.into_inner()),
        password_hash: Set(hash),
        role: Set(m.role),
        created_at: Set(clock.now()),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?)
}

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

/// An argon2id hash (default parameters) of a password nobody knows. Checking a login for an
/// unknown email against it costs the same time as a real check, so timing reveals nothing.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$+BV0j9BxOxjZbCR65mwzaA$52XNbx1GpJmv/DhTho0y2vlYu+3JhUQY7kSKEaZWKY0";

/// The active moderator with this email and password, if any. Unknown emails, wrong
/// passwords and deactivated accounts look the same and take the same time.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    email: &str,
    password: &str,
) -> Result<Option<moderator::Model>, DbErr> {
    let found = moderator::Entity::find()
        .filter(moderator::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .map_or(DUMMY_HASH.to_owned(), |m| m.password_hash.clone());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    Ok(found.filter(|m| ok && m.disabled_at.is_none()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Creates an API token and returns its only plain-text copy.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    name: &str,
    moderator_email: Option<&str>,
) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AccountError::Invalid(
            "token name must be 1 to 100 characters".into(),
        ));
    }
    let moderator_id = match moderator_email {
        Some(e) => Some(
            moderator::Entity::find()
                .filter(moderator::Column::Email.eq(e.trim().to_lowercase()))
                .one(db)
                .await?
                .ok_or(AccountError::UnknownModerator)?
                .id,
        ),
        None => None,
    };
    let raw: [u8; 32] = rand::rng().random();
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    api_token::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        moderator_id: Set(moderator_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(clock.now()),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The actor a bearer token speaks for, if it is one of ours.
pub async fn authenticate_token<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<Option<Actor>, DbErr> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?;
    Ok(row.map(|t| Actor::Token { id: t.id }))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::phc::PasswordHash;

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let fresh = hash_password("some password").unwrap();
        let fresh = PasswordHash::new(&fresh).unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm, fresh.algorithm);
        assert_eq!(dummy.version, fresh.version);
        assert_eq!(dummy.params, fresh.params);
        assert!(!verify_password("", DUMMY_HASH));
    }
}
