//! Every signed token has one spelling: a one-click, unsubscribe, confirm or edit token
//! re-encoded with a leading zero or a plus sign is refused, and acts neither before nor
//! after the real one was used.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::mail::{self, link, links, subject, to};
use crate::support::smtp::SmtpServer;
use crate::support::{TestApp, comment};
use replyd::moderation::Action;
use replyd::notify::links as mail_links;

/// `path` with the token after `prefix` respelled: a leading zero and a plus sign on its
/// first field and on its expiry (the third part from the end), and more.
fn respelled(path: &str, prefix: &str) -> Vec<String> {
    let at = path.find(prefix).unwrap() + prefix.len();
    let (head, token) = path.split_at(at);
    let parts: Vec<&str> = token.split('.').collect();
    let expiry = parts.len() - 3;
    let mut out = Vec::new();
    for i in [0, expiry] {
        for lead in ["0", "+", "00"] {
            let mut p = parts.clone();
            let new = format!("{lead}{}", p[i]);
            p[i] = &new;
            out.push(format!("{head}{}", p.join(".")));
        }
    }
    out.push(format!("{path}="));
    out.push(format!("{head}{}", token.replacen('.', "..", 1)));
    out
}

async fn status_of(app: &TestApp, admin: &str, id: i64) -> Value {
    let (_, c) = app
        .admin(admin, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].clone()
}

/// Bob replies to `parent`; returns how many replies Ada has been mailed.
async fn replies_to_ada(app: &TestApp, smtp: &SmtpServer, parent: i64) -> usize {
    app.submit(json!({"site": "open", "parent_id": parent, "author_email": "bob@example.org"}))
        .await;
    app.deliver().await;
    to(&smtp.messages(), "ada@example.org")
        .iter()
        .filter(|m| subject(m).contains("replied"))
        .count()
}

backends! {
    async fn a_respelled_one_click_link_is_refused_before_and_after_its_first_use(b) {
        let app = TestApp::spawn(b).await;
        let admin = app.token().await;
        let id = app.submit(json!({"text": "Approve me once"})).await;
        let url = mail_links::one_click_link(
            app.config.server.public_url.as_str(), &app.state.keys, id, Action::Approve, app.clock.now());
        let path = url[url.find("/admin/act/").unwrap()..].to_owned();
        assert!(path.starts_with(&format!("/admin/act/{id}.approve.")), "{path}");
        let d = app.dashboard();
        let csrf = d.get(&path).await.csrf();
        let bad = respelled(&path, "/admin/act/");
        for p in &bad {
            assert_eq!(d.get(p).await.status, 400, "{p}");
            assert_eq!(d.post_raw(p, &[("csrf", &csrf)]).await.status, 400, "{p}");
        }
        assert_eq!(status_of(&app, &admin, id).await, "pending", "no respelling acted");

        let res = d.submit(&path, &path, &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(status_of(&app, &admin, id).await, "approved");
        app.admin(&admin, Method::POST, &format!("/api/v1/admin/comments/{id}/reject")).await;
        for p in &bad {
            assert_eq!(d.post_raw(p, &[("csrf", &csrf)]).await.status, 400, "{p}");
        }
        assert_eq!(d.post_raw(&path, &[("csrf", &csrf)]).await.status, 409, "the real link is spent");
        assert_eq!(status_of(&app, &admin, id).await, "rejected", "nothing approved again");
        let (_, log) = app.admin(&admin, Method::GET, &format!("/api/v1/admin/audit?comment_id={id}")).await;
        let approvals = log["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "approve").count();
        assert_eq!(approvals, 1);
    }

    async fn a_respelled_unsubscribe_link_is_refused_before_and_after_its_first_use(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "ada@example.org").await;
        assert_eq!(replies_to_ada(&app, &smtp, ada).await, 1);
        let mails = smtp.messages();
        let reply = to(&mails, "ada@example.org").into_iter().last().unwrap();
        let all = links(reply, "/mail/unsubscribe/")
            .into_iter()
            .find(|l| l.split('.').nth(1) == Some("all"))
            .expect("an unsubscribe-from-everything link");
        let mut bad = respelled(&all, "/mail/unsubscribe/");
        bad.push(all.replacen(".all.", ".ALL.", 1));
        for p in &bad {
            let res = app.http.post(app.url(p)).send().await.unwrap();
            assert_eq!(res.status(), 404, "{p}");
        }
        assert_eq!(replies_to_ada(&app, &smtp, ada).await, 2, "no respelling unsubscribed");

        let res = app.http.post(app.url(&all)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(replies_to_ada(&app, &smtp, ada).await, 2, "the real link unsubscribed");
        for p in &bad {
            let res = app.http.post(app.url(p)).send().await.unwrap();
            assert_eq!(res.status(), 404, "{p}");
        }
    }

    async fn a_respelled_confirm_link_is_refused_before_and_after_its_first_use(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        let path = link(to(&smtp.messages(), "ada@example.org")[0], "/mail/confirm/");
        let bad = respelled(&path, "/mail/confirm/");
        for p in &bad {
            assert_eq!(app.http.get(app.url(p)).send().await.unwrap().status(), 404, "{p}");
            assert_eq!(app.http.post(app.url(p)).send().await.unwrap().status(), 404, "{p}");
        }
        assert_eq!(replies_to_ada(&app, &smtp, ada).await, 0, "no respelling confirmed");

        assert_eq!(app.http.post(app.url(&path)).send().await.unwrap().status(), 200);
        assert_eq!(replies_to_ada(&app, &smtp, ada).await, 1, "the real link confirmed");
        for p in &bad {
            assert_eq!(app.http.post(app.url(p)).send().await.unwrap().status(), 404, "{p}");
        }
    }

    async fn a_respelled_edit_token_is_refused_and_changes_nothing(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&comment(json!({"site": "open", "text": "First draft"}))).await;
        assert_eq!(status, 201);
        let id = body["id"].as_i64().unwrap();
        let token = body["edit_token"].as_str().unwrap().to_owned();
        assert!(token.starts_with(&format!("{id}.")), "{token}");
        let patch = |text: &'static str, token: String| {
            app.http.patch(app.url(&format!("/api/v1/comments/{id}")))
                .json(&json!({"text": text, "edit_token": token})).send()
        };
        let html = || async { app.public_thread("open", "/post").await["comments"][0]["html"].clone() };
        let bad = respelled(&token, "");
        for t in &bad {
            assert_eq!(patch("Hijacked", t.clone()).await.unwrap().status(), 403, "{t}");
        }
        assert_eq!(html().await, "<p>First draft</p>\n");

        assert_eq!(patch("Second draft", token.clone()).await.unwrap().status(), 200);
        for t in &bad {
            assert_eq!(patch("Hijacked", t.clone()).await.unwrap().status(), 403, "{t}");
            let res = app.http.delete(app.url(&format!("/api/v1/comments/{id}")))
                .json(&json!({"edit_token": t})).send().await.unwrap();
            assert_eq!(res.status(), 403, "{t}");
        }
        assert_eq!(html().await, "<p>Second draft</p>\n");
    }

    async fn a_respelled_setup_link_is_refused(b) {
        let app = TestApp::spawn(b).await;
        let token = replyd::team::setup_token(&app.state.keys, app.clock.now(), chrono::Duration::hours(1));
        let path = format!("/admin/setup/{token}");
        let d = app.dashboard();
        assert_eq!(d.get(&path).await.status, 200);
        for p in respelled(&path, "/admin/setup/") {
            assert_eq!(d.get(&p).await.status, 422, "{p}");
        }
    }
}
