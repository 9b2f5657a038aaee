//! Pinning: a pinned comment is marked `pinned` and listed first, in either order; a page
//! holds at most `max_pinned`; only published comments are pinned; each step empties the
//! thread cache and writes an audit row.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;

fn ids(thread: &Value) -> Vec<i64> {
    thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn thread(app: &TestApp, order: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/comments?site=open&uri=/post{order}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

backends! {
    async fn a_pinned_comment_is_listed_first_in_either_order(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let mut made = Vec::new();
        for (i, text) in ["First", "Second", "Third"].iter().enumerate() {
            app.clock.advance(std::time::Duration::from_secs(60 * (i as u64 + 1)));
            made.push(app.submit(json!({"site": "open", "text": text})).await);
        }
        assert_eq!(ids(&thread(&app, "").await), made, "oldest first by default, and now cached");
        let (status, body) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{}/pin", made[1])).await;
        assert_eq!((status, &body["pinned"]), (200, &json!(true)), "{body}");
        let t = thread(&app, "").await;
        assert_eq!(ids(&t), vec![made[1], made[0], made[2]], "the pin empties the cache");
        assert_eq!(t["comments"][0]["pinned"], true);
        assert_eq!(t["comments"][1]["pinned"], false);
        assert_eq!(ids(&thread(&app, "&order=newest").await), vec![made[1], made[2], made[0]]);
        assert_eq!(ids(&thread(&app, "&order=oldest").await), vec![made[1], made[0], made[2]]);
        let (status, _) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{}/unpin", made[1])).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&thread(&app, "").await), made, "unpinning empties the cache too");
        let (_, audit) = app.admin(&token, Method::GET, &format!("/api/v1/admin/audit?comment_id={}", made[1])).await;
        let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"pin") && actions.contains(&"unpin"), "{actions:?}");
        let (status, body) = app.get_json("/api/v1/comments?site=open&uri=/post&order=best").await;
        assert_eq!((status, &body["error"]["fields"]["order"][0]), (422, &json!("must be oldest or newest")));
    }

    async fn a_page_holds_at_most_max_pinned_and_only_published_ones(b) {
        let app = TestApp::spawn_with(b, |c| c.sites[1].max_pinned = 1).await;
        let token = app.token().await;
        let a = app.submit(json!({"site": "open", "text": "One"})).await;
        let b2 = app.submit(json!({"site": "open", "text": "Two"})).await;
        assert_eq!(app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{a}/pin")).await.0, 200);
        assert_eq!(app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{a}/pin")).await.0, 200, "twice is the same");
        let (status, body) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{b2}/pin")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("too_many_pinned")), "{body}");
        let held = app.submit(json!({"site": "blog", "text": "Waiting"})).await;
        let (status, body) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{held}/pin")).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(app.admin(&token, Method::POST, "/api/v1/admin/comments/999999/pin").await.0, 404);
    }
}
