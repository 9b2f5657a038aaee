//! `replyd backup` under write load and `replyd restore` into a fresh server: every comment
//! acknowledged before the backup began is there, and the copy passes `integrity_check`.
use std::process::Command;
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::support::{Backend, TempDir, TestApp, comment};

fn replyd(db_url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .args(args)
        .env("REPLYD__DATABASE__URL", db_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_acknowledged_comment() {
    let app = Arc::new(TestApp::spawn(Backend::Sqlite).await);
    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let writer = {
        let (app, acked, stop) = (app.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.is_cancelled() {
                i += 1;
                let body = comment(
                    json!({"site": "open", "uri": format!("/p{}", i % 7), "text": format!("Load {i}")}),
                );
                let (status, body) = app.post_comment(&body).await;
                assert_eq!(status, 201, "{body}");
                acked.lock().unwrap().push(body["id"].as_i64().unwrap());
            }
        })
    };
    while acked.lock().unwrap().len() < 30 {
        tokio::task::yield_now().await;
    }
    let before: Vec<i64> = acked.lock().unwrap().clone();
    let dir = TempDir::new();
    let file = dir.path.join("replyd-backup.db");
    let url = app.config.database.url.clone();
    let f = file.clone();
    let (ok, out) = tokio::task::spawn_blocking(move || {
        replyd(&url, &["backup", "--output", f.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(ok, "{out}");
    stop.cancel();
    writer.await.unwrap();
    assert!(
        acked.lock().unwrap().len() > before.len(),
        "writes went on around the backup"
    );
    let (ok, out) = replyd(
        &app.config.database.url,
        &["backup", "--output", file.to_str().unwrap()],
    );
    assert!(
        !ok && out.contains("already exists"),
        "never overwrites: {out}"
    );

    let restored_db = dir.path.join("restored/replyd.db");
    let restored_url = format!("sqlite://{}?mode=rwc", restored_db.display());
    let (ok, out) = replyd(
        &restored_url,
        &["restore", "--input", file.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let (ok, out) = replyd(
        &restored_url,
        &["restore", "--input", file.to_str().unwrap()],
    );
    assert!(
        !ok && out.contains("--force"),
        "an existing database is kept: {out}"
    );
    let (ok, out) = replyd(
        &restored_url,
        &[
            "restore",
            "--force",
            "--input",
            dir.path.join("nothing").to_str().unwrap(),
        ],
    );
    assert!(!ok && out.contains("not a usable replyd backup"), "{out}");

    let fresh = TestApp::spawn_with(Backend::Sqlite, move |c| c.database.url = restored_url).await;
    let db = &fresh.state.db.reader;
    let check = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    let token = fresh.token().await;
    for id in &before {
        let (status, body) = fresh
            .admin(
                &token,
                reqwest::Method::GET,
                &format!("/api/v1/admin/comments/{id}"),
            )
            .await;
        assert_eq!(
            status, 200,
            "comment {id} acknowledged before the backup: {body}"
        );
    }
    let thread = fresh.public_thread("open", "/p1").await;
    assert!(
        thread["total"].as_u64().unwrap() > 0,
        "the restored server serves the comments"
    );
}

#[test]
fn backing_up_postgresql_points_to_pg_dump() {
    let (ok, out) = replyd(
        "postgres://postgres@127.0.0.1:1/none",
        &["backup", "--output", "/tmp/never"],
    );
    assert!(!ok && out.contains("pg_dump"), "{out}");
}
