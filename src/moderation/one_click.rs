//! Signed one-click moderation tokens for email links: bound to one comment and one
//! action, expiring. Signing and checking live here; spending a token once is the
//! dashboard's job, which records spent tokens.
use chrono::{DateTime, Duration, Utc};

use super::Action;
use crate::keys::Keys;

const PURPOSE: &str = "one-click";

/// The default lifetime of a link in a notification mail.
pub const DEFAULT_TTL: Duration = Duration::days(7);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneClick {
    pub comment_id: i64,
    pub action: Action,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OneClickError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link's signature does not match")]
    Forged,
    #[error("the link has expired")]
    Expired,
}

fn message(comment_id: i64, action: Action, expires_at: i64) -> String {
    format!("{comment_id}.{}.{expires_at}", action.name())
}

/// A token for `action` on `comment_id`, valid until `expires_at`.
pub fn issue(keys: &Keys, comment_id: i64, action: Action, expires_at: DateTime<Utc>) -> String {
    let msg = message(comment_id, action, expires_at.timestamp());
    format!("{msg}.{}", keys.sign(PURPOSE, &msg))
}

/// The full link a notification mail carries.
pub fn link(
    public_url: &str,
    keys: &Keys,
    comment_id: i64,
    action: Action,
    now: DateTime<Utc>,
) -> String {
    format!(
        "{}/admin/act/{}",
        public_url.trim_end_matches('/'),
        issue(keys, comment_id, action, now + DEFAULT_TTL)
    )
}

/// Checks signature and expiry. Whether it was already used is for the caller to check.
pub fn verify(keys: &Keys, token: &str, now: DateTime<Utc>) -> Result<OneClick, OneClickError> {
    let mut parts = token.splitn(4, '.');
    let (Some(id), Some(action), Some(exp), Some(tag)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(OneClickError::Malformed);
    };
    let comment_id: i64 = id.parse().map_err(|_| OneClickError::Malformed)?;
    let action = Action::parse(action).ok_or(OneClickError::Malformed)?;
    let expires_at: i64 = exp.parse().map_err(|_| OneClickError::Malformed)?;
    if !keys.verify(PURPOSE, &message(comment_id, action, expires_at), tag) {
        return Err(OneClickError::Forged);
    }
    if now.timestamp() >= expires_at {
        return Err(OneClickError::Expired);
    }
    Ok(OneClick {
        comment_id,
        action,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_bound_to_its_comment_action_and_time() {
        let keys = Keys::from_secret(b"k");
        let now = Utc::now();
        let t = issue(&keys, 7, Action::Approve, now + Duration::hours(1));
        assert_eq!(
            verify(&keys, &t, now).map(|o| (o.comment_id, o.action)),
            Ok((7, Action::Approve))
        );
        assert_eq!(
            verify(&keys, &t, now + Duration::hours(2)),
            Err(OneClickError::Expired)
        );
        let other_comment = t.replacen("7.", "8.", 1);
        assert_eq!(
            verify(&keys, &other_comment, now),
            Err(OneClickError::Forged)
        );
        let other_action = t.replace(".approve.", ".spam.");
        assert_eq!(
            verify(&keys, &other_action, now),
            Err(OneClickError::Forged)
        );
        assert_eq!(
            verify(&Keys::from_secret(b"other"), &t, now),
            Err(OneClickError::Forged)
        );
        assert_eq!(verify(&keys, "garbage", now), Err(OneClickError::Malformed));
    }
}
