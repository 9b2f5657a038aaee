//! The outbox under faults: SMTP down for ten minutes of (injected) time while comments keep
//! arriving, and three workers killed along the way: one after claiming mail, one in the
//! middle of a failed send, one after claiming during the recovery. Nothing is lost: once
//! SMTP is back every row is delivered, exactly once each (one Message-ID per row).
use std::collections::HashMap;
use std::time::Duration;

use sea_orm::EntityTrait;
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, header};
use crate::support::smtp::SmtpServer;

/// Comments posted before the outage, and during it.
const BEFORE: usize = 6;
const DURING: usize = 14;

backends! {
    async fn outbox_survives_ten_minutes_of_smtp_down_and_three_worker_kills(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.mail.batch_size = 4).await;
        for i in 0..BEFORE {
            app.submit(json!({"text": format!("Before the outage {i}")})).await;
        }
        smtp.stop().await;

        // Kill 1: a worker claims a batch and dies before sending anything.
        let doomed = app.state.notify.worker();
        assert_eq!(doomed.claim().await.unwrap().len(), 4);
        drop(doomed);

        // Ten minutes down, in steps of 30 s: comments keep arriving and the worker keeps
        // failing; halfway, kill 2: a worker dies in the middle of a failed send.
        for step in 0..20 {
            if step < DURING {
                app.submit(json!({"text": format!("During the outage {step}")})).await;
            }
            if step == 10 {
                let doomed = app.state.notify.worker();
                let claimed = doomed.claim().await.unwrap();
                if let Some(row) = claimed.first() {
                    let outcome = doomed.deliver(row).await;
                    assert!(matches!(outcome, replyd::notify::Outcome::ServerTrouble(_)), "{outcome:?}");
                }
                drop(doomed);
            }
            app.deliver().await;
            app.clock.advance(Duration::from_secs(30));
        }
        assert!(smtp.messages().is_empty(), "nothing could be sent while SMTP was down");

        smtp.restart().await;
        // Kill 3: in the recovery, a worker claims a batch and dies before sending.
        app.clock.advance(Duration::from_secs(3600));
        let doomed = app.state.notify.worker();
        assert!(!doomed.claim().await.unwrap().is_empty());
        drop(doomed);
        // The leases run out, the backoffs too; then everything goes.
        app.clock.advance(Duration::from_secs(app.config.mail.lease_secs + 3600));
        app.deliver().await;
        app.clock.advance(Duration::from_secs(3600));
        app.deliver().await;

        let mails = smtp.messages();
        let total = BEFORE + DURING;
        let mut per_id: HashMap<String, usize> = HashMap::new();
        for m in &mails {
            *per_id.entry(header(m, "Message-ID").unwrap()).or_default() += 1;
        }
        assert_eq!(per_id.len(), total, "every comment's alert delivered: nothing lost");
        assert!(per_id.values().all(|n| *n == 1), "exactly once per row: {per_id:?}");
        assert_eq!(mails.len(), total);
        let token = app.token().await;
        for state in ["pending", "dead"] {
            let (_, rows) = app
                .admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/outbox?state={state}"))
                .await;
            assert_eq!(rows["items"].as_array().map(Vec::len), Some(0), "{state}: {rows}");
        }
    }

    async fn a_worker_that_cannot_reach_smtp_tries_one_mail_and_leaves_the_rest_untried(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.mail.batch_size = 10).await;
        smtp.stop().await;
        for i in 0..5 {
            app.submit(json!({"text": format!("While SMTP is down {i}")})).await;
        }
        let worker = app.state.notify.worker();
        assert_eq!(worker.run_once().await.unwrap(), 5, "one batch claimed all five");
        let rows = entity::outbox::Entity::find().all(&app.state.db.reader).await.unwrap();
        assert_eq!(rows.len(), 5);
        let tried: Vec<_> = rows.iter().filter(|r| r.attempts > 0).collect();
        assert_eq!(tried.len(), 1, "only the first was tried against a server that is down: {rows:?}");
        assert!(tried[0].last_error.as_deref().is_some_and(|e| e.contains("Connection")), "{:?}", tried[0]);
        let now = app.clock.now();
        assert!(
            rows.iter().filter(|r| r.attempts == 0).all(|r| r.lease_until.is_none() && r.due_at <= now),
            "the untried ones went back to the outbox, due at once: {rows:?}"
        );

        smtp.restart().await;
        app.clock.advance(Duration::from_secs(3600));
        assert_eq!(app.deliver().await, 5);
        assert_eq!(smtp.messages().len(), 5, "all delivered once the server is back");
    }
}
