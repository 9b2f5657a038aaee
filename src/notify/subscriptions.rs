//! Who may get mail: double opt-in (one confirmation mail per address per day), applying
//! confirmation and unsubscribe links (`links` signs and checks them), and the checks run
//! before any commenter is mailed.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet,
    QueryFilter,
};

use super::links::{LinkError, Scope, Unsubscribe};
use entity::{comment, mail_subscriber};

/// At most one confirmation mail per mailbox in this window (every spelling of one mailbox
/// counts: `mailbox::canonical`), so replyd cannot be used to flood a stranger's inbox.
pub const CONFIRM_INTERVAL: Duration = Duration::hours(24);

/// Records an opt-in by `email_norm`. Returns the subscriber id when a confirmation mail is
/// due: the address is not confirmed and none was sent to its mailbox, under any spelling,
/// in the last 24 hours.
pub async fn opt_in<C: ConnectionTrait>(
    db: &C,
    email_norm: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let mailbox = crate::mailbox::canonical(email_norm);
    let found = mail_subscriber::Entity::find()
        .filter(mail_subscriber::Column::EmailNorm.eq(email_norm))
        .one(db)
        .await?;
    let sent_to_mailbox = mail_subscriber::Entity::find()
        .filter(mail_subscriber::Column::Mailbox.eq(mailbox.as_str()))
        .filter(mail_subscriber::Column::ConfirmSentAt.gt(now - CONFIRM_INTERVAL))
        .one(db)
        .await?
        .is_some();
    let Some(sub) = found else {
        let row = mail_subscriber::ActiveModel {
            id: NotSet,
            email_norm: Set(email_norm.to_owned()),
            mailbox: Set(mailbox),
            confirmed_at: Set(None),
            confirm_sent_at: Set((!sent_to_mailbox).then_some(now)),
            unsubscribed_all: Set(false),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        return Ok((!sent_to_mailbox).then_some(row.id));
    };
    // Whoever unsubscribed from everything is never asked again; confirming through an
    // older confirmation link is the way back.
    let confirmed = sub.confirmed_at.is_some() || sub.unsubscribed_all;
    let recently = sub
        .confirm_sent_at
        .is_some_and(|at| now - at < CONFIRM_INTERVAL);
    if confirmed || recently || sent_to_mailbox {
        return Ok(None);
    }
    let id = sub.id;
    let mut am: mail_subscriber::ActiveModel = sub.into();
    am.confirm_sent_at = Set(Some(now));
    am.mailbox = Set(mailbox);
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
