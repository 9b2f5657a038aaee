//! The spam filter models in the database: loading one whole, and applying one decision's
//! training (or untraining) inside the decision's own transaction, as counter increments
//! so that two instances training at once both count.
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::spam::{Counts, Cutoff, Label, Model, model::key};
use entity::{spam_model, spam_score, spam_token, spam_training};

/// Rows per insert statement: five values each, well under every backend's bind limit.
const CHUNK: usize = 1000;

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The model named `name`, empty when nothing trained it yet.
pub async fn load_model<C: ConnectionTrait>(db: &C, name: &str) -> Result<Model, DbErr> {
    let mut model = Model::default();
    if let Some(row) = spam_model::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
    {
        model.spam = to_u32(row.spam);
        model.ham = to_u32(row.ham);
        model.step = to_u32(row.step);
    }
    let rows = spam_token::Entity::find()
        .filter(spam_token::Column::Model.eq(name))
        .all(db)
        .await?;
    model.tokens.reserve(rows.len());
    for r in rows {
        let counts = Counts {
            spam: to_u32(r.spam),
            ham: to_u32(r.ham),
            seen: to_u32(r.seen),
        };
        model.tokens.insert(key(&r.token), counts);
    }
    Ok(model)
}

/// What a comment last trained, if anything: its model and label.
pub async fn trained_as<C: ConnectionTrait>(
    db: &C,
    comment_id: i64,
) -> Result<Option<(String, Label)>, DbErr> {
    let row = spam_training::Entity::find_by_id(comment_id)
        .one(db)
        .await?;
    Ok(row.map(|r| {
        let label = if r.label == "spam" {
            Label::Spam
        } else {
            Label::Ham
        };
        (r.model, label)
    }))
}

/// Records that `comment_id` trained `model` as `label` (or, with `None`, nothing).
pub async fn set_trained<C: ConnectionTrait>(
    db: &C,
    comment_id: i64,
    trained: Option<(&str, Label)>,
) -> Result<(), DbErr> {
    spam_training::Entity::delete_by_id(comment_id)
        .exec(db)
        .await?;
    if let Some((model, label)) = trained {
        let row = spam_training::ActiveModel {
            comment_id: Set(comment_id),
            model: Set(model.to_owned()),
            label: Set(label_name(label).to_owned()),
        };
        spam_training::Entity::insert(row).exec(db).await?;
    }
    Ok(())
}

fn label_name(label: Label) -> &'static str {
    match label {
        Label::Spam => "spam",
        Label::Ham => "ham",
    }
}

/// Adds (`delta` = 1) or removes (`delta` = -1) one message's features under `label`.
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    model: &str,
    features: &[String],
    label: Label,
    delta: i64,
    step: i64,
) -> Result<(), DbErr> {
    let (ds, dh) = match label {
        Label::Spam => (delta, 0),
        Label::Ham => (0, delta),
    };
    totals(db, model, ds, dh).await?;
    for chunk in features.chunks(CHUNK) {
        let rows = chunk.iter().map(|t| spam_token::ActiveModel {
            model: Set(model.to_owned()),
            token: Set(t.clone()),
            spam: Set(ds),
            ham: Set(dh),
            seen: Set(step),
        });
        let mut on_conflict =
            OnConflict::columns([spam_token::Column::Model, spam_token::Column::Token]);
        on_conflict
            .value(
                spam_token::Column::Spam,
                Expr::cust(clamped_sum("spam_tokens", "spam")),
            )
            .value(
                spam_token::Column::Ham,
                Expr::cust(clamped_sum("spam_tokens", "ham")),
            );
        if delta > 0 {
            on_conflict.update_column(spam_token::Column::Seen);
        }
        spam_token::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .exec_without_returning(db)
            .await?;
        if delta < 0 {
            spam_token::Entity::delete_many()
                .filter(spam_token::Column::Model.eq(model))
                .filter(spam_token::Column::Token.is_in(chunk.iter().cloned()))
                .filter(spam_token::Column::Spam.lte(0))
                .filter(spam_token::Column::Ham.lte(0))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// `table.col + excluded.col`, never below zero: the same SQL on SQLite and PostgreSQL.
fn clamped_sum(table: &str, col: &str) -> String {
    format!(
        "CASE WHEN {table}.{col} + excluded.{col} < 0 THEN 0 ELSE {table}.{col} + excluded.{col} END"
    )
}

async fn totals<C: ConnectionTrait>(db: &C, model: &str, ds: i64, dh: i64) -> Result<(), DbErr> {
    let row = spam_model::ActiveModel {
        model: Set(model.to_owned()),
        spam: Set(ds.max(0)),
        ham: Set(dh.max(0)),
        step: Set(1),
    };
    let mut on_conflict = OnConflict::column(spam_model::Column::Model);
    on_conflict
        .value(
            spam_model::Column::Spam,
            Expr::cust(clamped_sum_delta("spam", ds)),
        )
        .value(
            spam_model::Column::Ham,
            Expr::cust(clamped_sum_delta("ham", dh)),
        )
        .value(spam_model::Column::Step, Expr::cust("spam_models.step + 1"));
    spam_model::Entity::insert(row)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn clamped_sum_delta(col: &str, delta: i64) -> String {
    format!(
        "CASE WHEN spam_models.{col} + ({delta}) < 0 THEN 0 ELSE spam_models.{col} + ({delta}) END"
    )
}

/// Forgets the features pruning dropped from memory (those at or below `cut`), so the
/// table keeps the same bound.
pub async fn forget<C: ConnectionTrait>(db: &C, model: &str, cut: Cutoff) -> Result<(), DbErr> {
    // Two integers, formatted: the same SQL on SQLite and PostgreSQL.
    let (total, seen) = (cut.total, cut.seen);
    let below = Expr::cust(format!(
        "(spam_tokens.spam + spam_tokens.ham < {total} OR \
         (spam_tokens.spam + spam_tokens.ham = {total} AND spam_tokens.seen <= {seen}))"
    ));
    spam_token::Entity::delete_many()
        .filter(spam_token::Column::Model.eq(model))
        .filter(below)
        .exec(db)
        .await?;
    Ok(())
}

/// Inserts the arrival scores of new comments, one statement.
pub async fn record_scores<C: ConnectionTrait>(db: &C, scores: &[(i64, f32)]) -> Result<(), DbErr> {
    if scores.is_empty() {
        return Ok(());
    }
    let rows = scores.iter().map(|(id, s)| spam_score::ActiveModel {
        comment_id: Set(*id),
        score: Set(f64::from(*s)),
    });
    spam_score::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
