//! `replyd-bench abuse`: the hostile-load figures. Slowloris beside a legitimate client,
//! over-limit and deeply nested bodies, invalid UTF-8, and the server's memory (RSS and
//! `/metrics` size) before and after fixed counts of abusive requests, against any replyd
//! binary (`--binary`), so an older build can be measured the same way.
mod input;
mod memory;
mod slowloris;
mod wire;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::server::Server;
use memory::Statuses;

#[derive(Debug, clap::Args)]
pub struct AbuseArgs {
    /// The replyd binary to measure; defaults to the one beside this one.
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Only these parts (slowloris, input, reads, methods, keys, logins); all by default.
    #[arg(long)]
    only: Vec<String>,
    /// Slowloris sockets: half send a header byte at a time, half never send.
    #[arg(long, default_value_t = 1000)]
    sockets: usize,
    /// Seconds the slowloris attack runs beside the legitimate client.
    #[arg(long, default_value_t = 30)]
    attack_secs: u64,
    /// Milliseconds between the header bytes of a dribbling socket.
    #[arg(long, default_value_t = 1000)]
    byte_every_ms: u64,
    /// Anonymous reads of random pages and offsets.
    #[arg(long, default_value_t = 20_000)]
    reads: usize,
    /// Requests with made-up methods.
    #[arg(long, default_value_t = 5_000)]
    methods: usize,
    /// Submissions with a 60 KB author email, each from its own address.
    #[arg(long, default_value_t = 2_000)]
    keys: usize,
    /// Concurrent sign-ins, each from its own address.
    #[arg(long, default_value_t = 400)]
    logins: usize,
}

impl AbuseArgs {
    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == part)
    }
}

/// Raises the soft open-file limit to the hard one: the attack needs a socket per
/// slowloris client, and the server (a child, which inherits it) one per connection.
fn raise_fd_limit() -> anyhow::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut lim) != 0 {
            anyhow::bail!("getrlimit failed");
        }
        lim.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raw const lim) != 0 {
            anyhow::bail!("setrlimit failed");
        }
    }
    Ok(lim.rlim_cur)
}

pub async fn run(args: &AbuseArgs) -> anyhow::Result<()> {
    let binary = match args.binary.clone() {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("replyd"),
    };
    let fds = raise_fd_limit()?;
    anyhow::ensure!(
        fds as usize > args.sockets + 200,
        "the open-file limit is {fds}: raise it (ulimit -Hn) above {} for the attack",
        args.sockets + 200
    );
    println!("# replyd-bench abuse: {}\n", binary.display());
    if args.wants("slowloris") || args.wants("input") {
        transport(&binary, args).await?;
    }
    let parts: Vec<&str> = ["reads", "methods", "keys", "logins"]
        .into_iter()
        .filter(|p| args.wants(p))
        .collect();
    if !parts.is_empty() {
        println!(
            "| abuse | requests | answers | RSS before MB | RSS after MB | peak RSS MB | /metrics before KB | /metrics after KB |"
        );
        println!("|---|---:|---|---:|---:|---:|---:|---:|");
    }
    for part in parts {
        println!("{}", memory_row(&binary, args, part).await?);
    }
    Ok(())
}

/// Comments stored in the server's database.
async fn stored(server: &Server) -> anyhow::Result<i64> {
    let db = Database::connect(server.url()).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM comments",
        ))
        .await?
        .context("no count")?;
    let n: i64 = row.try_get_by_index(0)?;
    db.close().await?;
    Ok(n)
}

/// Slowloris and the hostile bodies, on one server with a page of 50 comments.
async fn transport(binary: &std::path::Path, args: &AbuseArgs) -> anyhow::Result<()> {
    let mut server = Server::prepare(binary, "sqlite")?;
    server.seed("/b50", 50, 1)?;
    server.start().await?;
    if args.wants("input") {
        let before = stored(&server).await?;
        println!("| hostile body | status | ms to the answer |\n|---|---:|---:|");
        for (what, status, ms) in input::timed(server.addr(), 65_536).await? {
            println!("| {what} | {status} | {ms:.1} |");
        }
        let (statuses, not_4xx) = input::utf8(server.addr()).await?;
        let stored_now = stored(&server).await? - before;
        println!(
            "\ninvalid UTF-8 in each of 6 fields, JSON and form (12 submissions): statuses {statuses:?}, {not_4xx} not 4xx, {stored_now} stored\n"
        );
    }
    if args.wants("slowloris") {
        let f = slowloris::run(
            server.addr(),
            args.sockets,
            Duration::from_millis(args.byte_every_ms),
            Duration::from_secs(3),
            Duration::from_secs(args.attack_secs),
        )
        .await;
        println!(
            "slowloris: {} sockets for {} s (a header byte every {} ms, or none)\n",
            args.sockets, args.attack_secs, args.byte_every_ms
        );
        println!("{}", slowloris::report(&f));
    }
    server.stop();
    Ok(())
}

/// One fresh server, its memory before and after one kind of abuse, as a table row.
async fn memory_row(
    binary: &std::path::Path,
    args: &AbuseArgs,
    part: &str,
) -> anyhow::Result<String> {
    let mut server = Server::prepare(binary, "sqlite")?;
    if part == "keys" {
        server.env("REPLYD__RATE_LIMIT__ENABLED", "true");
    }
    server.start().await?;
    let addr = server.addr();
    wire::metrics_bytes(addr).await?;
    let pid = server.pid()?;
    let (rss0, _) = wire::rss_kb(pid)?;
    let m0 = wire::metrics_bytes(addr).await?;
    let (count, statuses) = match part {
        "reads" => (args.reads, memory::reads(addr, args.reads).await),
        "methods" => (args.methods, memory::methods(addr, args.methods).await),
        "keys" => (args.keys, memory::long_keys(addr, args.keys).await),
        _ => (args.logins, memory::logins(addr, args.logins).await?),
    };
    let (rss1, hwm) = wire::rss_kb(pid)?;
    let m1 = wire::metrics_bytes(addr).await?;
    server.stop();
    let mb = |kb: u64| kb as f64 / 1024.0;
    Ok(format!(
        "| {part} | {count} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        answers(&statuses),
        mb(rss0),
        mb(rss1),
        mb(hwm),
        m0 as f64 / 1024.0,
        m1 as f64 / 1024.0
    ))
}

fn answers(s: &Statuses) -> String {
    let parts: Vec<String> = s
        .iter()
        .map(|(status, n)| match status {
            0 => format!("{n}× none"),
            _ => format!("{n}× {status}"),
        })
        .collect();
    parts.join(", ")
}
