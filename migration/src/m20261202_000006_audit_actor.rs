//! The audit actor as two columns, `actor_kind` and `actor_id`, instead of one label
//! (`moderator:3`, `token:2`, `author`, `one-click`, `system`) that readers parsed back.
//! Existing rows are carried over; a label of no known form stops the migration untouched.
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Actor,
    ActorKind,
    ActorId,
}

/// The labels that carried an id, with the kind each becomes.
const WITH_ID: [(&str, &str); 2] = [("moderator:", "moderator"), ("token:", "token")];
/// The labels that stood alone, with the kind each becomes.
const ALONE: [(&str, &str); 3] = [
    ("author", "author"),
    ("one-click", "one_click"),
    ("system", "system"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the columns appear and the label goes together.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        refuse_unknown_labels(m, backend).await?;
        // A NOT NULL column added to rows that exist needs a default. '' is no kind, so a
        // row the backfill missed could never pass for a real one.
        m.alter_table(
            Table::alter()
                .table(AuditLog::Table)
                .add_column(string_len(AuditLog::ActorKind, 16).default(""))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuditLog::Table)
                .add_column(big_integer_null(AuditLog::ActorId))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for (prefix, kind) in WITH_ID {
            let n = prefix.len() + 1;
            let sql = format!(
                "UPDATE audit_log SET actor_kind = '{kind}', \
                 actor_id = CAST(SUBSTR(actor, {n}) AS BIGINT) WHERE {}",
                labelled_with_id(backend, prefix)
            );
            db.execute_unprepared(&sql).await?;
        }
        for (label, kind) in ALONE {
            let sql = format!("UPDATE audit_log SET actor_kind = '{kind}' WHERE actor = '{label}'");
            db.execute_unprepared(&sql).await?;
        }
        if backend == DbBackend::Postgres {
            // Every writer names the kind; SQLite cannot drop a default, PostgreSQL can.
            db.execute_unprepared("ALTER TABLE audit_log ALTER COLUMN actor_kind DROP DEFAULT")
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(AuditLog::Table)
                .drop_column(AuditLog::Actor)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuditLog::Table)
                .add_column(string_len(AuditLog::Actor, 200).default(""))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE audit_log SET actor = CASE \
                 WHEN actor_id IS NOT NULL THEN actor_kind || ':' || CAST(actor_id AS TEXT) \
                 WHEN actor_kind = 'one_click' THEN 'one-click' \
                 ELSE actor_kind END",
            )
            .await?;
        for col in [AuditLog::ActorId, AuditLog::ActorKind] {
            m.alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// SQL that is true when `actor` is `prefix` followed by a decimal id that fits a bigint.
fn labelled_with_id(backend: DbBackend, prefix: &str) -> String {
    let n = prefix.len() + 1;
    match backend {
        DbBackend::Postgres => format!("actor ~ '^{prefix}[0-9]{{1,18}}$'"),
        _ => format!(
            "actor GLOB '{prefix}[0-9]*' AND SUBSTR(actor, {n}) NOT GLOB '*[^0-9]*' \
             AND LENGTH(actor) <= {}",
            prefix.len() + 18
        ),
    }
}

/// Stops before any change when a row's label has none of the known forms: guessing its
/// kind would put words in someone's mouth.
async fn refuse_unknown_labels(m: &SchemaManager<'_>, backend: DbBackend) -> Result<(), DbErr> {
    let mut known: Vec<String> = WITH_ID
        .iter()
        .map(|(prefix, _)| format!("({})", labelled_with_id(backend, prefix)))
        .collect();
    let alone: Vec<String> = ALONE.iter().map(|(l, _)| format!("'{l}'")).collect();
    known.push(format!("actor IN ({})", alone.join(", ")));
    let sql = format!(
        "SELECT actor FROM audit_log WHERE NOT ({}) LIMIT 1",
        known.join(" OR ")
    );
    let found = m
        .get_connection()
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    match found {
        None => Ok(()),
        Some(row) => {
            let label: String = row.try_get("", "actor")?;
            Err(DbErr::Migration(format!(
                "audit_log has an actor label of no known form: {label:?}"
            )))
        }
    }
}
