//! WordPress's ids for what was imported from it: a post id finds its page, a comment id its
//! comment, each on one site. The theme's unchanged comment form names both
//! (`comment_post_ID`, `comment_parent`). Reads on the reader pool; writes only through
//! [`Moderation::remember_wordpress_ids`], inside an import's own transaction.
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::{Moderation, ModerationError};
use entity::enums::WordpressKind;
use entity::{page, wordpress_id};

/// WordPress ids and the replyd ids they became, for one site.
#[derive(Debug, Clone, Default)]
pub struct WordpressIds {
    /// (WordPress post id, page id).
    pub posts: Vec<(i64, i64)>,
    /// (WordPress comment id, comment id).
    pub comments: Vec<(i64, i64)>,
}

impl Moderation {
    /// The page imported from WordPress post `post_id` on `site`.
    pub async fn page_by_wp_post_id(
        &self,
        site: &str,
        post_id: i64,
    ) -> Result<Option<page::Model>, ModerationError> {
        let Some(id) = local_id(&self.db.reader, site, WordpressKind::Post, post_id).await? else {
            return Ok(None);
        };
        Ok(page::Entity::find_by_id(id)
            .one(&self.db.reader)
            .await?
            .filter(|p| p.site_id == site))
    }

    /// The comment imported from WordPress comment `wp_id` on `site`.
    pub async fn comment_by_wp_id(
        &self,
        site: &str,
        wp_id: i64,
    ) -> Result<Option<i64>, ModerationError> {
        Ok(local_id(&self.db.reader, site, WordpressKind::Comment, wp_id).await?)
    }

    /// Records which WordPress ids became which pages and comments. A WordPress id that is
    /// already known keeps its first mapping, so a second import changes nothing.
    pub async fn remember_wordpress_ids(
        &self,
        site: &str,
        ids: &WordpressIds,
    ) -> Result<(), ModerationError> {
        let tx = self.db.begin_write().await?;
        remember(&tx, site, ids).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// [`Moderation::remember_wordpress_ids`] on the caller's transaction.
pub async fn remember<C: ConnectionTrait>(
    db: &C,
    site: &str,
    ids: &WordpressIds,
) -> Result<(), DbErr> {
    let rows = ids
        .posts
        .iter()
        .map(|(wp, local)| (WordpressKind::Post, *wp, *local))
        .chain(
            ids.comments
                .iter()
                .map(|(wp, local)| (WordpressKind::Comment, *wp, *local)),
        )
        .map(|(kind, wp_id, local_id)| wordpress_id::ActiveModel {
            site_id: sea_orm::Set(site.to_owned()),
            kind: sea_orm::Set(kind),
            wp_id: sea_orm::Set(wp_id),
            local_id: sea_orm::Set(local_id),
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        return Ok(());
    }
    wordpress_id::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([
            wordpress_id::Column::SiteId,
            wordpress_id::Column::Kind,
            wordpress_id::Column::WpId,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

async fn local_id<C: ConnectionTrait>(
    db: &C,
    site: &str,
    kind: WordpressKind,
    wp_id: i64,
) -> Result<Option<i64>, DbErr> {
    Ok(wordpress_id::Entity::find()
        .filter(wordpress_id::Column::SiteId.eq(site))
        .filter(wordpress_id::Column::Kind.eq(kind))
        .filter(wordpress_id::Column::WpId.eq(wp_id))
        .one(db)
        .await?
        .map(|row| row.local_id))
}
