//! The read path: cached threads revalidate with ETags, compress when asked, and are
//! emptied by every change, on this instance and on others sharing PostgreSQL.
use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{Backend, TestApp};

async fn get_thread(app: &TestApp, etag: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req = app
        .http
        .get(app.url("/api/v1/comments?site=open&uri=/post"));
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let tag = res
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, tag, res.json().await.unwrap_or(Value::Null))
}

backends! {
    async fn a_thread_revalidates_with_its_etag_until_it_changes(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let first = app.submit(json!({"site": "open", "text": "First"})).await;
        let (status, tag, body) = get_thread(&app, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["total"], 1);
        assert!(body.get("form_token").is_none(), "the thread is the same for every visitor");
        let tag = tag.expect("an ETag");
        let (status, _, _) = get_thread(&app, Some(&tag)).await;
        assert_eq!(status, 304);
        // Each kind of change shows up at once, with a new tag.
        let second = app.submit(json!({"site": "open", "text": "Second"})).await;
        let (status, tag2, body) = get_thread(&app, Some(&tag)).await;
        assert_eq!(status, 200, "a new comment empties the cache");
        assert_eq!(body["total"], 2);
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{second}/reject")).await;
        assert_eq!(get_thread(&app, tag2.as_deref()).await.2["total"], 1, "a rejection shows");
        let res = app.http.patch(app.url(&format!("/api/v1/admin/comments/{first}"))).bearer_auth(&token).json(&json!({"text": "Edited"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(get_thread(&app, None).await.2["comments"][0]["html"], "<p>Edited</p>\n", "an edit shows");
        app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{first}")).await;
        assert_eq!(get_thread(&app, None).await.2["total"], 0, "a deletion shows");
    }

    async fn large_threads_are_gzipped_for_clients_that_ask(b) {
        let app = TestApp::spawn(b).await;
        for i in 0..20 {
            app.submit(json!({"site": "open", "text": format!("Comment number {i} with some words to make it longer.")})).await;
        }
        let res = app.http.get(app.url("/api/v1/comments?site=open&uri=/post")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(res.headers()["content-encoding"], "gzip");
        let bytes = res.bytes().await.unwrap();
        let mut json = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut json).unwrap();
        let body: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(body["total"], 20);
        assert!(bytes.len() * 3 < json.len(), "compressed {} of {}", bytes.len(), json.len());
    }
}

/// Two instances on one PostgreSQL database: a change through one empties the other's cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_empties_the_cache_of_another() {
    let Some(b) = crate::support::pg::backend() else {
        return;
    };
    let a = TestApp::spawn(b).await;
    let url = a.config.database.url.clone();
    let other = TestApp::spawn_with(Backend::Sqlite, move |c| c.database.url = url).await;
    let token = a.token().await;
    let id = a.submit(json!({"text": "Held at first"})).await;
    let read = |app: &TestApp| {
        let req = app
            .http
            .get(app.url("/api/v1/comments?site=blog&uri=/post"));
        async move {
            req.send().await.unwrap().json::<Value>().await.unwrap()["total"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(read(&other).await, 0);
    assert_eq!(read(&other).await, 0, "now cached on the other instance");
    a.admin(
        &token,
        Method::POST,
        &format!("/api/v1/admin/comments/{id}/approve"),
    )
    .await;
    assert_eq!(read(&a).await, 1, "the acting instance sees it at once");
    // The notice travels through PostgreSQL: wait for it, bounded.
    let seen = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if read(&other).await == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(seen.is_ok(), "the other instance never saw the approval");
}
