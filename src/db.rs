//! Database connections: SQLite with one writer and a reader pool, or one PostgreSQL pool.
//! Reads its settings from `config`, already normalised there; `config` never reads `db`.
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseConfig;

/// The connections replyd holds. On PostgreSQL `reader` and `writer` are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub reader: DatabaseConnection,
    pub writer: DatabaseConnection,
}

impl Db {
    pub async fn connect(cfg: &DatabaseConfig) -> Result<Db, DbErr> {
        if !cfg.url.starts_with("sqlite:") {
            let mut opts = ConnectOptions::new(cfg.url.clone());
            opts.max_connections(cfg.max_connections.max(1))
                .min_connections(1)
                .sqlx_logging(false);
            let pool = Database::connect(opts).await?;
            return Ok(Db {
                reader: pool.clone(),
                writer: pool,
            });
        }
        create_parent_dir(&cfg.url);
        let busy = Duration::from_millis(cfg.busy_timeout_ms);
        let in_memory = cfg.url.contains(":memory:") || cfg.url.contains("mode=memory");
        let writer = sqlite_pool(&cfg.url, 1, busy, false).await?;
        if in_memory {
            // Every in-memory connection is its own database: share the one writer.
            return Ok(Db {
                reader: writer.clone(),
                writer,
            });
        }
        let reader = sqlite_pool(&cfg.url, cfg.max_connections.max(1), busy, true).await?;
        Ok(Db { reader, writer })
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so it takes the write
    /// lock up front instead of failing half-way with SQLITE_BUSY.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let mut opts = TransactionOptions::default();
        if self.backend() == DbBackend::Sqlite {
            opts.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
        }
        self.writer.begin_with_options(opts).await
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.reader.ping().await
    }

    pub async fn close(self) {
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}

/// Sends `payload` on a PostgreSQL `channel` when `tx` commits, to every instance listening
/// (`moderation::changes`). SQLite has one instance: nothing to send.
pub async fn notify_on_commit(
    tx: &DatabaseTransaction,
    channel: &str,
    payload: &str,
) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [channel.into(), payload.into()],
        ))
        .await?;
    }
    Ok(())
}

async fn sqlite_pool(
    url: &str,
    size: u32,
    busy: Duration,
    read_only: bool,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(size)
        .min_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy)
                .foreign_keys(true)
                .read_only(read_only)
        });
    Database::connect(opts).await
}

/// `sqlite://data/replyd.db` needs `data/` to exist before SQLite can create the file.
fn create_parent_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return;
    }
    if let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(dir);
    }
}
