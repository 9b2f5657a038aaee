//! Reads a shared cache can serve: the thread and counts are the same bytes for every
//! visitor, public with a strong validator; the form token has a request of its own; and
//! nothing private (admin pages, cookies, errors that echo input) is ever cacheable.
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use entity::enums::Role;

struct Read {
    status: u16,
    cache_control: String,
    etag: String,
    body: Vec<u8>,
}

async fn read(app: &TestApp, path: &str, if_none_match: Option<&str>) -> Read {
    let mut req = app.http.get(app.url(path));
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.unwrap();
    let h = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (cache_control, etag) = (h("cache-control"), h("etag"));
    Read {
        status: res.status().as_u16(),
        cache_control,
        etag,
        body: res.bytes().await.unwrap().to_vec(),
    }
}

const THREAD: &str = "/api/v1/comments?site=open&uri=/post";
const COUNTS: &str = "/api/v1/counts?site=open&uri=/post&uri=/other";

fn count_of(r: &Read) -> u64 {
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    v["/post"].as_u64().unwrap()
}

backends! {
    async fn threads_and_counts_are_the_same_bytes_for_everyone_and_publicly_cacheable(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.cache.public_max_age_secs = 7;
            c.cache.stale_while_revalidate_secs = 33;
        }).await;
        app.submit(json!({"site": "open", "text": "First"})).await;
        for path in [THREAD, COUNTS] {
            let one = read(&app, path, None).await;
            app.clock.advance(Duration::from_secs(5));
            let two = read(&app, path, None).await;
            assert_eq!(one.status, 200, "{path}");
            assert_eq!(one.body, two.body, "{path}: every visitor gets the same bytes");
            assert_eq!(one.cache_control, "public, max-age=7, stale-while-revalidate=33", "{path}");
            assert!(one.etag.starts_with('"') && one.etag.len() > 10, "a strong tag: {}", one.etag);
            assert_eq!(one.etag, two.etag, "{path}");
            let again = read(&app, path, Some(&one.etag)).await;
            assert_eq!(again.status, 304, "{path}");
            assert_eq!(again.cache_control, one.cache_control, "{path}");
        }
        let thread: Value = serde_json::from_slice(&read(&app, THREAD, None).await.body).unwrap();
        assert!(thread.get("form_token").is_none(), "{thread}");
    }

    async fn the_form_token_has_its_own_private_request_and_works(b) {
        let app = TestApp::spawn(b).await;
        let res = app.http.get(app.url("/api/v1/form-token?site=open&uri=/post")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        let token = res.json::<Value>().await.unwrap()["form_token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("v1."), "{token}");
        app.clock.advance(Duration::from_secs(10));
        let (status, body) = app.post_comment(&crate::support::comment(json!({"site": "open", "form_token": token}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["status"], "approved", "a fetched token passes the time trap");
        let bad = read(&app, "/api/v1/form-token?site=nowhere&uri=/post", None).await;
        assert_eq!(bad.status, 404);
        let missing = read(&app, "/api/v1/form-token?site=open", None).await;
        assert_eq!(missing.status, 422);
        assert_eq!(missing.cache_control, "private, no-store");
    }

    async fn counts_are_cached_and_emptied_by_every_change(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "blog", "text": "Held"})).await;
        let path = "/api/v1/counts?site=blog&uri=/post";
        assert_eq!(count_of(&read(&app, path, None).await), 0);
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let approved = read(&app, path, None).await;
        assert_eq!(count_of(&approved), 1, "an approval shows at once");
        // Served from the cache: a change behind replyd's back is not seen until the page
        // changes through replyd, or the cache's TTL passes.
        let db = &app.state.db.writer;
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("UPDATE comments SET status = 'rejected'").await.unwrap();
        assert_eq!(count_of(&read(&app, path, None).await), 1, "cached");
        app.clock.advance(Duration::from_secs(app.config.cache.ttl_secs + 1));
        assert_eq!(count_of(&read(&app, path, None).await), 0, "rebuilt after the TTL");
        let second = app.submit(json!({"site": "open", "text": "Published"})).await;
        let open = "/api/v1/counts?site=open&uri=/post";
        assert_eq!(count_of(&read(&app, open, None).await), 1);
        app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{second}")).await;
        assert_eq!(count_of(&read(&app, open, None).await), 0, "a deletion shows at once");
    }

    async fn nothing_private_is_cacheable(b) {
        let app = TestApp::spawn(b).await;
        for path in [
            "/api/v1/comments?site=open&uri=/post&limit=9999",
            "/api/v1/comments?site=<script>&uri=/post",
            "/api/v1/counts?site=open",
            "/embed/thread?site=open&uri=no-slash",
            "/nothing/here?q=<b>",
            "/api/v1/admin/comments",
        ] {
            let r = read(&app, path, None).await;
            assert!(r.status >= 400, "{path}: {}", r.status);
            assert!(r.cache_control.contains("no-store") && r.cache_control.contains("private"),
                "{path}: {}", r.cache_control);
        }
        app.add_moderator("mo@example.org", "Mo", Role::Moderator).await;
        let d = app.dashboard();
        let login = d.login("mo@example.org", crate::support::dashboard::PASSWORD).await;
        assert_eq!(login.status, 303, "{}", login.body);
        assert!(login.headers.contains_key("set-cookie"));
        let cc = login.headers["cache-control"].to_str().unwrap();
        assert!(cc.contains("no-store") && cc.contains("private"), "{cc}");
        let page = d.get("/admin/").await;
        assert_eq!(page.status, 200);
        let cc = page.headers["cache-control"].to_str().unwrap().to_owned();
        assert!(cc.contains("no-store") && cc.contains("private"), "{cc}");
        let form = read(&app, "/embed/thread?site=open&uri=/post", None).await;
        assert_eq!(form.status, 200);
        assert!(form.cache_control.contains("no-store"), "the no-JS form carries a token: {}", form.cache_control);
    }
}
