//! The command line, run as a real process: `moderator add`, `token create`, `migrate`.
use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{TempDir, TestApp};

fn replyd(config: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn cli_creates_moderators_and_tokens_that_work_against_the_api() {
    let dir = TempDir::new();
    let db = dir.path.join("cli.db");
    let config = dir.path.join("replyd.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbind = \"127.0.0.1:0\"\n[database]\nurl = \"sqlite://{}?mode=rwc\"\n[[sites]]\nid = \"blog\"\nname = \"Blog\"\norigins = [\"http://blog.example\"]\n",
            db.display()
        ),
    )
    .unwrap();
    let (ok, out, err) = replyd(&config, &["migrate"], "");
    assert!(ok, "{out}{err}");
    let (ok, out, err) = replyd(
        &config,
        &[
            "moderator",
            "add",
            "--email",
            "Mod@Example.org",
            "--name",
            "Mo",
            "--password-stdin",
            "--admin",
        ],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("mod@example.org"));
    let (ok, _, err) = replyd(
        &config,
        &[
            "moderator",
            "add",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!ok, "a short password is refused");
    assert!(err.contains("password"), "{err}");
    let (ok, out, err) = replyd(&config, &["token", "create", "--name", "ci"], "");
    assert!(ok, "{out}{err}");
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("rpd_"));

    let app = TestApp::spawn_with(crate::support::Backend::Sqlite, |c| {
        c.database.url = format!("sqlite://{}?mode=rwc", db.display());
    })
    .await;
    let (status, _) = app
        .admin(&token, reqwest::Method::GET, "/api/v1/admin/comments")
        .await;
    assert_eq!(status, 200, "the printed token authenticates");
    let row = entity::moderator::Entity::find()
        .one(&app.state.db.reader)
        .await
        .unwrap()
        .unwrap();
    assert!(row.password_hash.starts_with("$argon2id$"));
    assert_eq!(row.role, entity::enums::Role::Admin);
}

#[test]
fn an_unknown_config_key_stops_the_start_with_its_name() {
    let dir = TempDir::new();
    let config = dir.path.join("bad.toml");
    std::fs::write(&config, "[database]\nurll = \"sqlite::memory:\"\n").unwrap();
    let (ok, _, err) = replyd(&config, &["migrate"], "");
    assert!(!ok);
    assert!(err.contains("urll"), "{err}");
}

use sea_orm::EntityTrait;
