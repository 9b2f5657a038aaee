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

/// What a ban matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum BanKind {
    /// A whole email address, normalised.
    #[sea_orm(string_value = "email")]
    Email,
    /// One address or a network, as CIDR.
    #[sea_orm(string_value = "address")]
    Address,
    /// An email domain and its subdomains.
    #[sea_orm(string_value = "email_domain")]
    EmailDomain,
    /// One exact client address, known only by its keyed hash.
    #[sea_orm(string_value = "address_hash")]
    AddressHash,
}

impl BanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BanKind::Email => "email",
            BanKind::Address => "address",
            BanKind::EmailDomain => "email_domain",
            BanKind::AddressHash => "address_hash",
        }
    }

    pub fn parse(s: &str) -> Option<BanKind> {
        use sea_orm::Iterable;
        BanKind::iter().find(|k| k.as_str() == s)
    }
}

/// What a word rule does to a comment that contains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RuleKind {
    /// Hold the comment for a moderator.
    #[sea_orm(string_value = "moderation_word")]
    ModerationWord,
    /// Send the comment to spam.
    #[sea_orm(string_value = "disallowed_word")]
    DisallowedWord,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::ModerationWord => "moderation_word",
            RuleKind::DisallowedWord => "disallowed_word",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        use sea_orm::Iterable;
        RuleKind::iter().find(|k| k.as_str() == s)
    }
}

/// What kind of mail an outbox row is; the worker re-reads its subject matter at send time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MailKind {
    /// A comment for the site's moderators.
    #[sea_orm(string_value = "alert")]
    Alert,
    /// Several held comments for the site's moderators, in one mail per period.
    #[sea_orm(string_value = "digest")]
    Digest,
    /// A reply, for the parent comment's author.
    #[sea_orm(string_value = "reply")]
    Reply,
    /// A held comment was approved, for its author.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Double opt-in: confirm this address.
    #[sea_orm(string_value = "confirm")]
    Confirm,
    /// A privacy request (export or erase): the link that confirms it.
    #[sea_orm(string_value = "privacy")]
    Privacy,
    /// Not a mail: a comment event for a `[[webhooks]]` receiver (its URL is the recipient).
    #[sea_orm(string_value = "webhook")]
    Webhook,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Alert => "alert",
            MailKind::Digest => "digest",
            MailKind::Reply => "reply",
            MailKind::Approved => "approved",
            MailKind::Confirm => "confirm",
            MailKind::Privacy => "privacy",
            MailKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        use sea_orm::Iterable;
        MailKind::iter().find(|k| k.as_str() == s)
    }
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OutboxState {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Given up: a permanent failure or too many attempts. A moderator may retry it.
    #[sea_orm(string_value = "dead")]
    Dead,
    /// Not sent because it no longer applied (unsubscribed, comment gone).
    #[sea_orm(string_value = "skipped")]
    Skipped,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Dead => "dead",
            OutboxState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxState> {
        use sea_orm::Iterable;
        OutboxState::iter().find(|k| k.as_str() == s)
    }
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

/// What a WordPress id names: a post (a page here) or a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WordpressKind {
    #[sea_orm(string_value = "post")]
    Post,
    #[sea_orm(string_value = "comment")]
    Comment,
}

/// What a commenter asked for about their own data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum PrivacyKind {
    /// Everything stored under the address, as JSON.
    #[sea_orm(string_value = "export")]
    Export,
    /// Erase it: names, addresses and texts gone, tombstones where replies hang.
    #[sea_orm(string_value = "delete")]
    Delete,
}

impl PrivacyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyKind::Export => "export",
            PrivacyKind::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<PrivacyKind> {
        match s {
            "export" => Some(PrivacyKind::Export),
            "delete" => Some(PrivacyKind::Delete),
            _ => None,
        }
    }
}
