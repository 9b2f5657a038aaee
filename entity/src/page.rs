//! A page (thread): one site plus one page path.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: String,
    pub uri: String,
    pub title: Option<String>,
    pub created_at: DateTimeUtc,
    /// The source had comments closed on this page (WordPress `comment_status` closed).
    pub comments_closed: bool,
    /// When the page was published, as the embed said (`data-published`); closing after
    /// `close_after_days` counts from it, or else from the first comment.
    pub published_at: Option<DateTimeUtc>,
    /// A moderator opened the page: it takes comments even past `close_after_days`.
    pub kept_open: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
