//! Every link that goes out by mail, built and checked here over `keys::token::SignedToken`:
//! one-click moderation, unsubscribe, address confirmation and privacy requests. Callers get verified values;
//! spending or applying them is theirs (moderation, subscriptions). Must not import
//! moderation: actions are named by `entity::enums::ModerationAction`.
use chrono::{DateTime, Duration, Utc};

use crate::keys::Keys;
use crate::keys::token::{Field, Purpose, SignedToken, TokenError};
use entity::enums::{ModerationAction, PrivacyKind};

/// The lifetime of a one-click moderation link in a notification mail.
pub const ONE_CLICK_TTL: Duration = Duration::days(7);
/// Unsubscribe links keep working in old mail for this long.
pub const UNSUBSCRIBE_TTL: Duration = Duration::days(365);
/// A confirmation link works this long.
pub const CONFIRM_TTL: Duration = Duration::days(7);

/// A verified one-click link: `ID.ACTION.EXPIRES.v1.TAG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneClick {
    pub comment_id: i64,
    pub action: ModerationAction,
    pub expires_at: i64,
    /// The link's token, which verification proved canonical: the one spelling of this
    /// link, so single use may key on it.
    pub token: String,
}

/// A one-click token for `action` on `comment_id`, valid until `expires_at`.
pub fn one_click_token(
    keys: &Keys,
    comment_id: i64,
    action: ModerationAction,
    expires_at: DateTime<Utc>,
) -> String {
    SignedToken::new(Purpose::OneClick, expires_at)
        .int(comment_id)
        .word(action.name())
        .sign(keys, &[])
}

/// The full one-click link a notification mail carries, valid for [`ONE_CLICK_TTL`].
pub fn one_click_link(
    public_url: &str,
    keys: &Keys,
    comment_id: i64,
    action: ModerationAction,
    now: DateTime<Utc>,
) -> String {
    let token = one_click_token(keys, comment_id, action, now + ONE_CLICK_TTL);
    format!("{}/admin/act/{token}", base(public_url))
}

impl OneClick {
    /// When the link was made (its expiry less [`ONE_CLICK_TTL`]), to the second.
    pub fn issued_at_secs(&self) -> i64 {
        self.expires_at - ONE_CLICK_TTL.num_seconds()
    }
}

/// Checks spelling, signature and expiry. Whether it was already used is for the caller.
pub fn verify_one_click(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<OneClick, TokenError> {
    let t = SignedToken::verify(keys, Purpose::OneClick, &[], token, now)?;
    let [Field::Int(comment_id), Field::Word(action)] = t.fields() else {
        return Err(TokenError::Malformed);
    };
    Ok(OneClick {
        comment_id: *comment_id,
        action: ModerationAction::parse(action).ok_or(TokenError::Malformed)?,
        expires_at: t.expires_at(),
        token: token.to_owned(),
    })
}

/// What an unsubscribe link stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every mail to this address.
    All,
    /// Reply mail for this page (thread).
    Page(i64),
}

impl Scope {
    fn encode(self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Page(id) => format!("p{id}"),
        }
    }

    /// The scope spelled exactly `s` (`p012` is no scope: it is not how `p12` is spelled).
    fn decode(s: &str) -> Option<Scope> {
        let scope = match s {
            "all" => Scope::All,
            _ => Scope::Page(s.strip_prefix('p')?.parse().ok()?),
        };
        (scope.encode() == s).then_some(scope)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is malformed or forged")]
    Invalid,
    #[error("the link has expired")]
    Expired,
    #[error("the address is no longer known")]
    Unknown,
}

impl From<TokenError> for LinkError {
    fn from(e: TokenError) -> LinkError {
        match e {
            TokenError::Expired => LinkError::Expired,
            TokenError::Malformed | TokenError::Forged => LinkError::Invalid,
        }
    }
}

/// A verified unsubscribe link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub subscriber: i64,
    pub scope: Scope,
}

/// `SUBSCRIBER.SCOPE.EXPIRES.v1.TAG`, valid for [`UNSUBSCRIBE_TTL`].
pub fn unsubscribe_token(keys: &Keys, subscriber: i64, scope: Scope, now: DateTime<Utc>) -> String {
    SignedToken::new(Purpose::Unsubscribe, now + UNSUBSCRIBE_TTL)
        .int(subscriber)
        .word(scope.encode())
        .sign(keys, &[])
}

pub fn unsubscribe_link(
    public_url: &str,
    keys: &Keys,
    subscriber: i64,
    scope: Scope,
    now: DateTime<Utc>,
) -> String {
    let token = unsubscribe_token(keys, subscriber, scope, now);
    format!("{}/mail/unsubscribe/{token}", base(public_url))
}

pub fn verify_unsubscribe(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Unsubscribe, LinkError> {
    let t = SignedToken::verify(keys, Purpose::Unsubscribe, &[], token, now)?;
    let [Field::Int(subscriber), Field::Word(scope)] = t.fields() else {
        return Err(LinkError::Invalid);
    };
    Ok(Unsubscribe {
        subscriber: *subscriber,
        scope: Scope::decode(scope).ok_or(LinkError::Invalid)?,
    })
}

/// `SUBSCRIBER.EXPIRES.v1.TAG`, valid for [`CONFIRM_TTL`].
pub fn confirm_token(keys: &Keys, subscriber: i64, now: DateTime<Utc>) -> String {
    SignedToken::new(Purpose::Confirm, now + CONFIRM_TTL)
        .int(subscriber)
        .sign(keys, &[])
}

pub fn confirm_link(public_url: &str, keys: &Keys, subscriber: i64, now: DateTime<Utc>) -> String {
    let token = confirm_token(keys, subscriber, now);
    format!("{}/mail/confirm/{token}", base(public_url))
}

/// The subscriber id a confirmation link is for.
pub fn verify_confirm(keys: &Keys, token: &str, now: DateTime<Utc>) -> Result<i64, LinkError> {
    let t = SignedToken::verify(keys, Purpose::Confirm, &[], token, now)?;
    match t.fields() {
        [Field::Int(subscriber)] => Ok(*subscriber),
        _ => Err(LinkError::Invalid),
    }
}

/// `REQUEST.KIND.EXPIRES.v1.TAG`: the link that confirms privacy request `request`, valid
/// until `expires_at`.
pub fn privacy_token(
    keys: &Keys,
    request: i64,
    kind: PrivacyKind,
    expires_at: DateTime<Utc>,
) -> String {
    SignedToken::new(Purpose::Privacy, expires_at)
        .int(request)
        .word(kind.as_str())
        .sign(keys, &[])
}

pub fn privacy_link(
    public_url: &str,
    keys: &Keys,
    request: i64,
    kind: PrivacyKind,
    expires_at: DateTime<Utc>,
) -> String {
    let token = privacy_token(keys, request, kind, expires_at);
    format!("{}/privacy/{token}", base(public_url))
}

/// The request a privacy link confirms, and what it asks for.
pub fn verify_privacy(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(i64, PrivacyKind), LinkError> {
    let t = SignedToken::verify(keys, Purpose::Privacy, &[], token, now)?;
    match t.fields() {
        [Field::Int(id), Field::Word(kind)] => {
            Ok((*id, PrivacyKind::parse(kind).ok_or(LinkError::Invalid)?))
        }
        _ => Err(LinkError::Invalid),
    }
}

fn base(public_url: &str) -> &str {
    public_url.trim_end_matches('/')
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
