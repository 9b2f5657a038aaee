//! Writing submissions: the comments that arrive while one write transaction runs are
//! written together by the next (`batch`), as one multi-row insert each of comments, audit
//! rows and outbox mail. Each submitter still hears back only after the transaction holding
//! its comment has committed, so a 2xx always means durable.
//!
//! Why: every statement costs a round trip to the database connection (on SQLite, to the
//! driver's worker thread: two thread wake-ups), and the single SQLite writer runs one
//! transaction at a time. One transaction of five statements for many comments replaces
//! five statements for each. A batch that fails as a whole (say, two identical comments
//! racing past the duplicate check) is written again one comment per transaction, so each
//! gets its own answer.
use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait};

use super::audit::{self, Actor, Entry};
use super::screening::duplicate_or_db;
use super::submit::{Prepared, Submitted};
use super::{Moderation, ModerationError, idempotency, own, store};
use crate::keys::Keys;
use crate::notify::{Change, Event};
use entity::{comment, enums::CommentStatus};

/// The most comments one transaction writes.
pub(super) const MAX_BATCH: usize = 64;

type Answer = Result<Submitted, ModerationError>;

/// Each submission's page, or why it may not be stored.
type Placed = Vec<Result<i64, ModerationError>>;

impl Moderation {
    /// Writes one prepared submission, together with whatever else is waiting.
    pub(super) async fn write_submission(&self, item: Prepared) -> Answer {
        let this = self.clone();
        let write = move |batch: Vec<Prepared>| {
            let this = this.clone();
            async move { this.write_batch(batch).await }
        };
        self.group
            .submit(item, write)
            .await
            .unwrap_or_else(|| Err(interrupted()))
    }

    async fn write_batch(&self, items: Vec<Prepared>) -> Vec<Answer> {
        match self.write_items(&items).await {
            Ok(results) => results,
            Err(e) if items.len() == 1 => vec![Err(e)],
            Err(_) => {
                let mut results = Vec::with_capacity(items.len());
                for item in &items {
                    let one = self.write_items(std::slice::from_ref(item)).await;
                    results.push(one.and_then(|mut r| r.pop().unwrap_or(Err(lost()))));
                }
                results
            }
        }
    }

    /// One transaction for `items`. The outer error fails the whole transaction; the inner
    /// ones are answers for single comments.
    async fn write_items(&self, items: &[Prepared]) -> Result<Vec<Answer>, ModerationError> {
        let tx = self.db.begin_write().await?;
        let placed = place(&tx, items).await?;
        let mut written = insert(&tx, items, placed).await?;
        let stored: Vec<(&comment::Model, &Prepared)> = written
            .iter()
            .zip(items)
            .filter_map(|(r, item)| r.as_ref().ok().map(|m| (m, item)))
            .collect();
        self.record(&tx, &stored).await?;
        let mut published: Vec<i64> = stored
            .iter()
            .filter(|(m, _)| m.status == CommentStatus::Approved)
            .map(|(m, _)| m.page_id)
            .collect();
        published.sort_unstable();
        published.dedup();
        let count = stored.len();
        let answers: Vec<Answer> = written
            .drain(..)
            .zip(items)
            .map(|(r, item)| r.map(|m| submitted(m, item, &self.keys)))
            .collect();
        let keyed: Vec<_> = answers
            .iter()
            .zip(items)
            .filter_map(|(a, item)| Some((item.once.as_ref()?, a.as_ref().ok()?)))
            .collect();
        idempotency::store_keys(&tx, &keyed, self.clock.now()).await?;
        self.commit(tx, &published).await?;
        self.metrics.submission_batch(count);
        Ok(answers)
    }

    /// The audit row and the mail of every stored comment, one insert each.
    async fn record(
        &self,
        tx: &DatabaseTransaction,
        stored: &[(&comment::Model, &Prepared)],
    ) -> Result<(), ModerationError> {
        let entries = stored
            .iter()
            .map(|(m, item)| Entry {
                actor: &Actor::System,
                action: "submitted",
                comment_id: Some(m.id),
                from: None,
                to: Some(m.status),
                detail: item.reasons.clone(),
                at: item.now,
            })
            .collect();
        audit::record_all(tx, entries).await?;
        let scores: Vec<(i64, f32)> = stored
            .iter()
            .filter_map(|(m, item)| item.spam_score.map(|s| (m.id, s)))
            .collect();
        super::filter::record_scores(tx, &scores).await?;
        let changes: Vec<Change<'_>> = stored
            .iter()
            .map(|(m, item)| Change {
                site: &item.site,
                event: Event::Submitted(m),
                at: item.now,
            })
            .collect();
        self.enqueue_changes(tx, &changes, self.clock.now()).await
    }
}

