//! The learning spam filter inside moderation: each new comment is scored by its site's
//! model (`crate::spam`), one more screening finding; each moderator decision trains the
//! model in the decision's own transaction. Approve trains ham, spam trains spam, and
//! turning one into the other untrains the first; reject and pending never train, and
//! neither do the filter's own verdicts (a submission never trains). Models live in the
//! database (`store`) and in memory (`models`), kept coherent across instances by
//! `NOTIFY` on [`CHANNEL`].
mod models;
mod store;

use sea_orm::{DatabaseTransaction, DbErr, EntityTrait};

pub use models::SpamModels;

use super::Moderation;
use super::verdict::Finding;
use crate::config::SpamFilterConfig;
use crate::db::notify_on_commit;
use crate::spam::{self, FeatureSet, Label, Message, Scored, Thresholds, Verdict};
use entity::{comment, enums::CommentStatus, page};

/// The PostgreSQL channel that announces a change to a model; the payload is its name.
pub const CHANNEL: &str = "replyd_spam";

/// The rule name of the filter's findings.
pub const RULE: &str = "spam_filter";

fn thresholds(c: &SpamFilterConfig) -> Thresholds {
    Thresholds {
        spam: c.spam_threshold,
        hold: c.hold_threshold,
        min_decisions: c.min_decisions,
    }
}

impl Moderation {
    /// The filter's finding on a new comment under `model`; none while it is disabled or
    /// has too few decisions to decide.
    pub(super) async fn judge(
        &self,
        model: &str,
        m: &Message<'_>,
    ) -> Result<Option<Finding>, DbErr> {
        let cfg = &self.config.spam.filter;
        let none = None;
        if !cfg.enabled {
            return Ok(none);
        }
        let shared = self.spam.get(model).await?;
        let guard = shared
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Until it has enough decisions of each kind the filter says nothing at all: no
        // score, no verdict (an untrained filter never holds or spams on its own), so the
        // comment's features are not even built.
        if guard.spam < cfg.min_decisions || guard.ham < cfg.min_decisions {
            return Ok(none);
        }
        let Some(scored) = spam::classify(&guard, m) else {
            return Ok(none);
        };
        let verdict = thresholds(cfg).verdict(scored.score, guard.spam, guard.ham);
        drop(guard);
        let detail = explain(&scored, verdict);
        let score = scored.score as f32;
        let mut finding = match verdict {
            Verdict::Spam => Finding::spam(RULE, detail),
            Verdict::Hold => Finding::hold(RULE, detail, score),
            Verdict::Pass => Finding::note(RULE, detail, score),
        };
        // `Finding::spam` scores 1.0; every finding of the filter keeps the filter's score.
        finding.reason.score = score;
        Ok(Some(finding))
    }

    /// Trains the comment's model on a moderator's status change, inside `tx`.
    pub(super) async fn train(
        &self,
        tx: &DatabaseTransaction,
        c: &comment::Model,
        to: CommentStatus,
    ) -> Result<(), DbErr> {
        let label = match to {
            CommentStatus::Approved => Label::Ham,
            CommentStatus::Spam => Label::Spam,
            _ => return Ok(()),
        };
        let before = store::trained_as(tx, c.id).await?;
        if before.as_ref().is_some_and(|(_, l)| *l == label) {
            return Ok(());
        }
        let Some(model) = self.model_of(tx, c.page_id).await? else {
            return Ok(());
        };
        let features = spam::features(&message(c), FeatureSet::Full);
        let step = {
            let shared = self.spam.get(&model).await?;
            let m = shared
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            i64::from(m.step) + 1
        };
        if let Some((old_model, old)) = &before {
            store::apply(tx, old_model, &features, *old, -1, step).await?;
            notify_on_commit(tx, CHANNEL, old_model).await?;
        }
        store::apply(tx, &model, &features, label, 1, step).await?;
        store::set_trained(tx, c.id, Some((&model, label))).await?;
        notify_on_commit(tx, CHANNEL, &model).await?;
        let mut touched = self.spam_touched();
        touched.push(model);
        touched.extend(before.map(|(old_model, _)| old_model));
        Ok(())
    }

    /// The model a page's site learns from, by the site's configuration.
    async fn model_of(
        &self,
        tx: &DatabaseTransaction,
        page_id: i64,
    ) -> Result<Option<String>, DbErr> {
        let Some(p) = page::Entity::find_by_id(page_id).one(tx).await? else {
            return Ok(None);
        };
        Ok(self
            .config
            .sites
            .iter()
            .find(|s| s.id == p.site_id)
            .map(|s| s.spam_model.clone()))
    }

    fn spam_touched(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.spam_touched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// After a commit: reload, in the background, every model this instance trained. (A
    /// transaction that failed only costs a needless reload.)
    pub(super) fn spam_settle(&self) {
        let touched = std::mem::take(&mut *self.spam_touched());
        for name in touched {
            self.spam.changed(&name);
        }
    }

    /// This instance's spam filter models.
    pub fn spam_models(&self) -> &SpamModels {
        &self.spam
    }
}

/// Keeps the scores of newly stored comments, for the queue's order by score.
pub(super) async fn record_scores(
    tx: &DatabaseTransaction,
    scores: &[(i64, f32)],
) -> Result<(), DbErr> {
    store::record_scores(tx, scores).await
}

/// The filter's score among a comment's stored reasons, if it scored the comment.
pub fn score_of(reasons: &[super::verdict::Reason]) -> Option<f32> {
    reasons.iter().find(|r| r.rule == RULE).map(|r| r.score)
}

/// A stored comment as the filter reads it.
fn message(c: &comment::Model) -> Message<'_> {
    Message {
        name: &c.author_name,
        email: &c.email_norm,
        website: c.author_url.as_deref(),
        text: &c.text,
    }
}

/// "spam score 0.97 (spam): for "viagra" 0.99, …; against "thanks" 0.02, …"
fn explain(s: &Scored, verdict: Verdict) -> String {
    let what = match verdict {
        Verdict::Spam => "spam",
        Verdict::Hold => "held",
        Verdict::Pass => "passed",
    };
    let list = |v: &[(String, f64)]| {
        if v.is_empty() {
            return "nothing".to_owned();
        }
        v.iter()
            .map(|(t, p)| format!("{t:?} {p:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "spam score {:.2} ({what}); for: {}; against: {}",
        s.score,
        list(&s.spammy),
        list(&s.hammy)
    )
}
