//! String-backed enums stored in text columns.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a comment stands in moderation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "spam")]
    Spam,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Rejected => "rejected",
            CommentStatus::Spam => "spam",
        }
    }
}

/// What a moderator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "moderator")]
    Moderator,
}

/// Who wrote an audit row: the `actor_kind` column. A moderator or a token also fills
/// `actor_id`; the others stand alone.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A signed-in moderator (`actor_id` is theirs).
    #[sea_orm(string_value = "moderator")]
    Moderator,
    /// An API token (`actor_id` is the token's).
    #[sea_orm(string_value = "token")]
    Token,
    /// The commenter, proven by their edit token.
    #[sea_orm(string_value = "author")]
    Author,
    /// Whoever held a signed link from a notification mail.
    #[sea_orm(string_value = "one_click")]
    OneClick,
    /// replyd itself: the setup link, seeding, group commit.
    #[sea_orm(string_value = "system")]
    System,
    /// The operator, at the server's command line.
    #[sea_orm(string_value = "cli")]
    Cli,
}
