//! Banning a comment's author from the comment itself: their email, their exact address
//! (by its keyed hash, the only form stored) or their network, optionally marking the
//! comment as spam, all in one transaction with an audit row per change.
use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use serde_json::json;

use super::audit::Actor;
use super::screening::{self, BanTarget, MAX_BAN_SECS, NewBan};
use super::transitions::{Action, live_comment};
use super::{Moderation, ModerationError};
use entity::comment;

/// What of the author to ban.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanWhat {
    Email,
    /// The exact address the comment came from.
    Address,
    /// The comment's /24 (IPv4) or /48 (IPv6) network.
    Network,
}

impl BanWhat {
    pub fn parse(s: &str) -> Option<BanWhat> {
        match s {
            "email" => Some(BanWhat::Email),
            "address" => Some(BanWhat::Address),
            "network" => Some(BanWhat::Network),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BanWhat::Email => "email",
            BanWhat::Address => "address",
            BanWhat::Network => "network",
        }
    }
}

/// A ban asked for from a comment.
#[derive(Debug, Clone, Default)]
pub struct AuthorBan {
    /// How long the ban lasts; `None` for ever.
    pub duration_secs: Option<u64>,
    pub reason: String,
    /// Also move the comment to spam.
    pub mark_spam: bool,
}

/// What banning did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Banned {
    /// A new ban row was written.
    Added,
    /// A ban at least as long was already in force; nothing new was written.
    AlreadyBanned,
}

impl Moderation {
    /// Bans `what` of comment `id`'s author; with `mark_spam`, the comment goes to spam in
    /// the same transaction.
    pub async fn ban_author(
        &self,
        actor: &Actor,
        id: i64,
        what: BanWhat,
        ban: &AuthorBan,
    ) -> Result<Banned, ModerationError> {
        let now = self.clock.now();
        let expires_at = expiry(ban.duration_secs, now)?;
        if ban.reason.chars().count() > 500 {
            return Err(ModerationError::field(
                "reason",
                "must be at most 500 characters",
            ));
        }
        let tx = self.db.begin_write().await?;
        let c = live_comment(&tx, id).await?;
        let (target, label) = target(&c, what)?;
        let outcome = if screening::already_banned(&tx, &target, expires_at, now).await? {
            Banned::AlreadyBanned
        } else {
            let new = NewBan {
                target,
                reason: ban.reason.trim().to_owned(),
                label,
                expires_at,
                comment_id: Some(id),
            };
            screening::insert_ban(&tx, actor, &new, now).await?;
            self.lists.announce(&tx).await?;
            Banned::Added
        };
        if ban.mark_spam {
            let detail = json!({ "banned": what.name() });
            self.act_in(&tx, actor, id, Action::Spam, detail).await?;
        }
        // Marking spam can take a published comment off its page.
        self.commit(tx, &[c.page_id]).await?;
        if outcome == Banned::Added {
            self.lists.invalidate();
        }
        Ok(outcome)
    }
}

fn expiry(secs: Option<u64>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ModerationError> {
    match secs {
        None => Ok(None),
        Some(s) if (1..=MAX_BAN_SECS).contains(&s) => Ok(Some(
            now + Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX)),
        )),
        Some(_) => Err(ModerationError::field(
            "duration",
            "must be between a second and 10 years",
        )),
    }
}

/// The ban target for `what` of this comment, and its label for people.
fn target(
    c: &comment::Model,
    what: BanWhat,
) -> Result<(BanTarget, Option<String>), ModerationError> {
    let missing = |m: &str| ModerationError::field("ban", m);
    match what {
        BanWhat::Email if !c.email_norm.is_empty() => {
            Ok((BanTarget::Email(c.email_norm.clone()), None))
        }
        BanWhat::Email => Err(missing("this comment has no email address")),
        BanWhat::Address => {
            let hash = c
                .ip_hash
                .clone()
                .ok_or_else(|| missing("this comment has no recorded address"))?;
            let label = match &c.ip_prefix {
                Some(p) => format!("address of comment #{} (prefix {p})", c.id),
                None => format!("address of comment #{}", c.id),
            };
            Ok((BanTarget::AddressHash(hash), Some(label)))
        }
        BanWhat::Network => {
            let net = c
                .ip_prefix
                .as_deref()
                .and_then(|p| p.parse::<IpNet>().ok())
                .ok_or_else(|| missing("this comment has no recorded network"))?;
            Ok((BanTarget::Address(net.trunc()), None))
        }
    }
}
