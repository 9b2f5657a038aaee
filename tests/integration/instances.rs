//! Several instances on one PostgreSQL database, as behind a load balancer: each outbox mail
//! leaves exactly once, sessions, API tokens and one-click links work on every instance (the
//! install secret lives in the database), and with Redis a rate limit holds across them.
//! PostgreSQL only: these run when `TEST_DATABASE_URL` is set and fail under CI without it.
use std::collections::HashSet;

use replyd::config::{Config, MailTransport};
use serde_json::{Value, json};

use crate::support::mail::{header, link};
use crate::support::smtp::SmtpServer;
use crate::support::{TestApp, comment, pg, redis};
use entity::enums::Role;

fn smtp_to(port: u16) -> impl Fn(&mut Config) {
    move |c: &mut Config| {
        c.mail.transport = MailTransport::Smtp;
        c.mail.smtp.host = "127.0.0.1".into();
        c.mail.smtp.port = port;
        c.mail.smtp.timeout_secs = 5;
        c.mail.worker = false;
        // Small batches, so the two workers interleave over the rows.
        c.mail.batch_size = 2;
    }
}

/// Runs worker steps on `app` until nothing is due; returns how many rows it handled.
fn drain(app: &TestApp) -> tokio::task::JoinHandle<usize> {
    let worker = app.state.notify.worker();
    tokio::spawn(async move {
        let mut total = 0;
        loop {
            match worker.run_once().await.expect("worker step") {
                0 => return total,
                n => total += n,
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_delivering_at_once_send_each_outbox_mail_exactly_once() {
    let Some(b) = pg::backend() else { return };
    let smtp = SmtpServer::start().await;
    let (a, other) = TestApp::spawn_pair(b, smtp_to(smtp.port())).await;
    const N: usize = 40;
    for i in 0..N {
        // Every comment on `blog` is held, and each held comment alerts its moderators.
        let body =
            json!({"text": format!("Comment {i}"), "author_email": format!("r{i}@example.org")});
        if i % 2 == 0 {
            a.submit(body).await
        } else {
            other.submit(body).await
        };
    }
    let (from_a, from_b) = tokio::join!(drain(&a), drain(&other));
    let (from_a, from_b) = (from_a.unwrap(), from_b.unwrap());
    assert_eq!(
        from_a + from_b,
        N,
        "every row handled once: {from_a} + {from_b}"
    );
    assert!(
        from_a > 0 && from_b > 0,
        "both workers took part: {from_a} + {from_b}"
    );

    let mails = smtp.wait_for(N).await;
    assert_eq!(mails.len(), N, "no mail sent twice");
    let ids: HashSet<String> = mails
        .iter()
        .map(|m| header(m, "Message-ID").expect("Message-ID"))
        .collect();
    assert_eq!(ids.len(), N, "each Message-ID delivered once");
    let token = a.token().await;
    let (_, sent) = other
        .admin(
            &token,
            reqwest::Method::GET,
            "/api/v1/admin/outbox?state=sent&limit=100",
        )
        .await;
    let items = sent["items"].as_array().expect("items");
    assert_eq!(items.len(), N, "{sent}");
    assert!(
        items.iter().all(|m| m["attempts"] == 1),
        "one attempt each: {sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_tokens_and_one_click_links_from_one_instance_work_on_the_other() {
    let Some(b) = pg::backend() else { return };
    let smtp = SmtpServer::start().await;
    let (a, other) = TestApp::spawn_pair(b, smtp_to(smtp.port())).await;
    // The install secret was made by the first instance and read from the database by the
    // second: both sign alike.
    assert_eq!(a.state.keys.sign("x", "m"), other.state.keys.sign("x", "m"));

    let id = a
        .submit(json!({"text": "Held on A, approved from B"}))
        .await;
    // A dashboard login on A; the same cookie on B (cookies are per host, not per port).
    let on_a = a.logged_in("mo@example.org", Role::Moderator).await;
    let mut on_b = other.dashboard();
    on_b.http = on_a.http.clone();
    let queue = on_b.get("/admin/").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains("Held on A, approved from B"));
    assert_eq!(
        other.dashboard().get("/admin/").await.status,
        303,
        "no cookie: back to login"
    );

    // The alert mail A's worker sent carries a one-click link; B honours it.
    assert!(a.deliver().await >= 1);
    let alert = smtp.wait_for(1).await.remove(0);
    let path = link(&alert, "/admin/act/");
    let d = other.dashboard();
    let res = d.submit(&path, &path, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);

    // An API token made on A works on B.
    let token = a.token().await;
    let (status, c) = other
        .admin(
            &token,
            reqwest::Method::GET,
            &format!("/api/v1/admin/comments/{id}"),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "approved");
}

/// Fires 200 concurrent submissions from 127.0.0.1, alternating between the two instances,
/// and returns how many were accepted.
async fn burst_across(a: &TestApp, b: &TestApp) -> usize {
    let token = a.form_token("blog", "/post");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        let app = if i % 2 == 0 { a } else { b };
        let (http, url) = (app.http.clone(), app.url("/api/v1/comments"));
        let mut body: Value = comment(json!({
            "text": format!("Burst {i}"), "author_email": format!("burst{i}@example.org"),
        }));
        body["form_token"] = json!(token);
        set.spawn(async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
    }
    let statuses = set.join_all().await;
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(accepted + refused, 200, "{statuses:?}");
    accepted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_two_instances_accept_exactly_the_quota_of_one_address_between_them() {
    let Some(b) = pg::backend() else { return };
    let Some(url) = redis::url() else { return };
    let prefix = redis::prefix();
    let (a, other) = TestApp::spawn_pair(b, |c| redis::share_limits(c, &url, &prefix)).await;
    assert_eq!(
        burst_across(&a, &other).await,
        3,
        "the default address burst, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_each_of_two_instances_accepts_the_quota_on_its_own() {
    let Some(b) = pg::backend() else { return };
    let (a, other) = TestApp::spawn_pair(b, |c| c.rate_limit.enabled = true).await;
    assert_eq!(burst_across(&a, &other).await, 6, "three per instance");
}

/// The stored status of comment `id`, as moderators see it.
async fn stored_status(app: &TestApp, token: &str, id: i64) -> String {
    let (_, c) = app
        .admin(
            token,
            reqwest::Method::GET,
            &format!("/api/v1/admin/comments/{id}"),
        )
        .await;
    c["status"].as_str().expect("status").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_added_on_one_instance_screens_comments_on_the_other() {
    let Some(b) = pg::backend() else { return };
    let (a, other) = TestApp::spawn_pair(b, |_| {}).await;
    let token = a.token().await;
    // The other instance screens one comment first, so it holds the lists in memory.
    let id = other
        .submit(json!({"text": "A fine casino review", "author_email": "w0@example.org"}))
        .await;
    assert_eq!(stored_status(&a, &token, id).await, "pending");

    let res = a
        .http
        .post(a.url("/api/v1/admin/rules"))
        .bearer_auth(&token)
        .json(&json!({"kind": "disallowed_word", "word": "casino"}))
        .send()
        .await
        .expect("add rule");
    assert_eq!(res.status(), 201);

    // The notice travels through PostgreSQL: wait for it, bounded.
    let screened = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        for i in 1.. {
            let id = other
                .submit(json!({
                    "text": format!("Casino offer number {i}"),
                    "author_email": format!("w{i}@example.org"),
                }))
                .await;
            if stored_status(&a, &token, id).await == "spam" {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        screened.is_ok(),
        "the other instance never saw the new word"
    );
}
