//! `replyd export`: JSON and WXR, and the round trip into a fresh database.
use reqwest::Method;
use serde_json::json;

use replyd::transfer::{self, ExportFormat, ExportOptions, Format};

use crate::backends;
use crate::imports::{blog_posts, import, threads, write};
use crate::support::samples;
use crate::support::{Backend, TempDir, TestApp};

async fn export(app: &TestApp, format: ExportFormat, with_emails: bool) -> String {
    let opts = ExportOptions {
        site: "blog".into(),
        format,
        with_emails,
    };
    let mut out = Vec::new();
    transfer::export(&app.state.moderation, &opts, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// A site with history of every kind: imported WordPress threads, and comments written
/// here, approved, held, rejected, spam and deleted with replies.
async fn history(b: Backend) -> TestApp {
    let app = TestApp::spawn(b).await;
    let dir = TempDir::new();
    import(
        &app,
        Format::Wordpress,
        &write(&dir, "wp.xml", &samples::wxr(&blog_posts(), false, true)),
    )
    .await
    .unwrap();
    let token = app.token().await;
    let approve = |id: i64| {
        let (app, token) = (&app, &token);
        async move {
            app.admin(
                token,
                Method::POST,
                &format!("/api/v1/admin/comments/{id}/approve"),
            )
            .await
        }
    };
    let top = app.submit(json!({"uri": "/native", "title": "Native page", "text": "Top *level* with `code`\n\n> a quote"})).await;
    approve(top).await;
    let reply = app.submit(json!({"uri": "/native", "parent_id": top, "text": "- a list\n- of two", "author_name": "Zoë Martín", "author_url": "https://zoe.example/"})).await;
    approve(reply).await;
    let deep = app
        .submit(json!({"uri": "/native", "parent_id": reply, "text": "deeper"}))
        .await;
    let held = app
        .submit(json!({"uri": "/native", "text": "still waiting"}))
        .await;
    let spam = app
        .submit(json!({"uri": "/native", "text": "spammy"}))
        .await;
    let rejected = app
        .submit(json!({"uri": "/native", "text": "rejected one"}))
        .await;
    for (id, action) in [(deep, "approve"), (spam, "spam"), (rejected, "reject")] {
        app.admin(
            &token,
            Method::POST,
            &format!("/api/v1/admin/comments/{id}/{action}"),
        )
        .await;
    }
    let (status, _) = app
        .admin(
            &token,
            Method::DELETE,
            &format!("/api/v1/admin/comments/{reply}"),
        )
        .await;
    assert_eq!(status, 200, "the middle one becomes a tombstone");
    let _ = held;
    app
}

backends! {
    async fn a_json_export_imported_into_a_fresh_database_gives_the_same_threads(b) {
        let app = history(b.clone()).await;
        let json = export(&app, ExportFormat::Json, true).await;
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["format"], "replyd-export");
        let fresh = TestApp::spawn(b).await;
        let dir = TempDir::new();
        let report = import(&fresh, Format::Json, &write(&dir, "e.json", &json)).await.unwrap();
        assert_eq!(report.written(), 14, "{report}");
        let before = threads(&app, "blog").await;
        assert_eq!(threads(&fresh, "blog").await, before);
        assert_eq!(export(&fresh, ExportFormat::Json, true).await.lines().skip(1).collect::<Vec<_>>().len(), json.lines().skip(1).count());
        let hello = fresh.state.moderation.page_by_wp_post_id("blog", 12).await.unwrap().unwrap();
        assert!(fresh.state.moderation.comment_by_source_id(hello.id, "wordpress:3").await.unwrap().is_some(),
            "WordPress ids survive, so the WordPress form still finds its parent");
        let token = fresh.token().await;
        let (_, spam) = fresh.admin(&token, Method::GET, "/api/v1/admin/comments?status=spam").await;
        assert!(spam.to_string().contains("ada@example.org"), "--with-emails carries them");
    }

    async fn a_wxr_export_imported_into_a_fresh_database_gives_the_same_threads(b) {
        let app = history(b.clone()).await;
        let wxr = export(&app, ExportFormat::Wxr, true).await;
        assert!(wxr.contains("<wp:wxr_version>1.2</wp:wxr_version>"));
        assert!(wxr.contains("<wp:comment_approved><![CDATA[spam]]></wp:comment_approved>"));
        let fresh = TestApp::spawn(b).await;
        let dir = TempDir::new();
        import(&fresh, Format::Wordpress, &write(&dir, "e.xml", &wxr)).await.unwrap();
        let before = threads(&app, "blog").await;
        let after = threads(&fresh, "blog").await;
        assert_eq!(after, before);
    }

    async fn emails_leave_only_when_asked_for(b) {
        let app = history(b).await;
        for format in [ExportFormat::Json, ExportFormat::Wxr] {
            let out = export(&app, format, false).await;
            assert!(!out.contains("@example.org"), "{format:?}");
            assert!(export(&app, format, true).await.contains("ada@example.org"));
        }
    }
}
