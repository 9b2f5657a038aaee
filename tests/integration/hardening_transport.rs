//! Finding 4 and the hostile-transport figures: silent and idle connections are closed,
//! the connection cap holds and frees, at the cap a socket that never sent a request makes
//! room for a new client (slowloris), an over-limit body is refused within a second.
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::backends;
use crate::support::TestApp;

/// Waits up to `within` for the server to close `s`; returns how long that took.
async fn closed_within(s: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(within.saturating_sub(started.elapsed()), s.read(&mut buf)).await
        {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

const GET: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";

backends! {
    async fn silent_and_idle_connections_are_closed(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.first_request_timeout_secs = 1;
            c.server.idle_timeout_secs = 1;
        }).await;
        let mut silent = TcpStream::connect(app.addr).await.unwrap();
        let took = closed_within(&mut silent, Duration::from_secs(5)).await;
        assert!(took.is_some_and(|t| t >= Duration::from_millis(900)), "silent socket: {took:?}");

        let mut idle = TcpStream::connect(app.addr).await.unwrap();
        idle.write_all(GET).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = idle.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        let took = closed_within(&mut idle, Duration::from_secs(5)).await;
        assert!(took.is_some(), "an idle keep-alive connection is closed");
    }

    async fn the_connection_cap_closes_extra_connections_and_frees_with_them(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.max_connections = 3;
            c.server.first_request_timeout_secs = 2;
        }).await;
        // Keep-alive connections that have been served: none of them is closed for room.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut s = TcpStream::connect(app.addr).await.unwrap();
            s.write_all(GET).await.unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
            held.push(s);
        }
        let mut extra = TcpStream::connect(app.addr).await.unwrap();
        let took = closed_within(&mut extra, Duration::from_secs(1)).await;
        assert!(took.is_some(), "past the cap a connection is closed at once");
        drop(held);
        let res = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                if let Ok(r) = app.http.get(app.url("/healthz")).send().await { return r.status().as_u16() }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }).await;
        assert_eq!(res, Ok(200), "slots come back when connections close");
    }

    async fn an_over_limit_body_is_refused_within_a_second(b) {
        let app = TestApp::spawn(b).await;
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        let head = "POST /api/v1/comments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{\"text\":\"";
        let started = Instant::now();
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(&[b'x'; 1000]).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(1), s.read(&mut buf)).await.expect("an answer within 1 s").unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&buf[..n]));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    async fn at_the_cap_a_socket_that_sent_no_request_makes_room_for_a_new_client(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.max_connections = 3;
            c.server.first_request_timeout_secs = 60;
        }).await;
        // Slowloris: one socket dribbling its headers, two that never send a byte.
        let mut slow = Vec::new();
        for i in 0..3 {
            let mut s = TcpStream::connect(app.addr).await.unwrap();
            if i == 0 {
                s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: a").await.unwrap();
            }
            slow.push(s);
        }
        tokio::time::sleep(Duration::from_millis(100)).await; // let the server accept them
        for _ in 0..3 {
            let res = tokio::time::timeout(Duration::from_secs(3), app.http.get(app.url("/healthz")).send()).await;
            assert_eq!(res.expect("answered in time").map(|r| r.status().as_u16()).ok(), Some(200), "a real client gets in");
        }
        let took = closed_within(&mut slow[0], Duration::from_secs(1)).await;
        assert!(took.is_some(), "the oldest socket without a request was closed to make room");
    }
}
