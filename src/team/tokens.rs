//! Moderator API tokens: creating one (its only plain copy goes to the caller), listing and
//! revoking them, and recognising one: unexpired, of an active account, with that account's
//! rights. Tokens are random and stored only as SHA-256.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
};

use super::{Acting, Team, TeamError, accounts, stored_hash};
use entity::enums::Role;
use entity::{api_token, moderator};

const TOKEN_PREFIX: &str = "rpd_";

/// Who a bearer token speaks for: the team's view of the holder, and whether it has an
/// admin's rights (a token tied to an admin's account, or one tied to no account, which
/// only the operator can make). A token tied to a moderator has a moderator's rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub acting: Acting,
    pub admin: bool,
}

/// How often `last_used_at` is written for a busy token.
const TOUCH_EVERY: Duration = Duration::minutes(1);

impl Team {
    /// Creates an API token, tied to a moderator's account when an email is given, and
    /// returns its only plain-text copy. Admins and the operator only.
    pub async fn create_token(
        &self,
        by: &Acting,
        name: &str,
        moderator_email: Option<&str>,
    ) -> Result<String, TeamError> {
        self.create_token_until(by, name, moderator_email, None)
            .await
    }

    /// [`Team::create_token`] with an expiry: the token stops working at `expires_at`.
    pub async fn create_token_until(
        &self,
        by: &Acting,
        name: &str,
        moderator_email: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
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
            expires_at: Set(expires_at),
            last_used_at: Set(None),
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Every token, oldest first (never the token itself). Admins and the operator only.
    pub async fn list_tokens(&self, by: &Acting) -> Result<Vec<api_token::Model>, TeamError> {
        by.require_admin()?;
        Ok(api_token::Entity::find()
            .order_by_asc(api_token::Column::Id)
            .all(&self.db.reader)
            .await?)
    }

    /// Deletes a token: it stops working at once. Admins and the operator only.
    pub async fn revoke_token(&self, by: &Acting, id: i64) -> Result<(), TeamError> {
        by.require_admin()?;
        let res = api_token::Entity::delete_by_id(id)
            .exec(&self.db.writer)
            .await?;
        if res.rows_affected == 0 {
            return Err(TeamError::UnknownToken);
        }
        Ok(())
    }

    /// Who a bearer token speaks for, if it is one of ours, unexpired, and tied to no
    /// account or to an active one (a deactivated moderator's tokens stop at once).
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<TokenHolder>, TeamError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let Some(row) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(stored_hash(token)))
            .one(&self.db.reader)
            .await?
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        if row.expires_at.is_some_and(|t| t <= now) {
            return Ok(None);
        }
        let admin = match row.moderator_id {
            None => true,
            Some(id) => match moderator::Entity::find_by_id(id)
                .one(&self.db.reader)
                .await?
            {
                Some(m) if m.disabled_at.is_none() => m.role == Role::Admin,
                _ => return Ok(None),
            },
        };
        if row.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
                .filter(api_token::Column::Id.eq(row.id))
                .exec(&self.db.writer)
                .await?;
        }
        let acting = Acting::Token {
            id: row.id,
            moderator_id: row.moderator_id,
        };
        Ok(Some(TokenHolder { acting, admin }))
    }
}
