//! Raw HTTP/1.1 over loopback for the abuse scenarios: connections from a chosen source
//! address (127.x.y.z, so each client has its own address without any proxy header), one
//! request per connection, and what the server reports about itself (RSS, /metrics size).
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The `n`th distinct client address: 127.10.0.1, 127.10.0.2, … (never .0 or .255).
pub fn client_addr(n: usize) -> Ipv4Addr {
    let host = n % 250 + 1;
    let net = n / 250;
    let [_, a, b, c] = u32::try_from(net * 256 + host).unwrap_or(1).to_be_bytes();
    Ipv4Addr::new(127, 10u8.saturating_add(a), b, c)
}

/// Connects to `server` from `from` (any port), or from 127.0.0.1.
pub async fn connect(server: SocketAddr, from: Option<Ipv4Addr>) -> anyhow::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    let src = from.unwrap_or(Ipv4Addr::LOCALHOST);
    socket.bind(SocketAddr::new(IpAddr::V4(src), 0))?;
    let stream = socket.connect(server).await.context("connecting")?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// One answer: status, the head (as sent) and the raw body.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` (which should say `Connection: close`) and reads to the end, within
/// `limit`. Status 0 means the server closed the connection without an answer.
pub async fn exchange(
    server: SocketAddr,
    from: Option<Ipv4Addr>,
    request: &[u8],
    limit: Duration,
) -> anyhow::Result<Answer> {
    let fut = async {
        let mut s = connect(server, from).await?;
        // A server that answers early (413) may close before taking the whole request.
        let _ = s.write_all(request).await;
        read_all(&mut s).await
    };
    tokio::time::timeout(limit, fut)
        .await
        .context("no answer in time")?
}

/// Reads a whole `Connection: close` response; a reset after some bytes keeps them.
pub async fn read_all(s: &mut TcpStream) -> anyhow::Result<Answer> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 65536];
    loop {
        match s.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if buf.is_empty() && e.kind() != std::io::ErrorKind::ConnectionReset => {
                return Err(e.into());
            }
            Err(_) => break,
        }
    }
    Ok(parse(&buf))
}

fn parse(buf: &[u8]) -> Answer {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Answer {
        status,
        head,
        body: buf[end..].to_vec(),
    }
}

/// A GET that closes the connection after the answer.
pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").into_bytes()
}

/// A request with a body, closing the connection after the answer.
pub fn with_body(method: &str, path: &str, ctype: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Milliseconds since `t`.
pub fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The `p`th percentile of sorted `v`.
pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i.min(v.len() - 1)]
}

/// VmRSS and VmHWM of process `pid`, in kB.
pub fn rss_kb(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}

/// The size of the server's `/metrics` text, in bytes.
pub async fn metrics_bytes(server: SocketAddr) -> anyhow::Result<usize> {
    let a = exchange(server, None, &get("/metrics"), Duration::from_secs(60)).await?;
    anyhow::ensure!(a.status == 200, "/metrics answered {}", a.status);
    Ok(a.body.len())
}
