//! Forgetting delivered mail: rows that were sent or skipped hold a recipient's address
//! and nothing anyone still needs. Mail that was given up stays until it is sent again.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::Notifier;
use entity::enums::OutboxState;
use entity::outbox::{Column, Entity};

impl Notifier {
    /// Removes (or, in a dry run, counts) sent and skipped mail done before `before`.
    pub async fn purge_done(
        &self,
        before: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<u64, sea_orm::DbErr> {
        // A skipped row was done when it was due; a sent one when it was sent.
        let filter = sea_orm::Condition::any()
            .add(
                Column::State
                    .eq(OutboxState::Sent)
                    .and(Column::SentAt.lt(before)),
            )
            .add(
                Column::State
                    .eq(OutboxState::Skipped)
                    .and(Column::DueAt.lt(before)),
            );
        if dry_run {
            return Entity::find().filter(filter).count(&self.db.reader).await;
        }
        let tx = self.db.begin_write().await?;
        let n = Entity::delete_many()
            .filter(filter)
            .exec(&tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(n)
    }
}
