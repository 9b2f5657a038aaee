//! Forgetting what moderation no longer needs: the client address of old comments, and old
//! spam and rejected comments. A spam or rejected comment that replies hang from is emptied
//! to an anonymous placeholder instead, so no reply loses its place. Each batch is one
//! transaction with one audit row.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::{Moderation, ModerationError};
use entity::{comment, enums::CommentStatus};

/// Comments removed or emptied per transaction.
const BATCH: u64 = 500;

/// What a purge of comments did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CommentsPurged {
    /// Comments whose address hash, prefix and user agent were forgotten.
    pub addresses: u64,
    pub spam: u64,
    pub rejected: u64,
}

impl Moderation {
    /// Forgets the client address of comments written before `before`.
    pub async fn purge_addresses(
        &self,
        before: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<u64, ModerationError> {
        let filter = Condition::all()
            .add(comment::Column::CreatedAt.lt(before))
            .add(
                Condition::any()
                    .add(comment::Column::IpHash.is_not_null())
                    .add(comment::Column::IpPrefix.is_not_null())
                    .add(comment::Column::UserAgent.is_not_null()),
            );
        if dry_run {
            return Ok(comment::Entity::find()
                .filter(filter)
                .count(&self.db.reader)
                .await?);
        }
        let tx = self.db.begin_write().await?;
        let n = comment::Entity::update_many()
            .col_expr(comment::Column::IpHash, Expr::value(Option::<String>::None))
            .col_expr(
                comment::Column::IpPrefix,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                comment::Column::UserAgent,
                Expr::value(Option::<String>::None),
            )
            .filter(filter)
            .exec(&tx)
            .await?
            .rows_affected;
        if n > 0 {
            let detail = json!({ "addresses_forgotten": n, "before": before });
            audit::record(
                &tx,
                Entry::general(&Actor::System, "retention", detail, self.clock.now()),
            )
            .await?;
        }
        self.commit(tx, &[]).await?;
        Ok(n)
    }

    /// Removes comments in `status` not changed since `before`; those with replies are
    /// emptied to placeholders. Returns how many.
    pub async fn purge_status(
        &self,
        status: CommentStatus,
        before: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<u64, ModerationError> {
        let filter = Condition::all()
            .add(comment::Column::Status.eq(status))
            .add(comment::Column::UpdatedAt.lt(before))
            .add(comment::Column::Deleted.eq(false));
        if dry_run {
            return Ok(comment::Entity::find()
                .filter(filter)
                .count(&self.db.reader)
                .await?);
        }
        let mut total = 0;
        loop {
            let ids: Vec<i64> = comment::Entity::find()
                .select_only()
                .column(comment::Column::Id)
                .filter(filter.clone())
                .order_by_asc(comment::Column::Id)
                .limit(BATCH)
                .into_tuple()
                .all(&self.db.reader)
                .await?;
            if ids.is_empty() {
                return Ok(total);
            }
            total += self.purge_batch(status, &ids).await?;
        }
    }

    async fn purge_batch(
        &self,
        status: CommentStatus,
        ids: &[i64],
    ) -> Result<u64, ModerationError> {
        let tx = self.db.begin_write().await?;
        let parents: Vec<Option<i64>> = comment::Entity::find()
            .select_only()
            .column(comment::Column::ParentId)
            .filter(comment::Column::ParentId.is_in(ids.iter().copied()))
            .distinct()
            .into_tuple()
            .all(&tx)
            .await?;
        let keep: Vec<i64> = parents.into_iter().flatten().collect();
        let gone: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !keep.contains(id))
            .collect();
        comment::Entity::delete_many()
            .filter(comment::Column::Id.is_in(gone.iter().copied()))
            .exec(&tx)
            .await?;
        if !keep.is_empty() {
            empty(&tx, &keep, self.clock.now()).await?;
        }
        let detail = json!({ "status": status.as_str(), "removed": gone, "emptied": keep });
        let mut entry = Entry::general(&Actor::System, "retention", detail, self.clock.now());
        entry.from = Some(status);
        audit::record(&tx, entry).await?;
        self.commit(tx, &[]).await?;
        Ok(ids.len() as u64)
    }
}

/// Empties comments to placeholders, as deleting one with replies does.
async fn empty<C: sea_orm::ConnectionTrait>(
    db: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let none = || Expr::value(Option::<String>::None);
    comment::Entity::update_many()
        .col_expr(comment::Column::Deleted, Expr::value(true))
        .col_expr(comment::Column::AuthorName, Expr::value(""))
        .col_expr(comment::Column::AuthorEmail, Expr::value(""))
        .col_expr(comment::Column::EmailNorm, Expr::value(""))
        .col_expr(comment::Column::AuthorUrl, none())
        .col_expr(comment::Column::Text, Expr::value(""))
        .col_expr(comment::Column::Html, Expr::value(""))
        .col_expr(comment::Column::IpHash, none())
        .col_expr(comment::Column::IpPrefix, none())
        .col_expr(comment::Column::UserAgent, none())
        .col_expr(comment::Column::NotifyReplies, Expr::value(false))
        .col_expr(comment::Column::UpdatedAt, Expr::value(now))
        .filter(comment::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}
