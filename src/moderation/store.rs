//! Queries shared by the moderation operations.
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter,
    Statement,
};

use chrono::{DateTime, Utc};
use entity::{enums::CommentStatus, page};

/// Finds the page for `(site, uri)`, creating it on first use.
pub async fn page_for<C: ConnectionTrait>(
    db: &C,
    site: &str,
    uri: &str,
    title: Option<&str>,
    now: DateTime<Utc>,
) -> Result<page::Model, DbErr> {
    if let Some(p) = find_page(db, site, uri).await? {
        if p.title.is_none() && title.is_some() {
            let mut am: page::ActiveModel = p.into();
            am.title = Set(title.map(str::to_owned));
            return page::Entity::update(am).exec(db).await;
        }
        return Ok(p);
    }
    page::Entity::insert(page::ActiveModel {
        id: NotSet,
        site_id: Set(site.to_owned()),
        uri: Set(uri.to_owned()),
        title: Set(title.map(str::to_owned)),
        created_at: Set(now),
        comments_closed: Set(false),
        published_at: Set(None),
        kept_open: Set(false),
    })
    .on_conflict_do_nothing_on([page::Column::SiteId, page::Column::Uri])
    .exec(db)
    .await?;
    find_page(db, site, uri)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("page".into()))
}

/// Records the publication date the embed gave, unless the page has one already.
pub async fn note_published<C: ConnectionTrait>(
    db: &C,
    page_id: i64,
    published: DateTime<Utc>,
) -> Result<(), DbErr> {
    page::Entity::update_many()
        .col_expr(page::Column::PublishedAt, published.into())
        .filter(page::Column::Id.eq(page_id))
        .filter(page::Column::PublishedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find_page<C: ConnectionTrait>(
    db: &C,
    site: &str,
    uri: &str,
) -> Result<Option<page::Model>, DbErr> {
    page::Entity::find()
        .filter(page::Column::SiteId.eq(site))
        .filter(page::Column::Uri.eq(uri))
        .one(db)
        .await
}

/// What a submission needs to know before it takes the write lock, read in one round trip.
#[derive(Debug, Clone)]
pub struct Prechecks {
    /// The page, when it exists already.
    pub page_id: Option<i64>,
    /// The page exists without a title.
    pub untitled: bool,
    /// The author proved an approved comment of theirs on the site (`returning`).
    pub author_known: bool,
    /// A live comment with the same fingerprint is already on the page: the keyed hash of
    /// its client address ('' when it has none).
    pub duplicate_of: Option<String>,
    /// Whether the page takes comments (`closing`).
    pub openness: super::closing::Openness,
}

/// What a submission's pre-checks look up: the page, the author and the fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct PrecheckKeys<'a> {
    pub site: &'a str,
    pub uri: &'a str,
    pub email_norm: &'a str,
    pub dup_key: &'a str,
    /// The comment a valid returning-commenter token names (`returning`), if any.
    pub proof: Option<i64>,
}

// The author is known only by proof: the comment the author's token names is approved,
// live, on this site and by this email; an email that merely has approved comments is
// not enough. `deleted = false` is written out, not bound, so SQLite can use the partial
// fingerprint index (a bound value hides it from the planner, which then scans). The
// first comment's time scans the page's comments, so it is read only where a page can
// close by age (`closes_by_age`).
const PRECHECKS_SQL: &str = "SELECT \
    (SELECT id FROM pages WHERE site_id = $1 AND uri = $2) AS page_id, \
    (SELECT title IS NULL FROM pages WHERE site_id = $1 AND uri = $2) AS untitled, \
    EXISTS (SELECT 1 FROM comments c WHERE c.id = $7 AND c.email_norm = $3 \
        AND c.status = $5 AND c.deleted = false \
        AND (SELECT p.site_id FROM pages p WHERE p.id = c.page_id) = $1) AS author_known, \
    (SELECT COALESCE(c.ip_hash, '') FROM comments c \
        WHERE c.page_id = (SELECT id FROM pages WHERE site_id = $1 AND uri = $2) \
        AND c.dup_key = $4 AND c.deleted = false LIMIT 1) AS duplicate_of, \
    (SELECT comments_closed FROM pages WHERE site_id = $1 AND uri = $2) AS closed_by_hand, \
    (SELECT kept_open FROM pages WHERE site_id = $1 AND uri = $2) AS kept_open, \
    (SELECT published_at FROM pages WHERE site_id = $1 AND uri = $2) AS published_at, \
    CASE WHEN $6 THEN (SELECT MIN(c.created_at) FROM comments c \
        WHERE c.page_id = (SELECT id FROM pages WHERE site_id = $1 AND uri = $2)) \
        END AS first_at";

/// Reads [`Prechecks`] in one statement of scalar sub-queries, each answered by an index.
/// Run on the reader pool, outside the write transaction: the unique fingerprint index
/// still refuses a duplicate that races past it.
pub async fn prechecks<C: ConnectionTrait>(
    db: &C,
    keys: PrecheckKeys<'_>,
    closes_by_age: bool,
) -> Result<Prechecks, DbErr> {
    let PrecheckKeys {
        site,
        uri,
        email_norm,
        dup_key,
        proof,
    } = keys;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            PRECHECKS_SQL,
            [
                site.into(),
                uri.into(),
                email_norm.into(),
                dup_key.into(),
                CommentStatus::Approved.as_str().into(),
                closes_by_age.into(),
                proof.unwrap_or(0).into(),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("prechecks".into()))?;
    Ok(Prechecks {
        page_id: row.try_get("", "page_id")?,
        untitled: row
            .try_get::<Option<bool>>("", "untitled")?
            .unwrap_or(false),
        author_known: row.try_get("", "author_known")?,
        duplicate_of: row.try_get("", "duplicate_of")?,
        openness: super::closing::Openness {
            closed_by_hand: row
                .try_get::<Option<bool>>("", "closed_by_hand")?
                .unwrap_or(false),
            kept_open: row
                .try_get::<Option<bool>>("", "kept_open")?
                .unwrap_or(false),
            published_at: row.try_get("", "published_at")?,
            first_comment_at: row.try_get("", "first_at")?,
        },
    })
}
