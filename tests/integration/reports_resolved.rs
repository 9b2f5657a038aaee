//! Acting on a reported comment as usual (approve, reject, spam) resolves its reports: they
//! stay recorded, the comment leaves the reported list, an audit row says so, and later
//! reports count afresh. Approving a comment that reports held again mails nobody: it was
//! published once already.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use crate::support::mail::{self, subject, to};
use crate::support::smtp::SmtpServer;

fn trust_local(c: &mut replyd::config::Config) {
    c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

/// `n` distinct readers, numbered from `from`, report comment `id`.
async fn reports(app: &TestApp, id: i64, from: u8, n: u8, reason: &str) {
    for i in from..from + n {
        let res = app
            .http
            .post(app.url(&format!("/api/v1/comments/{id}/report")))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .json(&json!({"reason": reason, "token": format!("reader-{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 202);
    }
}

async fn listed(app: &TestApp, token: &str) -> Vec<(i64, u64)> {
    let (_, list) = app.admin(token, Method::GET, "/api/v1/admin/reports").await;
    list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["comment"]["id"].as_i64().unwrap(),
                e["total"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn act(app: &TestApp, token: &str, id: i64, action: &str) -> Value {
    let (status, body) = app
        .admin(
            token,
            Method::POST,
            &format!("/api/v1/admin/comments/{id}/{action}"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn resolutions(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (_, audit) = app
        .admin(
            token,
            Method::GET,
            &format!("/api/v1/admin/audit?comment_id={id}"),
        )
        .await;
    audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "resolve_reports")
        .map(|e| e["detail"].clone())
        .collect()
}

backends! {
    async fn acting_on_a_reported_comment_resolves_its_reports(b) {
        let app = TestApp::spawn_with(b, trust_local).await;
        let token = app.token().await;
        let held = app.submit(json!({"site": "open", "text": "Held by readers"})).await;
        let flagged = app.submit(json!({"site": "open", "text": "Flagged twice"})).await;
        reports(&app, held, 1, 3, "abusive").await;
        reports(&app, flagged, 1, 2, "spam").await;
        assert_eq!(listed(&app, &token).await, vec![(held, 3), (flagged, 2)]);

        assert_eq!(act(&app, &token, held, "approve").await["status"], "approved");
        assert_eq!(listed(&app, &token).await, vec![(flagged, 2)], "approving resolves the reports");
        assert_eq!(resolutions(&app, &token, held).await, vec![json!({"reports": 3, "by": "approve"})]);
        let d = app.logged_in("mo@example.org", entity::enums::Role::Moderator).await;
        let tab = d.get("/admin/reports").await.body;
        assert!(tab.contains("Flagged twice") && !tab.contains("Held by readers"), "{tab}");
        reports(&app, held, 10, 1, "other").await;
        assert_eq!(listed(&app, &token).await, vec![(flagged, 2), (held, 1)], "later reports count afresh");

        act(&app, &token, flagged, "spam").await;
        act(&app, &token, flagged, "approve").await;
        assert_eq!(listed(&app, &token).await, vec![(held, 1)], "spam resolved them for good");
        assert_eq!(resolutions(&app, &token, flagged).await, vec![json!({"reports": 2, "by": "spam"})]);
        // Approving a published comment changes no status, and still answers its reports.
        act(&app, &token, held, "approve").await;
        assert!(listed(&app, &token).await.is_empty());
        assert_eq!(resolutions(&app, &token, held).await.len(), 2);
        let (_, page) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        assert_eq!(page["total"], 0);
        let thread = app.public_thread("open", "/post").await;
        assert_eq!(thread["total"], 2, "both are published: {thread}");
    }

    async fn approving_a_comment_reports_held_mails_nobody_again(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, trust_local).await;
        let token = app.token().await;
        let carol = app.opt_in_comment("open", "carol@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "carol@example.org").await;
        let ada = app.opt_in_comment("open", "ada@example.org", Some(carol)).await;
        app.deliver().await;
        app.confirm_address(&smtp, "ada@example.org").await;
        let replies = |m: &[_]| to(m, "carol@example.org").iter().filter(|m| subject(m).contains("replied")).count();
        assert_eq!(replies(&smtp.messages()), 1, "Carol heard of Ada's reply once");

        reports(&app, ada, 1, 3, "off_topic").await;
        app.approve(&token, ada).await;
        // A control: a comment held on arrival does get its notice.
        let first_time = app.opt_in_comment("blog", "ada@example.org", None).await;
        app.approve(&token, first_time).await;
        app.deliver().await;
        let mails = smtp.messages();
        let notices: Vec<_> = to(&mails, "ada@example.org").into_iter().filter(|m| subject(m).contains("is published")).collect();
        assert_eq!(notices.len(), 1, "only the comment held on arrival is announced");
        assert!(subject(notices[0]).contains("Site blog"), "{}", subject(notices[0]));
        assert_eq!(replies(&mails), 1, "nor is the reply announced again");
    }
}
