//! One-click moderation links from mails: GET and HEAD only show, POST acts once, and
//! expired, tampered or re-bound links are refused with a clear page.
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use entity::enums::Role;
use replyd::moderation::Action;
use replyd::notify::links;

fn link_path(app: &TestApp, id: i64, action: Action) -> String {
    let link = links::one_click_link(
        app.config.server.public_url.as_str(),
        &app.state.keys,
        id,
        action,
        app.clock.now(),
    );
    let at = link.find("/admin/act/").unwrap();
    link[at..].to_owned()
}

async fn status(app: &TestApp, token: &str, id: i64) -> Value {
    let (_, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].clone()
}

backends! {
    async fn a_link_shows_on_get_and_head_and_acts_only_on_post_once(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Please approve me"})).await;
        let path = link_path(&app, id, Action::Approve);
        let d = app.dashboard();
        for _ in 0..2 {
            let page = d.get(&path).await;
            assert_eq!(page.status, 200);
            assert!(page.body.contains("Approve this comment?") && page.body.contains("Please approve me"));
            assert_eq!(d.head(&path).await.status, 200);
        }
        assert_eq!(status(&app, &token, id).await, "pending", "GET and HEAD change nothing");

        let res = d.submit(&path, &path, &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(status(&app, &token, id).await, "approved");
        let done = d.get(res.location()).await;
        assert!(done.body.contains("The comment was approved."), "{}", done.body);
        let (_, log) = app.admin(&token, Method::GET, &format!("/api/v1/admin/audit?comment_id={id}")).await;
        assert_eq!(log["entries"][0]["actor"], "one-click");
        assert_eq!(log["entries"][0]["action"], "approve");
        let mo = app.logged_in("mo@example.org", Role::Moderator).await;
        assert!(mo.get("/admin/audit").await.body.contains("One-click link from a mail"));

        // A second use says what was already done, and does nothing.
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/reject")).await;
        let again = d.get(&path).await;
        assert_eq!(again.status, 200);
        assert!(again.body.contains("This comment was already approved on "), "{}", again.body);
        let reused = d.submit("/admin/login", &path, &[]).await;
        assert_eq!(reused.status, 409);
        assert!(reused.body.contains("already approved on "));
        assert_eq!(status(&app, &token, id).await, "rejected", "the reused link did not approve again");
    }

    async fn an_expired_link_is_refused(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({})).await;
        let path = link_path(&app, id, Action::Spam);
        let d = app.dashboard();
        let csrf = d.get(&path).await.csrf();
        app.clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
        let page = d.get(&path).await;
        assert_eq!(page.status, 410);
        assert!(page.body.contains("expired"));
        assert_eq!(d.post_raw(&path, &[("csrf", &csrf)]).await.status, 410);
        assert_eq!(status(&app, &token, id).await, "pending");
    }

    async fn a_tampered_or_rebound_link_is_refused(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({})).await;
        let other = app.submit(json!({})).await;
        let path = link_path(&app, id, Action::Approve);
        let d = app.dashboard();
        let csrf = d.get(&path).await.csrf();
        let tampered = format!("{}A", &path[..path.len() - 1]);
        let tampered = if tampered == path { format!("{}B", &path[..path.len() - 1]) } else { tampered };
        let rebound = path.replacen(&format!("/admin/act/{id}."), &format!("/admin/act/{other}."), 1);
        let respelled = path.replace(".approve.", ".spam.");
        for bad in [&tampered, &rebound, &respelled, &"/admin/act/nonsense".to_owned()] {
            let page = d.get(bad).await;
            assert_eq!(page.status, 400, "{bad}");
            assert!(page.body.contains("not valid"));
            assert_eq!(d.post_raw(bad, &[("csrf", &csrf)]).await.status, 400, "{bad}");
        }
        assert_eq!(status(&app, &token, id).await, "pending");
        assert_eq!(status(&app, &token, other).await, "pending");
    }

    async fn a_link_post_needs_the_page_form_token(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({})).await;
        let path = link_path(&app, id, Action::Approve);
        let d = app.dashboard();
        assert_eq!(d.post_raw(&path, &[]).await.status, 403);
        assert_eq!(status(&app, &token, id).await, "pending");
    }
}
