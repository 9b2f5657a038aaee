//! Taking in a new comment: pre-checks, screening and the moderation decision, before the
//! group commit (`write`) stores it with its audit row and its mail. What arrives is already
//! parsed into the domain's newtypes (`NewComment`), its site already found.
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, NotSet};
use serde_json::json;

use super::closing::Openness;
use super::input::{AuthorEmail, AuthorName, AuthorUrl, CommentText, PageTitle, PageUri};
use super::policy::{self, Decision, Facts};
use super::screening::{self, Context};
use super::verdict::{Finding, Verdict};
use super::{Moderation, ModerationError, markdown, store};
use crate::config::SiteConfig;
use crate::spam;
use entity::{comment, enums::CommentStatus};

/// Where a submission came from, and what the client sent besides the comment. The raw
/// address is used for hashing and screening, then dropped.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The signed token the form was served with (`screening::form_token`).
    pub form_token: Option<String>,
    /// The hidden honeypot field; people leave it empty.
    pub honeypot: Option<String>,
    /// Which form the comment came through.
    pub form: FormKind,
    /// The returning-commenter token the author's browser got with an earlier comment
    /// (`returning`): first-time moderation trusts a known email only with it.
    pub returning_token: Option<String>,
}

/// Only replyd's own forms carry the time-trap token. A site's own form (WordPress's) or
/// another system's client (Isso's) never can, so there a missing token says nothing; every
/// other defence applies as usual.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FormKind {
    #[default]
    Own,
    Foreign,
}

/// A comment that passed input validation, on a configured site.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub site: SiteConfig,
    pub uri: PageUri,
    pub title: Option<PageTitle>,
    pub parent_id: Option<i64>,
    pub author_name: AuthorName,
    pub author_email: AuthorEmail,
    pub author_url: Option<AuthorUrl>,
    pub text: CommentText,
    pub notify_replies: bool,
    /// When the page was published, as the embed says (`data-published`).
    pub published: Option<DateTime<Utc>>,
    pub client: ClientInfo,
}

/// What the submitter learns. Spam reads as pending: spammers are not told. Kept as JSON
/// with an idempotency key, to answer a retry the same way.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Submitted {
    pub id: i64,
    pub status: CommentStatus,
    pub site: String,
    pub uri: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub html: String,
    /// Proves authorship for edits and deletion until `edit_expires_at` (`own`).
    pub edit_token: String,
    pub edit_expires_at: DateTime<Utc>,
    /// Proves, once this comment is approved, that the browser holding it is the author's
    /// when it posts again as the same email on this site (`returning`).
    pub returning_token: String,
}

/// A submission that passed screening, ready to be written by a group commit.
#[derive(Debug)]
pub(super) struct Prepared {
    pub site: String,
    pub uri: String,
    pub title: Option<String>,
    /// The page, when it exists and needs no title; otherwise it is found or created in the
    /// write transaction.
    pub page_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// The row to insert, all but its page.
    pub row: comment::ActiveModel,
    /// The duplicate fingerprint, also in `row`: it finds the row again after the insert.
    pub dup_key: String,
    pub reasons: serde_json::Value,
    /// The spam filter's score, when it scored the comment.
    pub spam_score: Option<f32>,
    pub now: DateTime<Utc>,
    /// The embed's publication date, for a page that has none recorded yet.
    pub published: Option<DateTime<Utc>>,
    /// The idempotency key to store with the comment, if the client sent one.
    pub once: Option<KeyRow>,
}

/// The `Idempotency-Key` row a submission writes with its comment (`idempotency`).
#[derive(Debug, Clone)]
pub(super) struct KeyRow {
    pub site: String,
    pub key_hash: String,
    pub fingerprint: String,
    pub expires_at: DateTime<Utc>,
}

impl Moderation {
    pub async fn submit(&self, new: NewComment) -> Result<Submitted, ModerationError> {
        let prepared = self.prepare(new).await?;
        self.write_submission(prepared).await
    }

    /// Everything a submission needs short of the write lock: rendering, the pre-checks (one
    /// round trip on the reader pool), screening against the lists in memory, and the
    /// moderation decision.
    /// The page, the author's standing (with the returning-commenter proof, if any) and
    /// the duplicate, read in one statement.
    async fn prechecks(
        &self,
        new: &NewComment,
        client: &Client,
        dup_key: &str,
        now: DateTime<Utc>,
    ) -> Result<store::Prechecks, ModerationError> {
        let site = new.site.id.as_str();
        let proof = super::returning::claimed_comment(
            &self.keys,
            site,
            &client.email_norm,
            new.client.returning_token.as_deref(),
            now,
        );
        Ok(store::prechecks(
            &self.db.reader,
            store::PrecheckKeys {
                site,
                uri: new.uri.as_str(),
                email_norm: &client.email_norm,
                dup_key,
                proof,
            },
            new.site.close_after_days > 0,
        )
        .await?)
    }