/// Per comment, only what it needs alone: its page (created on first use), and the check
/// that a reply's parent is an approved comment on the same page.
async fn place(tx: &DatabaseTransaction, items: &[Prepared]) -> Result<Placed, DbErr> {
    let mut placed = Vec::with_capacity(items.len());
    for item in items {
        let page_id = match item.page_id {
            Some(id) => id,
            None => {
                let title = item.title.as_deref();
                store::page_for(tx, &item.site, &item.uri, title, item.now)
                    .await?
                    .id
            }
        };
        if let Some(published) = item.published {
            store::note_published(tx, page_id, published).await?;
        }
        let refused = match item.parent_id {
            Some(parent) => parent_refusal(tx, parent, page_id).await?,
            None => None,
        };
        placed.push(refused.map_or(Ok(page_id), Err));
    }
    Ok(placed)
}

/// Inserts every placed comment in one statement; answers each item with its row.
async fn insert(
    tx: &DatabaseTransaction,
    items: &[Prepared],
    placed: Placed,
) -> Result<Vec<Result<comment::Model, ModerationError>>, ModerationError> {
    let rows: Vec<comment::ActiveModel> = items
        .iter()
        .zip(&placed)
        .filter_map(|(item, p)| p.as_ref().ok().map(|page_id| (item, *page_id)))
        .map(|(item, page_id)| {
            let mut row = item.row.clone();
            row.page_id = Set(page_id);
            row
        })
        .collect();
    let mut inserted: HashMap<(i64, Option<String>), comment::Model> = if rows.is_empty() {
        HashMap::new()
    } else {
        comment::Entity::insert_many(rows)
            .exec_with_returning(tx)
            .await
            .map_err(duplicate_or_db)?
            .into_iter()
            .map(|m| ((m.page_id, m.dup_key.clone()), m))
            .collect()
    };
    let mut written = Vec::with_capacity(items.len());
    for (item, p) in items.iter().zip(placed) {
        written.push(match p {
            Err(no) => Err(no),
            Ok(page_id) => {
                let key = (page_id, Some(item.dup_key.clone()));
                Ok(inserted.remove(&key).ok_or_else(lost)?)
            }
        });
    }
    Ok(written)
}

/// Why a reply may not be stored: its parent must be an approved comment on the same page.
async fn parent_refusal(
    tx: &DatabaseTransaction,
    parent_id: i64,
    page_id: i64,
) -> Result<Option<ModerationError>, DbErr> {
    let parent = comment::Entity::find_by_id(parent_id).one(tx).await?;
    let ok = parent
        .is_some_and(|p| p.page_id == page_id && p.status == CommentStatus::Approved && !p.deleted);
    Ok((!ok).then(|| {
        ModerationError::field(
            "parent_id",
            "must name an approved comment on the same page",
        )
    }))
}

/// What the submitter learns, the token for editing their comment included. Spam reads as
/// pending: spammers are not told.
fn submitted(m: comment::Model, item: &Prepared, keys: &Keys) -> Submitted {
    let status = match m.status {
        CommentStatus::Approved => CommentStatus::Approved,
        _ => CommentStatus::Pending,
    };
    let edit_expires_at = item.now + own::EDIT_WINDOW;
    Submitted {
        edit_token: own::edit_token(keys, m.id, edit_expires_at),
        returning_token: super::returning::token(keys, &item.site, &m.email_norm, m.id, item.now),
        edit_expires_at,
        id: m.id,
        status,
        site: item.site.clone(),
        uri: item.uri.clone(),
        created_at: item.now,
        author_name: m.author_name,
        author_url: m.author_url,
        html: m.html,
    }
}

fn interrupted() -> ModerationError {
    ModerationError::Db(DbErr::Custom(
        "the write of this comment was interrupted".into(),
    ))
}

fn lost() -> ModerationError {
    ModerationError::Db(DbErr::Custom("an inserted comment was not returned".into()))
}
