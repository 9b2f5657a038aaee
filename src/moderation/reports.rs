//! Reader reports of published comments. One report per client and comment counts (known
//! by keyed hashes of the address and of the browser's token; a reporter is never shown to
//! anyone). When `report_threshold` distinct readers reported a published comment, it goes
//! back to the queue with the reason `reported`, and moderators are alerted as usual.
//! Dismissing the reports puts it back and keeps it up: later reports are still recorded,
//! but never hold it again. Acting on the comment as usual (approve, reject, spam) resolves
//! its reports: kept, but no longer counted or listed. Spam reports are kept as evidence about the author; they train
//! nothing.
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait,
    NotSet, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::FieldError;
use super::transitions::{Action, live_comment};
use super::verdict::Reason;
use super::{Moderation, ModerationError};
use crate::notify::Event;
use entity::{comment, comment_report, enums::CommentStatus, page};

/// Why a reader reports a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportReason {
    Spam,
    Abusive,
    OffTopic,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [
        ReportReason::Spam,
        ReportReason::Abusive,
        ReportReason::OffTopic,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Abusive => "abusive",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<ReportReason, FieldError> {
        ReportReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| "must be spam, abusive, off_topic or other".into())
    }
}

/// The longest note a reader may add, in characters.
pub const NOTE_MAX: usize = 500;

/// A reader's report, its fields already checked.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub comment_id: i64,
    pub reason: ReportReason,
    pub note: Option<String>,
    pub ip: Option<IpAddr>,
    /// The random token the reader's browser keeps.
    pub browser_token: Option<String>,
}

impl NewReport {
    /// Checks the note: at most [`NOTE_MAX`] characters after trimming, never truncated.
    pub fn note(s: Option<&str>) -> Result<Option<String>, FieldError> {
        let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let n = t.chars().count();
        if n > NOTE_MAX {
            return Err(format!("must be at most {NOTE_MAX} characters (got {n})"));
        }
        Ok(Some(t.to_owned()))
    }
}

/// A comment with reports, as moderators see it.
#[derive(Debug, Clone)]
pub struct Reported {
    pub comment: comment::Model,
    pub page: page::Model,
    /// Counted reports by reason.
    pub counts: BTreeMap<&'static str, u64>,
    pub total: u64,
    /// The readers' notes, oldest first.
    pub notes: Vec<String>,
    /// Spam reports on any of the author's comments: evidence in their history.
    pub author_spam_reports: u64,
}

