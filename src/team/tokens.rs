//! Moderator API tokens: creating one (its only plain copy goes to the caller) and
//! recognising one. Tokens are random and stored only as SHA-256.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter};

use super::{Acting, Team, TeamError, accounts, stored_hash};
use entity::api_token;

const TOKEN_PREFIX: &str = "rpd_";

impl Team {
    /// Creates an API token, tied to a moderator's account when an email is given, and
    /// returns its only plain-text copy. Admins and the operator only.
    pub async fn create_token(
        &self,
        by: &Acting,
        name: &str,
        moderator_email: Option<&str>,
    ) -> Result<String, TeamError> {
        by.require_admin()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(TeamError::Invalid(
                "token name must be 1 to 100 characters".into(),
            ));
        }
        let raw: [u8; 32] = rand::rng().random();
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
        let tx = self.db.begin_write().await?;
        let moderator_id = match moderator_email {
            Some(e) => Some(
                accounts::by_email(&tx, e)
                    .await?
                    .ok_or(TeamError::UnknownModerator)?
                    .id,
            ),
            None => None,
        };
        api_token::ActiveModel {
            id: NotSet,
            name: Set(name.to_owned()),
            moderator_id: Set(moderator_id),
            token_hash: Set(stored_hash(&token)),
            created_at: Set(self.clock.now()),
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Who a bearer token speaks for, if it is one of ours.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<Acting>, TeamError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(stored_hash(token)))
            .one(&self.db.reader)
            .await?;
        Ok(row.map(|t| Acting::Token {
            id: t.id,
            moderator_id: t.moderator_id,
        }))
    }
}
