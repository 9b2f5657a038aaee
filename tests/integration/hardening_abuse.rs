//! Findings 10, 11, 13, 14, 16, 17 and 18: bounded offsets, bounded count lists, quotas
//! spent only by plausible submissions, one confirmation mail per mailbox, bans that catch
//! the spellings and addresses one person controls, capped Markdown nesting, and digests
//! that list only what waits.
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::mail::{self, links, subject, text_body};
use crate::support::smtp::SmtpServer;
use crate::support::{TestApp, comment};
use entity::enums::Role;

fn trusting(c: &mut replyd::config::Config) {
    c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

/// Posts a comment as the client `ip` (believed: the app trusts 127.0.0.1), with a valid
/// form token unless `token` is false.
async fn post_from(app: &TestApp, ip: &str, token: bool, overrides: Value) -> (u16, Value) {
    let mut body = comment(overrides);
    if token {
        body["form_token"] = json!(app.form_token("blog", "/post"));
    }
    app.post_comment_as(Some(ip), &body).await
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> String {
    let (_, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].as_str().unwrap_or_default().to_owned()
}

backends! {
    async fn offsets_past_the_bound_are_422_on_every_list(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        for base in ["/api/v1/comments?site=open&uri=/p&", "/api/v1/admin/comments?", "/api/v1/admin/audit?"] {
            for offset in ["9223372036854775808", "18446744073709551615", "1000001"] {
                let path = format!("{base}offset={offset}");
                let (status, body) = app.admin(&token, Method::GET, &path).await;
                assert_eq!(status, 422, "{path}: {body}");
                assert!(body["error"]["fields"]["offset"].is_array(), "{path}: {body}");
            }
            let (status, _) = app.admin(&token, Method::GET, &format!("{base}offset=1000000")).await;
            assert_eq!(status, 200, "{base}: the bound itself is fine");
        }
        let (status, _) = app.get_json("/api/v1/comments?site=open&uri=/p&offset=18446744073709551616").await;
        assert_eq!(status, 400, "not a number we read");
        assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    }

    async fn counts_refuse_over_a_hundred_uris_even_when_they_repeat(b) {
        let app = TestApp::spawn(b).await;
        let repeats: String = (0..5000).map(|_| "&uri=/a").collect();
        let started = std::time::Instant::now();
        let (status, body) = app.get_json(&format!("/api/v1/counts?site=blog{repeats}")).await;
        assert_eq!(status, 422, "{body}");
        assert!(started.elapsed() < Duration::from_secs(2));
        let dupes: String = (0..100).map(|i| format!("&uri=/p{}", i % 3)).collect();
        let (status, body) = app.get_json(&format!("/api/v1/counts?site=blog{dupes}")).await;
        assert_eq!(status, 200, "a hundred, repeats included, is fine: {body}");
    }

    async fn bot_posts_from_many_addresses_do_not_spend_the_site_quota(b) {
        let app = TestApp::spawn_with(b, |c| {
            trusting(c);
            c.rate_limit.enabled = true;
            c.rate_limit.site_per_minute = 5;
            c.rate_limit.page_per_minute = 5;
        }).await;
        for i in 0..20 {
            let (status, body) = post_from(&app, &format!("198.51.100.{i}"), false,
                json!({"author_email": format!("bot{i}@example.org"), "text": format!("Buy now {i}")})).await;
            assert_ne!(status, 429, "bot {i} is screened, not counted against the site: {body}");
        }
        let honeypot = post_from(&app, "198.51.100.99", true, json!({"hp_website": "x", "author_email": "hp@example.org"})).await;
        assert_ne!(honeypot.0, 429);
        for i in 0..5 {
            let (status, body) = post_from(&app, &format!("203.0.113.{i}"), true,
                json!({"author_email": format!("reader{i}@example.org"), "text": format!("Real comment {i}")})).await;
            assert_eq!(status, 201, "reader {i}: {body}");
        }
        let (status, _) = post_from(&app, "203.0.113.50", true, json!({"author_email": "late@example.org", "text": "One too many"})).await;
        assert_eq!(status, 429, "the site quota still holds for plausible posts");
    }

    async fn one_confirmation_mail_per_mailbox_whatever_its_spelling(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        for email in ["stranger@example.org", "stranger+1@example.org", "Str.anger+2@Example.org", "s.t.r.a.n.g.e.r@example.org"] {
            app.opt_in_comment("open", email, None).await;
        }
        app.deliver().await;
        let confirms = || smtp.messages().iter().filter(|m| subject(m).contains("Confirm")).count();
        assert_eq!(confirms(), 1, "one mailbox, one mail a day");
        app.clock.advance(Duration::from_secs(25 * 3600));
        app.opt_in_comment("open", "stranger+3@example.org", None).await;
        app.deliver().await;
        assert_eq!(confirms(), 2, "a day later, one more");
        app.opt_in_comment("open", "someone-else@example.org", None).await;
        app.deliver().await;
        assert_eq!(confirms(), 3, "other mailboxes are not held back");
    }

    async fn email_bans_catch_plus_tags_and_address_bans_the_whole_ipv6_64(b) {
        let app = TestApp::spawn_with(b, trusting).await;
        let token = app.token().await;
        let (status, _) = app.http.post(app.url("/api/v1/admin/bans")).bearer_auth(&token)
            .json(&json!({"kind": "email", "value": "troll@example.org"})).send().await.map(|r| (r.status().as_u16(), ())).unwrap();
        assert_eq!(status, 201);
        let (_, tagged) = post_from(&app, "192.0.2.1", true, json!({"author_email": "Troll+again@example.org"})).await;
        assert_eq!(status_of(&app, &token, tagged["id"].as_i64().unwrap()).await, "spam");

        let (_, first) = post_from(&app, "2001:db8:1:2::1", true, json!({"author_email": "v6@example.org", "text": "From v6"})).await;
        let first = first["id"].as_i64().unwrap();
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let res = d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "address"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let (_, other_iid) = post_from(&app, "2001:db8:1:2:dead:beef:0:7", true, json!({"author_email": "new@example.org", "text": "Another interface id"})).await;
        assert_eq!(status_of(&app, &token, other_iid["id"].as_i64().unwrap()).await, "spam");
        let (_, other_net) = post_from(&app, "2001:db8:1:3::1", true, json!({"author_email": "next@example.org", "text": "Next /64"})).await;
        assert_eq!(status_of(&app, &token, other_net["id"].as_i64().unwrap()).await, "pending");
    }

    async fn ten_kilobytes_of_quote_marks_render_to_a_small_capped_thread(b) {
        let app = TestApp::spawn(b).await;
        let text = format!("{} deep", ">".repeat(9_990));
        app.submit(json!({"site": "open", "uri": "/deep", "text": text})).await;
        let thread = app.public_thread("open", "/deep").await;
        let html = thread["comments"][0]["html"].as_str().unwrap();
        assert!(html.matches("<blockquote>").count() <= 8, "{} bytes", html.len());
        assert!(html.len() < 1_000 && html.contains("deep"), "{} bytes", html.len());
    }

    async fn the_digest_lists_only_pending_comments(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.sites[0].alerts = replyd::config::AlertMode::DigestHourly).await;
        let token = app.token().await;
        app.submit(json!({"text": "Still waiting here"})).await;
        let spam = app.submit(json!({"text": "Marked as spam meanwhile", "author_email": "s@example.org"})).await;
        let (status, _) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{spam}/spam")).await;
        assert_eq!(status, 200);
        app.clock.advance(Duration::from_secs(2 * 3600));
        app.deliver().await;
        let mails = smtp.messages();
        let all: String = mails.iter().map(text_body).collect();
        assert!(all.contains("Still waiting here"), "{all}");
        assert!(!all.contains("Marked as spam meanwhile"), "spam has no place in the digest");
        let act: usize = mails.iter().map(|m| links(m, "/admin/act/").len()).sum();
        assert_eq!(act, 3, "links for the pending comment only");
    }
}
