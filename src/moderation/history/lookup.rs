//! Finding what an import brought in: the page of a WordPress post, and a comment by the
//! id it had at its source. What WordPress's own form sends (`comment_post_ID`,
//! `comment_parent`) is answered here.
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::moderation::{Moderation, ModerationError};
use entity::{comment, page};

/// The source id of WordPress comment `id`, as imports store it.
pub fn wordpress_comment(id: i64) -> String {
    format!("wordpress:{id}")
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

    /// The page imported from WordPress post `post_id` (`wp:post_id`, the form's
    /// `comment_post_ID`) on `site`.
    pub async fn page_by_wp_post_id(
        &self,
        site: &str,
        post_id: i64,
    ) -> Result<Option<page::Model>, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        Ok(page_with_wp_post_id(&self.db.reader, site, post_id).await?)
    }

    /// The id of the comment imported onto `page_id` from `source_id` (`wordpress:12`,
    /// see [`wordpress_comment`]).
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
}

pub(super) async fn page_with_wp_post_id<C: ConnectionTrait>(
    db: &C,
    site: &str,
    post_id: i64,
) -> Result<Option<page::Model>, DbErr> {
    page::Entity::find()
        .filter(page::Column::SiteId.eq(site))
        .filter(page::Column::WpPostId.eq(post_id))
        .one(db)
        .await
}
