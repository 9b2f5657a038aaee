//! The import, export and purge commands as a real process: malformed files stop with the
//! place and exit non-zero, having imported nothing; an import killed half-way resumes.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};

use crate::support::TempDir;
use crate::support::samples::{self, WpComment, WpPost};

fn replyd(config: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config(dir: &TempDir) -> (PathBuf, String) {
    let db = dir.path.join("cli.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let config = dir.path.join("replyd.toml");
    std::fs::write(
        &config,
        format!("[database]\nurl = \"{url}\"\n[[sites]]\nid = \"blog\"\nname = \"Blog\"\norigins = [\"http://blog.example:8000\"]\n"),
    )
    .unwrap();
    (config, url)
}

async fn comments(url: &str) -> u64 {
    let db = Database::connect(url).await.unwrap();
    let n = entity::comment::Entity::find()
        .count(&db)
        .await
        .unwrap_or(0);
    db.close().await.unwrap();
    n
}

fn file(dir: &TempDir, name: &str, body: &str) -> String {
    let p = dir.path.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

#[tokio::test]
async fn malformed_files_name_the_place_exit_non_zero_and_import_nothing() {
    let dir = TempDir::new();
    let (config, url) = config(&dir);
    let good = samples::wxr(&crate::imports::blog_posts(), false, true);
    let cut = &good[..good.rfind("\t</item>").unwrap()];
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "wordpress",
            file(&dir, "cut.xml", cut),
            "the file ends inside",
            "line ",
        ),
        (
            "wordpress",
            file(
                &dir,
                "tags.xml",
                &good.replacen("</wp:comment_author>", "</wp:comment_autor>", 1),
            ),
            "not well-formed XML",
            "line 34, column 47",
        ),
        (
            "wordpress",
            file(
                &dir,
                "date.xml",
                &good.replace("2024-05-01 12:07:00", "last tuesday"),
            ),
            "comment 7 has no date",
            "line ",
        ),
        (
            "wordpress",
            file(
                &dir,
                "rss.xml",
                "<rss><channel><item><title>x</title></item></channel></rss>",
            ),
            "not a WordPress export",
            "line 1",
        ),
        (
            "json",
            file(
                &dir,
                "bad.json",
                "{\"format\": \"replyd-export\", \"pages\": [{\"uri\": \"/a\", \"comments\": [}]}",
            ),
            "not a replyd export",
            "line 1, column",
        ),
        (
            "json",
            file(
                &dir,
                "other.json",
                "{\"format\": \"something-else\", \"pages\": []}",
            ),
            "not \"replyd-export\"",
            "line 1",
        ),
        (
            "disqus",
            file(
                &dir,
                "dq.xml",
                "<disqus><post dsq:id=\"1\" xmlns:dsq=\"x\"><thread dsq:id=\"9\"/></post></disqus>",
            ),
            "names no <thread>",
            "line 1",
        ),
        (
            "isso",
            file(&dir, "isso.db", "this is not SQLite"),
            "not",
            "the file",
        ),
    ];
    for (kind, path, says, place) in cases {
        let (ok, out, err) = replyd(&config, &["import", kind, &path, "--site", "blog"]);
        assert!(!ok, "{kind} {path}: {out}");
        assert!(
            err.contains(says) && err.contains(place),
            "{kind} {path}: {err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(comments(&url).await, 0, "{path}");
    }
    let (ok, _, err) = replyd(
        &config,
        &["import", "wordpress", "/no/such/file.xml", "--site", "blog"],
    );
    assert!(!ok && err.contains("/no/such/file.xml"), "{err}");
    let (ok, _, err) = replyd(
        &config,
        &[
            "import",
            "wordpress",
            &dir.path.join("cut.xml").display().to_string(),
            "--site",
            "nope",
        ],
    );
    assert!(!ok && err.contains("unknown site"), "{err}");
}

/// Many small posts, so an import takes long enough to be stopped in the middle.
fn many_posts(n: i64) -> String {
    let posts: Vec<WpPost<'static>> = (1..=n)
        .map(|p| WpPost {
            id: p,
            title: "Post",
            link: Box::leak(format!("http://blog.example:8000/p/{p}/").into_boxed_str()),
            closed: false,
            comments: (0..4)
                .map(|i| WpComment {
                    id: p * 10 + i,
                    parent: if i == 3 { p * 10 } else { 0 },
                    ..WpComment::default()
                })
                .collect(),
        })
        .collect();
    samples::wxr(&posts, false, true)
}

#[tokio::test]
async fn an_import_killed_half_way_resumes_where_it_stopped() {
    let dir = TempDir::new();
    let (config, url) = config(&dir);
    let path = file(&dir, "many.xml", &many_posts(3000));
    replyd(&config, &["migrate"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyd"))
        .arg("--config")
        .arg(&config)
        .args(["import", "wordpress", &path, "--site", "blog"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let db = Database::connect(&url).await.unwrap();
    let count = || async {
        entity::comment::Entity::find()
            .count(&db)
            .await
            .unwrap_or(0)
    };
    let mut seen = 0;
    for _ in 0..20_000 {
        seen = count().await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stopped_at = count().await;
    assert!(
        stopped_at > 0 && stopped_at < 12_000,
        "killed part-way: {seen} then {stopped_at}"
    );
    assert_eq!(
        stopped_at % 4,
        0,
        "each page is written whole or not at all"
    );

    let (ok, out, err) = replyd(&config, &["import", "wordpress", &path, "--site", "blog"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "already imported before, left alone: {stopped_at}"
        )),
        "{out}"
    );
    assert_eq!(
        count().await,
        12_000,
        "the second run finished the job, adding nothing twice"
    );
    let dup = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM (SELECT source_id FROM comments GROUP BY page_id, source_id HAVING COUNT(*) > 1)",
        ))
        .await.unwrap().unwrap();
    assert_eq!(dup.try_get::<i64>("", "n").unwrap(), 0);
    let orphans = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM comments c WHERE parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = c.parent_id)",
        ))
        .await.unwrap().unwrap();
    assert_eq!(
        orphans.try_get::<i64>("", "n").unwrap(),
        0,
        "every reply found its parent"
    );
}

#[tokio::test]
async fn export_and_purge_commands_work_on_the_configured_database() {
    let dir = TempDir::new();
    let (config, url) = config(&dir);
    let wxr = file(
        &dir,
        "wp.xml",
        &samples::wxr(&crate::imports::blog_posts(), false, true),
    );
    let (ok, out, err) = replyd(
        &config,
        &["import", "wordpress", &wxr, "--site", "blog", "--dry-run"],
    );
    assert!(ok, "{err}");
    assert!(out.starts_with("dry run: nothing was written"), "{out}");
    assert_eq!(comments(&url).await, 0);
    let (ok, out, err) = replyd(&config, &["import", "wordpress", &wxr, "--site", "blog"]);
    assert!(
        ok && out.contains("imported 8 comments on 3 pages"),
        "{out}{err}"
    );
    let json = dir.path.join("out.json").display().to_string();
    let (ok, _, err) = replyd(
        &config,
        &[
            "export", "--site", "blog", "--format", "json", "--output", &json,
        ],
    );
    assert!(ok, "{err}");
    assert!(err.contains("exported 8 comments on 3 pages"), "{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["pages"].as_array().unwrap().len(), 3);
    let (ok, out, _) = replyd(&config, &["export", "--site", "blog", "--format", "wxr"]);
    assert!(ok && out.contains("<wp:wxr_version>1.2</wp:wxr_version>"));

    // The imported spam and the trashed comment are from 2024: long past every limit.
    let (ok, out, err) = replyd(&config, &["purge", "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("retention would remove:") && out.contains("1 spam comments"),
        "{out}"
    );
    assert_eq!(comments(&url).await, 8, "a dry run removes nothing");
    let (ok, out, _) = replyd(&config, &["purge"]);
    assert!(
        ok && out.contains("retention removed:") && out.contains("1 spam comments"),
        "{out}"
    );
    assert_eq!(comments(&url).await, 7);
}
