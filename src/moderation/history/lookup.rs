//! Finding what an import brought in: a page by the WordPress post it came from (kept in
//! `wordpress_ids`, which `moderation::wordpress` reads for the WordPress form), and a
//! comment by the id it had at its source.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::moderation::{Moderation, ModerationError};
use entity::enums::WordpressKind;
use entity::{comment, page, wordpress_id};

/// The WordPress comment id in a source id (`wordpress:123`).
pub fn wordpress_comment(source_id: &str) -> Option<i64> {
    source_id.strip_prefix("wordpress:")?.parse().ok()
}

impl Moderation {
    /// The database this service writes to (for the command line's maintenance steps).
    pub fn db(&self) -> &crate::db::Db {
        &self.db
    }

    /// `site` is one of the configured sites.
    pub fn has_site(&self, site: &str) -> bool {
        self.config.site(site).is_some()
    }

    /// A configured site: its name and origins, for exports.
    pub fn site(&self, site: &str) -> Option<&crate::config::SiteConfig> {
        self.config.site(site)
    }

    /// The id of the comment imported onto `page_id` from `source_id` (`wordpress:12`,
    /// `disqus:…`, `isso:…`, `replyd:…`).
    pub async fn comment_by_source_id(
        &self,
        page_id: i64,
        source_id: &str,
    ) -> Result<Option<i64>, ModerationError> {
        Ok(comment::Entity::find()
            .select_only()
            .column(comment::Column::Id)
            .filter(comment::Column::PageId.eq(page_id))
            .filter(comment::Column::SourceId.eq(source_id))
            .into_tuple()
            .one(&self.db.reader)
            .await?)
    }

    /// Each page of `site` that came from a WordPress post, with that post's id.
    pub async fn wp_post_ids(&self, site: &str) -> Result<HashMap<i64, i64>, ModerationError> {
        let rows: Vec<(i64, i64)> = wordpress_id::Entity::find()
            .select_only()
            .column(wordpress_id::Column::LocalId)
            .column(wordpress_id::Column::WpId)
            .filter(wordpress_id::Column::SiteId.eq(site))
            .filter(wordpress_id::Column::Kind.eq(WordpressKind::Post))
            .into_tuple()
            .all(&self.db.reader)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

/// The page of WordPress post `post_id` on `site`.
pub(super) async fn page_with_wp_post_id<C: ConnectionTrait>(
    db: &C,
    site: &str,
    post_id: i64,
) -> Result<Option<page::Model>, DbErr> {
    let id: Option<i64> = wordpress_id::Entity::find()
        .select_only()
        .column(wordpress_id::Column::LocalId)
        .filter(wordpress_id::Column::SiteId.eq(site))
        .filter(wordpress_id::Column::Kind.eq(WordpressKind::Post))
        .filter(wordpress_id::Column::WpId.eq(post_id))
        .into_tuple()
        .one(db)
        .await?;
    match id {
        Some(id) => Ok(page::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|p| p.site_id == site)),
        None => Ok(None),
    }
}
