//! The plain HTML form: 303 back to the page on success, an HTML page naming each bad field
//! otherwise, and never a redirect anywhere but the site's own origin.
use reqwest::Method;
use serde_json::json;

use crate::backends;
use crate::support::TestApp;

fn form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("site", "blog"),
        ("uri", "/post"),
        ("author_name", "Ada"),
        ("author_email", "ada@example.org"),
        ("text", "From the plain form"),
    ];
    for (k, v) in extra {
        f.retain(|(key, _)| key != k);
        f.push((k, v));
    }
    f
}

async fn post_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/comments"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

backends! {
    async fn a_valid_form_redirects_back_to_the_page_marked_pending(b) {
        let app = TestApp::spawn(b).await;
        let res = post_form(&app, &form(&[("notify_replies", "1")])).await;
        assert_eq!(res.status().as_u16(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("http://blog.example:8000/post?replyd=pending&replyd_comment="), "{location}");
        assert!(location.ends_with("#replyd"));
        let res = post_form(&app, &form(&[("uri", "/index.php?p=3"), ("text", "another")])).await;
        let location = res.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("http://blog.example:8000/index.php?p=3&replyd=pending"), "{location}");
        let token = app.token().await;
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/comments?order=oldest").await;
        assert_eq!(list["comments"][0]["notify_replies"], true);
    }

    async fn a_published_form_comment_links_to_its_permalink(b) {
        let app = TestApp::spawn(b).await;
        let token = app.form_token("open", "/post");
        let res = post_form(&app, &form(&[("site", "open"), ("form_token", token.as_str())])).await;
        let location = res.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("http://open.example:8000/post?replyd=published#comment-"), "{location}");
    }

    async fn an_invalid_form_answers_a_page_naming_each_field_and_keeping_the_input(b) {
        let app = TestApp::spawn(b).await;
        let res = post_form(&app, &form(&[("author_email", "nope"), ("author_name", ""), ("text", "Keep <this> text")])).await;
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(html.contains("Email must be a valid email address"), "{html}");
        assert!(html.contains("Name is required"));
        assert!(html.contains("Keep &lt;this&gt; text") || html.contains("Keep &#60;this&#62; text"), "typed text is kept, escaped");
        assert!(html.contains("value=\"nope\""));
        assert!(html.contains("aria-invalid=\"true\""));
    }

    async fn the_form_never_redirects_off_site(b) {
        let app = TestApp::spawn(b).await;
        for uri in ["//evil.example/", "https://evil.example/", "evil", "/x\\@evil.example"] {
            let res = post_form(&app, &form(&[("uri", uri)])).await;
            assert_eq!(res.status().as_u16(), 422, "{uri}");
            assert!(res.headers().get("location").is_none());
        }
    }

    async fn an_unknown_site_on_the_form_is_an_html_404(b) {
        let app = TestApp::spawn(b).await;
        let res = post_form(&app, &form(&[("site", "nope")])).await;
        assert_eq!(res.status().as_u16(), 404);
        assert!(res.text().await.unwrap().contains("<h1>Not found</h1>"));
    }

    async fn the_demo_page_shows_the_form_and_the_pending_notice(b) {
        let app = TestApp::spawn(b).await;
        let html = app.http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        for needle in ["Leave a Reply", "Required fields are marked", "Your email address will not be published.", "action=\"/api/v1/comments\"", "name=\"author_email\"", "Notify me of follow-up comments by email"] {
            assert!(html.contains(needle), "{needle}");
        }
        assert!(!html.contains("awaiting moderation"));
        let html = app.http.get(app.url("/?replyd=pending")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Your comment is awaiting moderation."));
        let id = app.submit(json!({"uri": "/", "text": "Shown on the demo page"})).await;
        let token = app.token().await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let html = app.http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Shown on the demo page"));
        assert!(html.contains(&format!("id=\"comment-{id}\"")));
        let html = app.http.get(app.url(&format!("/?replyto={id}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("name=\"parent_id\" value=\"{id}\"")));
    }
}
