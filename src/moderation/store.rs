//! Queries shared by the moderation operations.
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter,
};

use chrono::{DateTime, Utc};
use entity::page;

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
    })
    .on_conflict_do_nothing_on([page::Column::SiteId, page::Column::Uri])
    .exec(db)
    .await?;
    find_page(db, site, uri)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("page".into()))
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
