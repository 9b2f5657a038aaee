//! Reading a site back out, page by page, for exports: every page (with or without
//! comments) and every comment on it, whatever its status, parents before replies.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::moderation::{Moderation, ModerationError};
use entity::{comment, page};

impl Moderation {
    /// Up to `limit` pages of `site` with ids above `after`, in id order.
    pub async fn pages_after(
        &self,
        site: &str,
        after: i64,
        limit: u64,
    ) -> Result<Vec<page::Model>, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        Ok(page::Entity::find()
            .filter(page::Column::SiteId.eq(site))
            .filter(page::Column::Id.gt(after))
            .order_by_asc(page::Column::Id)
            .limit(limit)
            .all(&self.db.reader)
            .await?)
    }

    /// Every comment of a page, tombstones included, oldest id first: a reply is always
    /// written after its parent, so it comes later.
    pub async fn page_comments(
        &self,
        page_id: i64,
    ) -> Result<Vec<comment::Model>, ModerationError> {
        Ok(comment::Entity::find()
            .filter(comment::Column::PageId.eq(page_id))
            .order_by_asc(comment::Column::Id)
            .all(&self.db.reader)
            .await?)
    }
}
