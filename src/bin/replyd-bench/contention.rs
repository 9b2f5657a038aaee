//! `--contention`: 64 concurrent writers on SQLite for a minute, three in four submitting
//! comments and one in four moderating them (approve, reject, spam in turn) through the API
//! with a token. No busy error may surface: every answer is counted by status, a 5xx fails
//! the run, and `PRAGMA integrity_check` must say `ok` afterwards.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::crash::integrity;
use crate::load::{connect, read_response};
use crate::server::Server;

/// Comment ids waiting for a moderator, and the answers by kind and status.
#[derive(Default)]
struct Shared {
    pending: Mutex<Vec<i64>>,
    statuses: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Answers whose body speaks of a busy or locked database.
    busy: Mutex<u64>,
}

fn post(conn: usize, n: u64) -> Vec<u8> {
    let body = format!(
        r#"{{"site":"demo","uri":"/contention/{}","author_name":"Writer {conn}","author_email":"w{conn}@example.org","text":"Contention comment {n} from writer {conn}."}}"#,
        n % 20
    );
    format!(
        "POST /api/v1/comments HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn moderate(token: &str, id: i64, n: u64) -> Vec<u8> {
    let action = ["approve", "reject", "spam"][(n % 3) as usize];
    format!(
        "POST /api/v1/admin/comments/{id}/{action} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

async fn writer(
    addr: SocketAddr,
    conn: usize,
    token: Arc<String>,
    deadline: Instant,
    shared: Arc<Shared>,
) -> anyhow::Result<()> {
    let mut s = connect(addr, conn).await?;
    let mut buf = Vec::with_capacity(8192);
    let moderator = conn % 4 == 3;
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        let (kind, req) = if moderator {
            let id = shared
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let Some(id) = id else {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            };
            ("moderate", moderate(&token, id, n))
        } else {
            ("submit", post(conn, n))
        };
        s.write_all(&req).await?;
        let (status, start) = read_response(&mut s, &mut buf).await?;
        let body = &buf[start..];
        if status == 201
            && let Some(id) = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v["id"].as_i64())
        {
            shared
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(id);
        }
        let text = String::from_utf8_lossy(body).to_ascii_lowercase();
        if text.contains("busy") || text.contains("locked") {
            *shared.busy.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        }
        *shared
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((kind, status))
            .or_default() += 1;
    }
    Ok(())
}

pub async fn run(
    server: &mut Server,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<()> {
    let token = Arc::new(server.token()?);
    server.start().await?;
    let shared = Arc::new(Shared::default());
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|conn| {
            let (token, shared) = (token.clone(), shared.clone());
            tokio::spawn(writer(server.addr(), conn, token, deadline, shared))
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let (integrity, comments) = stored(server).await?;
    let statuses = shared
        .statuses
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let busy = *shared.busy.lock().unwrap_or_else(|p| p.into_inner());
    let count = |f: &dyn Fn(&str, u16) -> bool| -> u64 {
        statuses
            .iter()
            .filter(|((k, s), _)| f(k, *s))
            .map(|(_, n)| n)
            .sum()
    };
    let submitted = count(&|k, s| k == "submit" && s == 201);
    let moderated = count(&|k, s| k == "moderate" && (200..300).contains(&s));
    let non_2xx = count(&|_, s| !(200..300).contains(&s));
    let server_errors = count(&|_, s| s >= 500);
    println!(
        "| writers | seconds | submissions 201 | moderation actions 2xx | non-2xx | 5xx | busy/locked bodies | comments stored | integrity_check |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    println!(
        "| {connections} | {} | {submitted} | {moderated} | {non_2xx} | {server_errors} | {busy} | {comments} | {integrity} |",
        duration.as_secs()
    );
    eprintln!("answers by kind and status: {statuses:?}");
    if server_errors > 0
        || busy > 0
        || !matches!(integrity.as_str(), "ok" | "n/a")
        || comments != submitted as i64
    {
        anyhow::bail!("contention surfaced: see the table");
    }
    Ok(())
}

/// The database after the run: `PRAGMA integrity_check` (or "n/a") and the comments stored.
async fn stored(server: &Server) -> anyhow::Result<(String, i64)> {
    let db = Database::connect(server.url()).await?;
    let integrity = integrity(&db, db.get_database_backend()).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM comments",
        ))
        .await?;
    let comments: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
    db.close().await?;
    Ok((integrity, comments))
}
