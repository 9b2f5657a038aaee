//! Privacy self-service end to end through real mail on loopback: a request (always 202),
//! the mailed link (opening it changes nothing), then the JSON download or the erasure;
//! audit rows that never hold the address in clear.
use std::time::Duration;

use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use crate::support::mail::{self, subject};
use crate::support::smtp::SmtpServer;

const ADA: &str = "ada@example.org";

async fn ask(app: &TestApp, email: &str, request: &str) -> (u16, Value) {
    let res = app
        .http
        .post(app.url("/api/v1/privacy"))
        .json(&json!({"site": "blog", "email": email, "request": request}))
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// The path of the privacy link in the newest privacy mail to `email`.
fn privacy_link(smtp: &SmtpServer, email: &str) -> String {
    privacy_link_for(smtp, email, "")
}

/// The same, for a request of `kind` (`export` or `delete`; empty for either).
fn privacy_link_for(smtp: &SmtpServer, email: &str, kind: &str) -> String {
    smtp.messages()
        .into_iter()
        .rev()
        .filter(|m| m.rcpt_to == [email] && subject(m).starts_with("[Site blog]"))
        .filter_map(|m| mail::links(&m, "/privacy/").into_iter().next())
        .find(|l| l.contains(&format!(".{kind}.")) || kind.is_empty())
        .unwrap_or_else(|| panic!("no privacy mail to {email}"))
}

async fn audit_text(app: &TestApp) -> String {
    let token = app.token().await;
    let (status, body) = app
        .admin(&token, Method::GET, "/api/v1/admin/audit?limit=200")
        .await;
    assert_eq!(status, 200, "{body}");
    body.to_string()
}

backends! {
    async fn an_export_is_mailed_confirmed_and_downloaded_as_json(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let first = app.opt_in_comment("blog", ADA, None).await;
        app.approve(&token, first).await;
        app.submit(json!({"author_email": "Ada@Example.org", "text": "A second thought."})).await;
        app.submit(json!({"author_email": "bob@example.org", "author_name": "Bob", "text": "Bob's own."})).await;
        app.deliver().await;

        let (status, body) = ask(&app, "ADA@example.org", "export").await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["status"], "accepted");
        app.deliver().await;
        let path = privacy_link(&smtp, "ADA@example.org");

        let page = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Download your data"));
        assert!(!audit_text(&app).await.contains("privacy_export"), "opening the link changes nothing");

        let res = app.http.post(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
        let data: Value = res.json().await.unwrap();
        assert_eq!(data["email"], ADA);
        let texts: Vec<&str> = data["comments"].as_array().unwrap().iter().map(|c| c["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["A thoughtful comment.", "A second thought."]);
        assert_eq!(data["comments"][0]["status"], "approved");
        assert_eq!(data["comments"][1]["author_email"], "Ada@Example.org");
        assert!(data["subscription"]["confirmed_at"].is_null(), "{data}");
        assert!(!data.to_string().contains("bob@example.org"));

        let audit = audit_text(&app).await;
        assert!(audit.contains("privacy_requested") && audit.contains("privacy_export"), "{audit}");
        assert!(!audit.to_lowercase().contains(ADA), "the audit holds the address in clear: {audit}");
    }

    async fn an_erasure_leaves_placeholders_where_replies_hang_and_nothing_else(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let root = app.opt_in_comment("blog", ADA, None).await;
        app.approve(&token, root).await;
        let reply = app.submit(json!({"author_email": "bob@example.org", "author_name": "Bob", "parent_id": root, "text": "Bob replies."})).await;
        app.approve(&token, reply).await;
        let lone = app.submit(json!({"author_email": ADA, "text": "Nobody answered this."})).await;
        let elsewhere = app.submit(json!({"site": "open", "author_email": ADA, "text": "On another site."})).await;
        app.deliver().await;

        assert_eq!(ask(&app, ADA, "delete").await.0, 202);
        app.deliver().await;
        let path = privacy_link(&smtp, ADA);
        let page = app.http.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Erase everything"), "{page}");
        assert!(app.stored(lone).await.is_some(), "opening the link changes nothing");

        let res = app.http.post(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let done = res.text().await.unwrap();
        assert!(done.contains("1 removed, 1 kept"), "{done}");

        let thread = app.public_thread("blog", "/post").await;
        let comments = thread["comments"].as_array().unwrap();
        let tomb = comments.iter().find(|c| c["id"] == root).unwrap();
        assert_eq!((tomb["deleted"].clone(), tomb["author_name"].clone(), tomb["html"].clone()), (json!(true), Value::Null, json!("")));
        assert!(comments.iter().any(|c| c["id"] == reply), "the reply stays");
        let kept = app.stored(root).await.unwrap();
        assert_eq!((kept.author_email.as_str(), kept.text.as_str(), kept.ip_hash.as_deref()), ("", "", None));
        assert!(app.stored(lone).await.is_none());
        assert!(app.stored(elsewhere).await.is_some(), "another site's comments are that site's");

        use sea_orm::{EntityTrait, PaginatorTrait};
        let db = &app.state.db.reader;
        assert_eq!(entity::mail_subscriber::Entity::find().count(db).await.unwrap(), 0);
        let outbox = entity::outbox::Entity::find().all(db).await.unwrap();
        assert!(outbox.iter().all(|m| m.recipient.to_lowercase() != ADA), "no mail row keeps the address");
        let requests = entity::privacy_request::Entity::find().all(db).await.unwrap();
        assert!(requests.iter().all(|r| r.email_norm.is_empty()));

        let again = app.http.post(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(again.contains("Already erased"), "{again}");
        let audit = audit_text(&app).await;
        assert!(audit.contains("privacy_erase") && audit.contains("\"tombstones\":1"), "{audit}");
        assert!(!audit.to_lowercase().contains(ADA), "{audit}");
    }

    async fn every_request_is_202_and_an_address_gets_one_mail_a_day_per_kind(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let (s1, b1) = ask(&app, "nobody@example.org", "export").await;
        let (s2, b2) = ask(&app, "nobody@example.org", "export").await;
        assert_eq!((s1, s2), (202, 202));
        assert_eq!(b1, b2, "the answer says nothing about what is stored");
        assert_eq!(ask(&app, "nobody@example.org", "delete").await.0, 202);
        app.deliver().await;
        assert_eq!(smtp.messages().iter().filter(|m| m.rcpt_to == ["nobody@example.org"]).count(), 2);
        // The export of an address with nothing stored is empty.
        let path = privacy_link_for(&smtp, "nobody@example.org", "export");
        let res = app.http.post(app.url(&path)).send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert_eq!(data["comments"], json!([]), "{data}");
        let (status, body) = ask(&app, "not an address", "export").await;
        assert_eq!(status, 422);
        assert!(body["error"]["fields"]["email"].is_array());
        assert_eq!(ask(&app, ADA, "forget").await.0, 422);
    }

    async fn a_privacy_link_expires_and_a_changed_one_is_refused(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        app.submit(json!({"author_email": ADA})).await;
        ask(&app, ADA, "delete").await;
        app.deliver().await;
        let path = privacy_link(&smtp, ADA);
        let changed = path.replacen(".delete.", ".export.", 1);
        assert_eq!(app.http.get(app.url(&changed)).send().await.unwrap().status(), 404);
        app.clock.advance(Duration::from_secs(24 * 3600 + 1));
        let res = app.http.post(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("expired"));
        use sea_orm::{EntityTrait, PaginatorTrait};
        assert_eq!(entity::comment::Entity::find().count(&app.state.db.reader).await.unwrap(), 1, "nothing erased");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_requests_are_limited_per_client_address() {
    let smtp = SmtpServer::start().await;
    let app = mail::spawn(crate::support::Backend::Sqlite, &smtp, |c| {
        c.rate_limit.privacy_per_hour = 2;
    })
    .await;
    for n in 0..2 {
        assert_eq!(
            ask(&app, &format!("p{n}@example.org"), "export").await.0,
            202
        );
    }
    let res = app
        .http
        .post(app.url("/api/v1/privacy"))
        .json(&json!({"site": "blog", "email": "p3@example.org", "request": "export"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    app.deliver().await;
    assert_eq!(smtp.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_no_js_privacy_form_asks_and_says_to_check_the_mail() {
    let smtp = SmtpServer::start().await;
    let app = mail::spawn(crate::support::Backend::Sqlite, &smtp, |_| {}).await;
    let form = app
        .http
        .get(app.url("/privacy?site=blog"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("action=\"/api/v1/privacy\"") && html.contains("name=\"email\""),
        "{html}"
    );
    let res = app
        .http
        .post(app.url("/api/v1/privacy"))
        .form(&[("site", "blog"), ("email", ADA), ("request", "delete")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert!(res.text().await.unwrap().contains("Check your mail"));
    let res = app
        .http
        .post(app.url("/api/v1/privacy"))
        .form(&[("site", "blog"), ("email", "nope"), ("request", "delete")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("email: must be a valid email address")
    );
    app.deliver().await;
    assert!(privacy_link(&smtp, ADA).starts_with("/privacy/"));
}

backends! {
    async fn moderators_export_and_erase_an_address_from_the_dashboard(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let root = app.submit(json!({"author_email": ADA, "text": "Ada's first."})).await;
        crate::support::widget::approve(&app, root).await;
        let reply = app.submit(json!({"author_email": "bob@example.org", "author_name": "Bob", "parent_id": root})).await;
        crate::support::widget::approve(&app, reply).await;
        let d = app.logged_in("mod@example.org", entity::enums::Role::Moderator).await;
        let page = d.get("/admin/privacy").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Privacy requests"));

        let res = d.submit("/admin/privacy", "/admin/privacy", &[("site", "blog"), ("email", "Ada@example.org"), ("request", "export")]).await;
        assert_eq!(res.status, 200);
        assert!(res.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let data: Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(data["comments"][0]["text"], "Ada's first.");

        let unconfirmed = d.submit("/admin/privacy", "/admin/privacy", &[("site", "blog"), ("email", ADA), ("request", "delete")]).await;
        assert_eq!(unconfirmed.status, 422);
        assert!(unconfirmed.body.contains("cannot be undone"));
        assert!(app.stored(root).await.unwrap().author_email == ADA);

        let res = d.submit("/admin/privacy", "/admin/privacy", &[("site", "blog"), ("email", ADA), ("request", "delete"), ("confirm", "yes")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let shown = d.get(res.location()).await;
        assert!(shown.body.contains("0 comments removed, 1 kept"), "{}", shown.body);
        assert_eq!(app.stored(root).await.unwrap().author_email, "");
        assert!(app.stored(reply).await.is_some());

        let (_, audit) = app.admin(&token, Method::GET, "/api/v1/admin/audit?limit=200").await;
        let entries = audit["entries"].as_array().unwrap();
        let erase = entries.iter().find(|e| e["action"] == "privacy_erase").unwrap();
        assert!(erase["actor"].as_str().unwrap().starts_with("moderator:"), "{erase}");
        assert!(erase["detail"]["subject"].as_str().unwrap().len() >= 16);
        assert!(!audit.to_string().to_lowercase().contains(ADA));
    }
}
