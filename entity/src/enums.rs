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

/// A moderator's decision on a comment: what the API, the dashboard and one-click links
/// ask for, and what a spent one-click link did.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum ModerationAction {
    #[sea_orm(string_value = "approve")]
    Approve,
    #[sea_orm(string_value = "reject")]
    Reject,
    #[sea_orm(string_value = "spam")]
    Spam,
}

impl ModerationAction {
    /// The status the comment ends up in.
    pub fn target(self) -> CommentStatus {
        match self {
            ModerationAction::Approve => CommentStatus::Approved,
            ModerationAction::Reject => CommentStatus::Rejected,
            ModerationAction::Spam => CommentStatus::Spam,
        }
    }

    /// The stored and spoken name: `approve`, `reject` or `spam`.
    pub fn name(self) -> &'static str {
        match self {
            ModerationAction::Approve => "approve",
            ModerationAction::Reject => "reject",
            ModerationAction::Spam => "spam",
        }
    }

    /// The action named exactly so (lowercase only).
    pub fn parse(s: &str) -> Option<ModerationAction> {
        match s {
            "approve" => Some(ModerationAction::Approve),
            "reject" => Some(ModerationAction::Reject),
            "spam" => Some(ModerationAction::Spam),
            _ => None,
        }
    }
}
