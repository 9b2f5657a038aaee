//! `replyd import`: WordPress, Disqus, Isso and replyd's JSON, from samples the tests write
//! in each system's documented format.
use std::path::{Path, PathBuf};

use replyd::transfer::{self, Format, ImportOptions, Report};
use serde_json::{Value, json};

use crate::backends;
use crate::support::samples::{self, DqPost, WpComment, WpPost};
use crate::support::{TempDir, TestApp};

pub async fn import(
    app: &TestApp,
    format: Format,
    path: &Path,
) -> Result<Report, transfer::TransferError> {
    import_with(app, format, path, |_| {}).await
}

pub async fn import_with(
    app: &TestApp,
    format: Format,
    path: &Path,
    tweak: impl FnOnce(&mut ImportOptions),
) -> Result<Report, transfer::TransferError> {
    let mut opts = ImportOptions {
        format,
        path: path.to_owned(),
        site: "blog".into(),
        dry_run: false,
        with_pings: false,
        progress: false,
    };
    tweak(&mut opts);
    transfer::import(&app.state.moderation, &opts).await
}

/// Every page of `site` with its comments as a tree, siblings in the order readers see
/// them (oldest first; ties by author and text), so two databases compare equal whatever
/// their ids.
pub async fn threads(app: &TestApp, site: &str) -> Value {
    let m = &app.state.moderation;
    let mut out = Vec::new();
    let posts = m.wp_post_ids(site).await.unwrap();
    for page in m.pages_after(site, 0, 10_000).await.unwrap() {
        let comments = m.page_comments(page.id).await.unwrap();
        out.push(json!({
            "uri": page.uri, "title": page.title, "closed": page.comments_closed,
            "wp_post_id": posts.get(&page.id), "comments": tree(&comments, None),
        }));
    }
    Value::Array(out)
}

fn tree(all: &[entity::comment::Model], parent: Option<i64>) -> Value {
    let mut level: Vec<&entity::comment::Model> =
        all.iter().filter(|c| c.parent_id == parent).collect();
    level.sort_by_key(|c| {
        (
            c.created_at.timestamp(),
            c.author_name.clone(),
            c.html.trim().to_owned(),
        )
    });
    Value::Array(
        level
            .into_iter()
            .map(|c| {
                json!({
                    "author": c.author_name,
                    "url": c.author_url,
                    "html": c.html.trim(),
                    "status": c.status.as_str(),
                    "deleted": c.deleted,
                    "by_moderator": c.by_moderator,
                    "created_at": c.created_at.timestamp(),
                    "replies": tree(all, Some(c.id)),
                })
            })
            .collect(),
    )
}

pub fn write(dir: &TempDir, name: &str, body: &str) -> PathBuf {
    let path = dir.path.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// A post with threads three levels deep, every WordPress status, pings, notes, names in
/// several scripts and HTML that needs cleaning.
pub fn blog_posts() -> Vec<WpPost<'static>> {
    let c = |id, parent, author, content, approved, kind| WpComment {
        id,
        parent,
        author,
        content,
        approved,
        kind,
        date_gmt: Box::leak(format!("2024-05-01 12:{:02}:00", id).into_boxed_str()),
        ..WpComment::default()
    };
    vec![
        WpPost {
            id: 12,
            title: "Hello & welcome",
            link: "http://blog.example:8000/2024/05/hello/",
            closed: false,
            comments: vec![
                c(
                    1,
                    0,
                    "Ada Lovelace",
                    "First!\nSecond line\n\n<b>Bold</b> <script>alert(1)</script><a href=\"javascript:x\">x</a>",
                    "1",
                    "comment",
                ),
                c(2, 1, "李雷", "回复 <i>你好</i>", "1", ""),
                c(3, 2, "Олена Коваль", "Третій рівень", "1", "comment"),
                c(4, 0, "Pending Pat", "Waiting", "0", "comment"),
                c(
                    5,
                    0,
                    "Spammer",
                    "Buy <a href=\"https://spam.example\">pills</a>",
                    "spam",
                    "comment",
                ),
                c(6, 0, "Trashed with replies", "gone", "trash", "comment"),
                c(
                    7,
                    6,
                    "Tom &amp; Jerry",
                    "A reply to a trashed comment",
                    "1",
                    "comment",
                ),
                c(8, 0, "Trashed alone", "gone too", "trash", "comment"),
                c(
                    9,
                    0,
                    "Other Blog",
                    "[&#8230;] linked here [&#8230;]",
                    "1",
                    "pingback",
                ),
                c(10, 0, "Another Blog", "tracked", "1", "trackback"),
                c(11, 0, "Editor", "Fix the intro", "0", "note"),
                c(12, 11, "Author", "Done", "0", "note"),
            ],
        },
        WpPost {
            id: 123,
            title: "Closed post",
            link: "http://blog.example:8000/?p=123",
            closed: true,
            comments: vec![c(20, 0, "عمر", "مرحبا", "1", "comment")],
        },
        WpPost {
            id: 124,
            title: "No comments yet",
            link: "http://blog.example:8000/2024/06/quiet/",
            closed: false,
            comments: vec![],
        },
    ]
}

