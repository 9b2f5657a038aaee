//! Finding 7: an author's edit is screened as a new comment (a clean comment edited into
//! spam leaves the page even where comments publish at once) and counts against the
//! address's limits.
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

async fn post_open(app: &TestApp, text: &str) -> (i64, String) {
    let (status, body) = app
        .post_comment(&comment(json!({"site": "open", "text": text})))
        .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_i64().unwrap(),
        body["edit_token"].as_str().unwrap().to_owned(),
    )
}

async fn edit(app: &TestApp, id: i64, token: &str, text: &str) -> (u16, Value) {
    let res = app
        .http
        .patch(app.url(&format!("/api/v1/comments/{id}")))
        .json(&json!({"text": text, "edit_token": token}))
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

backends! {
    async fn an_edit_into_spam_or_held_text_leaves_the_page(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.token().await;
        for (kind, word) in [("disallowed_word", "casino"), ("moderation_word", "crypto")] {
            let res = app.http.post(app.url("/api/v1/admin/rules")).bearer_auth(&admin)
                .json(&json!({"kind": kind, "word": word})).send().await.unwrap();
            assert_eq!(res.status(), 201);
        }
        let (id, token) = post_open(&app, "A perfectly clean comment").await;
        assert_eq!(app.public_thread("open", "/post").await["total"], 1);
        let (status, body) = edit(&app, id, &token, "Now visit my casino today").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "spam");
        assert_eq!(app.public_thread("open", "/post").await["total"], 0, "off the page at once");

        let (held, token) = post_open(&app, "Another clean comment").await;
        let (_, body) = edit(&app, held, &token, "Buy crypto with me").await;
        assert_eq!(body["status"], "pending", "a hold finding takes it off the page");
        let (_, body) = edit(&app, held, &token, "Back to something clean").await;
        assert_eq!(body["status"], "pending", "an edit never publishes what was held");
    }

    async fn edits_count_against_the_address_limit(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.rate_limit.enabled = true;
            c.rate_limit.address_burst = 3;
        }).await;
        let (id, token) = post_open(&app, "First version").await;
        let mut statuses = Vec::new();
        for i in 0..3 {
            statuses.push(edit(&app, id, &token, &format!("Version {i}")).await.0);
        }
        assert_eq!(statuses, [200, 200, 429], "the post and two edits fill the burst of three");
    }
}
