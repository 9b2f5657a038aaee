//! Graceful shutdown of the real binary: on SIGTERM a request in flight completes, new
//! connections are refused, and the process exits cleanly.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TempDir;

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_and_exits_cleanly() {
    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path.join("replyd.toml");
    std::fs::write(&config, format!(
        "[server]\nbind = \"127.0.0.1:{port}\"\n[database]\nurl = \"sqlite://{}?mode=rwc\"\n[mail]\nfile_dir = \"{}\"\n[[sites]]\nid = \"blog\"\nname = \"Blog\"\norigins = [\"http://blog.example\"]\nmoderation = \"all\"\n",
        dir.path.join("s.db").display(), dir.path.join("mail").display(),
    )).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let mut s = loop {
        if let Ok(s) = TcpStream::connect(&addr).await {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // A request whose body is still on its way when the signal comes.
    let body = br#"{"site":"blog","uri":"/p","author_name":"Ada","author_email":"ada@example.org","text":"Sent slowly"}"#;
    let head = format!(
        "POST /api/v1/comments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(&addr).await.is_err(),
        "no new connections while draining"
    );
    s.write_all(&body[10..]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the request in flight completed: {answer}"
    );
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "clean exit: {exit:?}");
}
