//! What the dashboard templates see. Entities are converted here, field by field.
use askama::Template;
use chrono::{DateTime, SecondsFormat, Utc};

use super::render::Chrome;
use crate::config::Config;
use crate::moderation::verdict::Reason;
use entity::{comment, page};

pub fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The comment a queued comment replies to.
pub struct ParentView {
    pub id: i64,
    pub author_name: String,
    pub html: String,
    pub deleted: bool,
}

/// One comment as a moderator sees it.
pub struct Card {
    pub id: i64,
    pub status: &'static str,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub ip_prefix: Option<String>,
    pub page_url: String,
    pub page_label: String,
    pub site: String,
    pub created: String,
    pub created_iso: String,
    pub text: String,
    pub html: String,
    pub reasons: Vec<String>,
    pub parent: Option<ParentView>,
    pub by_moderator: bool,
    pub deleted: bool,
    /// Pinned to the top of its thread.
    pub pinned: bool,
    /// Its page takes no new comments now: closed by hand (or by an import's source) here,
    /// and by age too once [`super::queue::cards`] has read the page's real state.
    pub page_closed: bool,
    /// Spam reports readers filed on any of the author's comments (evidence, never a filter).
    pub author_spam_reports: u64,
    /// Held for reader reports, or listed on the Reported tab: reports can be dismissed.
    pub reported: bool,
    /// What readers reported, on the Reported tab.
    pub reports: Option<String>,
    /// The readers' notes, on the Reported tab.
    pub report_notes: Vec<String>,
}

impl Card {
    pub fn new(
        cfg: &Config,
        c: &comment::Model,
        p: &page::Model,
        parent: Option<&comment::Model>,
    ) -> Card {
        let origin = cfg
            .site(&p.site_id)
            .map(|s| s.home_origin())
            .unwrap_or_default();
        let reasons: Vec<Reason> = serde_json::from_str(&c.reasons).unwrap_or_default();
        let reported = c.status == entity::enums::CommentStatus::Pending
            && reasons.iter().any(|r| r.rule == "reported");
        Card {
            pinned: c.pinned_at.is_some(),
            page_closed: p.comments_closed,
            author_spam_reports: 0,
            reported,
            reports: None,
            report_notes: Vec::new(),
            id: c.id,
            status: c.status.as_str(),
            author_name: c.author_name.clone(),
            author_email: c.author_email.clone(),
            author_url: c.author_url.clone(),
            ip_prefix: c.ip_prefix.clone(),
            page_url: format!("{origin}{}", p.uri),
            page_label: p.title.clone().unwrap_or_else(|| p.uri.clone()),
            site: p.site_id.clone(),
            created: when(c.created_at),
            created_iso: iso(c.created_at),
            text: c.text.clone(),
            html: c.html.clone(),
            reasons: reasons
                .into_iter()
                .map(|r| {
                    if r.detail.is_empty() {
                        r.rule
                    } else {
                        format!("{}: {}", r.rule, r.detail)
                    }
                })
                .collect(),
            parent: parent.map(|p| ParentView {
                id: p.id,
                author_name: p.author_name.clone(),
                html: p.html.clone(),
                deleted: p.deleted,
            }),
            by_moderator: c.by_moderator,
            deleted: c.deleted,
        }
    }
}

/// A link in the status tabs or the pager.
pub struct Link {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub email: String,
    pub name: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/queue.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub heading: String,
    pub notice: String,
    pub tabs: Vec<Link>,
    pub status: String,
    pub sites: Vec<(String, String)>,
    pub site: String,
    pub uri: String,
    pub q: String,
    pub oldest: bool,
    pub by_score: bool,
    pub cards: Vec<Card>,
    pub summary: String,
    pub pager: Vec<Link>,
    /// Where actions return to: this page, filters included.
    pub back: String,
}

/// The Reported tab: comments readers reported, most reported first.
#[derive(Template)]
#[template(path = "admin/reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub notice: String,
    pub cards: Vec<Card>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "admin/comment.html")]
pub struct CommentPage {
    pub chrome: Chrome,
    pub notice: String,
    pub card: Card,
    pub back: String,
}

pub struct AuditRow {
    pub when: String,
    pub when_iso: String,
    pub actor: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub change: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub rows: Vec<AuditRow>,
    pub summary: String,
    pub pager: Vec<Link>,
}

pub struct ModeratorRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub active: bool,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "admin/moderators.html")]
pub struct ModeratorsPage {
    pub chrome: Chrome,
    pub notice: String,
    pub error: Option<String>,
    pub rows: Vec<ModeratorRow>,
    pub email: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin/act.html")]
pub struct ActPage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
    /// The button's label when the link can still be used.
    pub confirm: Option<String>,
    pub card: Option<Card>,
}