    pub(super) async fn prepare(&self, new: NewComment) -> Result<Prepared, ModerationError> {
        let site = new.site.id.clone();
        let now = self.clock.now();
        let client = Client::of(&new, &self.keys);
        let mut dup_key =
            screening::duplicate_key(&client.email_norm, new.parent_id, new.text.as_str());
        let pre = self.prechecks(&new, &client, &dup_key, now).await?;
        let published = refuse_if_closed(&new, &pre, now)?;
        let held_duplicate = duplicate_from_another_client(&pre, &client, &mut dup_key)?;
        let lists = self.lists.get(&self.db.reader, now).await?;
        let cx = Context {
            keys: &self.keys,
            spam: &self.config.spam,
            site: &site,
            ip_hash: client.ip_hash.as_deref(),
            email_norm: &client.email_norm,
            now,
        };
        let mut findings = self.findings(&new, &cx, &lists).await?;
        if held_duplicate {
            findings.push(screening::duplicate_from_another_client());
        }
        let decision = policy::decide(&Facts {
            mode: new.site.moderation,
            author_known: pre.author_known,
            findings,
        });
        let title = new.title.clone().map(PageTitle::into_inner);
        Ok(Prepared {
            site,
            uri: new.uri.as_str().to_owned(),
            page_id: pre.page_id.filter(|_| !(pre.untitled && title.is_some())),
            title,
            parent_id: new.parent_id,
            reasons: json!({ "reasons": decision.reasons }),
            spam_score: super::filter::score_of(&decision.reasons),
            row: row(new, client, &decision, &dup_key, now),
            dup_key,
            now,
            published,
            once: None,
        })
    }
}

/// The embed's publication date for a page that has none recorded yet, or
/// `CommentsClosed` when the page takes no comments (closed by hand or by age).
fn refuse_if_closed(
    new: &NewComment,
    pre: &store::Prechecks,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ModerationError> {
    let published = new
        .published
        .filter(|_| pre.openness.published_at.is_none());
    let openness = Openness {
        published_at: pre.openness.published_at.or(published),
        ..pre.openness
    };
    if openness.closed(new.site.close_after_days, now) {
        return Err(ModerationError::CommentsClosed);
    }
    Ok(published)
}

/// A repeat from the same client is its author's double submit: refused, which tells them
/// nothing new. From another client it is held under a fingerprint of its own (`dup_key` is
/// changed to it), so the answer never confirms whose email wrote the first.
fn duplicate_from_another_client(
    pre: &store::Prechecks,
    client: &Client,
    dup_key: &mut String,
) -> Result<bool, ModerationError> {
    match pre.duplicate_of.as_deref() {
        None => Ok(false),
        Some(original) if original == client.ip_hash.as_deref().unwrap_or_default() => {
            Err(ModerationError::Duplicate)
        }
        Some(_) => {
            *dup_key = screening::held_duplicate_key(dup_key);
            Ok(true)
        }
    }
}

impl Moderation {
    /// Screening's findings and the spam filter's. Once the filter is trained enough to
    /// decide, a comment it lets through is not held for its link count alone: the links
    /// are among its features.
    async fn findings(
        &self,
        new: &NewComment,
        cx: &Context<'_>,
        lists: &screening::Lists,
    ) -> Result<Vec<Finding>, ModerationError> {
        let mut findings = screening::screen(new, cx, lists);
        let message = spam::Message {
            name: new.author_name.as_str(),
            email: cx.email_norm,
            website: new.author_url.as_ref().map(AuthorUrl::as_str),
            text: new.text.as_str(),
        };
        if let Some(f) = self.judge(&new.site.spam_model, &message).await? {
            if f.verdict == Verdict::Note {
                findings.retain(|x| x.reason.rule != "too_many_links");
            }
            findings.push(f);
        }
        Ok(findings)
    }
}

/// What is kept of the client: the address only as its keyed hash and network prefix.
struct Client {
    email_norm: String,
    ip_hash: Option<String>,
    ip_prefix: Option<String>,
    user_agent: Option<String>,
}

impl Client {
    fn of(new: &NewComment, keys: &crate::keys::Keys) -> Client {
        Client {
            email_norm: new.author_email.normalized(),
            ip_hash: new.client.ip.map(|ip| keys.address_hash(ip)),
            ip_prefix: new.client.ip.map(address_prefix),
            user_agent: new
                .client
                .user_agent
                .as_deref()
                .map(|ua| ua.chars().take(512).collect::<String>()),
        }
    }
}

/// The row to insert, all but its page.
fn row(
    new: NewComment,
    client: Client,
    decision: &Decision,
    dup_key: &str,
    now: DateTime<Utc>,
) -> comment::ActiveModel {
    comment::ActiveModel {
        id: NotSet,
        page_id: NotSet,
        parent_id: Set(new.parent_id),
        author_name: Set(new.author_name.into_inner()),
        author_email: Set(new.author_email.into_inner()),
        email_norm: Set(client.email_norm),
        author_url: Set(new.author_url.map(AuthorUrl::into_inner)),
        html: Set(markdown::render(new.text.as_str())),
        text: Set(new.text.into_inner()),
        status: Set(decision.status),
        reasons: Set(serde_json::to_string(&decision.reasons).unwrap_or_else(|_| "[]".into())),
        ip_hash: Set(client.ip_hash),
        ip_prefix: Set(client.ip_prefix),
        user_agent: Set(client.user_agent),
        notify_replies: Set(new.notify_replies),
        by_moderator: Set(false),
        deleted: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        dup_key: Set(Some(dup_key.to_owned())),
        source_id: Set(None),
        pinned_at: Set(None),
        reports_dismissed: Set(false),
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
