//! Backups of a SQLite database: `VACUUM INTO` a new file, which reads one consistent
//! snapshot while the server keeps writing (WAL readers never block the writer), and
//! restoring such a file in place of a stopped server's database. PostgreSQL installs use
//! pg_dump and pg_restore (see the README).
use std::path::{Path, PathBuf};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, DbErr, Statement};

use crate::config::DatabaseConfig;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backups of PostgreSQL are made with pg_dump (see the README), not replyd backup")]
    NotSqlite,
    #[error("{0} already exists; choose another file or remove it")]
    Exists(PathBuf),
    #[error("the database {0} already exists; stop the server and pass --force to replace it")]
    TargetExists(PathBuf),
    #[error("{0} is not a usable replyd backup: {1}")]
    BadBackup(PathBuf, String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The file behind a `sqlite:` URL, if it names one.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Writes a consistent copy of the live database to `output` (created; never overwritten).
/// Returns its size in bytes.
pub async fn backup(cfg: &DatabaseConfig, output: &Path) -> Result<u64, BackupError> {
    sqlite_file(&cfg.url).ok_or(BackupError::NotSqlite)?;
    if output.exists() {
        return Err(BackupError::Exists(output.to_owned()));
    }
    let partial = with_suffix(output, ".partial");
    let _ = std::fs::remove_file(&partial);
    let mut opts = ConnectOptions::new(cfg.url.clone());
    opts.max_connections(1).sqlx_logging(false);
    let db = Database::connect(opts).await?;
    let target = partial.display().to_string().replace('\'', "''");
    db.execute_unprepared(&format!("PRAGMA busy_timeout = {}", cfg.busy_timeout_ms))
        .await?;
    db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await?;
    db.close().await?;
    std::fs::rename(&partial, output).map_err(|e| BackupError::Io(output.to_owned(), e))?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    Ok(size)
}

/// Checks `input` and puts it in place of the configured database, which must not be in
/// use. An existing database is replaced only with `force`.
pub async fn restore(cfg: &DatabaseConfig, input: &Path, force: bool) -> Result<(), BackupError> {
    let target = sqlite_file(&cfg.url).ok_or(BackupError::NotSqlite)?;
    if target.exists() && !force {
        return Err(BackupError::TargetExists(target));
    }
    check(input).await?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| BackupError::Io(dir.to_owned(), e))?;
    }
    let staged = with_suffix(&target, ".restoring");
    std::fs::copy(input, &staged).map_err(|e| BackupError::Io(staged.clone(), e))?;
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&target, stale));
    }
    std::fs::rename(&staged, &target).map_err(|e| BackupError::Io(target.clone(), e))
}

/// `PRAGMA integrity_check` passes and the file has replyd's migrations table.
async fn check(input: &Path) -> Result<(), BackupError> {
    let bad = |m: String| BackupError::BadBackup(input.to_owned(), m);
    if !input.is_file() {
        return Err(bad("no such file".into()));
    }
    let url = format!("sqlite://{}?mode=ro", input.display());
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    let db = Database::connect(opts)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .map_err(|e| bad(e.to_string()))?;
    let verdict: String = row
        .map(|r| r.try_get_by_index(0))
        .transpose()
        .map_err(|e| bad(e.to_string()))?
        .unwrap_or_default();
    if verdict != "ok" {
        return Err(bad(format!("integrity check: {verdict}")));
    }
    let migrations = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM seaql_migrations",
        ))
        .await;
    db.close().await?;
    migrations.map_err(|_| bad("it has no replyd schema".into()))?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
