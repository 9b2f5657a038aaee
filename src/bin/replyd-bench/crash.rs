//! `--crash`: crash durability. N comment POSTs, each with its own `Idempotency-Key`, over 64
//! keep-alive connections, while the server is SIGKILLed at random moments and restarted.
//! Each client retries its post with the same key until it is acknowledged (a 201), as a
//! careful client would. Then every acknowledged comment must be in the database exactly
//! once, and no comment doubled.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::RngExt;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::load::{connect, read_response};
use crate::server::Server;

/// What the clients saw.
#[derive(Default)]
struct Seen {
    acked: AtomicUsize,
    /// Posts that needed more than one attempt.
    retried: AtomicU64,
    /// Connections that broke (a kill, a restart).
    broken: AtomicU64,
    non_2xx: AtomicU64,
    server_errors: AtomicU64,
}

const TEXT: &str = "Crash test comment";

fn request(i: usize) -> Vec<u8> {
    let body = format!(
        r#"{{"site":"demo","uri":"/crash/{}","author_name":"Crash {i}","author_email":"crash{i}@example.org","text":"{TEXT} {i}: still here after the kills?"}}"#,
        i % 50
    );
    format!(
        "POST /api/v1/comments HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nIdempotency-Key: crash-{i}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// One connection's client: takes the next post and sends it until it is acknowledged.
async fn client(
    addr: SocketAddr,
    conn: usize,
    next: Arc<AtomicUsize>,
    posts: usize,
    ids: Arc<std::sync::Mutex<Vec<Option<i64>>>>,
    seen: Arc<Seen>,
) {
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::with_capacity(8192);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= posts {
            return;
        }
        let req = request(i);
        for attempt in 0.. {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if stream.is_none() {
                stream = connect(addr, conn).await.ok();
            }
            let Some(s) = stream.as_mut() else { continue };
            let sent = match s.write_all(&req).await {
                Ok(()) => read_response(s, &mut buf).await,
                Err(e) => Err(e.into()),
            };
            match sent {
                Ok((201, start)) => {
                    let id = serde_json::from_slice::<Value>(&buf[start..])
                        .ok()
                        .and_then(|v| v["id"].as_i64());
                    if let Some(slot) = ids.lock().unwrap_or_else(|p| p.into_inner()).get_mut(i) {
                        *slot = id;
                    }
                    seen.acked.fetch_add(1, Ordering::Relaxed);
                    if attempt > 0 {
                        seen.retried.fetch_add(1, Ordering::Relaxed);
                    }
                    break;
                }
                Ok((status, _)) => {
                    seen.non_2xx.fetch_add(1, Ordering::Relaxed);
                    if status >= 500 {
                        seen.server_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(_) => {
                    stream = None;
                    seen.broken.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Kills the server `kills` times, each when a random share of the posts is acknowledged
/// (plus up to 30 ms), and restarts it at once.
async fn killer(
    server: &mut Server,
    kills: usize,
    posts: usize,
    seen: &Seen,
) -> anyhow::Result<()> {
    let mut at: Vec<usize> = {
        let mut rng = rand::rng();
        let (lo, hi) = (posts / 20, (posts * 19 / 20).max(posts / 20 + 1));
        (0..kills).map(|_| rng.random_range(lo..hi)).collect()
    };
    at.sort_unstable();
    for (k, threshold) in at.into_iter().enumerate() {
        while seen.acked.load(Ordering::Relaxed) < threshold {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let jitter = rand::rng().random_range(0..30);
        tokio::time::sleep(Duration::from_millis(jitter)).await;
        server.kill();
        let restart = server.start().await?;
        eprintln!(
            "kill {}: SIGKILL at {} acknowledged, back up in {} ms",
            k + 1,
            seen.acked.load(Ordering::Relaxed),
            restart.as_millis()
        );
    }
    Ok(())
}

pub async fn run(
    server: &mut Server,
    posts: usize,
    connections: usize,
    kills: usize,
) -> anyhow::Result<()> {
    server.start().await?;
    let started = Instant::now();
    let (next, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(Seen::default()));
    let ids = Arc::new(std::sync::Mutex::new(vec![None; posts]));
    let clients: Vec<_> = (0..connections)
        .map(|conn| {
            let (next, ids, seen) = (next.clone(), ids.clone(), seen.clone());
            tokio::spawn(client(server.addr(), conn, next, posts, ids, seen))
        })
        .collect();
    killer(server, kills, posts, &seen).await?;
    for c in clients {
        c.await?;
    }
    let elapsed = started.elapsed();
    let ids = std::mem::take(&mut *ids.lock().unwrap_or_else(|p| p.into_inner()));
    let check = check(server.url(), &ids).await?;
    println!(
        "| posts | connections | SIGKILLs | acknowledged | retried after a kill | broken connections | non-2xx | 5xx | rows | missing | doubled | integrity | seconds |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    println!(
        "| {posts} | {connections} | {kills} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
        seen.acked.load(Ordering::Relaxed),
        seen.retried.load(Ordering::Relaxed),
        seen.broken.load(Ordering::Relaxed),
        seen.non_2xx.load(Ordering::Relaxed),
        seen.server_errors.load(Ordering::Relaxed),
        check.rows,
        check.missing,
        check.doubled,
        check.integrity,
        elapsed.as_secs_f64()
    );
    if check.missing > 0 || check.doubled > 0 || check.rows != posts as u64 {
        anyhow::bail!("durability violated: see the table");
    }
    Ok(())
}

/// What the database holds after the run.
pub struct Check {
    pub rows: u64,
    /// Acknowledged comments not found (or found with other text).
    pub missing: u64,
    /// Texts stored more than once.
    pub doubled: u64,
    pub integrity: String,
}

async fn check(url: &str, ids: &[Option<i64>]) -> anyhow::Result<Check> {
    let db = Database::connect(url).await?;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, text FROM comments WHERE text LIKE '{TEXT} %'"),
        ))
        .await?;
    let mut by_id = HashMap::new();
    let mut per_text: HashMap<String, u64> = HashMap::new();
    for r in &rows {
        let (id, text): (i64, String) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        *per_text.entry(text.clone()).or_default() += 1;
        by_id.insert(id, text);
    }
    let missing = ids
        .iter()
        .enumerate()
        .filter(|(i, id)| {
            let want = format!("{TEXT} {i}:");
            !id.and_then(|id| by_id.get(&id))
                .is_some_and(|t| t.starts_with(&want))
        })
        .count() as u64;
    let doubled = per_text.values().filter(|n| **n > 1).count() as u64;
    let integrity = integrity(&db, backend).await?;
    db.close().await?;
    Ok(Check {
        rows: rows.len() as u64,
        missing,
        doubled,
        integrity,
    })
}

/// SQLite's `PRAGMA integrity_check` answer; PostgreSQL has no equivalent ("n/a").
pub async fn integrity(
    db: &sea_orm::DatabaseConnection,
    backend: DbBackend,
) -> anyhow::Result<String> {
    if backend != DbBackend::Sqlite {
        return Ok("n/a".into());
    }
    let row = db
        .query_one_raw(Statement::from_string(backend, "PRAGMA integrity_check"))
        .await?;
    Ok(match row {
        Some(r) => r.try_get_by_index::<String>(0)?,
        None => "no answer".into(),
    })
}
