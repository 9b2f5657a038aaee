//! Closing pages to new comments: by a moderator, by the source an import came from, or by
//! age (`close_after_days` after the page's publication date, or else its first comment).
//! A closed page keeps its comments; it only stops taking new ones.
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use sea_orm::{ConnectionTrait, DbErr, QueryOrder, QuerySelect};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::{FieldError, PageUri};
use super::{Moderation, ModerationError, store};
use entity::{comment, page};

/// What decides whether a page takes comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Openness {
    /// Closed by a moderator, or by the source of an import.
    pub closed_by_hand: bool,
    /// Opened by a moderator: age never closes it.
    pub kept_open: bool,
    /// The publication date the embed gave.
    pub published_at: Option<DateTime<Utc>>,
    pub first_comment_at: Option<DateTime<Utc>>,
}

impl Openness {
    /// When age closes the page, if it ever does.
    pub fn closes_at(&self, close_after_days: u32) -> Option<DateTime<Utc>> {
        if self.kept_open || self.closed_by_hand || close_after_days == 0 {
            return None;
        }
        let from = self.published_at.or(self.first_comment_at)?;
        Some(from + Duration::days(i64::from(close_after_days)))
    }

    pub fn closed(&self, close_after_days: u32, now: DateTime<Utc>) -> bool {
        self.closed_by_hand || self.closes_at(close_after_days).is_some_and(|at| at <= now)
    }
}

/// The embed's `data-published`: an RFC 3339 time, or a date (midnight UTC).
pub fn parse_published(s: Option<&str>) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc()))
        .ok_or_else(|| "must be a date (2026-11-30) or an RFC 3339 time".into())
}

/// A page's openness, read from its row and, when only age can close it (`close_after_days`
/// is not 0 and there is no publication date), its first comment.
pub(super) async fn openness<C: ConnectionTrait>(
    db: &C,
    p: &page::Model,
    close_after_days: u32,
) -> Result<Openness, DbErr> {
    let open = Openness {
        closed_by_hand: p.comments_closed,
        kept_open: p.kept_open,
        published_at: p.published_at,
        first_comment_at: None,
    };
    if close_after_days == 0 || open.closed_by_hand || open.kept_open || open.published_at.is_some()
    {
        return Ok(open);
    }
    let first: Option<DateTime<Utc>> = comment::Entity::find()
        .select_only()
        .column(comment::Column::CreatedAt)
        .filter(comment::Column::PageId.eq(p.id))
        .order_by_asc(comment::Column::CreatedAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(Openness {
        first_comment_at: first,
        ..open
    })
}

impl Moderation {
    /// Whether each page takes no new comments now, closed by hand or by age, by page id.
    pub async fn pages_closed(
        &self,
        pages: &[&page::Model],
    ) -> Result<HashMap<i64, bool>, ModerationError> {
        let now = self.clock.now();
        let mut out = HashMap::new();
        for p in pages {
            if out.contains_key(&p.id) {
                continue;
            }
            let days = self
                .config
                .site(&p.site_id)
                .map_or(0, |s| s.close_after_days);
            let open = openness(&self.db.reader, p, days).await?;
            out.insert(p.id, open.closed(days, now));
        }
        Ok(out)
    }

    /// Closes (`closed`) or reopens a page by hand, creating it when it has no comments yet.
    /// Reopening also keeps it open past `close_after_days`.
    pub async fn set_page_closed(
        &self,
        actor: &Actor,
        site: &str,
        uri: &PageUri,
        closed: bool,
    ) -> Result<bool, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let p = store::page_for(&tx, site, uri.as_str(), None, now).await?;
        let page_id = p.id;
        let mut am: page::ActiveModel = p.into();
        am.comments_closed = Set(closed);
        am.kept_open = Set(!closed);
        am.update(&tx).await?;
        let entry = Entry {
            actor,
            action: if closed { "close_page" } else { "open_page" },
            comment_id: None,
            from: None,
            to: None,
            detail: json!({ "site": site, "uri": uri.as_str() }),
            at: now,
        };
        audit::record(&tx, entry).await?;
        self.commit(tx, &[page_id]).await?;
        Ok(closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    #[test]
    fn age_closes_from_publication_or_else_the_first_comment() {
        let first = Openness {
            first_comment_at: Some(at(10)),
            ..Openness::default()
        };
        assert_eq!(first.closes_at(7), Some(at(17)));
        assert!(!first.closed(7, at(16)));
        assert!(first.closed(7, at(17)));
        assert!(!first.closed(0, at(30)), "0 never closes");
        let published = Openness {
            published_at: Some(at(1)),
            ..first
        };
        assert_eq!(published.closes_at(7), Some(at(8)));
    }

    #[test]
    fn moderators_override_age_both_ways() {
        let kept = Openness {
            kept_open: true,
            first_comment_at: Some(at(1)),
            ..Openness::default()
        };
        assert!(!kept.closed(1, at(30)));
        let shut = Openness {
            closed_by_hand: true,
            ..Openness::default()
        };
        assert!(shut.closed(0, at(1)));
    }

    #[test]
    fn publication_dates_are_dates_or_times() {
        assert_eq!(parse_published(Some("2026-11-01")), Ok(Some(at(1))));
        assert_eq!(
            parse_published(Some("2026-11-01T02:00:00+02:00")),
            Ok(Some(at(1)))
        );
        assert_eq!(parse_published(Some(" ")), Ok(None));
        assert!(parse_published(Some("last week")).is_err());
    }
}
