//! One row per moderation action. Append-only: nothing updates or deletes these rows.
use sea_orm::entity::prelude::*;

use crate::enums::{ActorKind, CommentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who acted.
    pub actor_kind: ActorKind,
    /// The moderator's or the token's id, for those kinds; empty for the others.
    pub actor_id: Option<i64>,
    pub action: String,
    pub comment_id: Option<i64>,
    /// The comment's status before and after, for actions on one comment.
    pub from_status: Option<CommentStatus>,
    pub to_status: Option<CommentStatus>,
    /// JSON with the action's details.
    pub detail: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
