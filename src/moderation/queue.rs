//! The moderation queue: filtered, searchable, paginated reads for moderators.
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait, Func, NullOrdering},
};

use super::{Moderation, ModerationError};
use entity::{audit_log, comment, enums::CommentStatus, page, spam_score};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    #[default]
    Newest,
    Oldest,
    /// The spam filter's score, highest first; comments it did not score last.
    SpamScore,
}

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<CommentStatus>,
    pub site: Option<String>,
    pub uri: Option<String>,
    /// Matches text, author name or email, case-insensitively.
    pub search: Option<String>,
    pub order: QueueOrder,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub items: Vec<(comment::Model, page::Model)>,
    pub total: u64,
}

impl Moderation {
    pub async fn queue(&self, f: &QueueFilter) -> Result<QueuePage, ModerationError> {
        let mut q = comment::Entity::find().find_also_related(page::Entity);
        if let Some(s) = f.status {
            q = q.filter(comment::Column::Status.eq(s));
        }
        if let Some(site) = &f.site {
            q = q.filter(page::Column::SiteId.eq(site.as_str()));
        }
        if let Some(uri) = &f.uri {
            q = q.filter(page::Column::Uri.eq(uri.as_str()));
        }
        if let Some(term) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
            let like = |col: comment::Column| {
                Expr::expr(Func::lower(Expr::col((comment::Entity, col))))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
            };
            q = q.filter(
                Condition::any()
                    .add(like(comment::Column::Text))
                    .add(like(comment::Column::AuthorName))
                    .add(like(comment::Column::EmailNorm)),
            );
        }
        let total = q.clone().count(&self.db.reader).await?;
        q = match f.order {
            QueueOrder::Newest => q
                .order_by_desc(comment::Column::CreatedAt)
                .order_by_desc(comment::Column::Id),
            QueueOrder::Oldest => q
                .order_by_asc(comment::Column::CreatedAt)
                .order_by_asc(comment::Column::Id),
            QueueOrder::SpamScore => q
                .join_rev(JoinType::LeftJoin, spam_score::Relation::Comment.def())
                .order_by_with_nulls(
                    Expr::col((spam_score::Entity, spam_score::Column::Score)),
                    Order::Desc,
                    NullOrdering::Last,
                )
                .order_by_desc(comment::Column::Id),
        };
        let rows = q
            .offset(f.offset)
            .limit(f.limit)
            .all(&self.db.reader)
            .await?;
        let items = rows
            .into_iter()
            .filter_map(|(c, p)| p.map(|p| (c, p)))
            .collect();
        Ok(QueuePage { items, total })
    }

    /// One comment with its page, for moderators.
    pub async fn comment(&self, id: i64) -> Result<(comment::Model, page::Model), ModerationError> {
        comment::Entity::find_by_id(id)
            .find_also_related(page::Entity)
            .one(&self.db.reader)
            .await?
            .and_then(|(c, p)| p.map(|p| (c, p)))
            .ok_or(ModerationError::NotFound)
    }

    /// Audit rows, newest first, optionally for one comment.
    pub async fn audit_log(
        &self,
        comment_id: Option<i64>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<audit_log::Model>, u64), ModerationError> {
        let mut q = audit_log::Entity::find();
        if let Some(id) = comment_id {
            q = q.filter(audit_log::Column::CommentId.eq(id));
        }
        let total = q.clone().count(&self.db.reader).await?;
        let rows = q
            .order_by_desc(audit_log::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(&self.db.reader)
            .await?;
        Ok((rows, total))
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
