//! Moderator alerts and digests: who gets them, what they say, when they go.
use std::time::Duration;

use replyd::config::AlertMode;
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, assert_snapshot, header, links, subject, text_body, to};
use crate::support::smtp::SmtpServer;

backends! {
    async fn a_held_comment_alerts_each_notify_address_in_its_own_mail(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.sites[0].notify = vec!["mods@blog.example".into(), "owner@blog.example".into()];
        })
        .await;
        app.submit(json!({
            "title": "My post", "author_url": "https://ada.example/",
            "text": "A thoughtful comment.",
        }))
        .await;
        assert_eq!(app.deliver().await, 2);
        let mails = smtp.messages();
        assert_eq!(mails.len(), 2);
        for addr in ["mods@blog.example", "owner@blog.example"] {
            let mine = to(&mails, addr);
            assert_eq!(mine.len(), 1, "one alert for {addr}");
            let m = mine[0];
            assert_eq!(header(m, "To").as_deref(), Some(addr), "one recipient per message");
            let body = text_body(m);
            for expected in [
                "My post", "http://blog.example:8000/post", "Ada Lovelace", "ada@example.org",
                "https://ada.example/", "A thoughtful comment.", "Held because:",
            ] {
                assert!(body.contains(expected), "{expected} missing in\n{body}");
            }
            assert!(subject(m).contains("Site blog"), "site name in subject");
            assert_eq!(links(m, "/admin/act/").len(), 3, "approve, reject and spam links");
            assert_eq!(header(m, "Auto-Submitted").as_deref(), Some("auto-generated"));
        }
        assert_snapshot("moderator_alert", to(&mails, "mods@blog.example")[0]);
    }

    async fn held_mode_is_quiet_for_published_comments_and_every_mode_is_not(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.sites[2].alerts = AlertMode::Every).await;
        // Site `open` publishes at once and alerts only for held comments.
        app.submit(json!({"site": "open"})).await;
        assert_eq!(app.deliver().await, 0);
        // Site `first` holds this one; it alerts for every comment.
        app.submit(json!({"site": "first"})).await;
        assert_eq!(app.deliver().await, 1);
        let mails = smtp.messages();
        assert_eq!(to(&mails, "mods@first.example").len(), 1);
        assert!(to(&mails, "mods@open.example").is_empty());
    }

    async fn an_hourly_digest_lists_the_held_comments_once_the_hour_is_over(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.sites[0].alerts = AlertMode::DigestHourly).await;
        app.submit(json!({"author_name": "First Person", "text": "First held comment"})).await;
        app.submit(json!({"author_name": "Second Person", "text": "Second held comment"})).await;
        assert_eq!(app.deliver().await, 0, "nothing before the hour is over");
        assert!(smtp.messages().is_empty());
        app.clock.advance(Duration::from_secs(2 * 3600));
        app.deliver().await;
        let mails = smtp.messages();
        assert!(!mails.is_empty() && mails.len() <= 2, "one digest per hour that had comments");
        let all: String = mails.iter().map(text_body).collect();
        assert!(all.contains("First held comment") && all.contains("Second held comment"));
        for m in &mails {
            assert_eq!(m.rcpt_to, ["mods@blog.example"]);
            assert!(subject(m).contains("to moderate"), "{}", subject(m));
        }
        let act_links: usize = mails.iter().map(|m| links(m, "/admin/act/").len()).sum();
        assert_eq!(act_links, 6, "three one-click links per comment");
        app.clock.advance(Duration::from_secs(2 * 3600));
        assert_eq!(app.deliver().await, 0, "a digest is sent once");
    }
}
