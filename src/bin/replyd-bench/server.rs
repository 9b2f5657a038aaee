//! The server under test: a scratch database, `replyd seed`, and the release binary with
//! limits off, measured through /proc.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub struct Server {
    replyd: PathBuf,
    /// The PostgreSQL server URL and scratch database name, dropped at the end.
    scratch: Option<(String, String)>,
    dir: PathBuf,
    url: String,
    addr: SocketAddr,
    child: Option<Child>,
    /// More environment for the server (`env`).
    extra_env: Vec<(String, String)>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// User + system CPU seconds process `pid` has used so far.
pub fn cpu_seconds_of(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    Ok(ticks / 100.0)
}

/// A free loopback address.
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(SocketAddr::from(([127, 0, 0, 1], free_port()?)))
}

impl Server {
    pub fn prepare(replyd: &Path, db: &str) -> anyhow::Result<Server> {
        if !replyd.exists() {
            bail!(
                "{} not found: run `cargo build --release` first",
                replyd.display()
            );
        }
        let dir = std::env::temp_dir().join(format!("replyd-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut scratch = None;
        let url = if db == "sqlite" {
            format!("sqlite://{}?mode=rwc", dir.join("bench.db").display())
        } else {
            let name = format!("bench_{}", std::process::id());
            let status = Command::new("psql")
                .arg(db)
                .args(["-qc", &format!("CREATE DATABASE {name}")])
                .status()?;
            if !status.success() {
                bail!("could not create the scratch database with psql");
            }
            scratch = Some((db.to_owned(), name.clone()));
            format!("{}/{name}", db.rsplit_once('/').map_or(db, |(b, _)| b))
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        Ok(Server {
            replyd: replyd.to_owned(),
            scratch,
            dir,
            url,
            addr,
            child: None,
            extra_env: Vec::new(),
        })
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.replyd);
        c.env("REPLYD__DATABASE__URL", &self.url)
            .env("REPLYD__SERVER__BIND", self.addr.to_string())
            .env(
                "REPLYD__SERVER__PUBLIC_URL",
                format!("http://{}", self.addr),
            )
            .env("REPLYD__RATE_LIMIT__ENABLED", "false")
            .env("REPLYD__MAIL__FILE_DIR", self.dir.join("mail"))
            .env("RUST_LOG", "warn");
        c.envs(self.extra_env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// Sets an environment variable (a config key) for every later start.
    pub fn env(&mut self, key: &str, value: &str) {
        self.extra_env.push((key.to_owned(), value.to_owned()));
    }

    /// The database URL the server runs on.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new API token with full rights, made by `replyd token create`.
    pub fn token(&self) -> anyhow::Result<String> {
        let out = self
            .command()
            .args(["token", "create", "--name", "bench"])
            .output()?;
        if !out.status.success() {
            bail!(
                "token create failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let token = stdout.lines().last().unwrap_or_default().trim().to_owned();
        Ok(token)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn seed(&self, uri: &str, comments: u64, pages: u64) -> anyhow::Result<()> {
        let out = self
            .command()
            .args([
                "seed",
                "--site",
                "demo",
                "--uri",
                uri,
                "--comments",
                &comments.to_string(),
                "--pages",
                &pages.to_string(),
            ])
            .output()?;
        if !out.status.success() {
            bail!("seed failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        eprint!("{}", String::from_utf8_lossy(&out.stdout));
        Ok(())
    }

    /// Starts the server and returns how long it took to answer /healthz.
    pub async fn start(&mut self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let child = self
            .command()
            .stdout(Stdio::null())
            .spawn()
            .context("starting replyd")?;
        self.child = Some(child);
        loop {
            if let Ok(mut s) = tokio::net::TcpStream::connect(self.addr).await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await?;
                let mut buf = Vec::new();
                s.read_to_end(&mut buf).await?;
                if buf.starts_with(b"HTTP/1.1 200") {
                    return Ok(started.elapsed());
                }
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("replyd did not answer /healthz within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The scratch directory, removed at the end.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child
            .as_ref()
            .map(Child::id)
            .context("server not running")
    }

    /// User + system CPU seconds the server has used so far.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_seconds_of(self.pid()?)
    }

    pub fn peak_rss_kb(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))?;
        Ok(status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Stops the server process, keeping its database.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn stop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((server, name)) = self.scratch.take() {
            let _ = Command::new("psql")
                .arg(server)
                .args(["-qc", &format!("DROP DATABASE IF EXISTS {name}")])
                .status();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
