//! Who may get mail: double opt-in (one confirmation mail per address per day), signed
//! confirmation and unsubscribe links, and the checks run before any commenter is mailed.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet,
    QueryFilter,
};

use crate::keys::Keys;
use entity::{comment, mail_subscriber};

const CONFIRM_PURPOSE: &str = "mail-confirm";
const UNSUBSCRIBE_PURPOSE: &str = "mail-unsubscribe";
/// At most one confirmation mail per address in this window, so replyd cannot be used to
/// flood a stranger's inbox.
pub const CONFIRM_INTERVAL: Duration = Duration::hours(24);
const CONFIRM_TTL: Duration = Duration::days(7);

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

    fn decode(s: &str) -> Option<Scope> {
        if s == "all" {
            return Some(Scope::All);
        }
        s.strip_prefix('p')?.parse().ok().map(Scope::Page)
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

/// A verified unsubscribe link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub subscriber: i64,
    pub scope: Scope,
}

pub fn unsubscribe_token(keys: &Keys, subscriber: i64, scope: Scope) -> String {
    let msg = format!("{subscriber}.{}", scope.encode());
    format!("{msg}.{}", keys.sign(UNSUBSCRIBE_PURPOSE, &msg))
}

pub fn verify_unsubscribe(keys: &Keys, token: &str) -> Result<Unsubscribe, LinkError> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(scope), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(LinkError::Invalid);
    };
    if !keys.verify(UNSUBSCRIBE_PURPOSE, &format!("{id}.{scope}"), tag) {
        return Err(LinkError::Invalid);
    }
    Ok(Unsubscribe {
        subscriber: id.parse().map_err(|_| LinkError::Invalid)?,
        scope: Scope::decode(scope).ok_or(LinkError::Invalid)?,
    })
}

pub fn confirm_token(keys: &Keys, subscriber: i64, now: DateTime<Utc>) -> String {
    let msg = format!("{subscriber}.{}", (now + CONFIRM_TTL).timestamp());
    format!("{msg}.{}", keys.sign(CONFIRM_PURPOSE, &msg))
}

/// The subscriber id a confirmation link is for.
pub fn verify_confirm(keys: &Keys, token: &str, now: DateTime<Utc>) -> Result<i64, LinkError> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(exp), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(LinkError::Invalid);
    };
    if !keys.verify(CONFIRM_PURPOSE, &format!("{id}.{exp}"), tag) {
        return Err(LinkError::Invalid);
    }
    let exp: i64 = exp.parse().map_err(|_| LinkError::Invalid)?;
    if now.timestamp() >= exp {
        return Err(LinkError::Expired);
    }
    id.parse().map_err(|_| LinkError::Invalid)
}

/// Records an opt-in by `email_norm`. Returns the subscriber id when a confirmation mail is
/// due: the address is not confirmed and none was sent to it in the last 24 hours.
pub async fn opt_in<C: ConnectionTrait>(
    db: &C,
    email_norm: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let found = mail_subscriber::Entity::find()
        .filter(mail_subscriber::Column::EmailNorm.eq(email_norm))
        .one(db)
        .await?;
    let Some(sub) = found else {
        let row = mail_subscriber::ActiveModel {
            id: NotSet,
            email_norm: Set(email_norm.to_owned()),
            confirmed_at: Set(None),
            confirm_sent_at: Set(Some(now)),
            unsubscribed_all: Set(false),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        return Ok(Some(row.id));
    };
    // Whoever unsubscribed from everything is never asked again; confirming through an
    // older confirmation link is the way back.
    let confirmed = sub.confirmed_at.is_some() || sub.unsubscribed_all;
    let recently = sub
        .confirm_sent_at
        .is_some_and(|at| now - at < CONFIRM_INTERVAL);
    if confirmed || recently {
        return Ok(None);
    }
    let id = sub.id;
    let mut am: mail_subscriber::ActiveModel = sub.into();
    am.confirm_sent_at = Set(Some(now));
    am.update(db).await?;
    Ok(Some(id))
}

/// The subscriber for `email_norm` if it may receive commenter mail: confirmed, and not
/// unsubscribed from everything.
pub async fn mailable<C: ConnectionTrait>(
    db: &C,
    email_norm: &str,
) -> Result<Option<mail_subscriber::Model>, DbErr> {
    Ok(mail_subscriber::Entity::find()
        .filter(mail_subscriber::Column::EmailNorm.eq(email_norm))
        .one(db)
        .await?
        .filter(|s| s.confirmed_at.is_some() && !s.unsubscribed_all))
}

/// Confirms the subscriber behind a confirmation link.
pub async fn confirm<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), LinkError> {
    let res = mail_subscriber::Entity::update_many()
        .col_expr(mail_subscriber::Column::ConfirmedAt, Expr::value(Some(now)))
        .col_expr(mail_subscriber::Column::UnsubscribedAll, Expr::value(false))
        .filter(mail_subscriber::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(|_| LinkError::Unknown)?;
    if res.rows_affected == 0 {
        return Err(LinkError::Unknown);
    }
    Ok(())
}

/// Applies an unsubscribe: from everything, or from reply mail on one page.
pub async fn unsubscribe<C: ConnectionTrait>(db: &C, u: Unsubscribe) -> Result<(), DbErr> {
    let Some(sub) = mail_subscriber::Entity::find_by_id(u.subscriber)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    match u.scope {
        Scope::All => {
            let mut am: mail_subscriber::ActiveModel = sub.into();
            am.unsubscribed_all = Set(true);
            am.update(db).await?;
        }
        Scope::Page(page) => {
            comment::Entity::update_many()
                .col_expr(comment::Column::NotifyReplies, Expr::value(false))
                .filter(comment::Column::EmailNorm.eq(sub.email_norm.as_str()))
                .filter(comment::Column::PageId.eq(page))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_tokens_are_bound_to_subscriber_and_scope() {
        let keys = Keys::from_secret(b"k");
        let t = unsubscribe_token(&keys, 4, Scope::Page(9));
        assert_eq!(
            verify_unsubscribe(&keys, &t),
            Ok(Unsubscribe {
                subscriber: 4,
                scope: Scope::Page(9)
            })
        );
        assert_eq!(
            verify_unsubscribe(&keys, &t.replacen("4.", "5.", 1)),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify_unsubscribe(&keys, &t.replace(".p9.", ".all.")),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn confirm_tokens_expire_and_do_not_pass_as_unsubscribe_tokens() {
        let keys = Keys::from_secret(b"k");
        let now = Utc::now();
        let t = confirm_token(&keys, 3, now);
        assert_eq!(verify_confirm(&keys, &t, now), Ok(3));
        assert_eq!(
            verify_confirm(&keys, &t, now + Duration::days(8)),
            Err(LinkError::Expired)
        );
        assert!(verify_unsubscribe(&keys, &t).is_err());
    }
}
