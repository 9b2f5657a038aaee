//! Group commit for submissions: the comments that arrive while one write transaction runs
//! are written together by the next, as one multi-row insert each of comments, audit rows
//! and outbox mail. Each submitter still hears back only after the transaction holding its
//! comment has committed, so a 2xx always means durable.
//!
//! Why: every statement costs a round trip to the database connection (on SQLite, to the
//! driver's worker thread: two thread wake-ups), and the single SQLite writer runs one
//! transaction at a time. One transaction of five statements for many comments replaces
//! five statements for each.
//!
//! There is no background task: whoever holds the leader lock writes what is queued, up to
//! its own comment, in a task of its own, so a client that goes away does not abandon
//! others' comments; then the next submitter in line leads.
//! A batch that fails as a whole (say, two identical comments racing past the duplicate
//! check) is written again one comment per transaction, so each gets its own answer.
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use sea_orm::{ActiveValue::Set, DbErr, EntityTrait};
use tokio::sync::oneshot;

use super::audit::{self, Actor, Entry};
use super::screening::duplicate_or_db;
use super::submit::{Prepared, Submitted};
use super::{Moderation, ModerationError, store};
use crate::notify::outbox::{self, Event};
use entity::{comment, enums::CommentStatus};

/// The most comments one transaction writes.
const MAX_BATCH: usize = 64;

type Reply = oneshot::Sender<Result<Submitted, ModerationError>>;

/// Submissions waiting for the next write transaction.
#[derive(Debug, Default)]
pub struct GroupCommit {
    queue: Mutex<Vec<(Prepared, Reply)>>,
    leader: tokio::sync::Mutex<()>,
}

impl GroupCommit {
    /// Submissions queued for the next transaction.
    pub fn waiting(&self) -> usize {
        self.queue().len()
    }

    fn queue(&self) -> MutexGuard<'_, Vec<(Prepared, Reply)>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Moderation {
    /// Writes one prepared submission, together with whatever else is waiting.
    pub(super) async fn write_submission(
        &self,
        item: Prepared,
    ) -> Result<Submitted, ModerationError> {
        let (reply, mut answer) = oneshot::channel();
        self.group.queue().push((item, reply));
        let leader = self.group.leader.lock().await;
        // The leader writes batches until its own comment is answered, then hands over.
        loop {
            match answer.try_recv() {
                Ok(result) => return result,
                Err(oneshot::error::TryRecvError::Closed) => return Err(interrupted()),
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<_> = {
                let mut queue = self.group.queue();
                let n = queue.len().min(MAX_BATCH);
                queue.drain(..n).collect()
            };
            if batch.is_empty() {
                // A batch whose leader went away is still being written: wait for it.
                break;
            }
            let this = self.clone();
            let _ = tokio::spawn(async move { this.write_batch(batch).await }).await;
        }
        drop(leader);
        answer.await.unwrap_or_else(|_| Err(interrupted()))
    }

    async fn write_batch(&self, batch: Vec<(Prepared, Reply)>) {
        let (items, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let results = match self.write_items(&items).await {
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
        };
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }

    /// One transaction for `items`: per comment only what it needs alone (a new page, the
    /// parent check), then one insert each for comments, audit rows and mail. The outer
    /// error fails the whole transaction; the inner ones are answers for single comments.
    async fn write_items(
        &self,
        items: &[Prepared],
    ) -> Result<Vec<Result<Submitted, ModerationError>>, ModerationError> {
        let tx = self.db.begin_write().await?;
        let mut refused: Vec<Option<ModerationError>> = Vec::with_capacity(items.len());
        let mut page_ids = Vec::with_capacity(items.len());
        for item in items {
            let page_id = match item.page_id {
                Some(id) => id,
                None => {
                    let title = item.title.as_deref();
                    store::page_for(&tx, &item.site, &item.uri, title, item.now)
                        .await?
                        .id
                }
            };
            page_ids.push(page_id);
            refused.push(match item.parent_id {
                Some(parent) => parent_refusal(&tx, parent, page_id).await?,
                None => None,
            });
        }
        let rows: Vec<comment::ActiveModel> = items
            .iter()
            .zip(&page_ids)
            .zip(&refused)
            .filter(|(_, no)| no.is_none())
            .map(|((item, page_id), _)| {
                let mut row = item.row.clone();
                row.page_id = Set(*page_id);
                row
            })
            .collect();
        let mut inserted: HashMap<(i64, Option<String>), comment::Model> = if rows.is_empty() {
            HashMap::new()
        } else {
            comment::Entity::insert_many(rows)
                .exec_with_returning(&tx)
                .await
                .map_err(duplicate_or_db)?
                .into_iter()
                .map(|m| ((m.page_id, m.dup_key.clone()), m))
                .collect()
        };

        let mut written = Vec::with_capacity(items.len());
        for ((item, page_id), no) in items.iter().zip(&page_ids).zip(refused) {
            if let Some(no) = no {
                written.push(Err(no));
                continue;
            }
            let key = (*page_id, Some(item.dup_key.clone()));
            written.push(Ok(inserted.remove(&key).ok_or_else(lost)?));
        }
        // The comments written, each beside its submission.
        let stored: Vec<(&comment::Model, &Prepared)> = written
            .iter()
            .zip(items)
            .filter_map(|(r, item)| r.as_ref().ok().map(|m| (m, item)))
            .collect();
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
        audit::record_all(&tx, entries).await?;
        let mut mails = Vec::new();
        for (m, item) in &stored {
            let event = Event::Submitted(m);
            mails.extend(outbox::mails_for(&tx, &self.config, &item.site, event, item.now).await?);
        }
        let now = self.clock.now();
        outbox::insert_all(&tx, mails, outbox::message_domain(&self.config), now).await?;
        let mut published: Vec<i64> = stored
            .iter()
            .filter(|(m, _)| m.status == CommentStatus::Approved)
            .map(|(m, _)| m.page_id)
            .collect();
        published.sort_unstable();
        published.dedup();
        self.commit(tx, &published).await?;
        self.metrics.submission_batch(stored.len());

        Ok(written
            .into_iter()
            .zip(items)
            .map(|(r, item)| r.map(|m| submitted(m, item)))
            .collect())
    }
}

/// Why a reply may not be stored: its parent must be an approved comment on the same page.
async fn parent_refusal(
    tx: &sea_orm::DatabaseTransaction,
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

/// What the submitter learns. Spam reads as pending: spammers are not told.
fn submitted(m: comment::Model, item: &Prepared) -> Submitted {
    let status = match m.status {
        CommentStatus::Approved => CommentStatus::Approved,
        _ => CommentStatus::Pending,
    };
    Submitted {
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
