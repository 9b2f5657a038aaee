//! Which mails a comment change causes. Called inside the change's own transaction, so a
//! mail exists exactly when the change committed.
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde_json::json;

use super::outbox::{Kind, NewMail, insert_all, message_domain};
use super::subscriptions;
use crate::config::{AlertMode, Config, SiteConfig, WebhookEvent};
use entity::{comment, enums::CommentStatus};

/// A committed-together change to a comment.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A new comment was stored (with the status the policy gave it).
    Submitted(&'a comment::Model),
    /// A moderator moved a comment from `from` to its current status.
    StatusChanged {
        from: CommentStatus,
        comment: &'a comment::Model,
        /// It had been published before reader reports held it: its author and the parent's
        /// author heard of it then, so approving it again mails nobody.
        republished: bool,
    },
    /// Reader reports sent a published comment back to the queue.
    Reported(&'a comment::Model),
    /// A moderator deleted the comment (as it was just before).
    Deleted(&'a comment::Model),
}

/// A committed-together change to a comment on one site.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub site: &'a str,
    pub event: Event<'a>,
    /// When it happened: digests are by the period the change falls in.
    pub at: DateTime<Utc>,
}

/// Who must get no mail from replyd (authors under a ban), as the caller knows it. Notify
/// asks by normalised address; it does not know what a ban is.
pub type Blocked<'a> = &'a (dyn Fn(&str) -> bool + Send + Sync);

/// Enqueues every mail the changes call for, on the caller's transaction, in one insert.
pub async fn enqueue<C: ConnectionTrait>(
    tx: &C,
    config: &Config,
    changes: &[Change<'_>],
    blocked: Blocked<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut mails = Vec::new();
    for change in changes {
        mails.extend(mails_for(tx, config, change, blocked).await?);
        let (events, c) = webhook_events(&change.event);
        mails.extend(super::webhooks::rows_for(
            config,
            change.site,
            &events,
            c,
            change.at,
        ));
    }
    insert_all(tx, mails, message_domain(config), now).await
}

/// The webhook events one change is, in the order they happened.
fn webhook_events<'a>(event: &Event<'a>) -> (Vec<WebhookEvent>, &'a comment::Model) {
    use WebhookEvent as W;
    match *event {
        Event::Submitted(c) => (
            match c.status {
                CommentStatus::Spam => vec![W::Spammed],
                CommentStatus::Pending => vec![W::Submitted, W::Held],
                _ => vec![W::Submitted],
            },
            c,
        ),
        Event::StatusChanged {
            from, comment: c, ..
        } if from != c.status => (
            match c.status {
                CommentStatus::Approved => vec![W::Approved],
                CommentStatus::Spam => vec![W::Spammed],
                CommentStatus::Rejected => vec![W::Rejected],
                CommentStatus::Pending => vec![W::Held],
            },
            c,
        ),
        Event::StatusChanged { comment: c, .. } => (Vec::new(), c),
        // Reader reports sent a published comment back to the queue: it is held again.
        Event::Reported(c) => (vec![W::Held], c),
        Event::Deleted(c) => (vec![W::Deleted], c),
    }
}

/// The mails `event` calls for, not yet stored. Reads (and, for a first opt-in, writes the
/// subscriber row) on the caller's transaction.
async fn mails_for<C: ConnectionTrait>(
    tx: &C,
    config: &Config,
    change: &Change<'_>,
    blocked: Blocked<'_>,
) -> Result<Vec<NewMail>, DbErr> {
    let now = change.at;
    let Some(site) = config.site(change.site) else {
        return Ok(Vec::new());
    };
    let mut q = Queue {
        now,
        blocked,
        mails: Vec::new(),
    };
    match change.event {
        // Spam is never mailed: not to moderators, and never a confirmation to an address a
        // spammer typed in.
        Event::Submitted(c) if c.status == CommentStatus::Spam => {}
        Event::Submitted(c) => {
            q.alerts(site, c, "");
            if c.notify_replies
                && let Some(sub) = subscriptions::opt_in(tx, &c.email_norm, now).await?
            {
                let payload = json!({ "subscriber": sub, "site": site.id });
                let key = format!("confirm:{sub}:{}", now.timestamp());
                q.put(Kind::Confirm, key, &c.author_email, payload);
            }
            if c.status == CommentStatus::Approved {
                q.reply(tx, c).await?;
            }
        }
        // Held again: the moderators hear of it as of any held comment, under a key of its
        // own (the comment's first alert already took the plain one).
        Event::Reported(c) => q.alerts(site, c, &format!(":reported:{}", now.timestamp())),
        Event::Deleted(_) => {}
        Event::StatusChanged {
            from,
            comment: c,
            republished,
        } => {
            if c.status == CommentStatus::Approved
                && from != CommentStatus::Approved
                && !republished
            {
                q.reply(tx, c).await?;
                if from == CommentStatus::Pending && site.approval_notice {
                    q.approved(tx, c).await?;
                }
            }
        }
    }
    Ok(q.mails)
}

struct Queue<'b> {
    now: DateTime<Utc>,
    blocked: Blocked<'b>,
    mails: Vec<NewMail>,
}

