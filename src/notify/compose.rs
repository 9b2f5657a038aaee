//! Building the mail for one outbox row at send time: re-reads the comment (it may have been
//! deleted or its author may have unsubscribed since), renders, and adds the headers.
use chrono::{DateTime, Utc};
use lettre::Message;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::events::reply_wanted;
use super::links::{self, Scope};
use super::outbox::Kind;
use super::render::{
    self, AlertView, ApprovedView, ConfirmView, DigestView, Envelope, Item, PrivacyView, Rendered,
    ReplyView, Unsubscribe,
};
use super::subscriptions;
use crate::config::{Config, SiteConfig};
use crate::keys::Keys;
use entity::enums::{CommentStatus, ModerationAction as Action, PrivacyKind};
use entity::{comment, mail_subscriber, outbox, page, privacy_request};

/// What a moderator reads of one stored reason (`comments.reasons` holds a JSON list).
#[derive(Debug, serde::Deserialize)]
struct StoredReason {
    rule: String,
    detail: String,
}

/// What to do with a row.
#[derive(Debug)]
pub enum Composed {
    Send(Box<Message>),
    /// Nothing to send any more, and why.
    Skip(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("the outbox row is malformed: {0}")]
    Payload(&'static str),
    #[error("rendering: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Build(#[from] render::BuildError),
}

pub struct Composer<'a> {
    pub db: &'a DatabaseConnection,
    pub config: &'a Config,
    pub keys: &'a Keys,
    pub now: DateTime<Utc>,
}

type Parts = (Rendered, Option<String>);

