//! Retention: what `[retention]` no longer keeps goes, on the injected clock; `replyd
//! purge --dry-run` shows it first.
use std::time::Duration;

use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use replyd::retention::{Purged, Retention};

fn job(app: &TestApp) -> Retention {
    Retention::new(
        app.state.moderation.clone(),
        app.state.notify.clone(),
        app.config.retention.clone(),
        app.clock.clone(),
    )
}

async fn comment(app: &TestApp, id: i64) -> Option<entity::comment::Model> {
    entity::comment::Entity::find_by_id(id)
        .one(&app.state.db.reader)
        .await
        .unwrap()
}

backends! {
    async fn retention_forgets_addresses_spam_rejected_and_sent_mail_as_time_passes(b) {
        let app = TestApp::spawn_with(b, |c| c.mail.worker = false).await;
        let token = app.token().await;
        let kept = app.submit(json!({"text": "A comment to keep"})).await;
        let spam = app.submit(json!({"text": "Spam without replies"})).await;
        let spam_parent = app.submit(json!({"text": "Spam with a reply"})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{spam_parent}/approve")).await;
        let reply = app.submit(json!({"text": "A reply to spam", "parent_id": spam_parent})).await;
        let rejected = app.submit(json!({"text": "Rejected"})).await;
        for (id, action) in [(kept, "approve"), (spam, "spam"), (spam_parent, "spam"), (reply, "approve"), (rejected, "reject")] {
            let (status, _) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/{action}")).await;
            assert_eq!(status, 200);
        }
        while app.state.notify.worker().run_once().await.unwrap() > 0 {}
        let mail = || async { entity::outbox::Entity::find().count(&app.state.db.reader).await.unwrap() };
        assert!(mail().await > 0, "alerts were sent");
        assert!(comment(&app, kept).await.unwrap().ip_hash.is_some());

        assert_eq!(job(&app).run_once(false).await.unwrap(), Purged::default(), "nothing is old yet");

        app.clock.advance(Duration::from_secs(16 * 86_400));
        let dry = job(&app).run_once(true).await.unwrap();
        assert_eq!((dry.spam, dry.rejected, dry.addresses, dry.mail), (2, 0, 0, 0));
        assert!(comment(&app, spam).await.is_some(), "a dry run removes nothing");
        let done = job(&app).run_once(false).await.unwrap();
        assert_eq!(done.spam, 2);
        assert!(comment(&app, spam).await.is_none(), "spam after 15 days is gone");
        let emptied = comment(&app, spam_parent).await.unwrap();
        assert!(emptied.deleted && emptied.text.is_empty() && emptied.author_email.is_empty());
        assert_eq!(comment(&app, reply).await.unwrap().parent_id, Some(spam_parent), "the reply keeps its place");
        assert!(comment(&app, rejected).await.is_some(), "rejected comments stay 30 days");

        app.clock.advance(Duration::from_secs(15 * 86_400));
        let done = job(&app).run_once(false).await.unwrap();
        assert_eq!(done.rejected, 1);
        assert!(done.addresses >= 2 && done.mail > 0, "{done:?}");
        let c = comment(&app, kept).await.unwrap();
        assert!(c.ip_hash.is_none() && c.ip_prefix.is_none(), "addresses go after 30 days");
        assert_eq!(c.text, "A comment to keep", "the comment itself stays");
        assert_eq!(mail().await, 0, "sent mail rows go after 30 days");
        let (_, audit) = app.admin(&token, Method::GET, "/api/v1/admin/audit").await;
        assert!(audit["entries"].as_array().unwrap().iter().any(|e| e["action"] == "retention"));
        assert_eq!(job(&app).run_once(false).await.unwrap(), Purged::default());
    }

    async fn zero_days_keeps_things_for_ever(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.retention.spam_days = 0;
            c.retention.address_days = 0;
        }).await;
        let token = app.token().await;
        let spam = app.submit(json!({})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{spam}/spam")).await;
        app.clock.advance(Duration::from_secs(400 * 86_400));
        let done = job(&app).run_once(false).await.unwrap();
        assert_eq!((done.spam, done.addresses), (0, 0));
        assert!(comment(&app, spam).await.unwrap().ip_hash.is_some());
    }
}
