//! Public reads: the approved comments of a page, and comment counts for many pages.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use sea_orm::{Order, Select};

use super::closing::{self, Openness};
use super::thread_cache::CountLookup;
use super::{Moderation, ModerationError, store};
use entity::{comment, enums::CommentStatus, page};

/// One page of a public thread.
#[derive(Debug, Clone)]
pub struct Thread {
    pub title: Option<String>,
    pub comments: Vec<comment::Model>,
    pub total: u64,
    /// The page takes no new comments.
    pub closed: bool,
    /// When age will close the page, if it is open and ever closes.
    pub closes_at: Option<DateTime<Utc>>,
}

/// What a reader asks of a thread: a window of it, in an order. Pinned comments come first
/// in either order.
#[derive(Debug, Clone, Copy)]
pub struct ThreadView {
    pub offset: u64,
    pub limit: u64,
    pub newest_first: bool,
    /// The embed's publication date, for a page that has none recorded.
    pub published: Option<DateTime<Utc>>,
}

impl Moderation {
    /// Approved comments of one page, pinned first, then oldest (or newest) first.
    /// Tombstones are included so that replies keep their place.
    pub async fn thread(
        &self,
        site: &str,
        uri: &str,
        view: ThreadView,
    ) -> Result<Thread, ModerationError> {
        let cfg = self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let now = self.clock.now();
        let Some(page) = store::find_page(&self.db.reader, site, uri).await? else {
            let open = Openness {
                published_at: view.published,
                ..Openness::default()
            };
            let closes_at = open.closes_at(cfg.close_after_days);
            return Ok(Thread {
                title: None,
                comments: Vec::new(),
                total: 0,
                closed: open.closed(cfg.close_after_days, now),
                closes_at: closes_at.filter(|t| *t > now),
            });
        };
        let mut open = closing::openness(&self.db.reader, &page, cfg.close_after_days).await?;
        open.published_at = open.published_at.or(view.published);
        let query = comment::Entity::find()
            .filter(comment::Column::PageId.eq(page.id))
            .filter(comment::Column::Status.eq(CommentStatus::Approved));
        let total = query.clone().count(&self.db.reader).await?;
        let comments = ordered(query, view.newest_first)
            .offset(view.offset)
            .limit(view.limit)
            .all(&self.db.reader)
            .await?;
        let closes_at = open.closes_at(cfg.close_after_days);
        Ok(Thread {
            title: page.title,
            comments,
            total,
            closed: open.closed(cfg.close_after_days, now),
            closes_at: closes_at.filter(|t| *t > now),
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
        let found = self
            .threads
            .lookup_counts(site, uris.iter().map(String::as_str), now);
        for (uri, found) in uris.iter().zip(found) {
            match found {
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

/// Pinned first (in the order they were pinned), then by time.
fn ordered(query: Select<comment::Entity>, newest_first: bool) -> Select<comment::Entity> {
    let by_time = if newest_first {
        Order::Desc
    } else {
        Order::Asc
    };
    query
        .order_by(Expr::col(comment::Column::PinnedAt).is_null(), Order::Asc)
        .order_by_asc(comment::Column::PinnedAt)
        .order_by(comment::Column::CreatedAt, by_time.clone())
        .order_by(comment::Column::Id, by_time)
}
