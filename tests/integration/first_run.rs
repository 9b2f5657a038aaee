//! First run, as a newcomer meets it: the demo page points to the dashboard, logs written
//! to a pipe carry no terminal colour codes, and a configuration error is said once.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{Backend, TempDir, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_page_points_to_the_dashboard_not_to_curl() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let html = app.get_text("/").await;
    assert!(html.contains("href=\"/admin/\""), "{html}");
    assert!(!html.contains("curl"), "{html}");
}

#[test]
fn a_configuration_error_is_printed_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("migrate")
        .env("REPLYD__SERVER__BOGUS", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("unknown field `bogus`").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let dir = TempDir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("serve")
        .env("REPLYD__SERVER__BIND", "127.0.0.1:0")
        .env(
            "REPLYD__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", dir.path.join("r.db").display()),
        )
        .env("REPLYD__MAIL__FILE_DIR", dir.path.join("mail"))
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("no moderator exists yet");
        seen.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let log = seen.join("\n");
    assert!(log.contains("replyd listening"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escapes in a piped log: {log:?}"
    );
}
