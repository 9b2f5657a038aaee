//! What is stored under one address on one site, given back or erased: for the commenter
//! (a request, then the link mailed to the address) and for moderators. Erasing leaves no
//! name, address or text: a comment with replies becomes the anonymous placeholder that
//! keeps its replies, any other is removed, the mail subscription and the mail to the
//! address go, and the old texts kept in the audit rows of author edits are blanked (the one
//! exception to the log being append-only: the law's right to erasure comes first). Audit
//! rows name the address only by a keyed digest (`subject`), never in clear.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait,
    NotSet, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::AuthorEmail;
use super::{Moderation, ModerationError};
use entity::enums::PrivacyKind;
use entity::{audit_log, comment, mail_subscriber, outbox, page, privacy_request};

/// A second request of the same kind for the same address within this window sends no
/// second mail, so nobody can use replyd to flood a stranger's inbox.
pub const REQUEST_INTERVAL: Duration = Duration::hours(24);

/// Everything stored under one address on one site.
#[derive(Debug, Clone)]
pub struct AddressData {
    pub site: String,
    pub email_norm: String,
    pub comments: Vec<(comment::Model, page::Model)>,
    pub subscriber: Option<mail_subscriber::Model>,
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Comments removed outright.
    pub removed: usize,
    /// Comments kept as anonymous placeholders because replies hang from them.
    pub tombstones: usize,
}

/// What carrying out a confirmed request gave.
#[derive(Debug, Clone)]
pub enum Outcome {
    Exported(Box<AddressData>),
    Erased(Erased),
    /// The erasure was carried out already (the link is used once).
    AlreadyErased,
}

/// The keyed digest that names an address in audit rows: the same address always gives the
/// same digest, and the digest gives nothing back.
pub fn subject(keys: &crate::keys::Keys, email_norm: &str) -> String {
    keys.sign("replyd/privacy-subject", email_norm)
        .chars()
        .take(22)
        .collect()
}

impl Moderation {
    /// A commenter asks for their data or its erasure: the request is stored and a link to
    /// confirm it is mailed to the address, whether or not anything is stored under it (the
    /// caller always answers the same). One mail per address and kind per day.
    pub async fn request_privacy(
        &self,
        site: &str,
        email: &AuthorEmail,
        kind: PrivacyKind,
    ) -> Result<(), ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let now = self.clock.now();
        let email_norm = email.normalized();
        let tx = self.db.begin_write().await?;
        // Expired requests hold an address for nothing.
        privacy_request::Entity::delete_many()
            .filter(privacy_request::Column::ExpiresAt.lt(now))
            .exec(&tx)
            .await?;
        let recent = privacy_request::Entity::find()
            .filter(privacy_request::Column::SiteId.eq(site))
            .filter(privacy_request::Column::EmailNorm.eq(email_norm.as_str()))
            .filter(privacy_request::Column::Kind.eq(kind))
            .filter(privacy_request::Column::CompletedAt.is_null())
            .filter(privacy_request::Column::CreatedAt.gt(now - REQUEST_INTERVAL))
            .count(&tx)
            .await?;
        if recent > 0 {
            tx.commit().await?;
            return Ok(());
        }
        let hours = i64::from(Ord::max(self.config.privacy.link_hours, 1));
        let row = privacy_request::ActiveModel {
            id: NotSet,
            site_id: Set(site.to_owned()),
            email_norm: Set(email_norm.clone()),
            kind: Set(kind),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(hours)),
            completed_at: Set(None),
        }
        .insert(&tx)
        .await?;
        crate::notify::enqueue_privacy(&tx, &self.config, &row, email.as_str(), now).await?;
        let detail = json!({ "site": site, "kind": kind.as_str(), "subject": subject(&self.keys, &email_norm), "request": row.id });
        audit::record(
            &tx,
            Entry::general(&Actor::System, "privacy_requested", detail, now),
        )
        .await?;
        self.commit(tx, &[]).await?;
        Ok(())
    }

    /// The request a verified privacy link names, if it is still there and of that kind.
    pub async fn privacy_request(
        &self,
        id: i64,
        kind: PrivacyKind,
    ) -> Result<Option<privacy_request::Model>, ModerationError> {
        Ok(privacy_request::Entity::find_by_id(id)
            .one(&self.db.reader)
            .await?
            .filter(|r| r.kind == kind))
    }

    /// Carries out a confirmed request (its link was verified by the caller). An export may
    /// be downloaded again until the link expires; an erasure happens once.
    pub async fn carry_out_privacy(
        &self,
        req: &privacy_request::Model,
    ) -> Result<Outcome, ModerationError> {
        let actor = Actor::OneClick;
        match req.kind {
            PrivacyKind::Delete if req.completed_at.is_some() => Ok(Outcome::AlreadyErased),
            PrivacyKind::Delete => {
                let erased = self
                    .erase_address(&actor, &req.site_id, &req.email_norm)
                    .await?;
                Ok(Outcome::Erased(erased))
            }
            PrivacyKind::Export => {
                let data = self
                    .export_address(&actor, &req.site_id, &req.email_norm)
                    .await?;
                self.mark_done(req.id, self.clock.now()).await?;
                Ok(Outcome::Exported(Box::new(data)))
            }
        }
    }

    async fn mark_done(&self, id: i64, now: DateTime<Utc>) -> Result<(), ModerationError> {
        let tx = self.db.begin_write().await?;
        privacy_request::Entity::update_many()
            .col_expr(privacy_request::Column::CompletedAt, Expr::value(Some(now)))
            .filter(privacy_request::Column::Id.eq(id))
            .filter(privacy_request::Column::CompletedAt.is_null())
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everything stored under `email_norm` on `site`, with its audit row.
    pub async fn export_address(
        &self,
        actor: &Actor,
        site: &str,
        email_norm: &str,
    ) -> Result<AddressData, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let email_norm = email_norm.trim().to_lowercase();
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let comments = address_comments(&tx, site, &email_norm).await?;
        let subscriber = mail_subscriber::Entity::find()
            .filter(mail_subscriber::Column::EmailNorm.eq(email_norm.as_str()))
            .one(&tx)
            .await?;
        let detail = json!({ "site": site, "subject": subject(&self.keys, &email_norm), "comments": comments.len() });
        audit::record(&tx, Entry::general(actor, "privacy_export", detail, now)).await?;
        tx.commit().await?;
        Ok(AddressData {
            site: site.to_owned(),
            email_norm,
            comments,
            subscriber,
        })
    }

    /// Erases everything stored under `email_norm` on `site`, in one transaction with its
    /// audit row; the pages it touched are emptied from every instance's cache.
    pub async fn erase_address(
        &self,
        actor: &Actor,
        site: &str,
        email_norm: &str,
    ) -> Result<Erased, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        let email_norm = email_norm.trim().to_lowercase();
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let mut comments = address_comments(&tx, site, &email_norm).await?;
        // Replies first, so a comment whose only replies are the address's own goes too.
        comments.sort_by_key(|(c, _)| std::cmp::Reverse((c.created_at, c.id)));
        let mut erased = Erased::default();
        let mut pages: Vec<i64> = Vec::new();
        for (c, _) in &comments {
            pages.push(c.page_id);
            if erase_comment(&tx, c.clone(), now).await? {
                erased.tombstones += 1;
            } else {
                erased.removed += 1;
            }
        }
        let ids: Vec<i64> = comments.iter().map(|(c, _)| c.id).collect();
        forget_address(&tx, site, &email_norm, &ids, now).await?;
        let detail = json!({
            "site": site, "subject": subject(&self.keys, &email_norm),
            "removed": erased.removed, "tombstones": erased.tombstones,
        });
        audit::record(&tx, Entry::general(actor, "privacy_erase", detail, now)).await?;
        pages.sort_unstable();
        pages.dedup();
        self.commit(tx, &pages).await?;
        Ok(erased)
    }
}

