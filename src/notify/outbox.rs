//! The outbox table: enqueueing inside the caller's transaction (deduplicated), claiming due
//! rows under a lease, and recording each attempt's outcome. Knows nothing of SMTP.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, NotSet, Order,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;

use crate::db::Db;
use entity::outbox::{self, Column};

/// What kind of mail a row is, and where it stands: string-backed enums of the entity.
pub use entity::enums::{MailKind as Kind, OutboxState as State};

/// The domain of outbox Message-IDs: the host of the public URL.
pub fn message_domain(config: &crate::config::Config) -> &str {
    config
        .server
        .public_url
        .host_str()
        .unwrap_or("replyd.invalid")
}

/// A mail to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: Kind,
    pub dedupe_key: String,
    pub recipient: String,
    pub payload: Value,
    pub due_at: DateTime<Utc>,
}

/// Inserts the rows whose dedupe keys are not taken yet, in one statement per 500 rows. Runs
/// on the caller's connection, so it commits or rolls back with the caller's change.
pub async fn insert_all<C: ConnectionTrait>(
    db: &C,
    mails: Vec<NewMail>,
    message_domain: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut rows = mails.into_iter().map(|mail| outbox::ActiveModel {
        id: NotSet,
        kind: Set(mail.kind),
        dedupe_key: Set(mail.dedupe_key),
        recipient: Set(mail.recipient),
        payload: Set(mail.payload.to_string()),
        message_id: Set(format!(
            "<{}@{message_domain}>",
            uuid::Uuid::new_v4().simple()
        )),
        state: Set(State::Pending),
        attempts: Set(0),
        due_at: Set(mail.due_at),
        lease_until: Set(None),
        lease_token: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        outbox::Entity::insert_many(chunk)
            .on_conflict_do_nothing_on([Column::DedupeKey])
            .exec_without_returning(db)
            .await?;
    }
}

/// Claims up to `limit` due rows for `lease`. Each claim counts as an attempt. The claim is
/// one `UPDATE … RETURNING`, atomic on its own: on PostgreSQL concurrent workers skip each
/// other's locked rows, and on SQLite the statement holds the write lock throughout.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut due = Query::select();
    due.column(Column::Id)
        .from(outbox::Entity)
        .and_where(Expr::col(Column::State).eq(State::Pending))
        .and_where(Expr::col(Column::DueAt).lte(now))
        .and_where(
            Expr::col(Column::LeaseUntil)
                .is_null()
                .or(Expr::col(Column::LeaseUntil).lte(now)),
        )
        .order_by(Column::DueAt, Order::Asc)
        .order_by(Column::Id, Order::Asc)
        .limit(limit);
    if db.backend() == DbBackend::Postgres {
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let rows = outbox::Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(Column::LeaseToken, Expr::value(token))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.in_subquery(due))
        .exec_with_returning(&db.writer)
        .await?;
    Ok(rows)
}

/// Records the outcome of an attempt, if this worker still holds the row's lease.
pub async fn finish(
    db: &Db,
    row: &outbox::Model,
    state: State,
    due_at: DateTime<Utc>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    // One statement is atomic on its own: no transaction around it, one round trip.
    let mut q = outbox::Entity::update_many()
        .col_expr(Column::State, Expr::value(state))
        .col_expr(Column::DueAt, Expr::value(due_at))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LeaseToken, Expr::value(Option::<String>::None))
        .col_expr(Column::LastError, Expr::value(error))
        .filter(Column::Id.eq(row.id));
    if state == State::Sent {
        q = q.col_expr(Column::SentAt, Expr::value(Some(now)));
    }
    if let Some(token) = &row.lease_token {
        q = q.filter(Column::LeaseToken.eq(token.as_str()));
    }
    let res = q.exec(&db.writer).await?;
    Ok(res.rows_affected == 1)
}

/// Gives a claimed row back untouched (the worker is stopping): due as before, and the
/// attempt it was claimed for is not counted.
pub async fn release(db: &Db, row: &outbox::Model) -> Result<(), DbErr> {
    let mut q = outbox::Entity::update_many()
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LeaseToken, Expr::value(Option::<String>::None))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).sub(1))
        .filter(Column::Id.eq(row.id));
    if let Some(token) = &row.lease_token {
        q = q.filter(Column::LeaseToken.eq(token.as_str()));
    }
    q.exec(&db.writer).await?;
    Ok(())
}

/// Rows in one state, newest first, for moderators.
pub async fn list(db: &Db, state: State, limit: u64) -> Result<Vec<outbox::Model>, DbErr> {
    outbox::Entity::find()
        .filter(Column::State.eq(state))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(&db.reader)
        .await
}

/// Puts a dead row back in line, due now, with a fresh attempt budget. `None` when there is
/// no such row or it is not dead.
pub async fn retry(db: &Db, id: i64, now: DateTime<Utc>) -> Result<Option<outbox::Model>, DbErr> {
    let tx = db.begin_write().await?;
    let rows = outbox::Entity::update_many()
        .col_expr(Column::State, Expr::value(State::Pending))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::DueAt, Expr::value(now))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LeaseToken, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::State.eq(State::Dead))
        .exec_with_returning(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip_through_their_names() {
        for k in [
            Kind::Alert,
            Kind::Digest,
            Kind::Reply,
            Kind::Approved,
            Kind::Confirm,
            Kind::Privacy,
            Kind::Webhook,
        ] {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for s in [State::Pending, State::Sent, State::Dead, State::Skipped] {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("nope"), None);
    }
}
