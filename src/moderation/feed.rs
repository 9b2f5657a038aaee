//! What the comment feeds list: a page's or a whole site's approved comments, newest first.
//! Deleted placeholders are left out; a feed has no threading to keep.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::{Moderation, ModerationError, store};
use entity::{comment, enums::CommentStatus, page};

/// The newest approved comments, each with the page it is on.
#[derive(Debug, Clone)]
pub struct FeedItems {
    /// The page's title, for a page feed whose page is known.
    pub title: Option<String>,
    pub items: Vec<(comment::Model, page::Model)>,
}

impl Moderation {
    /// The newest `limit` approved comments of one page (`uri`) or of the whole site.
    pub async fn feed(
        &self,
        site: &str,
        uri: Option<&str>,
        limit: u64,
    ) -> Result<FeedItems, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let query = comment::Entity::find()
            .filter(comment::Column::Status.eq(CommentStatus::Approved))
            .filter(comment::Column::Deleted.eq(false));
        let (title, query) = match uri {
            Some(uri) => {
                let Some(p) = store::find_page(&self.db.reader, site, uri).await? else {
                    return Ok(FeedItems {
                        title: None,
                        items: Vec::new(),
                    });
                };
                let title = p.title.clone();
                (title, query.filter(comment::Column::PageId.eq(p.id)))
            }
            None => {
                let ids = page::Entity::find()
                    .select_only()
                    .column(page::Column::Id)
                    .filter(page::Column::SiteId.eq(site))
                    .into_query();
                (None, query.filter(comment::Column::PageId.in_subquery(ids)))
            }
        };
        let rows = query
            .find_also_related(page::Entity)
            .order_by_desc(comment::Column::CreatedAt)
            .order_by_desc(comment::Column::Id)
            .limit(limit)
            .all(&self.db.reader)
            .await?;
        let items = rows
            .into_iter()
            .filter_map(|(c, p)| p.map(|p| (c, p)))
            .collect();
        Ok(FeedItems { title, items })
    }
}