/// The live comments written under `email_norm` on `site`, oldest first.
async fn address_comments(
    tx: &DatabaseTransaction,
    site: &str,
    email_norm: &str,
) -> Result<Vec<(comment::Model, page::Model)>, sea_orm::DbErr> {
    let rows = comment::Entity::find()
        .find_also_related(page::Entity)
        .filter(comment::Column::EmailNorm.eq(email_norm))
        .filter(page::Column::SiteId.eq(site))
        .filter(comment::Column::Deleted.eq(false))
        .order_by_asc(comment::Column::CreatedAt)
        .order_by_asc(comment::Column::Id)
        .all(tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, p)| p.map(|p| (c, p)))
        .collect())
}

/// Removes a comment, or strips it to a placeholder when replies hang from it. True for a
/// placeholder.
async fn erase_comment(
    tx: &DatabaseTransaction,
    c: comment::Model,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let replies = comment::Entity::find()
        .filter(comment::Column::ParentId.eq(c.id))
        .count(tx)
        .await?;
    if replies == 0 {
        c.delete(tx).await?;
        return Ok(false);
    }
    let mut am: comment::ActiveModel = c.into();
    super::placeholder::erase(&mut am);
    am.notify_replies = Set(false);
    am.dup_key = Set(None);
    am.updated_at = Set(now);
    am.update(tx).await?;
    Ok(true)
}

/// What else holds the address: its subscription, mail to it, old texts in the audit rows
/// of the erased comments, and the requests that named it.
async fn forget_address(
    tx: &DatabaseTransaction,
    site: &str,
    email_norm: &str,
    comment_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    mail_subscriber::Entity::delete_many()
        .filter(mail_subscriber::Column::EmailNorm.eq(email_norm))
        .exec(tx)
        .await?;
    outbox::Entity::delete_many()
        .filter(Expr::expr(Func::lower(Expr::col(outbox::Column::Recipient))).eq(email_norm))
        .exec(tx)
        .await?;
    if !comment_ids.is_empty() {
        audit_log::Entity::update_many()
            .col_expr(
                audit_log::Column::Detail,
                Expr::value(json!({ "erased": true }).to_string()),
            )
            .filter(audit_log::Column::CommentId.is_in(comment_ids.iter().copied()))
            .filter(audit_log::Column::Action.eq("edit"))
            .exec(tx)
            .await?;
        // A stored answer to a retry repeats the author's name and text.
        super::idempotency::forget(tx, comment_ids).await?;
    }
    privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::EmailNorm, Expr::value(""))
        .col_expr(privacy_request::Column::CompletedAt, Expr::value(Some(now)))
        .filter(privacy_request::Column::SiteId.eq(site))
        .filter(privacy_request::Column::EmailNorm.eq(email_norm))
        .exec(tx)
        .await?;
    Ok(())
}