impl Moderation {
    /// Records a report. A second report by the same client, or one on a comment that is
    /// not published, changes nothing; the reader is told the same either way.
    pub async fn report(&self, r: NewReport) -> Result<(), ModerationError> {
        let address_key =
            r.ip.map(|ip| self.keys.address_hash(ip))
                .unwrap_or_default();
        let browser_key = r
            .browser_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| self.keys.sign("report-browser", t))
            .unwrap_or_default();
        let tx = self.db.begin_write().await?;
        let c = live_comment(&tx, r.comment_id).await?;
        if c.status != CommentStatus::Approved {
            return Err(ModerationError::NotFound);
        }
        if already_reported(&tx, c.id, &address_key, &browser_key).await? {
            return Ok(());
        }
        let now = self.clock.now();
        comment_report::Entity::insert(comment_report::ActiveModel {
            id: NotSet,
            comment_id: Set(c.id),
            address_key: Set(address_key),
            browser_key: Set(browser_key),
            reason: Set(r.reason.as_str().to_owned()),
            note: Set(r.note),
            counted: Set(!c.reports_dismissed),
            created_at: Set(now),
        })
        .exec(&tx)
        .await?;
        let page_id = c.page_id;
        let held = self.hold_if_due(&tx, c).await?;
        let pages: &[i64] = if held { &[page_id] } else { &[] };
        self.commit(tx, pages).await?;
        Ok(())
    }

    /// Sends the comment back to the queue once enough distinct readers reported it.
    async fn hold_if_due(
        &self,
        tx: &DatabaseTransaction,
        c: comment::Model,
    ) -> Result<bool, ModerationError> {
        let Some(site) = page::Entity::find_by_id(c.page_id)
            .one(tx)
            .await?
            .and_then(|p| self.config.site(&p.site_id).cloned())
        else {
            return Ok(false);
        };
        let counts = counted(tx, c.id).await?;
        let total: u64 = counts.values().sum();
        if c.reports_dismissed || total < u64::from(site.report_threshold) {
            return Ok(false);
        }
        let now = self.clock.now();
        let id = c.id;
        let mut reasons: Vec<Reason> = serde_json::from_str(&c.reasons).unwrap_or_default();
        reasons.retain(|r| r.rule != "reported");
        reasons.push(Reason {
            rule: "reported".into(),
            detail: describe(&counts, total),
            score: 0.0,
        });
        let mut am: comment::ActiveModel = c.into();
        am.status = Set(CommentStatus::Pending);
        am.reasons = Set(serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()));
        am.updated_at = Set(now);
        let held = am.update(tx).await?;
        let entry = Entry {
            actor: &Actor::System,
            action: "reported",
            comment_id: Some(id),
            from: Some(CommentStatus::Approved),
            to: Some(CommentStatus::Pending),
            detail: json!({ "reports": counts, "total": total }),
            at: now,
        };
        audit::record(tx, entry).await?;
        self.enqueue_mail(tx, Event::Reported(&held), now).await?;
        Ok(true)
    }

    /// Dismisses a comment's reports: held for them, it is published again; from now on
    /// reports are recorded but never hold it.
    pub async fn dismiss_reports(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<comment::Model, ModerationError> {
        let tx = self.db.begin_write().await?;
        let c = live_comment(&tx, id).await?;
        let now = self.clock.now();
        let from = c.status;
        let mut reasons: Vec<Reason> = serde_json::from_str(&c.reasons).unwrap_or_default();
        let was_held = reasons.iter().any(|r| r.rule == "reported");
        reasons.retain(|r| r.rule != "reported");
        let to = if was_held && from == CommentStatus::Pending {
            CommentStatus::Approved
        } else {
            from
        };
        let page_id = c.page_id;
        let mut am: comment::ActiveModel = c.into();
        am.reports_dismissed = Set(true);
        am.status = Set(to);
        am.reasons = Set(serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()));
        am.updated_at = Set(now);
        let updated = am.update(&tx).await?;
        let entry = Entry {
            actor,
            action: "dismiss_reports",
            comment_id: Some(id),
            from: Some(from),
            to: Some(to),
            detail: json!({}),
            at: now,
        };
        audit::record(&tx, entry).await?;
        self.commit(tx, &[page_id]).await?;
        Ok(updated)
    }

    /// Comments with reports that moderators have not dismissed, published or held (not
    /// rejected, spam or deleted), most reported first.
    pub async fn reported(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Reported>, u64), ModerationError> {
        let db = &self.db.reader;
        let base = comment_report::Entity::find()
            .select_only()
            .column(comment_report::Column::CommentId)
            .filter(comment_report::Column::Counted.eq(true))
            .filter(
                comment_report::Column::CommentId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(comment::Column::Id)
                        .from(comment::Entity)
                        .cond_where(listed())
                        .to_owned(),
                ),
            )
            .group_by(comment_report::Column::CommentId);
        let total = base.clone().count(db).await?;
        let ids: Vec<(i64, i64)> = base
            .column_as(comment_report::Column::Id.count(), "n")
            .order_by(
                Expr::col(comment_report::Column::Id).count(),
                sea_orm::Order::Desc,
            )
            .order_by_desc(comment_report::Column::CommentId)
            .offset(offset)
            .limit(limit)
            .into_tuple()
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id, _) in ids {
            out.push(self.reported_one(id).await?);
        }
        Ok((out, total))
    }

    /// Spam reports readers filed on any comment of each author, by normalised email
    /// (authors with none are left out). Evidence for moderators; it trains nothing.
    pub async fn spam_reports_by_author(
        &self,
        emails: &[String],
    ) -> Result<HashMap<String, u64>, ModerationError> {
        let db = &self.db.reader;
        let emails: Vec<&String> = emails.iter().filter(|e| !e.is_empty()).collect();
        if emails.is_empty() {
            return Ok(HashMap::new());
        }
        let theirs = sea_orm::sea_query::Query::select()
            .column(comment::Column::Id)
            .from(comment::Entity)
            .and_where(Expr::col(comment::Column::EmailNorm).is_in(emails.iter().copied()))
            .to_owned();
        let per_comment: Vec<(i64, i64)> = comment_report::Entity::find()
            .select_only()
            .column(comment_report::Column::CommentId)
            .column_as(comment_report::Column::Id.count(), "n")
            .filter(comment_report::Column::Reason.eq(ReportReason::Spam.as_str()))
            .filter(comment_report::Column::CommentId.in_subquery(theirs))
            .group_by(comment_report::Column::CommentId)
            .into_tuple()
            .all(db)
            .await?;
        let authors: HashMap<i64, String> = comment::Entity::find()
            .select_only()
            .column(comment::Column::Id)
            .column(comment::Column::EmailNorm)
            .filter(comment::Column::Id.is_in(per_comment.iter().map(|(id, _)| *id)))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut out = HashMap::new();
        for (id, n) in per_comment {
            if let Some(email) = authors.get(&id) {
                *out.entry(email.clone()).or_default() += u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(out)
    }

    async fn reported_one(&self, id: i64) -> Result<Reported, ModerationError> {
        let db = &self.db.reader;
        let (comment, page) = self.comment(id).await?;
        let counts = counted(db, id).await?;
        let notes: Vec<Option<String>> = comment_report::Entity::find()
            .select_only()
            .column(comment_report::Column::Note)
            .filter(comment_report::Column::CommentId.eq(id))
            .filter(comment_report::Column::Note.is_not_null())
            .order_by_asc(comment_report::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let email = &comment.email_norm;
        let by_author = self
            .spam_reports_by_author(std::slice::from_ref(email))
            .await?;
        let author_spam_reports = by_author.get(email).copied().unwrap_or(0);
        Ok(Reported {
            total: counts.values().sum(),
            counts,
            notes: notes.into_iter().flatten().collect(),
            author_spam_reports,
            comment,
            page,
        })
    }
}

/// Whether reader reports sent this comment back to the queue (so it was published before).
pub(super) fn held_by_reports(c: &comment::Model) -> bool {
    let reasons: Vec<Reason> = serde_json::from_str(&c.reasons).unwrap_or_default();
    reasons.iter().any(|r| r.rule == "reported")
}

/// Resolves a comment's reports when a moderator acts on it: they stay recorded but no
/// longer count, so it leaves the reported list (new reports count afresh). One audit row
/// says how many, and by which action.
pub(super) async fn resolve(
    tx: &DatabaseTransaction,
    actor: &Actor,
    c: &comment::Model,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(), ModerationError> {
    let done = comment_report::Entity::update_many()
        .col_expr(comment_report::Column::Counted, Expr::value(false))
        .filter(comment_report::Column::CommentId.eq(c.id))
        .filter(comment_report::Column::Counted.eq(true))
        .exec(tx)
        .await?;
    if done.rows_affected == 0 {
        return Ok(());
    }
    let entry = Entry {
        actor,
        action: "resolve_reports",
        comment_id: Some(c.id),
        from: Some(c.status),
        to: Some(action.target()),
        detail: json!({ "reports": done.rows_affected, "by": action.name() }),
        at: now,
    };
    audit::record(tx, entry).await?;
    Ok(())
}

/// The comments the reported list shows.
fn listed() -> Condition {
    Condition::all()
        .add(comment::Column::ReportsDismissed.eq(false))
        .add(comment::Column::Deleted.eq(false))
        .add(comment::Column::Status.is_in([CommentStatus::Approved, CommentStatus::Pending]))
}

/// Whether this client (by address or by browser) already reported the comment.
async fn already_reported(
    tx: &DatabaseTransaction,
    comment_id: i64,
    address_key: &str,
    browser_key: &str,
) -> Result<bool, sea_orm::DbErr> {
    let mut who = Condition::any();
    if !address_key.is_empty() {
        who = who.add(comment_report::Column::AddressKey.eq(address_key));
    }
    if !browser_key.is_empty() {
        who = who.add(comment_report::Column::BrowserKey.eq(browser_key));
    }
    if who.is_empty() {
        return Ok(false);
    }
    let n = comment_report::Entity::find()
        .filter(comment_report::Column::CommentId.eq(comment_id))
        .filter(who)
        .count(tx)
        .await?;
    Ok(n > 0)
}

/// Counted reports of one comment, by reason.
async fn counted<C: sea_orm::ConnectionTrait>(
    db: &C,
    comment_id: i64,
) -> Result<BTreeMap<&'static str, u64>, sea_orm::DbErr> {
    let rows: Vec<(String, i64)> = comment_report::Entity::find()
        .select_only()
        .column(comment_report::Column::Reason)
        .column_as(comment_report::Column::Id.count(), "n")
        .filter(comment_report::Column::CommentId.eq(comment_id))
        .filter(comment_report::Column::Counted.eq(true))
        .group_by(comment_report::Column::Reason)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(reason, n)| {
            let r = ReportReason::parse(&reason).ok()?;
            Some((r.as_str(), u64::try_from(n).unwrap_or(0)))
        })
        .collect())
}

/// `3 reports: spam 2, abusive 1`.
fn describe(counts: &BTreeMap<&'static str, u64>, total: u64) -> String {
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    format!("{total} reports: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_parse_from_their_names_only() {
        for r in ReportReason::ALL {
            assert_eq!(ReportReason::parse(r.as_str()), Ok(r));
        }
        assert!(ReportReason::parse("boring").is_err());
    }

    #[test]
    fn notes_are_trimmed_and_never_truncated() {
        assert_eq!(NewReport::note(Some("  ")), Ok(None));
        assert_eq!(NewReport::note(Some(" rude ")), Ok(Some("rude".into())));
        assert!(NewReport::note(Some(&"x".repeat(NOTE_MAX + 1))).is_err());
    }

    #[test]
    fn the_reason_says_how_many_and_why() {
        let counts = BTreeMap::from([("abusive", 1), ("spam", 2)]);
        assert_eq!(describe(&counts, 3), "3 reports: abusive 1, spam 2");
    }
}
