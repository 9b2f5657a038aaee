//! replyd-bench: seeds a database, starts the release `replyd` beside it, drives it over
//! loopback with keep-alive connections and prints a Markdown table: requests/s, latency
//! percentiles, server CPU per request and peak RSS.
//!
//! `cargo build --release && cargo run --release --bin replyd-bench -- --help`
mod abuse;
mod bound;
mod contention;
mod crash;
mod load;
mod mail_latency;
mod proxy;
mod ratios;
mod server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use load::{Scenario, run_scenario};
use server::Server;

#[derive(Debug, Parser)]
#[command(about = "Benchmarks a release build of replyd on SQLite or PostgreSQL")]
struct Args {
    /// sqlite, or a postgres:// URL of a server where a scratch database may be created.
    #[arg(long, default_value = "sqlite")]
    db: String,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Comments in the background database: 10000 (one per page across 10,000 pages) or
    /// 1000000 (100 per page).
    #[arg(long, default_value_t = 10_000)]
    background: u64,
    /// Only these scenarios (thread50, thread500, counts20, post, mix); all by default.
    #[arg(long)]
    only: Vec<String>,
    /// Runs of each scenario; the table gives the median of each column.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The replyd binary; defaults to the one beside this one.
    #[arg(long)]
    replyd: Option<PathBuf>,
    /// Measure side by side, interleaved in each round: the bare-axum bound, replyd
    /// (thread50, counts20, post) and replyd behind nginx's proxy_cache, with each figure's
    /// ratio to the bound.
    #[arg(long)]
    ratios: bool,
    /// Internal: serve the bare-axum bound from this directory (started by `--ratios`).
    #[arg(long, hide = true, requires = "bound_addr")]
    serve_bound: Option<PathBuf>,
    #[arg(long, hide = true)]
    bound_addr: Option<SocketAddr>,
    /// Crash durability: `--posts` POSTs with Idempotency-Keys while the server is
    /// SIGKILLed `--kills` times and restarted; checks every acknowledged comment is stored
    /// exactly once. Use with `--connections 64`.
    #[arg(long)]
    crash: bool,
    /// Posts for `--crash`.
    #[arg(long, default_value_t = 10_000)]
    posts: usize,
    /// SIGKILLs for `--crash`.
    #[arg(long, default_value_t = 5)]
    kills: usize,
    /// Contention: `--connections` writers (submissions and moderation actions) for
    /// `--duration` seconds; no 5xx, no busy error, `PRAGMA integrity_check` ok.
    #[arg(long)]
    contention: bool,
    /// POST latency with SMTP up and with SMTP down, `--runs` times each, interleaved.
    #[arg(long)]
    mail_latency: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Hostile-load figures: slowloris beside a legitimate client, hostile bodies, and the
    /// server's memory under abuse (`--binary` measures another build the same way).
    Abuse(abuse::AbuseArgs),
}

/// Two load threads, like `wrk -t2` beside the server on a 2-core machine.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(Command::Abuse(a)) = &args.command {
        return abuse::run(a).await;
    }
    if let (Some(dir), Some(addr)) = (&args.serve_bound, args.bound_addr) {
        return bound::serve(dir, addr).await;
    }
    let replyd = match args.replyd.clone() {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("replyd"),
    };
    if args.crash || args.contention || args.mail_latency {
        return faults(&replyd, &args).await;
    }
    let mut server = Server::prepare(&replyd, &args.db)?;
    seed(&mut server, args.background)?;
    let startup = startup_median(&mut server, args.runs).await?;
    if args.ratios {
        let r = ratios::run(&server, args.runs, args.connections, args.duration).await;
        server.stop();
        return r;
    }
    println!("| scenario | req/s | p50 ms | p99 ms | p99.9 ms | server CPU ms/req | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut failed = 0.0;
    for scenario in Scenario::all() {
        if !args.only.is_empty() && !args.only.iter().any(|o| o == scenario.name()) {
            continue;
        }
        let rows = measure(&server, scenario, &args).await?;
        let runs: Vec<String> = rows.iter().map(|r| format!("{:.0}", r[0])).collect();
        eprintln!("{}: req/s of each run {}", scenario.name(), runs.join(", "));
        failed += rows.iter().map(|r| r[5]).sum::<f64>();
        let m = median_columns(&rows);
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.3} | {:.0} |",
            scenario.name(),
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
            m[5]
        );
    }
    println!();
    println!("start-up to /healthz on the seeded database: {startup:.0} ms (median)");
    println!(
        "peak RSS of replyd: {:.1} MB",
        server.peak_rss_kb()? as f64 / 1024.0
    );
    server.stop();
    if failed > 0.0 {
        anyhow::bail!("{failed} requests were not answered with 2xx: the figures are not valid");
    }
    Ok(())
}

