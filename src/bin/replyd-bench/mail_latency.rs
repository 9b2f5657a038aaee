//! `--mail-latency`: POST latency with SMTP up (a minimal SMTP sink on loopback that accepts
//! every mail) and with SMTP down (a port nobody listens on). Every comment on the demo site
//! alerts its moderator, so each POST enqueues a mail; the outbox worker sends it after the
//! answer, so SMTP trouble must not show in the POST's latency.
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::load::{Scenario, run_scenario};
use crate::server::{Server, free_addr};

/// Accepts every mail on `listener`, for as long as the bench runs.
async fn sink(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                return;
            }
            let mut data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = if data {
                    if line != "." {
                        continue;
                    }
                    data = false;
                    b"250 queued\r\n"
                } else {
                    match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                        Some("DATA") => {
                            data = true;
                            b"354 go ahead\r\n"
                        }
                        Some("QUIT") => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    }
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

pub async fn run(
    replyd: &std::path::Path,
    db: &str,
    runs: usize,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<()> {
    let up = TcpListener::bind("127.0.0.1:0").await?;
    let up_port = up.local_addr()?.port();
    tokio::spawn(sink(up));
    let down_port = free_addr()?.port();
    println!("| SMTP | run | POST req/s | p50 ms | p99 ms | p99.9 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    // Interleaved, so that the shared machine's load falls on both alike.
    for run in 0..runs.max(1) {
        for (label, port) in [("up", up_port), ("down", down_port)] {
            let mut server = Server::prepare(replyd, db)?;
            server.env("REPLYD__MAIL__TRANSPORT", "smtp");
            server.env("REPLYD__MAIL__SMTP__PORT", &port.to_string());
            server.start().await?;
            let r = run_scenario(server.addr(), Scenario::Post, run, connections, duration).await?;
            let n = r.latencies_us.len().max(1) as f64;
            println!(
                "| {label} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                run + 1,
                n / r.elapsed.as_secs_f64(),
                r.percentile(50.0),
                r.percentile(99.0),
                r.percentile(99.9),
                r.errors
            );
            server.stop();
        }
    }
    Ok(())
}
