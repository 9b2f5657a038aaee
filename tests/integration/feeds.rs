//! Atom feeds of approved comments, per page and per site: newest first, author name,
//! permalink, sanitised HTML, no email; linked from the no-JS page; publicly cacheable.
//! Checked for structure with quick-xml and, independently, with feedparser.
use std::time::Duration;

use quick_xml::events::Event;
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, python};

struct Feed {
    status: u16,
    content_type: String,
    cache_control: String,
    body: String,
}

async fn feed(app: &TestApp, path: &str) -> Feed {
    let res = app.http.get(app.url(path)).send().await.unwrap();
    let h = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, cache_control) = (h("content-type"), h("cache-control"));
    Feed {
        status: res.status().as_u16(),
        content_type,
        cache_control,
        body: res.text().await.unwrap(),
    }
}

/// The element names, each with its depth, of a well-formed document.
fn elements(xml: &str) -> Vec<(usize, String)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut depth, mut out) = (0, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                out.push((depth, name(&e)));
                depth += 1;
            }
            Event::Empty(e) => out.push((depth, name(&e))),
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn name(e: &quick_xml::events::BytesStart<'_>) -> String {
    e.name().into_inner().to_owned()
}

const FEEDPARSER: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": d.bozo, "version": d.version, "title": d.feed.get("title"),
    "entries": [{"id": e.id, "link": e.link, "author": e.author, "title": e.title,
                 "content": e.content[0].value, "type": e.content[0].type} for e in d.entries],
}))
"#;

backends! {
    async fn page_and_site_feeds_list_approved_comments_newest_first_without_email(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let first = app.submit(json!({"site": "open", "author_name": "Ada Lovelace", "text": "The *first* one <script>alert(1)</script>"})).await;
        app.clock.advance(Duration::from_secs(60));
        let rejected = app.submit(json!({"site": "open", "author_name": "Spammer", "text": "Buy things"})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{rejected}/reject")).await;
        app.clock.advance(Duration::from_secs(60));
        let second = app.submit(json!({"site": "open", "author_name": "Grace & Co", "author_email": "grace@example.org", "text": "Second **bold**"})).await;
        app.clock.advance(Duration::from_secs(60));
        let elsewhere = app.submit(json!({"site": "open", "uri": "/other", "text": "On another page"})).await;
        app.submit(json!({"site": "blog", "text": "Held on another site"})).await;

        let page = feed(&app, "/feeds/open/thread.atom?uri=/post").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.content_type, "application/atom+xml; charset=utf-8");
        assert!(page.cache_control.starts_with("public, max-age="), "{}", page.cache_control);
        for private in ["ada@example.org", "grace@example.org", "<script>", "Spammer"] {
            assert!(!page.body.contains(private), "{private} in {}", page.body);
        }
        let els = elements(&page.body);
        assert_eq!(els[0], (0, "feed".to_owned()));
        let entries = els.iter().filter(|(d, n)| *d == 1 && n == "entry").count();
        assert_eq!(entries, 2, "the two approved comments of the page");
        for required in ["id", "title", "updated"] {
            assert!(els.iter().any(|(d, n)| *d == 1 && n == required), "feed has <{required}>");
        }

        let site = feed(&app, "/feeds/open/comments.atom").await;
        assert_eq!(site.status, 200);
        assert_eq!(elements(&site.body).iter().filter(|(d, n)| *d == 1 && n == "entry").count(), 3);
        assert!(site.body.contains(&format!("/other#comment-{elsewhere}")));
        assert!(!site.body.contains("Held on another site"));

        if python::has("feedparser") {
            let parsed: Value = serde_json::from_str(&python::run(FEEDPARSER, page.body.as_bytes(), &[])).unwrap();
            assert_eq!(parsed["bozo"], false, "{parsed}");
            assert_eq!(parsed["version"], "atom10");
            let e = parsed["entries"].as_array().unwrap();
            assert_eq!(e[0]["link"], format!("http://open.example:8000/post#comment-{second}"), "newest first");
            assert_eq!(e[0]["author"], "Grace & Co");
            assert_eq!(e[0]["content"], "<p>Second <strong>bold</strong></p>");
            assert_eq!(e[0]["type"], "text/html");
            assert_eq!(e[1]["link"], format!("http://open.example:8000/post#comment-{first}"));
            assert_eq!(e[1]["author"], "Ada Lovelace");
            let html = e[1]["content"].as_str().unwrap();
            assert!(html.contains("<em>first</em>") && !html.contains("<script"), "sanitised: {html}");
            let site: Value = serde_json::from_str(&python::run(FEEDPARSER, site.body.as_bytes(), &[])).unwrap();
            assert_eq!(site["bozo"], false, "{site}");
            assert_eq!(site["entries"].as_array().unwrap().len(), 3);
        }

        let nojs = app.http.get(app.url("/embed/thread?site=open&uri=/post")).send().await.unwrap().text().await.unwrap();
        let href = format!("{}/feeds/open/thread.atom?uri=%2Fpost", app.config.server.public_url.as_str().trim_end_matches('/'));
        assert!(nojs.contains(&format!("href=\"{href}\"")), "the no-JS page links its feed: {nojs}");
    }

    async fn feeds_revalidate_and_refuse_bad_input(b) {
        let app = TestApp::spawn(b).await;
        app.submit(json!({"site": "open", "text": "Hello"})).await;
        let res = app.http.get(app.url("/feeds/open/comments.atom")).send().await.unwrap();
        let tag = res.headers()["etag"].to_str().unwrap().to_owned();
        let again = app.http.get(app.url("/feeds/open/comments.atom")).header("if-none-match", &tag).send().await.unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(feed(&app, "/feeds/nowhere/comments.atom").await.status, 404);
        let bad = feed(&app, "/feeds/open/thread.atom?uri=no-slash").await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.cache_control, "private, no-store");
        let empty = feed(&app, "/feeds/open/thread.atom?uri=/never").await;
        assert_eq!(empty.status, 200);
        assert_eq!(elements(&empty.body).iter().filter(|(_, n)| n == "entry").count(), 0);
    }
}
