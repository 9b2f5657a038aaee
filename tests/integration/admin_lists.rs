//! The dashboard's word rules, bans and mail pages: listing, adding, removing, errors
//! beside fields, CSRF, roles, audit rows, and sending a dead letter again.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use crate::support::mail;
use crate::support::smtp::{SmtpServer, Stage};
use entity::enums::Role;

async fn status_of(app: &TestApp, token: &str, id: i64) -> Value {
    let (_, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].clone()
}

async fn actions(app: &TestApp, token: &str) -> Vec<String> {
    let (_, log) = app.admin(token, Method::GET, "/api/v1/admin/audit").await;
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// The id in the first `action="/admin/{what}/ID/..."` of the page.
fn first_id(body: &str, what: &str) -> String {
    let marker = format!("action=\"/admin/{what}/");
    let start = body.find(&marker).expect("a row") + marker.len();
    body[start..].split('/').next().unwrap().to_owned()
}

backends! {
    async fn word_rules_added_and_removed_on_the_rules_page_change_what_is_held(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        assert!(d.get("/admin/").await.body.contains(r#"href="/admin/rules""#), "linked from the chrome");
        let res = d.submit("/admin/rules", "/admin/rules", &[("kind", "disallowed_word"), ("word", "Casino")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/rules?done=added");
        let page = d.get("/admin/rules?done=added").await;
        assert!(page.body.contains("Word added.") && page.body.contains("<td>Casino</td>"));
        let spam = app.submit(json!({"text": "Visit my CASINO today"})).await;
        assert_eq!(status_of(&app, &token, spam).await, "spam");

        let bad = d.submit("/admin/rules", "/admin/rules", &[("kind", "moderation_word"), ("word", "  ")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains(r#"id="r-word-error">Is required.</span>"#), "{}", bad.body);
        assert!(bad.body.contains(r#"aria-describedby="r-word-error""#));

        let id = first_id(&page.body, "rules");
        let res = d.submit("/admin/rules", &format!("/admin/rules/{id}/delete"), &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(!d.get("/admin/rules").await.body.contains("<td>Casino</td>"));
        let fine = app.submit(json!({"text": "Visit my casino again"})).await;
        assert_eq!(status_of(&app, &token, fine).await, "pending");
        assert_eq!(actions(&app, &token).await.iter().filter(|a| a.starts_with("rule_")).collect::<Vec<_>>(), ["rule_removed", "rule_added"]);
    }

    async fn the_bans_page_lists_adds_and_lifts_bans(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let first = app.submit(json!({})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "address"), ("back", "/admin/")]).await;
        let res = d.submit("/admin/bans", "/admin/bans", &[("kind", "email_domain"), ("value", "@Spam.Example"), ("reason", "bots"), ("duration", "7")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = d.get("/admin/bans?done=added").await;
        assert!(page.body.contains("Ban added."));
        assert!(page.body.contains("<td>spam.example</td>") && page.body.contains("<td>bots</td>"), "{}", page.body);
        assert!(page.body.contains(&format!("address of comment #{first} (prefix 127.0.0.0/24)")));
        let blocked = app.submit(json!({"author_email": "x@mail.spam.example", "text": "Hi"})).await;
        assert_eq!(status_of(&app, &token, blocked).await, "spam");

        let bad = d.submit("/admin/bans", "/admin/bans", &[("kind", "address"), ("value", "10.0.0.0/33"), ("duration", "")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains(r#"id="b-value-error">Must be an IP address or a CIDR network.</span>"#), "{}", bad.body);
        assert!(bad.body.contains(r#"value="10.0.0.0/33""#), "keeps what was typed");
        let typed_hash = d.submit("/admin/bans", "/admin/bans", &[("kind", "address_hash"), ("value", "abc")]).await;
        assert_eq!(typed_hash.status, 422, "exact-address bans come only from a comment");

        // Lift the exact-address ban (the first row): the same machine may comment again.
        let id = first_id(&page.body, "bans");
        let res = d.submit("/admin/bans", &format!("/admin/bans/{id}/delete"), &[]).await;
        assert_eq!(res.status, 303);
        let back = app.submit(json!({"author_email": "ok@example.org", "text": "Hello again"})).await;
        assert_eq!(status_of(&app, &token, back).await, "pending");
        let bans: Vec<String> = actions(&app, &token).await.into_iter().filter(|a| a.starts_with("ban_")).collect();
        assert_eq!(bans, ["ban_removed", "ban_added", "ban_added"]);
    }

    async fn the_mail_page_lists_a_dead_letter_and_send_again_requeues_it(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        smtp.fail_next(Stage::Rcpt, 550, 1);
        app.submit(json!({})).await;
        app.deliver().await;
        let admin = app.logged_in("admin@example.org", Role::Admin).await;
        assert!(admin.get("/admin/").await.body.contains(r#"href="/admin/mail""#));
        let page = admin.get("/admin/mail").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("mods@blog.example") && page.body.contains("550"), "{}", page.body);
        assert!(page.body.contains("Send again"));
        let id = first_id(&page.body, "mail");

        let forged = admin.post_raw(&format!("/admin/mail/{id}/retry"), &[("csrf", "nope")]).await;
        assert_eq!(forged.status, 403);
        let res = admin.submit("/admin/mail", &format!("/admin/mail/{id}/retry"), &[]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/mail?done=retried");
        let page = admin.get("/admin/mail").await;
        assert!(!page.body.contains("Send again"), "no longer dead");
        assert!(admin.get("/admin/mail?state=pending").await.body.contains("mods@blog.example"));
        assert_eq!(app.deliver().await, 1);
        assert_eq!(smtp.messages().len(), 1, "sent this time");

        let mo = app.logged_in("mo@example.org", Role::Moderator).await;
        assert_eq!(mo.get("/admin/mail").await.status, 403);
        assert!(!mo.get("/admin/").await.body.contains(r#"href="/admin/mail""#));
        let res = mo.post(&format!("/admin/mail/{id}/retry"), &[]).await;
        assert_eq!(res.status, 403);
    }

    async fn rule_and_ban_forms_refuse_a_missing_csrf_token(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        d.submit("/admin/rules", "/admin/rules", &[("kind", "moderation_word"), ("word", "kept")]).await;
        d.submit("/admin/bans", "/admin/bans", &[("kind", "email"), ("value", "kept@example.org")]).await;
        let rule = first_id(&d.get("/admin/rules").await.body, "rules");
        let ban = first_id(&d.get("/admin/bans").await.body, "bans");
        for (path, fields) in [
            ("/admin/rules".to_owned(), vec![("kind", "moderation_word"), ("word", "x")]),
            (format!("/admin/rules/{rule}/delete"), vec![]),
            ("/admin/bans".to_owned(), vec![("kind", "email"), ("value", "x@example.org")]),
            (format!("/admin/bans/{ban}/delete"), vec![]),
        ] {
            assert_eq!(d.post_raw(&path, &fields).await.status, 403, "{path}");
        }
        let (_, rules) = app.admin(&token, Method::GET, "/api/v1/admin/rules").await;
        assert_eq!(rules["rules"].as_array().unwrap().len(), 1);
        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert_eq!(bans["bans"].as_array().unwrap().len(), 1);
    }
}
