//! nginx in front of replyd, configured with the README's deployment block (its
//! `proxy_cache`), word for word except the ports and the cache directory, as the nginx
//! tests do.
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const NGINX: &str = "/usr/sbin/nginx";
const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));

pub struct Nginx {
    child: Child,
    pub addr: SocketAddr,
}

/// The README's first fenced `nginx` block, for `listen` and `upstream`.
fn block(listen: SocketAddr, upstream: SocketAddr, cache: &Path) -> anyhow::Result<String> {
    let start = README
        .find("```nginx\n")
        .context("the README has no nginx block")?
        + 9;
    let len = README[start..]
        .find("```")
        .context("the nginx block does not end")?;
    let block = &README[start..start + len];
    let out = block
        .replace("listen 80;", &format!("listen {listen};"))
        .replace("server 127.0.0.1:8080;", &format!("server {upstream};"))
        .replace("/var/cache/nginx/replyd", &cache.display().to_string());
    if out == block {
        bail!("the README's nginx block changed shape");
    }
    Ok(out)
}

impl Nginx {
    /// Starts nginx (one worker per core) in `dir`, proxying `listen` to `upstream`. Around
    /// the README's block, nginx's own settings, except that a client connection is kept
    /// for a whole run (nginx closes it after 1,000 requests by default, and the load
    /// generator's connections do not reconnect).
    pub async fn start(
        dir: &Path,
        listen: SocketAddr,
        upstream: SocketAddr,
    ) -> anyhow::Result<Nginx> {
        if !Path::new(NGINX).exists() {
            bail!("{NGINX} is missing: apt-get install nginx-light");
        }
        std::fs::create_dir_all(dir)?;
        let block = block(listen, upstream, &dir.join("cache"))?;
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let user = if root { "user root;\n" } else { "" };
        let d = dir.display();
        let conf = format!(
            "{user}pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes auto;\n\
             events {{ worker_connections 1024; }}\nhttp {{\n access_log off;\n\
             keepalive_requests 10000000;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             {block}\n}}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let nginx = Nginx {
            child,
            addr: listen,
        };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(listen).await.is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                bail!("nginx did not listen within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM, so the master stops its workers too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
