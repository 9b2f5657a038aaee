//! Taking in a new comment: one write transaction from page look-up to audit row.
use std::net::IpAddr;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, NotSet};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::{AuthorEmail, AuthorName, AuthorUrl, CommentText, PageTitle, PageUri};
use super::policy::{self, Facts};
use super::screening::{self, Context};
use super::{Moderation, ModerationError, markdown, store};
use crate::abuse;
use crate::notify::outbox::{self, Event};
use entity::{comment, enums::CommentStatus};

/// Where a submission came from, and what the client sent besides the comment. The raw
/// address is used for hashing and screening, then dropped.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The signed token the form was served with (`abuse::form_token`).
    pub form_token: Option<String>,
    /// The hidden honeypot field; people leave it empty.
    pub honeypot: Option<String>,
}

/// A comment that passed input validation.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub site: String,
    pub uri: PageUri,
    pub title: Option<PageTitle>,
    pub parent_id: Option<i64>,
    pub author_name: AuthorName,
    pub author_email: AuthorEmail,
    pub author_url: Option<AuthorUrl>,
    pub text: CommentText,
    pub notify_replies: bool,
    pub client: ClientInfo,
}

/// What the submitter learns. Spam reads as pending: spammers are not told.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub id: i64,
    pub status: CommentStatus,
    pub site: String,
    pub uri: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub html: String,
}

impl Moderation {
    pub async fn submit(&self, new: NewComment) -> Result<Submitted, ModerationError> {
        let site = self
            .config
            .site(&new.site)
            .ok_or(ModerationError::UnknownSite)?;
        let now = self.clock.now();
        let html = markdown::render(new.text.as_str());
        let email_norm = new.author_email.normalized();
        let ip_hash = new.client.ip.map(|ip| self.keys.address_hash(ip));
        let ip_prefix = new.client.ip.map(address_prefix);
        let user_agent = new
            .client
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(512).collect::<String>());
        let dup_key = abuse::duplicate_key(&email_norm, new.parent_id, new.text.as_str());

        // Everything that needs no lock is read first, on the reader pool, in one round trip;
        // the write transaction then holds the single writer for the inserts alone.
        let pre = store::prechecks(
            &self.db.reader,
            &site.id,
            new.uri.as_str(),
            &email_norm,
            &dup_key,
        )
        .await?;
        if pre.duplicate {
            return Err(ModerationError::Duplicate);
        }
        let lists = self.lists.get(&self.db.reader, now).await?;
        let cx = Context {
            keys: &self.keys,
            spam: &self.config.spam,
            site: &site.id,
            ip_hash: ip_hash.as_deref(),
            email_norm: &email_norm,
            now,
        };
        let findings = screening::screen(&new, &cx, &lists);

        let tx = self.db.begin_write().await?;
        let title = new.title.as_ref().map(PageTitle::as_str);
        let page_id = match pre.page_id {
            Some(id) if !(pre.untitled && title.is_some()) => id,
            _ => {
                store::page_for(&tx, &site.id, new.uri.as_str(), title, now)
                    .await?
                    .id
            }
        };
        if let Some(parent_id) = new.parent_id {
            let parent = comment::Entity::find_by_id(parent_id).one(&tx).await?;
            let ok = parent.is_some_and(|p| {
                p.page_id == page_id && p.status == CommentStatus::Approved && !p.deleted
            });
            if !ok {
                return Err(ModerationError::field(
                    "parent_id",
                    "must name an approved comment on the same page",
                ));
            }
        }
        let author_known = pre.author_known;
        let decision = policy::decide(&Facts {
            mode: site.moderation,
            author_known,
            findings,
        });

        let row = comment::ActiveModel {
            id: NotSet,
            page_id: Set(page_id),
            parent_id: Set(new.parent_id),
            author_name: Set(new.author_name.into_inner()),
            author_email: Set(new.author_email.into_inner()),
            email_norm: Set(email_norm),
            author_url: Set(new.author_url.map(AuthorUrl::into_inner)),
            text: Set(new.text.into_inner()),
            html: Set(html),
            status: Set(decision.status),
            reasons: Set(serde_json::to_string(&decision.reasons).unwrap_or_else(|_| "[]".into())),
            ip_hash: Set(ip_hash),
            ip_prefix: Set(ip_prefix),
            user_agent: Set(user_agent),
            notify_replies: Set(new.notify_replies),
            by_moderator: Set(false),
            deleted: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            dup_key: Set(Some(dup_key)),
        }
        .insert(&tx)
        .await
        .map_err(screening::duplicate_or_db)?;
        audit::record(
            &tx,
            Entry {
                actor: &Actor::System,
                action: "submitted",
                comment_id: Some(row.id),
                from: None,
                to: Some(decision.status),
                detail: json!({ "reasons": decision.reasons }),
                at: now,
            },
        )
        .await?;
        outbox::enqueue_on(&tx, &self.config, &site.id, Event::Submitted(&row), now).await?;
        let published: &[i64] = if decision.status == CommentStatus::Approved {
            &[page_id]
        } else {
            &[]
        };
        self.commit(tx, published).await?;

        let status = match decision.status {
            CommentStatus::Approved => CommentStatus::Approved,
            _ => CommentStatus::Pending,
        };
        Ok(Submitted {
            id: row.id,
            status,
            site: site.id.clone(),
            uri: new.uri.as_str().to_owned(),
            created_at: now,
            author_name: row.author_name,
            author_url: row.author_url,
            html: row.html,
        })
    }
}

/// The network part of an address: /24 for IPv4, /48 for IPv6. Shown to moderators as a hint.
pub fn address_prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}
