//! A word rule: a moderation word (hold) or a disallowed word (spam).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "abuse_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `moderation_word` or `disallowed_word`.
    pub kind: String,
    /// As the moderator typed it; matched case-insensitively.
    pub word: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
