//! The embeddable widget's server side: assets and their caching, the size budget, the no-JS
//! thread page, and editing or deleting your own comment.
use std::io::Write;

use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// gzip -9 size of a body.
fn gzipped(body: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(body).unwrap();
    enc.finish().unwrap().len()
}

#[tokio::test]
async fn the_widget_fits_the_20_kb_gzipped_budget() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let mut total = 0;
    for path in ["/embed.js", "/embed.css", "/count.js"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        total += gzipped(&res.bytes().await.unwrap());
    }
    assert!(
        total <= 20 * 1024,
        "widget is {total} bytes gzipped, over the 20 KB budget"
    );
}

#[tokio::test]
async fn assets_are_cacheable_and_revalidate_with_etags() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let js = app.http.get(app.url("/embed.js")).send().await.unwrap();
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        js.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let etag = js.headers()["etag"].to_str().unwrap().to_owned();
    let body = js.text().await.unwrap();
    let css_path = body
        .split("/embed.css?v=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !css_path.contains("__CSS_VERSION__"),
        "the stylesheet URL is versioned"
    );
    let again = app
        .http
        .get(app.url("/embed.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let css = app
        .http
        .get(app.url(&format!("/embed.css?v={css_path}")))
        .send()
        .await
        .unwrap();
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        !body.contains("document.cookie"),
        "no cookies on the host page"
    );
}

backends! {
    async fn the_no_js_thread_page_serves_thread_and_form(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(json!({"site": "open", "uri": "/a?b=1", "text": "Visible *here*"})).await;
        let res = app.http.get(app.url("/embed/thread?site=open&uri=%2Fa%3Fb%3D1")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors http://open.example:8000"), "{csp}");
        let html = res.text().await.unwrap().replace("&#38;", "&").replace("&amp;", "&");
        assert!(html.contains("Visible <em>here</em>"));
        assert!(html.contains(&format!("id=\"comment-{id}\"")));
        assert!(html.contains("Leave a Reply"));
        assert!(html.contains("name=\"return_to\" value=\"embed\""));
        assert!(html.contains(&format!("/embed/thread?site=open&uri=%2Fa%3Fb%3D1&replyto={id}#respond")), "reply links keep the page's query");
        let res = app.http.get(app.url("/embed/thread?site=nope&uri=/")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let res = app.http.get(app.url("/embed/thread?site=open&uri=//evil")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 422);
    }

    async fn the_embedded_form_comes_back_to_the_embedded_page(b) {
        let app = TestApp::spawn(b).await;
        let form = [("site", "blog"), ("uri", "/p"), ("author_name", "Ann"), ("author_email", "ann@example.org"), ("text", "From an iframe"), ("return_to", "embed")];
        let res = app.http.post(app.url("/api/v1/comments")).form(&form).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let location = res.headers()["location"].to_str().unwrap();
        assert_eq!(location, "http://127.0.0.1:8080/embed/thread?site=blog&uri=%2Fp&replyd=pending#replyd");
        let html = app.http.get(app.url("/embed/thread?site=blog&uri=/p&replyd=pending")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Your comment is awaiting moderation."));
    }

    async fn authors_can_edit_and_delete_their_own_comment_for_15_minutes(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&comment(json!({"site": "open", "text": "First draft"}))).await;
        assert_eq!(status, 201);
        let id = body["id"].as_i64().unwrap();
        let token = body["edit_token"].as_str().unwrap().to_owned();
        assert_eq!(body["html"], "<p>First draft</p>\n");
        let patch = |text: &str, token: &str| {
            app.http.patch(app.url(&format!("/api/v1/comments/{id}"))).json(&json!({"text": text, "edit_token": token})).send()
        };
        let res = patch("Second draft", &token).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let edited: Value = res.json().await.unwrap();
        assert_eq!(edited["html"], "<p>Second draft</p>\n");
        assert_eq!(app.public_thread("open", "/post").await["comments"][0]["html"], "<p>Second draft</p>\n");
        // Another comment's token, or a tampered one, is refused.
        let (_, other) = app.post_comment(&comment(json!({"site": "open", "text": "Someone else"}))).await;
        let res = patch("Hijack", other["edit_token"].as_str().unwrap()).await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let res = patch("Hijack", &format!("{token}x")).await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        // After 15 minutes the window is shut.
        app.clock.advance(std::time::Duration::from_secs(15 * 60 + 1));
        let res = patch("Too late", &token).await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let res = app.http.delete(app.url(&format!("/api/v1/comments/{id}"))).json(&json!({"edit_token": token})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert_eq!(app.public_thread("open", "/post").await["total"], 2);
    }

    async fn an_edit_on_a_moderated_site_waits_again_and_delete_removes(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.token().await;
        let (_, body) = app.post_comment(&comment(json!({"text": "Benign"}))).await;
        let id = body["id"].as_i64().unwrap();
        let token = body["edit_token"].as_str().unwrap().to_owned();
        app.admin(&admin, reqwest::Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let res = app.http.patch(app.url(&format!("/api/v1/comments/{id}"))).json(&json!({"text": "Now spammy", "edit_token": token})).send().await.unwrap();
        let edited: Value = res.json().await.unwrap();
        assert_eq!(edited["status"], "pending", "approval does not carry over to new text");
        assert_eq!(app.public_thread("blog", "/post").await["total"], 0);
        let res = app.http.delete(app.url(&format!("/api/v1/comments/{id}"))).json(&json!({"edit_token": token})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let (status, _) = app.admin(&admin, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(status, 404);
        let (_, audit) = app.admin(&admin, reqwest::Method::GET, &format!("/api/v1/admin/audit?comment_id={id}")).await;
        assert_eq!(audit["entries"][0]["actor"], "author");
        assert_eq!(audit["entries"][0]["action"], "delete");
    }

    async fn the_demo_page_embeds_the_widget_over_a_working_no_js_thread(b) {
        let app = TestApp::spawn(b).await;
        let res = app.http.get(app.url("/")).send().await.unwrap();
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self'"));
        let html = res.text().await.unwrap();
        assert!(html.contains("<div data-replyd data-site=\"blog\" data-uri=\"/\">"));
        assert!(html.contains("<script src=\"/embed.js\" defer></script>"));
        assert!(html.contains("href=\"/embed/thread?site=blog&amp;uri=/\""));
        assert!(html.contains("action=\"/api/v1/comments\""), "the no-JS form is inside the container");
    }
}
