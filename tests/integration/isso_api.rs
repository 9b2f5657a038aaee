//! The Isso-compatible API under `/isso/{site}/`: the shapes and statuses Isso 0.14's client
//! reads, its edit cookie, and the CORS it needs (credentials, from the site's origins only).
use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;

const BLOG: &str = "http://blog.example:8000";

async fn isso(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .http
        .request(method, app.url(&format!("/isso/{path}")))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.expect("isso request")
}

fn comment(text: &str, parent: Option<i64>) -> Value {
    json!({"text": text, "author": "Ada", "email": "ada@example.org", "website": "ada.example",
           "parent": parent, "title": "A post", "notification": 0})
}

/// Posts through `/new` and returns (status, body, the server's `ID=token` cookie pair).
async fn post(app: &TestApp, site: &str, uri: &str, body: Value) -> (u16, Value, String) {
    let res = isso(
        app,
        Method::POST,
        &format!("{site}/new?uri={uri}"),
        Some(body),
        None,
    )
    .await;
    let status = res.status().as_u16();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .unwrap_or_default();
    let page = res
        .headers()
        .get("x-set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status < 300 {
        let id = body["id"].as_i64().unwrap();
        assert!(cookie.starts_with(&format!("{id}=")), "{cookie}");
        assert!(
            page.starts_with(&format!("isso-{id}=")) && page.contains("Max-Age=900"),
            "{page}"
        );
    }
    (status, body, cookie)
}

