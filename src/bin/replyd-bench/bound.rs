//! The bare-axum bound: the least an axum service on sea-orm and SQLite does per request. A
//! GET answers a fixed JSON body (replyd's own 50-comment thread, so the same size) from
//! memory; a POST parses a comment and makes one sea-orm insert of it into SQLite, opened
//! through replyd's own connection code (WAL, synchronous NORMAL, one writer). It runs as a
//! child process of the bench, so it is measured like replyd.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use replyd::config::DatabaseConfig;
use replyd::db::Db;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::Deserialize;

/// The file in the bench directory holding the GET body.
pub const BODY_FILE: &str = "bound-thread.json";

#[derive(Clone)]
struct Bound {
    body: Bytes,
    db: DatabaseConnection,
}

#[derive(Deserialize)]
struct NewComment {
    site: String,
    uri: String,
    author_name: String,
    author_email: String,
    text: String,
}

/// Serves the bound on `addr` until killed (`replyd-bench --serve-bound DIR`).
pub async fn serve(dir: &Path, addr: SocketAddr) -> anyhow::Result<()> {
    let body = Bytes::from(std::fs::read(dir.join(BODY_FILE))?);
    let db = Db::connect(&DatabaseConfig {
        url: format!("sqlite://{}?mode=rwc", dir.join("bound.db").display()),
        migrate_on_start: false,
        max_connections: 4,
        busy_timeout_ms: 5000,
    })
    .await?
    .writer;
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS comment (id INTEGER PRIMARY KEY, site TEXT NOT NULL, \
         uri TEXT NOT NULL, author_name TEXT NOT NULL, author_email TEXT NOT NULL, \
         text TEXT NOT NULL, html TEXT NOT NULL, created_at TEXT NOT NULL)",
    )
    .await?;
    let app = Router::new()
        .route("/thread", get(thread))
        .route("/comments", post(insert))
        .with_state(Bound { body, db });
    axum::serve(tokio::net::TcpListener::bind(addr).await?, app).await?;
    Ok(())
}

async fn thread(State(b): State<Bound>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], b.body).into_response()
}

async fn insert(State(b): State<Bound>, Json(c): Json<NewComment>) -> Response {
    let html = format!("<p>{}</p>", c.text);
    let stmt = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO comment (site, uri, author_name, author_email, text, html, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            c.site.into(),
            c.uri.into(),
            c.author_name.into(),
            c.author_email.into(),
            c.text.into(),
            html.into(),
            chrono::Utc::now().to_rfc3339().into(),
        ],
    );
    match b.db.execute_raw(stmt).await {
        Ok(r) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "id": r.last_insert_id() })),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The bound's process, started from this same binary.
pub struct BoundServer {
    child: Child,
    pub addr: SocketAddr,
}

impl BoundServer {
    pub async fn start(dir: &Path, addr: SocketAddr) -> anyhow::Result<BoundServer> {
        let dir: PathBuf = dir.to_owned();
        let child = Command::new(std::env::current_exe()?)
            .arg("--serve-bound")
            .arg(&dir)
            .arg("--bound-addr")
            .arg(addr.to_string())
            .stdout(Stdio::null())
            .spawn()
            .context("starting the bound")?;
        let bound = BoundServer { child, addr };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                bail!("the bound did not listen within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(bound)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for BoundServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