backends! {
    async fn a_wordpress_export_keeps_threads_statuses_and_leaves_out_pings_and_notes(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let path = write(&dir, "wp.xml", &samples::wxr(&blog_posts(), false, true));
        let report = import(&app, Format::Wordpress, &path).await.unwrap();
        assert_eq!(report.imported.get("approved"), Some(&5), "{report}");
        assert_eq!(report.imported.get("pending"), Some(&1));
        assert_eq!(report.imported.get("spam"), Some(&1));
        assert_eq!(report.tombstones, 1);
        assert_eq!(report.skipped.get("pingbacks and trackbacks (--with-pings imports them)"), Some(&2));
        assert_eq!(report.skipped.get("editorial notes (WordPress `note` comments)"), Some(&2));
        assert_eq!(report.skipped.get("deleted or trashed, with no replies"), Some(&1));
        assert_eq!(report.pages, 3);

        let thread = app.public_thread("blog", "/2024/05/hello/").await;
        let names: Vec<&str> = thread["comments"].as_array().unwrap().iter()
            .map(|c| c["author_name"].as_str().unwrap_or("(deleted)")).collect();
        assert_eq!(names, ["Ada Lovelace", "李雷", "Олена Коваль", "(deleted)", "Tom & Jerry"]);
        let c = &thread["comments"];
        assert_eq!(c[1]["parent_id"], c[0]["id"]);
        assert_eq!(c[2]["parent_id"], c[1]["id"], "three levels deep");
        assert_eq!(c[4]["parent_id"], c[3]["id"], "the reply hangs from the tombstone");
        assert_eq!(c[3]["deleted"], true);
        assert_eq!(c[3]["html"], "");
        let html = c[0]["html"].as_str().unwrap();
        assert_eq!(html, "<p>First!<br>\nSecond line</p>\n<p><strong>Bold</strong> <a rel=\"nofollow ugc noopener\">x</a></p>");
        assert_eq!(c[1]["html"], "<p>回复 <em>你好</em></p>");
        assert_eq!(c[0]["created_at"], "2024-05-01T12:01:00.000Z", "the GMT time");
        assert!(!thread.to_string().contains("ada@example.org"), "emails are never published");

        let page = app.state.moderation.page_by_wp_post_id("blog", 123).await.unwrap().unwrap();
        assert_eq!(page.uri, "/?p=123");
        assert!(page.comments_closed, "WordPress had comments closed");
        assert_eq!(app.public_thread("blog", "/?p=123").await["closed"], true, "and stays closed here");
        let (status, body) = app.post_comment(&crate::support::comment(json!({"uri": "/?p=123"}))).await;
        assert_eq!((status, &body["error"]["code"]), (403, &json!("comments_closed")), "{body}");
        let quiet = app.state.moderation.page_by_wp_post_id("blog", 124).await.unwrap().unwrap();
        assert_eq!(quiet.uri, "/2024/06/quiet/", "a post without comments still has its page");
        let hello = app.state.moderation.page_by_wp_post_id("blog", 12).await.unwrap().unwrap();
        assert_eq!(hello.title.as_deref(), Some("Hello & welcome"));
        assert!(!hello.comments_closed);
        let reply = app.state.moderation.comment_by_source_id(hello.id, "wordpress:2").await.unwrap();
        assert_eq!(reply, c[1]["id"].as_i64());
        let by_wp = app.state.moderation.comment_by_wp_id("blog", 2).await.unwrap();
        assert_eq!(by_wp, reply, "the WordPress form's comment_parent finds it");

        let token = app.token().await;
        let (_, spam) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/comments?status=spam").await;
        assert_eq!(spam["comments"][0]["author_name"], "Spammer");
        assert_eq!(spam["comments"][0]["author_email"], "ada@example.org", "stored for moderators");
        let (_, pending) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/comments?status=pending").await;
        assert_eq!(pending["comments"].as_array().unwrap().len(), 1);
        let (_, audit) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/audit").await;
        let imports = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "import").count();
        assert_eq!(imports, 3, "one audit row per page");
    }

    async fn the_https_namespace_and_plain_text_values_read_the_same(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let a = write(&dir, "a.xml", &samples::wxr(&blog_posts(), false, true));
        let bb = write(&dir, "b.xml", &samples::wxr(&blog_posts(), true, false));
        import(&app, Format::Wordpress, &a).await.unwrap();
        let first = threads(&app, "blog").await;
        for table in ["comments", "wordpress_ids"] {
            sea_orm::ConnectionTrait::execute_unprepared(&app.state.db.writer, &format!("DELETE FROM {table}")).await.unwrap();
        }
        sea_orm::ConnectionTrait::execute_unprepared(&app.state.db.writer, "DELETE FROM pages").await.unwrap();
        import(&app, Format::Wordpress, &bb).await.unwrap();
        assert_eq!(threads(&app, "blog").await, first);
    }

    async fn running_the_same_import_again_adds_nothing(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let path = write(&dir, "wp.xml", &samples::wxr(&blog_posts(), false, true));
        let first = import(&app, Format::Wordpress, &path).await.unwrap();
        let before = threads(&app, "blog").await;
        let again = import(&app, Format::Wordpress, &path).await.unwrap();
        assert_eq!(again.written(), 0, "{again}");
        assert_eq!(again.already, first.written());
        assert_eq!(threads(&app, "blog").await, before);
        let token = app.token().await;
        let (_, audit) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/audit").await;
        let imports = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "import").count();
        assert_eq!(imports, 3, "a run that changes nothing writes no audit row");
    }

    async fn with_pings_imports_pingbacks_and_trackbacks(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let path = write(&dir, "wp.xml", &samples::wxr(&blog_posts(), false, true));
        let report = import_with(&app, Format::Wordpress, &path, |o| o.with_pings = true).await.unwrap();
        assert_eq!(report.imported.get("approved"), Some(&7), "{report}");
        let thread = app.public_thread("blog", "/2024/05/hello/").await;
        assert!(thread.to_string().contains("linked here"));
        assert!(!thread.to_string().contains("Fix the intro"), "notes never");
    }

    async fn a_dry_run_reports_and_writes_nothing(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let path = write(&dir, "wp.xml", &samples::wxr(&blog_posts(), false, true));
        let report = import_with(&app, Format::Wordpress, &path, |o| o.dry_run = true).await.unwrap();
        assert_eq!(report.written(), 8, "{report}");
        assert!(report.to_string().contains("dry run: nothing was written"));
        assert_eq!(threads(&app, "blog").await, json!([]));
    }

    async fn a_disqus_export_keeps_threads_spam_and_deleted_posts_with_replies(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let p = |id, thread, parent, name, message: &'static str, deleted, spam| DqPost {
            id, thread, parent, name, message, deleted, spam, created: "2019-03-04T05:06:07Z",
        };
        let xml = samples::disqus(
            &[(100, "https://blog.example:8000/a/?utm=1", "Post A"), (200, "http://blog.example:8000/b/", "Post B"), (300, "http://blog.example:8000/none/", "Nobody")],
            &[
                p(1, 100, None, "Zoë", "<p>Top <b>bold</b></p>", false, false),
                p(2, 200, None, "Ravi", "<p>On B</p>", false, false),
                p(3, 100, Some(1), "李雷", "<p>Reply</p>", false, false),
                p(4, 100, Some(3), "Deleted", "<p>was here</p>", true, false),
                p(5, 100, Some(4), "Deep", "<p>under a deleted post</p>", false, false),
                p(6, 200, None, "Spam", "<p>spam</p>", false, true),
                p(7, 200, None, "Gone", "<p>deleted alone</p>", true, false),
            ],
        );
        let path = write(&dir, "disqus.xml", &xml);
        let report = import(&app, Format::Disqus, &path).await.unwrap();
        assert_eq!(report.pages, 2, "{report}");
        assert_eq!(report.imported.get("approved"), Some(&4));
        assert_eq!(report.imported.get("spam"), Some(&1));
        assert_eq!(report.tombstones, 1);
        let a = app.public_thread("blog", "/a/?utm=1").await;
        let c = &a["comments"];
        assert_eq!(c.as_array().unwrap().len(), 4);
        assert_eq!(c[0]["html"], "<p>Top <strong>bold</strong></p>");
        assert_eq!(c[1]["parent_id"], c[0]["id"]);
        assert_eq!(c[2]["deleted"], true);
        assert_eq!(c[3]["parent_id"], c[2]["id"]);
        assert_eq!(c[0]["created_at"], "2019-03-04T05:06:07.000Z");
        let again = import(&app, Format::Disqus, &path).await.unwrap();
        assert_eq!(again.written(), 0);
    }

    async fn an_isso_database_keeps_its_threads_and_deleted_placeholders(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let path = dir.path.join("isso.db");
        samples::isso(&path, &[(1, "/2021/isso/", "Isso post"), (2, "/empty/", "Empty")], &[
            (1, 1, None, 1_600_000_000.5, 1, "Ana", "Hello *isso* <b>html</b>"),
            (1, 2, Some(1), 1_600_000_100.0, 4, "", ""),
            (1, 3, Some(2), 1_600_000_200.0, 1, "Ben", "Reply to deleted"),
            (1, 4, None, 1_600_000_300.0, 2, "Cy", "Pending one"),
        ]).await;
        let report = import(&app, Format::Isso, &path).await.unwrap();
        assert_eq!(report.imported.get("approved"), Some(&2), "{report}");
        assert_eq!(report.imported.get("pending"), Some(&1));
        assert_eq!(report.tombstones, 1);
        let t = app.public_thread("blog", "/2021/isso/").await;
        let c = &t["comments"];
        assert_eq!(c[0]["html"], "<p>Hello <em>isso</em> <strong>html</strong></p>\n");
        assert_eq!(c[0]["created_at"], "2020-09-13T12:26:40.500Z");
        assert_eq!(c[1]["deleted"], true);
        assert_eq!(c[2]["parent_id"], c[1]["id"]);
        assert_eq!(threads(&app, "blog").await[0]["title"], "Isso post");
    }

    async fn long_history_keeps_its_length(b) {
        let app = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let long = "x".repeat(65_525);
        let name = "N".repeat(245);
        let posts = vec![WpPost { id: 1, title: "Long", link: "http://blog.example:8000/long/", closed: false, comments: vec![
            WpComment { id: 1, author: &name, content: &long, ..WpComment::default() },
        ]}];
        let path = write(&dir, "long.xml", &samples::wxr(&posts, false, true));
        import(&app, Format::Wordpress, &path).await.unwrap();
        let t = app.public_thread("blog", "/long/").await;
        assert_eq!(t["comments"][0]["author_name"].as_str().unwrap().chars().count(), 245);
        assert_eq!(t["comments"][0]["html"].as_str().unwrap().len(), 65_525 + "<p></p>".len());
    }
}