impl Composer<'_> {
    pub async fn compose(&self, row: &outbox::Model) -> Result<Composed, ComposeError> {
        let payload: Value =
            serde_json::from_str(&row.payload).map_err(|_| ComposeError::Payload("json"))?;
        let parts = match row.kind {
            Kind::Alert => self.alert(&payload).await?,
            Kind::Digest => self.digest(&payload).await?,
            Kind::Reply => self.reply(&payload).await?,
            Kind::Approved => self.approved(&payload).await?,
            Kind::Confirm => self.confirm(&payload).await?,
            Kind::Privacy => self.privacy(&payload).await?,
            // Delivered by `webhooks`, never composed as mail.
            Kind::Webhook => Err("a webhook is not a mail"),
        };
        let Ok((rendered, unsubscribe)) = parts else {
            return Ok(Composed::Skip(parts.err().unwrap_or("not applicable")));
        };
        let env = Envelope {
            from: &self.config.mail.from,
            to: &row.recipient,
            message_id: &row.message_id,
            list_unsubscribe: unsubscribe.as_deref(),
        };
        Ok(Composed::Send(Box::new(render::build(&env, &rendered)?)))
    }

    fn public(&self) -> &str {
        self.config.server.public_url.as_str().trim_end_matches('/')
    }

    async fn comment_and_page(
        &self,
        payload: &Value,
    ) -> Result<Option<(comment::Model, page::Model, &SiteConfig)>, DbErr> {
        let Some(id) = payload["comment"].as_i64() else {
            return Ok(None);
        };
        let Some((c, Some(p))) = comment::Entity::find_by_id(id)
            .find_also_related(page::Entity)
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        if c.deleted {
            return Ok(None);
        }
        Ok(self.config.site(&p.site_id).map(|s| (c, p, s)))
    }

    fn item(&self, c: &comment::Model, p: &page::Model, site: &SiteConfig) -> Item {
        let link = |a| links::one_click_link(self.public(), self.keys, c.id, a, self.now);
        let reasons: Vec<StoredReason> = serde_json::from_str(&c.reasons).unwrap_or_default();
        Item {
            page_title: title(p),
            page_url: format!("{}{}", site.home_origin(), p.uri),
            author_name: c.author_name.clone(),
            author_email: c.author_email.clone(),
            author_url: c.author_url.clone(),
            text: c.text.clone(),
            status: c.status.as_str().to_owned(),
            reasons: reasons
                .into_iter()
                .map(|r| format!("{} ({})", r.detail, r.rule))
                .collect(),
            approve: link(Action::Approve),
            reject: link(Action::Reject),
            spam: link(Action::Spam),
        }
    }

    fn unsubscribe(&self, sub: i64, page: Option<i64>) -> Unsubscribe {
        let url = |scope| links::unsubscribe_link(self.public(), self.keys, sub, scope, self.now);
        Unsubscribe {
            thread: page.map(|p| url(Scope::Page(p))),
            all: url(Scope::All),
        }
    }

    async fn alert(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let Some((c, p, site)) = self.comment_and_page(payload).await? else {
            return Ok(Err("comment gone"));
        };
        let view = AlertView {
            site_name: site.name.clone(),
            item: self.item(&c, &p, site),
        };
        Ok(Ok((view.render()?, None)))
    }

    async fn digest(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let site = payload["site"].as_str().and_then(|s| self.config.site(s));
        let from = payload["from"]
            .as_i64()
            .and_then(DateTime::from_timestamp_secs);
        let to = payload["to"]
            .as_i64()
            .and_then(DateTime::from_timestamp_secs);
        let (Some(site), Some(from), Some(to)) = (site, from, to) else {
            return Err(ComposeError::Payload("digest"));
        };
        let rows = comment::Entity::find()
            .find_also_related(page::Entity)
            .filter(page::Column::SiteId.eq(site.id.as_str()))
            .filter(comment::Column::CreatedAt.gte(from))
            .filter(comment::Column::CreatedAt.lt(to))
            // Only what still waits: spam and rejected comments carry no Approve link.
            .filter(comment::Column::Status.eq(CommentStatus::Pending))
            .filter(comment::Column::Deleted.eq(false))
            .order_by_asc(comment::Column::CreatedAt)
            .all(self.db)
            .await?;
        let items: Vec<Item> = rows
            .iter()
            .filter_map(|(c, p)| p.as_ref().map(|p| self.item(c, p, site)))
            .collect();
        if items.is_empty() {
            return Ok(Err("nothing pending from the period"));
        }
        let view = DigestView {
            site_name: site.name.clone(),
            period: format!(
                "{} to {} UTC",
                from.format("%Y-%m-%d %H:%M"),
                to.format("%Y-%m-%d %H:%M")
            ),
            items,
        };
        Ok(Ok((view.render()?, None)))
    }

    async fn reply(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let Some((c, p, site)) = self.comment_and_page(payload).await? else {
            return Ok(Err("comment gone"));
        };
        let parent = match c.parent_id {
            Some(id) => comment::Entity::find_by_id(id).one(self.db).await?,
            None => None,
        };
        let Some(parent) = parent.filter(|parent| reply_wanted(parent, &c)) else {
            return Ok(Err("reply no longer wanted"));
        };
        let Some(sub) = subscriptions::mailable(self.db, &parent.email_norm).await? else {
            return Ok(Err("recipient unsubscribed"));
        };
        let unsubscribe = self.unsubscribe(sub.id, Some(p.id));
        let one_click = unsubscribe.all.clone();
        let view = ReplyView {
            site_name: site.name.clone(),
            page_title: title(&p),
            page_url: format!("{}{}#comment-{}", site.home_origin(), p.uri, c.id),
            replier_name: c.author_name.clone(),
            text: c.text.clone(),
            unsubscribe,
        };
        Ok(Ok((view.render()?, Some(one_click))))
    }

    async fn approved(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let Some((c, p, site)) = self.comment_and_page(payload).await? else {
            return Ok(Err("comment gone"));
        };
        if c.status != CommentStatus::Approved || !c.notify_replies {
            return Ok(Err("no longer applies"));
        }
        let Some(sub) = subscriptions::mailable(self.db, &c.email_norm).await? else {
            return Ok(Err("recipient unsubscribed"));
        };
        let unsubscribe = self.unsubscribe(sub.id, Some(p.id));
        let one_click = unsubscribe.all.clone();
        let view = ApprovedView {
            site_name: site.name.clone(),
            page_title: title(&p),
            page_url: format!("{}{}#comment-{}", site.home_origin(), p.uri, c.id),
            text: c.text.clone(),
            unsubscribe,
        };
        Ok(Ok((view.render()?, Some(one_click))))
    }

    async fn confirm(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let site = payload["site"].as_str().and_then(|s| self.config.site(s));
        let (Some(site), Some(id)) = (site, payload["subscriber"].as_i64()) else {
            return Err(ComposeError::Payload("confirm"));
        };
        let Some(sub) = mail_subscriber::Entity::find_by_id(id).one(self.db).await? else {
            return Ok(Err("address gone"));
        };
        if sub.confirmed_at.is_some() || sub.unsubscribed_all {
            return Ok(Err("already confirmed or unsubscribed"));
        }
        let unsubscribe = self.unsubscribe(sub.id, None);
        let one_click = unsubscribe.all.clone();
        let view = ConfirmView {
            site_name: site.name.clone(),
            confirm_url: links::confirm_link(self.public(), self.keys, sub.id, self.now),
            unsubscribe,
        };
        Ok(Ok((view.render()?, Some(one_click))))
    }
}

impl Composer<'_> {
    async fn privacy(&self, payload: &Value) -> Result<Result<Parts, &'static str>, ComposeError> {
        let Some(id) = payload["request"].as_i64() else {
            return Err(ComposeError::Payload("privacy"));
        };
        let Some(req) = privacy_request::Entity::find_by_id(id).one(self.db).await? else {
            return Ok(Err("request gone"));
        };
        if req.completed_at.is_some() || req.expires_at <= self.now {
            return Ok(Err("request done or expired"));
        }
        let Some(site) = self.config.site(&req.site_id) else {
            return Ok(Err("site gone"));
        };
        let view = PrivacyView {
            site_name: site.name.clone(),
            erase: req.kind == PrivacyKind::Delete,
            link: links::privacy_link(self.public(), self.keys, req.id, req.kind, req.expires_at),
            expires: req.expires_at.format("%Y-%m-%d %H:%M").to_string(),
        };
        Ok(Ok((view.render()?, None)))
    }
}

fn title(p: &page::Model) -> String {
    p.title.clone().unwrap_or_else(|| p.uri.clone())
}