async fn thread(app: &TestApp, site: &str, query: &str) -> Value {
    let res = isso(app, Method::GET, &format!("{site}/?{query}"), None, None).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

backends! {
    async fn the_config_tells_the_client_replyd_rules(b) {
        let app = TestApp::spawn(b).await;
        let res = isso(&app, Method::GET, "blog/config", None, None).await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        let c = &body["config"];
        assert_eq!((c["require-email"].clone(), c["require-author"].clone()), (json!(true), json!(true)));
        assert_eq!((c["vote"].clone(), c["gravatar"].clone(), c["reply-notifications"].clone()), (json!(false), json!(false), json!(true)));
        assert_eq!(isso(&app, Method::GET, "nosuch/config", None, None).await.status(), 404);
    }

    async fn a_held_comment_is_202_waits_in_the_queue_and_shows_once_approved(b) {
        let app = TestApp::spawn(b).await;
        let (status, body, _) = post(&app, "blog", "/isso/post", comment("Hello from Isso's client", None)).await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["mode"], 2);
        assert_eq!(body["author"], "Ada");
        assert_eq!(body["website"], "http://ada.example");
        assert!(body["text"].as_str().unwrap().contains("<p>Hello from Isso"), "{body}");
        let id = body["id"].as_i64().unwrap();
        let t = thread(&app, "blog", "uri=/isso/post").await;
        assert_eq!(t["total_replies"], 0, "nothing published yet: {t}");
        let token = app.token().await;
        let (_, queue) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=pending").await;
        assert_eq!(queue["comments"][0]["id"], id);
        assert_eq!(queue["comments"][0]["page_title"], "A post");
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let t = thread(&app, "blog", "uri=/isso/post").await;
        assert_eq!(t["total_replies"], 1);
        let c = &t["replies"][0];
        assert_eq!((c["id"].as_i64(), c["mode"].clone(), c["parent"].clone()), (Some(id), json!(1), Value::Null));
        assert!(c["created"].as_f64().unwrap() > 1.7e9);
        assert_eq!(c["hash"].as_str().unwrap().len(), 12);
        assert!(!t.to_string().contains("ada@example.org"), "{t}");
    }

    async fn replies_nest_under_their_top_level_comment_and_counts_follow_the_order(b) {
        let app = TestApp::spawn(b).await;
        let (s1, root, _) = post(&app, "open", "/isso/p", comment("The first comment", None)).await;
        assert_eq!(s1, 201);
        let root = root["id"].as_i64().unwrap();
        let (_, reply, _) = post(&app, "open", "/isso/p", comment("A reply to it", Some(root))).await;
        let reply = reply["id"].as_i64().unwrap();
        let (_, deep, _) = post(&app, "open", "/isso/p", comment("A reply to the reply", Some(reply))).await;
        let t = thread(&app, "open", "uri=/isso/p&nested_limit=5").await;
        assert_eq!(t["total_replies"], 3);
        let top = &t["replies"][0];
        assert_eq!(top["id"], root);
        assert_eq!(top["total_replies"], 2);
        let under: Vec<(i64, i64)> = top["replies"].as_array().unwrap().iter()
            .map(|r| (r["id"].as_i64().unwrap(), r["parent"].as_i64().unwrap())).collect();
        assert_eq!(under, [(reply, root), (deep["id"].as_i64().unwrap(), reply)]);
        let res = isso(&app, Method::POST, "open/count", Some(json!(["/nothing", "/isso/p"])), None).await;
        assert_eq!(res.json::<Value>().await.unwrap(), json!([0, 3]));
    }

    async fn the_author_views_edits_and_deletes_with_the_edit_cookie_only(b) {
        let app = TestApp::spawn(b).await;
        let (_, body, cookie) = post(&app, "open", "/isso/e", comment("Frist post", None)).await;
        let id = body["id"].as_i64().unwrap();
        let path = format!("open/id/{id}");
        assert_eq!(isso(&app, Method::GET, &path, None, None).await.status(), 403);
        let res = isso(&app, Method::GET, &format!("{path}?plain=1"), None, Some(&cookie)).await;
        assert_eq!(res.json::<Value>().await.unwrap()["text"], "Frist post");
        let edit = json!({"text": "First post, *fixed*"});
        assert_eq!(isso(&app, Method::PUT, &path, Some(edit.clone()), None).await.status(), 403);
        assert_eq!(isso(&app, Method::PUT, &path, Some(edit.clone()), Some(&format!("{id}=forged"))).await.status(), 403);
        let res = isso(&app, Method::PUT, &path, Some(edit), Some(&cookie)).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers().get(header::SET_COOKIE).is_some());
        let edited: Value = res.json().await.unwrap();
        assert!(edited["text"].as_str().unwrap().contains("<em>fixed</em>"), "{edited}");
        assert_eq!(edited["mode"], 1, "an open site keeps it published");
        // Another comment's cookie proves nothing about this one.
        let (_, other, other_cookie) = post(&app, "open", "/isso/e", comment("Another one", None)).await;
        let stolen = other_cookie.replacen(&other["id"].to_string(), &id.to_string(), 1);
        assert_eq!(isso(&app, Method::DELETE, &path, None, Some(&stolen)).await.status(), 403);
        let res = isso(&app, Method::DELETE, &path, None, Some(&cookie)).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["x-set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
        let t = thread(&app, "open", "uri=/isso/e").await;
        assert_eq!(t["total_replies"], 1);
    }

    async fn deleting_a_comment_with_replies_leaves_a_mode_4_placeholder(b) {
        let app = TestApp::spawn(b).await;
        let (_, root, cookie) = post(&app, "open", "/isso/d", comment("Soon gone", None)).await;
        let root = root["id"].as_i64().unwrap();
        post(&app, "open", "/isso/d", comment("A reply that stays", Some(root))).await;
        let res = isso(&app, Method::DELETE, &format!("open/id/{root}"), None, Some(&cookie)).await;
        let gone: Value = res.json().await.unwrap();
        assert_eq!((gone["mode"].clone(), gone["author"].clone(), gone["text"].clone()), (json!(4), Value::Null, json!("")));
        let t = thread(&app, "open", "uri=/isso/d").await;
        assert_eq!(t["replies"][0]["mode"], 4);
        assert_eq!(t["replies"][0]["replies"][0]["mode"], 1);
    }

    async fn what_replyd_requires_is_refused_and_forms_cannot_post(b) {
        let app = TestApp::spawn(b).await;
        let (status, body, _) = post(&app, "blog", "/isso/r", json!({"text": "No name given"})).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"]["fields"]["author"].is_array() && body["error"]["fields"]["email"].is_array(), "{body}");
        // A cross-site HTML form cannot send JSON: a form body is refused.
        let res = app.http.post(app.url("/isso/blog/new?uri=/isso/r"))
            .header(header::CONTENT_TYPE, "text/plain").body("{}").send().await.unwrap();
        assert_eq!(res.status(), 415);
        let token = app.token().await;
        let (_, queue) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=pending").await;
        assert_eq!(queue["total"], 0);
    }

    async fn the_site_s_origins_may_call_with_credentials_and_nobody_else(b) {
        let app = TestApp::spawn(b).await;
        let preflight = |origin: &'static str| {
            app.http.request(Method::OPTIONS, app.url("/isso/blog/new?uri=/x"))
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
                .send()
        };
        let res = preflight(BLOG).await.unwrap();
        let h = res.headers();
        assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], BLOG);
        assert_eq!(h[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        let res = app.http.get(app.url("/isso/blog/config")).header(header::ORIGIN, BLOG).send().await.unwrap();
        let exposed = res.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().to_lowercase();
        assert!(exposed.contains("x-set-cookie") && exposed.contains("date"), "{exposed}");
        // Another site's origin is not this site's.
        let res = preflight("http://open.example:8000").await.unwrap();
        assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        // The JSON API still sends no credentials rule.
        let res = app.http.get(app.url("/api/v1/comments?site=blog&uri=/x")).header(header::ORIGIN, BLOG).send().await.unwrap();
        assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], BLOG);
        assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    }

    async fn preview_renders_and_votes_change_nothing(b) {
        let app = TestApp::spawn(b).await;
        let res = isso(&app, Method::POST, "blog/preview", Some(json!({"text": "**bold** <script>x</script>"})), None).await;
        let html = res.json::<Value>().await.unwrap()["text"].as_str().unwrap().to_owned();
        assert!(html.contains("<strong>bold</strong>") && !html.contains("<script"), "{html}");
        let res = isso(&app, Method::POST, "blog/id/1/like", None, None).await;
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"likes": 0, "dislikes": 0}));
    }
}
