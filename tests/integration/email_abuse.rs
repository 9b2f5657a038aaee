//! Where mail meets the abuse pipeline: spam is never mailed, and banned authors hear nothing.
use reqwest::Method;
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, to};
use crate::support::smtp::SmtpServer;

backends! {
    async fn a_spam_comment_sends_no_mail_to_anyone(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        // A bot fills the honeypot and types a stranger's address with "notify me" ticked.
        let (status, body) = app.post_comment(&json!({
            "site": "blog", "uri": "/post", "author_name": "Bot", "author_email": "victim@example.org",
            "text": "Buy now", "notify_replies": true, "hp_website": "http://spam.example",
        })).await;
        assert_eq!(status, 201);
        assert_eq!(body["status"], "pending");
        // An ordinary held comment on the same site still alerts the moderators.
        app.submit(json!({"text": "A real comment"})).await;
        app.deliver().await;
        let mails = smtp.messages();
        assert!(to(&mails, "victim@example.org").is_empty(), "no confirmation mail to the typed address");
        let alerts = to(&mails, "mods@blog.example");
        assert_eq!(alerts.len(), 1, "one alert, for the real comment only");
        assert!(!mail::decode(&alerts[0].raw).contains("Buy now"));
    }

    async fn a_banned_author_gets_no_reply_notification(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "ada@example.org").await;
        let res = app.http.post(app.url("/api/v1/admin/bans")).bearer_auth(&token)
            .json(&json!({"kind": "email_domain", "value": "example.org", "reason": "test"}))
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
        app.submit(json!({"site": "open", "parent_id": ada, "author_name": "Bob",
            "author_email": "bob@elsewhere.example", "text": "Bob answers Ada."})).await;
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/comments?site=open&status=approved").await;
        assert_eq!(list["total"], 2, "the reply was published");
        app.deliver().await;
        let mails = smtp.messages();
        assert_eq!(to(&mails, "ada@example.org").len(), 1, "only the confirmation from before the ban");
    }
}
