//! Public reads: the approved comments of a page, and comment counts for many pages.
use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::thread_cache::CountLookup;
use super::{Moderation, ModerationError, store};
use entity::{comment, enums::CommentStatus, page};

/// One page of a public thread.
#[derive(Debug, Clone)]
pub struct Thread {
    pub title: Option<String>,
    pub comments: Vec<comment::Model>,
    pub total: u64,
}

impl Moderation {
    /// Approved comments of one page, oldest first. Tombstones are included so that
    /// replies keep their place.
    pub async fn thread(
        &self,
        site: &str,
        uri: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Thread, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let Some(page) = store::find_page(&self.db.reader, site, uri).await? else {
            return Ok(Thread {
                title: None,
                comments: Vec::new(),
                total: 0,
            });
        };
        let query = comment::Entity::find()
            .filter(comment::Column::PageId.eq(page.id))
            .filter(comment::Column::Status.eq(CommentStatus::Approved));
        let total = query.clone().count(&self.db.reader).await?;
        let comments = query
            .order_by_asc(comment::Column::CreatedAt)
            .order_by_asc(comment::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(&self.db.reader)
            .await?;
        Ok(Thread {
            title: page.title,
            comments,
            total,
        })
    }

    /// The number of published comments on each page; pages with none read 0. Each page's
    /// count is kept in the read cache until that page changes.
    pub async fn counts(
        &self,
        site: &str,
        uris: &[String],
    ) -> Result<BTreeMap<String, u64>, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let now = self.clock.now();
        let mut out = BTreeMap::new();
        let mut missing: Vec<(String, u64)> = Vec::new();
        for uri in uris {
            match self.threads.lookup_count(site, uri, now) {
                CountLookup::Hit(n) => {
                    out.insert(uri.clone(), n);
                }
                CountLookup::Miss(generation) => missing.push((uri.clone(), generation)),
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let wanted: Vec<String> = missing.iter().map(|(u, _)| u.clone()).collect();
        let counted = self.count_pages(site, &wanted).await?;
        for (uri, generation) in missing {
            let n = counted.get(&uri).copied().unwrap_or(0);
            self.threads.store_count(site, &uri, generation, n, now);
            out.insert(uri, n);
        }
        Ok(out)
    }

    /// Published comments per page, from the database; pages with none are left out.
    async fn count_pages(
        &self,
        site: &str,
        uris: &[String],
    ) -> Result<HashMap<String, u64>, ModerationError> {
        let mut out = HashMap::new();
        if uris.is_empty() {
            return Ok(out);
        }
        // Two indexed look-ups rather than one join: without table statistics SQLite may
        // otherwise drive the join from every approved comment on the site.
        let pages: Vec<(i64, String)> = page::Entity::find()
            .select_only()
            .column(page::Column::Id)
            .column(page::Column::Uri)
            .filter(page::Column::SiteId.eq(site))
            .filter(page::Column::Uri.is_in(uris.iter().map(String::as_str)))
            .into_tuple()
            .all(&self.db.reader)
            .await?;
        if pages.is_empty() {
            return Ok(out);
        }
        let counted: Vec<(i64, i64)> = comment::Entity::find()
            .select_only()
            .column(comment::Column::PageId)
            .column_as(comment::Column::Id.count(), "n")
            .filter(comment::Column::PageId.is_in(pages.iter().map(|(id, _)| *id)))
            .filter(comment::Column::Status.eq(CommentStatus::Approved))
            .filter(comment::Column::Deleted.eq(false))
            .group_by(comment::Column::PageId)
            .into_tuple()
            .all(&self.db.reader)
            .await?;
        let uri_of: HashMap<i64, String> = pages.into_iter().collect();
        for (id, n) in counted {
            if let Some(u) = uri_of.get(&id) {
                out.insert(u.clone(), u64::try_from(n).unwrap_or(0));
            }
        }
        Ok(out)
    }
}
