//! Hostile bodies: an over-limit body (declared, and dribbled in chunks), deeply nested JSON,
//! and invalid UTF-8 in each field of the JSON and form submissions, with the time to the
//! answer and how many of the invalid submissions were stored.
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use super::wire::{self, ms_since};

const POST: &str = "/api/v1/comments";
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const FIELDS: [&str; 6] = [
    "site",
    "uri",
    "author_name",
    "author_email",
    "text",
    "author_url",
];

/// One row: what was sent, the status, and the milliseconds to the answer.
pub type Row = (String, u16, f64);

/// A 1 MB body declared with Content-Length, sent at once.
async fn declared(server: SocketAddr) -> anyhow::Result<Row> {
    let body = vec![b'a'; 1 << 20];
    let req = wire::with_body("POST", POST, JSON, "", &body);
    let t = Instant::now();
    let a = wire::exchange(server, None, &req, Duration::from_secs(30)).await?;
    Ok(("1 MB body, Content-Length".into(), a.status, ms_since(t)))
}

/// A 1 MB body, 1 KB every `every` until the server answers: declared with Content-Length,
/// or of unknown length (chunked). The time is from the first byte of the request; the row
/// names when the limit was crossed.
async fn dribbled(
    server: SocketAddr,
    every: Duration,
    limit: usize,
    chunked: bool,
) -> anyhow::Result<Row> {
    let mut s = wire::connect(server, None).await?;
    let t = Instant::now();
    let length = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", 1 << 20)
    };
    let head = format!(
        "POST {POST} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Type: {JSON}\r\n{length}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await?;
    let piece = "a".repeat(1024);
    let chunk = if chunked {
        format!("400\r\n{piece}\r\n")
    } else {
        piece
    };
    let (mut sent, mut crossed) = (0usize, None);
    // The time is taken when the answer's first byte is there, not when the server closes.
    let at = loop {
        let mut probe = [0u8; 1];
        if let Ok(Ok(n)) = tokio::time::timeout(every, s.peek(&mut probe)).await
            && n > 0
        {
            break ms_since(t);
        }
        if sent >= 1 << 20 || s.write_all(chunk.as_bytes()).await.is_err() {
            break ms_since(t);
        }
        sent += 1024;
        if sent > limit && crossed.is_none() {
            crossed = Some(ms_since(t));
        }
    };
    let how = if chunked { "chunked" } else { "Content-Length" };
    let what = format!(
        "1 MB, {how}, dribbled 1 KB every {} ms (limit crossed at {})",
        every.as_millis(),
        crossed.map_or("never: answered first".to_owned(), |ms| format!(
            "{ms:.0} ms"
        ))
    );
    let answer = wire::read_all(&mut s).await?;
    Ok((what, answer.status, at))
}

/// 20,000 levels of `[` in the body, and in the `text` field.
async fn nested(server: SocketAddr) -> anyhow::Result<Vec<Row>> {
    let depth = 20_000;
    let bare = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let field = format!(
        r#"{{"site":"demo","uri":"/n","author_name":"N","text":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let mut rows = Vec::new();
    for (what, body) in [("nested 20,000 deep", bare), ("nested in text", field)] {
        let req = wire::with_body("POST", POST, JSON, "", body.as_bytes());
        let t = Instant::now();
        let a = wire::exchange(server, None, &req, Duration::from_secs(30)).await?;
        rows.push((what.to_owned(), a.status, ms_since(t)));
    }
    Ok(rows)
}

fn json_with_ff(field: &str) -> Vec<u8> {
    let mut json = br#"{"site":"demo","uri":"/utf8","author_name":"Ada","author_email":"ada@example.org","text":"Hello there","author_url":"https://ada.example/"}"#.to_vec();
    let key = format!("\"{field}\":\"");
    if let Some(at) = json.windows(key.len()).position(|w| w == key.as_bytes()) {
        json.insert(at + key.len(), 0xFF);
    }
    json
}

fn form_with_ff(field: &str) -> Vec<u8> {
    let pairs = [
        ("site", "demo"),
        ("uri", "%2Futf8"),
        ("author_name", "Ada"),
        ("author_email", "ada%40example.org"),
        ("text", "Hello+there"),
        ("author_url", "https%3A%2F%2Fada.example%2F"),
    ];
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            let bad = if *k == field { "%FF%FE" } else { "" };
            format!("{k}={v}{bad}")
        })
        .collect();
    parts.join("&").into_bytes()
}

/// Each field with an invalid byte, as JSON (a raw 0xFF) and as a form (%FF%FE): the
/// statuses seen, and how many were answered 2xx or 5xx.
pub async fn utf8(server: SocketAddr) -> anyhow::Result<(Vec<u16>, usize)> {
    let mut statuses = Vec::new();
    for field in FIELDS {
        for (ctype, body) in [(JSON, json_with_ff(field)), (FORM, form_with_ff(field))] {
            let req = wire::with_body("POST", POST, ctype, "", &body);
            let a = wire::exchange(server, None, &req, Duration::from_secs(30)).await?;
            statuses.push(a.status);
        }
    }
    let bad = statuses.iter().filter(|s| !(400..500).contains(*s)).count();
    statuses.sort_unstable();
    statuses.dedup();
    Ok((statuses, bad))
}

/// The over-limit and nesting rows.
pub async fn timed(server: SocketAddr, limit: usize) -> anyhow::Result<Vec<Row>> {
    let mut rows = vec![declared(server).await?];
    let every = Duration::from_millis(10);
    rows.push(dribbled(server, every, limit, false).await?);
    rows.push(dribbled(server, every, limit, true).await?);
    rows.extend(nested(server).await?);
    Ok(rows)
}
