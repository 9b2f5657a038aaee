//! A real nginx in front of a test app, configured with the block the README documents
//! (taken from it word for word; only the ports and the cache directory are substituted).
//! Missing nginx skips the test locally and fails it under CI (env `CI` set).
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::TempDir;

const NGINX: &str = "/usr/sbin/nginx";

pub struct Nginx {
    pub base: String,
    child: Child,
    _dir: TempDir,
}

/// The README's nginx block: the first fenced `nginx` block.
pub fn readme_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("```nginx\n")
        .expect("the README has an nginx block")
        + 9;
    let len = readme[start..].find("```").expect("the nginx block ends");
    readme[start..start + len].to_owned()
}

fn substitute(block: &str, listen: u16, upstream: SocketAddr, cache: &Path) -> String {
    let out = block
        .replace("listen 80;", &format!("listen 127.0.0.1:{listen};"))
        .replace("server 127.0.0.1:8080;", &format!("server {upstream};"))
        .replace("/var/cache/nginx/replyd", &cache.display().to_string());
    assert!(out != block, "the README's nginx block changed shape");
    out
}

impl Nginx {
    /// Starts nginx proxying to `upstream`, or `None` when nginx is not installed.
    pub async fn start(upstream: SocketAddr) -> Option<Nginx> {
        if !Path::new(NGINX).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{NGINX} is missing: apt-get install nginx-light (CI installs it)"
            );
            eprintln!("skipping: {NGINX} is not installed");
            return None;
        }
        let dir = TempDir::new();
        let port = free_port();
        let cache = dir.path.join("cache");
        let block = substitute(&readme_block(), port, upstream, &cache);
        let d = dir.path.display();
        // As root, nginx's workers would switch to `nobody` and lose the test's directory.
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let user = if root { "user root;\n" } else { "" };
        let conf = format!(
            "{user}pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes 1;\n\
             events {{ worker_connections 256; }}\nhttp {{\n access_log off;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             {block}\n}}\n"
        );
        let conf_path: PathBuf = dir.path.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let mut child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir.path)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Some(Nginx {
                    base: format!("http://{addr}"),
                    child,
                    _dir: dir,
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(dir.path.join("error.log")).unwrap_or_default();
        panic!("nginx did not start listening: {log}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that connects from `from` (any 127.x.y.z), as a distinct visitor would.
    pub fn client(&self, from: &str) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(from.parse::<std::net::IpAddr>().ok())
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
