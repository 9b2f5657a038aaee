//! Finding 6: a one-click link has one spelling, and acting on its comment by any path (the
//! API, the dashboard, another link from the same mail) makes every outstanding link stale.
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::backends;
use crate::support::TestApp;
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
    link[link.find("/admin/act/").unwrap()..].to_owned()
}

async fn status(app: &TestApp, token: &str, id: i64) -> String {
    let (_, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].as_str().unwrap().to_owned()
}

backends! {
    async fn a_change_by_another_path_makes_outstanding_links_stale(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Held for review"})).await;
        let (approve, spam) = (link_path(&app, id, Action::Approve), link_path(&app, id, Action::Spam));
        app.clock.advance(Duration::from_secs(5));
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/reject")).await;
        let d = app.dashboard();
        let page = d.get(&approve).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Link out of date") && page.body.contains("rejected now"), "{}", page.body);
        let res = d.submit("/admin/login", &approve, &[]).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert_eq!(status(&app, &token, id).await, "rejected", "the stale link did not approve");

        // Two links from one mail: using one makes the other stale.
        let other = app.submit(json!({"text": "Another held one"})).await;
        let (ok, later) = (link_path(&app, other, Action::Approve), link_path(&app, other, Action::Spam));
        app.clock.advance(Duration::from_secs(5));
        assert_eq!(d.submit(&ok, &ok, &[]).await.status, 303);
        app.clock.advance(Duration::from_secs(5));
        assert_eq!(d.submit("/admin/login", &later, &[]).await.status, 409);
        assert_eq!(status(&app, &token, other).await, "approved");
        assert_eq!(d.submit("/admin/login", &spam, &[]).await.status, 409);
    }

    async fn a_link_respelled_with_a_leading_zero_or_plus_is_refused(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Respelled"})).await;
        let path = link_path(&app, id, Action::Approve);
        let d = app.dashboard();
        for respelled in [path.replacen(&format!("/{id}."), &format!("/0{id}."), 1), path.replacen(&format!("/{id}."), &format!("/+{id}."), 1)] {
            assert_ne!(respelled, path);
            let res = d.submit(&path, &respelled, &[]).await;
            assert!((400..500).contains(&res.status), "{respelled}: {}", res.status);
        }
        assert_eq!(status(&app, &token, id).await, "pending");
    }
}
