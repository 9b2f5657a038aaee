//! A small closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its
//! next request when the last answer is complete, every latency recorded.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::bail;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

#[derive(Debug, Clone, Copy)]
pub enum Scenario {
    Thread50,
    Thread500,
    Counts20,
    Post,
    Mix,
    /// The bare-axum bound's in-memory GET.
    BoundGet,
    /// The bare-axum bound's POST: one sea-orm insert.
    BoundPost,
}

impl Scenario {
    pub fn all() -> [Scenario; 5] {
        [
            Scenario::Thread50,
            Scenario::Thread500,
            Scenario::Counts20,
            Scenario::Post,
            Scenario::Mix,
        ]
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Thread50 => "thread50",
            Scenario::Thread500 => "thread500",
            Scenario::Counts20 => "counts20",
            Scenario::Post => "post",
            Scenario::Mix => "mix",
            Scenario::BoundGet => "bound GET",
            Scenario::BoundPost => "bound POST",
        }
    }

    /// The `n`th request of connection `conn` in run `run`.
    fn request(self, run: usize, conn: usize, n: u64) -> Vec<u8> {
        match self {
            Scenario::Thread50 => get("/api/v1/comments?site=demo&uri=%2Fb50"),
            // The widget asks for 100 at a time.
            Scenario::Thread500 => get(&format!(
                "/api/v1/comments?site=demo&uri=%2Fb500&limit=100&offset={}",
                (n % 5) * 100
            )),
            Scenario::Counts20 => {
                let uris: String = (0..20).map(|i| format!("&uri=%2Fc%2F{i}")).collect();
                get(&format!("/api/v1/counts?site=demo{uris}"))
            }
            Scenario::Post => post(API_POST, "post", run, conn, n),
            Scenario::Mix if n.is_multiple_of(20) => post(API_POST, "mix", run, conn, n),
            Scenario::Mix => get("/api/v1/comments?site=demo&uri=%2Fb50"),
            Scenario::BoundGet => get("/thread"),
            Scenario::BoundPost => post("/comments", "bound", run, conn, n),
        }
    }
}

const API_POST: &str = "/api/v1/comments";

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes()
}

/// A comment whose text is unique to the scenario, run, connection and sequence number, so
/// no submission is refused as a duplicate.
fn post(path: &str, scenario: &str, run: usize, conn: usize, n: u64) -> Vec<u8> {
    let body = format!(
        r#"{{"site":"demo","uri":"/posts/{}","author_name":"Bench {conn}","author_email":"bench{conn}@example.org","text":"Benchmark comment {n} from connection {conn} in {scenario} run {run}: *hello* there."}}"#,
        n % 100
    );
    format!("POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

pub struct Outcome {
    pub latencies_us: Vec<u32>,
    pub elapsed: Duration,
    pub errors: u64,
}

impl Outcome {
    /// Latency percentile in milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let idx = ((p / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        f64::from(self.latencies_us[idx]) / 1000.0
    }
}

/// Each connection comes from its own loopback address (127.0.x.y), so submissions arrive
/// from many distinct clients, as they would in production.
pub async fn connect(server: SocketAddr, conn: usize) -> anyhow::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    let [hi, lo] = u16::try_from(conn + 2).unwrap_or(2).to_be_bytes();
    socket.bind(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(127, 0, hi, lo)),
        0,
    ))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// One GET of `path`: the response's head (lower-cased) and body.
pub async fn fetch(server: SocketAddr, path: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let mut s = connect(server, 0).await?;
    s.write_all(&get(path)).await?;
    let mut buf = Vec::new();
    let (_, head_end) = read_response(&mut s, &mut buf).await?;
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    Ok((head, buf.split_off(head_end)))
}

/// Reads one response; returns its status code and where its body starts.
pub async fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<(u16, usize)> {
    buf.clear();
    let mut chunk = vec![0u8; 65536];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed mid-body");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, head_end))
}

pub async fn run_scenario(
    server: SocketAddr,
    scenario: Scenario,
    run: usize,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for conn in 0..connections {
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(100_000);
            let mut errors = 0u64;
            let mut s = connect(server, conn).await?;
            let mut buf = Vec::with_capacity(65536);
            let mut n = 0u64;
            while Instant::now() < deadline {
                let req = scenario.request(run, conn, n * connections as u64 + conn as u64);
                let t = Instant::now();
                s.write_all(&req).await?;
                let (status, _) = read_response(&mut s, &mut buf).await?;
                lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                if !(200..300).contains(&status) {
                    errors += 1;
                }
                n += 1;
            }
            anyhow::Ok((lat, errors))
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await??;
        all.extend(lat);
        errors += e;
    }
    all.sort_unstable();
    Ok(Outcome {
        latencies_us: all,
        elapsed: started.elapsed(),
        errors,
    })
}