/// The durability scenarios (issue 14): each on a fresh database of its own.
async fn faults(replyd: &std::path::Path, args: &Args) -> anyhow::Result<()> {
    let duration = Duration::from_secs(args.duration);
    if args.mail_latency {
        return mail_latency::run(replyd, &args.db, args.runs, args.connections, duration).await;
    }
    let mut server = Server::prepare(replyd, &args.db)?;
    let r = if args.crash {
        crash::run(&mut server, args.posts, args.connections, args.kills).await
    } else {
        contention::run(&mut server, args.connections, duration).await
    };
    server.stop();
    r
}

/// The scenarios' pages, and `background` comments spread over 10,000 pages.
fn seed(server: &mut Server, background: u64) -> anyhow::Result<()> {
    eprintln!(
        "seeding: pages of 50 and 500 comments, 20 counted pages, {background} background comments"
    );
    server.seed("/b50", 50, 1)?;
    server.seed("/b500", 500, 1)?;
    server.seed("/c/", 3, 20)?;
    let per_page = (background / 10_000).max(1);
    server.seed("/bg/", per_page, background / per_page)
}

/// Start-up is timed on the seeded database once per run; the last start stays up.
async fn startup_median(server: &mut Server, runs: usize) -> anyhow::Result<f64> {
    let mut startups = Vec::with_capacity(runs);
    for run in 0..runs.max(1) {
        if run > 0 {
            server.kill();
        }
        startups.push(server.start().await?.as_secs_f64() * 1000.0);
    }
    startups.sort_by(f64::total_cmp);
    Ok(startups[startups.len() / 2])
}

/// One row per run: req/s, p50, p99, p99.9, server CPU ms per request, errors.
async fn measure(
    server: &Server,
    scenario: Scenario,
    args: &Args,
) -> anyhow::Result<Vec<[f64; 6]>> {
    let mut rows = Vec::with_capacity(args.runs);
    for run in 0..args.runs.max(1) {
        let cpu_before = server.cpu_seconds()?;
        let duration = Duration::from_secs(args.duration);
        let r = run_scenario(server.addr(), scenario, run, args.connections, duration).await?;
        let cpu = server.cpu_seconds()? - cpu_before;
        let n = r.latencies_us.len().max(1) as f64;
        rows.push([
            n / r.elapsed.as_secs_f64(),
            r.percentile(50.0),
            r.percentile(99.0),
            r.percentile(99.9),
            cpu * 1000.0 / n,
            r.errors as f64,
        ]);
    }
    Ok(rows)
}

/// The median of each column over the runs.
fn median_columns(rows: &[[f64; 6]]) -> [f64; 6] {
    let mut out = [0.0; 6];
    for (i, o) in out.iter_mut().enumerate() {
        let mut col: Vec<f64> = rows.iter().map(|r| r[i]).collect();
        col.sort_by(f64::total_cmp);
        *o = col.get(col.len() / 2).copied().unwrap_or(0.0);
    }
    out
}
