//! A word rule: a moderation word (hold) or a disallowed word (spam).
use sea_orm::entity::prelude::*;

use crate::enums::RuleKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "abuse_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: RuleKind,
    /// As the moderator typed it; matched case-insensitively.
    pub word: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
