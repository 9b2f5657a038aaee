//! The command line, run as a real process: `moderator add`, `token create`, `migrate`.
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::dashboard::PASSWORD;
use crate::support::{TempDir, TestApp};

pub fn replyd(config: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String, String) {
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

/// A config file over a fresh SQLite file in `dir`: the database's path and the config's.
pub fn sqlite_config(dir: &TempDir) -> (PathBuf, PathBuf) {
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
    (db, config)
}

#[tokio::test]
async fn cli_creates_moderators_and_tokens_that_work_against_the_api() {
    let dir = TempDir::new();
    let (db, config) = sqlite_config(&dir);
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

/// The `moderator_add` rows, oldest first, each with its detail's id taken out: the rest
/// must not depend on who added the moderator.
async fn moderator_adds(app: &TestApp) -> Vec<(String, i64, Value)> {
    let token = app.token().await;
    let (_, log) = app
        .admin(&token, reqwest::Method::GET, "/api/v1/admin/audit")
        .await;
    let mut rows: Vec<(String, i64, Value)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "moderator_add")
        .map(|e| {
            let mut detail = e["detail"].clone();
            let id = detail["moderator_id"].as_i64().unwrap();
            detail.as_object_mut().unwrap().remove("moderator_id");
            (e["actor"].as_str().unwrap().to_owned(), id, detail)
        })
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn a_moderator_added_from_the_cli_gets_the_audit_row_the_dashboard_writes() {
    let dir = TempDir::new();
    let (db, config) = sqlite_config(&dir);
    assert!(replyd(&config, &["migrate"], "").0);
    let args = [
        "moderator",
        "add",
        "--email",
        "boss@example.org",
        "--name",
        "Boss",
    ];
    let args = [&args[..], &["--password-stdin", "--admin"]].concat();
    let (ok, out, err) = replyd(&config, &args, &format!("{PASSWORD}\n"));
    assert!(ok, "{out}{err}");

    let app = TestApp::spawn_with(crate::support::Backend::Sqlite, |c| {
        c.database.url = format!("sqlite://{}?mode=rwc", db.display());
    })
    .await;
    let boss = app.dashboard();
    assert_eq!(boss.login("boss@example.org", PASSWORD).await.status, 303);
    let same = [
        ("name", "Boss"),
        ("email", "boss2@example.org"),
        ("password", PASSWORD),
        ("role", "admin"),
    ];
    let res = boss
        .submit("/admin/moderators", "/admin/moderators", &same)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let ids: Vec<i64> = app.moderators().await.iter().map(|m| m.id).collect();
    let rows = moderator_adds(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (cli, dashboard) = (&rows[0], &rows[1]);
    assert_eq!(cli.0, "cli", "the command line is the actor");
    assert_eq!(dashboard.0, format!("moderator:{}", ids[0]));
    assert_eq!(
        (cli.1, dashboard.1),
        (ids[0], ids[1]),
        "each row names its moderator"
    );
    assert_eq!(cli.2, dashboard.2, "the same detail either way");
    assert_eq!(cli.2, serde_json::json!({"name": "Boss", "role": "admin"}));
    assert!(
        app.dashboard()
            .login("boss2@example.org", PASSWORD)
            .await
            .status
            == 303
    );
    let page = boss.get("/admin/audit").await;
    assert!(
        page.body.contains("Command line"),
        "the dashboard names the actor"
    );
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
