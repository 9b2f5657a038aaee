//! A reader's report of a published comment: one row per reporter and comment. The
//! reporter is known only by keyed hashes of their address and of their browser's token.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub comment_id: i64,
    pub address_key: String,
    pub browser_key: String,
    /// `spam`, `abusive`, `off_topic` or `other`.
    pub reason: String,
    pub note: Option<String>,
    /// It counts toward holding the comment and lists it as reported. Reports after a
    /// dismissal never do; a moderator's action on the comment resolves the earlier ones.
    pub counted: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
