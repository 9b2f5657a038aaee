//! Memory under abuse: a fixed count of anonymous reads of random pages and offsets, of
//! made-up HTTP methods, of submissions with 60 KB emails (each from its own address), and
//! one storm of concurrent sign-ins from distinct addresses. Each runs on a fresh server;
//! the caller reads its RSS and `/metrics` size before and after.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::{Barrier, Semaphore};

use super::wire;

/// What the requests of one scenario were answered: status → count (0: no answer).
pub type Statuses = BTreeMap<u16, u64>;

/// A small deterministic generator (xorshift), so every run asks for the same pages.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Sends `requests`, `concurrency` at a time (the `i`th from the `i`th client address when
/// `spread`), and counts the statuses.
async fn drive(
    server: SocketAddr,
    requests: Vec<Vec<u8>>,
    concurrency: usize,
    spread: bool,
) -> Statuses {
    let gate = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::with_capacity(requests.len());
    for (i, req) in requests.into_iter().enumerate() {
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let from = spread.then(|| wire::client_addr(i));
        tasks.push(tokio::spawn(async move {
            let status = wire::exchange(server, from, &req, Duration::from_secs(60))
                .await
                .map_or(0, |a| a.status);
            drop(permit);
            status
        }));
    }
    let mut out = Statuses::new();
    for t in tasks {
        *out.entry(t.await.unwrap_or(0)).or_default() += 1;
    }
    out
}

/// Reads of random pages with random offsets and limits; a quarter name an unknown site
/// and a quarter a 3,000-character path, which no page can have.
pub async fn reads(server: SocketAddr, count: usize) -> Statuses {
    let mut rng = Rand(0x9E37_79B9_7F4A_7C15);
    let long = "a".repeat(3000);
    let requests = (0..count)
        .map(|_| {
            let (r, offset, limit) = (rng.next(), rng.next() % 1_000_000, rng.next() % 100 + 1);
            let path = match r % 4 {
                0 => format!("/api/v1/comments?site=nosuch{r}&uri=%2Fr%2F{r}"),
                1 => format!("/api/v1/comments?site=demo&uri=%2F{long}{r}"),
                _ => format!(
                    "/api/v1/comments?site=demo&uri=%2Fr%2F{r}&offset={offset}&limit={limit}"
                ),
            };
            wire::get(&path)
        })
        .collect();
    drive(server, requests, 16, false).await
}

/// Requests with made-up methods, each its own.
pub async fn methods(server: SocketAddr, count: usize) -> Statuses {
    let requests = (0..count)
        .map(|i| {
            format!("BREW{i} /api/v1/comments HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                .into_bytes()
        })
        .collect();
    drive(server, requests, 16, false).await
}

/// Submissions whose author email is 60 KB (each different), each from its own address so
/// the per-address limit lets it reach the per-email limiter.
pub async fn long_keys(server: SocketAddr, count: usize) -> Statuses {
    let requests = (0..count)
        .map(|i| {
            let email = format!("{i}{}@example.org", "x".repeat(60_000));
            let body = format!(
                r#"{{"site":"demo","uri":"/keys","author_name":"K","author_email":"{email}","text":"Hello there"}}"#
            );
            wire::with_body(
                "POST",
                "/api/v1/comments",
                "application/json",
                "",
                body.as_bytes(),
            )
        })
        .collect();
    drive(server, requests, 16, true).await
}

/// The login form's cookie and CSRF token, as a browser gets them.
async fn login_form(server: SocketAddr) -> anyhow::Result<(String, String)> {
    let a = wire::exchange(
        server,
        None,
        &wire::get("/admin/login"),
        Duration::from_secs(30),
    )
    .await?;
    let cookie = a
        .head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| v.trim().strip_prefix("replyd_form="))
        .and_then(|v| v.split(';').next())
        .context("no form cookie on /admin/login")?
        .to_owned();
    let text = a.text();
    let csrf = text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no csrf field on /admin/login")?
        .to_owned();
    Ok((cookie, csrf))
}

/// `count` sign-ins at once, each from its own address, each for its own (unknown) email,
/// so neither the per-address nor the per-account limit stops them.
pub async fn logins(server: SocketAddr, count: usize) -> anyhow::Result<Statuses> {
    let (cookie, csrf) = login_form(server).await?;
    let barrier = Arc::new(Barrier::new(count));
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let body = format!("email=storm{i}%40example.org&password=wrong-password-{i}&csrf={csrf}");
        let extra = format!("Cookie: replyd_form={cookie}\r\n");
        let req = wire::with_body(
            "POST",
            "/admin/login",
            "application/x-www-form-urlencoded",
            &extra,
            body.as_bytes(),
        );
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            wire::exchange(
                server,
                Some(wire::client_addr(i)),
                &req,
                Duration::from_secs(120),
            )
            .await
            .map_or(0, |a| a.status)
        }));
    }
    let mut out = Statuses::new();
    for t in tasks {
        *out.entry(t.await.unwrap_or(0)).or_default() += 1;
    }
    Ok(out)
}
