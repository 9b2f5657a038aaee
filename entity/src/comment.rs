//! A comment, with its author's private details and its moderation state.
use sea_orm::entity::prelude::*;

use crate::enums::CommentStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub page_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    /// Lower-cased email, for look-ups; never shown.
    pub email_norm: String,
    pub author_url: Option<String>,
    pub text: String,
    pub html: String,
    pub status: CommentStatus,
    /// JSON array of the reasons a comment was held.
    pub reasons: String,
    /// Keyed hash of the client address; the raw address is never stored.
    pub ip_hash: Option<String>,
    /// The address truncated to its network (/24 or /48), for moderators.
    pub ip_prefix: Option<String>,
    pub user_agent: Option<String>,
    pub notify_replies: bool,
    pub by_moderator: bool,
    pub deleted: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Fingerprint of author, parent and whitespace-normalised text, for duplicate checks.
    pub dup_key: Option<String>,
    /// Where an imported comment came from, as `SYSTEM:ID` (`wordpress:123`, `disqus:9`,
    /// `isso:4`, `replyd:17`); unique per page. Empty for comments written here.
    pub source_id: Option<String>,
    /// When a moderator pinned it to the top of its thread; `None` when not pinned.
    pub pinned_at: Option<DateTimeUtc>,
    /// A moderator dismissed its reader reports: later reports are recorded, never hold it.
    pub reports_dismissed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::page::Entity",
        from = "Column::PageId",
        to = "super::page::Column::Id"
    )]
    Page,
}

impl Related<super::page::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Page.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
