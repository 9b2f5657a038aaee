//! The moderators as an admin manages them: listing, adding, deactivating and
//! reactivating, each change with its audit row in its own transaction.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::{Acting, NewModerator, Team, TeamError, accounts};
use crate::moderation::Actor;
use crate::moderation::audit::{self, Entry};
use entity::{moderator, session};

impl Team {
    /// Every account, active or not, oldest first. Admins and the operator only.
    pub async fn list(&self, by: &Acting) -> Result<Vec<moderator::Model>, TeamError> {
        by.require_admin()?;
        Ok(moderator::Entity::find()
            .order_by_asc(moderator::Column::Id)
            .all(&self.db.reader)
            .await?)
    }

    /// Each account's display name by id, for naming who did what in the audit log.
    pub async fn names(&self) -> Result<HashMap<i64, String>, TeamError> {
        let rows = moderator::Entity::find().all(&self.db.reader).await?;
        Ok(rows.into_iter().map(|m| (m.id, m.name)).collect())
    }

    /// How many accounts exist, active or not.
    pub async fn count(&self) -> Result<u64, TeamError> {
        Ok(moderator::Entity::find().count(&self.db.reader).await?)
    }

    /// Adds a moderator, with a `moderator_add` audit row naming who added them. Admins
    /// and the operator only.
    pub async fn add(
        &self,
        by: &Acting,
        new: NewModerator<'_>,
    ) -> Result<moderator::Model, TeamError> {
        by.require_admin()?;
        let checked = new.check().await?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let m = accounts::insert(&tx, checked, now).await?;
        record(&tx, &by.actor(), "moderator_add", &m, now).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Deactivates (`active = false`) or reactivates a moderator. Admins and the operator
    /// only, and no admin deactivates themself. Deactivation deletes the moderator's
    /// sessions in the same transaction, so reactivating never revives an old cookie.
    pub async fn set_active(
        &self,
        by: &Acting,
        id: i64,
        active: bool,
    ) -> Result<moderator::Model, TeamError> {
        by.require_admin()?;
        if !active && by.is_moderator(id) {
            return Err(TeamError::CannotDeactivateSelf);
        }
        let tx = self.db.begin_write().await?;
        let m = moderator::Entity::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or(TeamError::UnknownModerator)?;
        let now = self.clock.now();
        let mut am: moderator::ActiveModel = m.into();
        am.disabled_at = Set((!active).then_some(now));
        let m = am.update(&tx).await?;
        if !active {
            session::Entity::delete_many()
                .filter(session::Column::ModeratorId.eq(id))
                .exec(&tx)
                .await?;
        }
        let action = if active {
            "moderator_reactivate"
        } else {
            "moderator_deactivate"
        };
        record(&tx, &by.actor(), action, &m, now).await?;
        tx.commit().await?;
        Ok(m)
    }
}

impl Team {
    /// [`Team::set_active`] for the account with this email (`replyd moderator
    /// deactivate|activate`).
    pub async fn set_active_by_email(
        &self,
        by: &Acting,
        email: &str,
        active: bool,
    ) -> Result<moderator::Model, TeamError> {
        let m = accounts::by_email(&self.db.reader, email)
            .await?
            .ok_or(TeamError::UnknownModerator)?;
        self.set_active(by, m.id, active).await
    }
}

/// The audit row of a change to an account: the same detail whoever made it.
pub(super) async fn record<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    action: &str,
    m: &moderator::Model,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let detail = json!({ "moderator_id": m.id, "name": m.name, "role": m.role });
    audit::record(tx, Entry::general(actor, action, detail, at)).await
}