impl Queue<'_> {
    fn put(&mut self, kind: Kind, dedupe_key: String, recipient: &str, payload: serde_json::Value) {
        self.put_at(kind, dedupe_key, recipient, payload, self.now);
    }

    fn put_at(
        &mut self,
        kind: Kind,
        dedupe_key: String,
        recipient: &str,
        payload: serde_json::Value,
        due_at: DateTime<Utc>,
    ) {
        self.mails.push(NewMail {
            kind,
            dedupe_key,
            recipient: recipient.to_owned(),
            payload,
            due_at,
        });
    }

    /// Moderator alerts, one row per `notify` address, or that address's digest row.
    fn alerts(&mut self, site: &SiteConfig, c: &comment::Model, key_suffix: &str) {
        let held = c.status != CommentStatus::Approved;
        let period = match site.alerts {
            AlertMode::Off => return,
            AlertMode::Held if !held => return,
            AlertMode::Every | AlertMode::Held => None,
            AlertMode::DigestHourly | AlertMode::DigestDaily if !held => return,
            AlertMode::DigestHourly => Some(TimeDelta::hours(1)),
            AlertMode::DigestDaily => Some(TimeDelta::days(1)),
        };
        for to in &site.notify {
            let norm = to.trim().to_lowercase();
            match period {
                None => {
                    let key = format!("alert:{}:{norm}{key_suffix}", c.id);
                    let payload = json!({ "comment": c.id });
                    self.put(Kind::Alert, key, to, payload);
                }
                Some(len) => {
                    let start = self.now.duration_trunc(len).unwrap_or(self.now);
                    let end = start + len;
                    let key = format!("digest:{}:{norm}:{}", site.id, start.timestamp());
                    let payload = json!({
                        "site": site.id, "from": start.timestamp(), "to": end.timestamp()
                    });
                    self.put_at(Kind::Digest, key, to, payload, end);
                }
            }
        }
    }

    /// A reply notification for the parent's author, when every condition holds.
    async fn reply<C: ConnectionTrait>(&mut self, tx: &C, c: &comment::Model) -> Result<(), DbErr> {
        let Some(parent_id) = c.parent_id else {
            return Ok(());
        };
        let Some(parent) = comment::Entity::find_by_id(parent_id).one(tx).await? else {
            return Ok(());
        };
        if !reply_wanted(&parent, c) || (self.blocked)(&parent.email_norm) {
            return Ok(());
        }
        if subscriptions::mailable(tx, &parent.email_norm)
            .await?
            .is_none()
        {
            return Ok(());
        }
        let payload = json!({ "comment": c.id });
        let key = format!("reply:{}", c.id);
        self.put(Kind::Reply, key, &parent.author_email, payload);
        Ok(())
    }

    /// The approval notice for the comment's own author.
    async fn approved<C: ConnectionTrait>(
        &mut self,
        tx: &C,
        c: &comment::Model,
    ) -> Result<(), DbErr> {
        if !c.notify_replies || c.by_moderator || (self.blocked)(&c.email_norm) {
            return Ok(());
        }
        if subscriptions::mailable(tx, &c.email_norm).await?.is_none() {
            return Ok(());
        }
        let payload = json!({ "comment": c.id });
        let key = format!("approved:{}", c.id);
        self.put(Kind::Approved, key, &c.author_email, payload);
        Ok(())
    }
}

/// Whether `parent`'s author should hear about `reply`: they asked, their comment still
/// stands, they are not blocked, and they are not replying to themself.
pub fn reply_wanted(parent: &comment::Model, reply: &comment::Model) -> bool {
    parent.notify_replies
        && !parent.deleted
        && parent.status == CommentStatus::Approved
        && reply.status == CommentStatus::Approved
        && !parent.email_norm.is_empty()
        && parent.email_norm != reply.email_norm
}

/// Enqueues the mail that carries privacy request `request`'s confirmation link to
/// `recipient`, on the caller's transaction. At most one per request.
pub async fn enqueue_privacy<C: ConnectionTrait>(
    tx: &C,
    config: &Config,
    request: &entity::privacy_request::Model,
    recipient: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mail = NewMail {
        kind: Kind::Privacy,
        dedupe_key: format!("privacy:{}", request.id),
        recipient: recipient.to_owned(),
        payload: json!({ "request": request.id }),
        due_at: now,
    };
    insert_all(tx, vec![mail], message_domain(config), now).await
}
