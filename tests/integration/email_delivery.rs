//! Delivery through the outbox: SMTP down, temporary and permanent failures, dead letters,
//! a worker dying mid-send, racing workers, and waking the worker.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::backends;
use crate::support::mail::{self, header};
use crate::support::smtp::{SmtpServer, Stage};

backends! {
    async fn a_comment_is_accepted_while_smtp_is_down_and_its_mail_goes_out_once_it_is_back(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        smtp.stop().await;
        let started = Instant::now();
        let (status, body) = app.post_comment(&crate::support::comment(json!({}))).await;
        assert_eq!(status, 201, "{body}");
        assert!(started.elapsed() < Duration::from_secs(2), "the request never waits for SMTP");
        assert_eq!(app.deliver().await, 1, "one failed attempt");
        assert!(smtp.messages().is_empty());

        smtp.restart().await;
        assert_eq!(app.deliver().await, 0, "not due again yet");
        app.clock.advance(Duration::from_secs(3600));
        assert_eq!(app.deliver().await, 1);
        let mails = smtp.messages();
        assert_eq!(mails.len(), 1, "delivered once, nothing lost");
        assert_eq!(mails[0].rcpt_to, ["mods@blog.example"]);
    }

    async fn a_temporary_failure_is_retried_after_a_backoff_and_then_delivered(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        smtp.fail_next(Stage::Data, 451, 1);
        app.submit(json!({})).await;
        assert_eq!(app.deliver().await, 1);
        assert!(smtp.messages().is_empty());
        let token = app.token().await;
        let (_, pending) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/outbox?state=pending").await;
        assert_eq!(pending["items"][0]["attempts"], 1);
        assert!(pending["items"][0]["last_error"].as_str().unwrap().contains("451"));
        app.clock.advance(Duration::from_secs(3600));
        assert_eq!(app.deliver().await, 1);
        assert_eq!(smtp.messages().len(), 1);
        let (_, sent) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/outbox?state=sent").await;
        assert_eq!(sent["items"][0]["attempts"], 2);
    }

    async fn a_mail_that_keeps_failing_temporarily_is_given_up_after_max_attempts(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.mail.max_attempts = 3).await;
        let token = app.token().await;
        smtp.fail_next(Stage::Data, 421, 10);
        app.submit(json!({})).await;
        for _ in 0..5 {
            app.deliver().await;
            app.clock.advance(Duration::from_secs(2 * 3600));
        }
        let (_, dead) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/outbox?state=dead").await;
        assert_eq!(dead["items"][0]["attempts"], 3, "{dead}");
        assert!(dead["items"][0]["last_error"].as_str().unwrap().contains("gave up after 3"));
        assert!(smtp.messages().is_empty());
    }

    async fn a_permanent_failure_is_dead_lettered_listed_and_can_be_retried(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        smtp.fail_next(Stage::Rcpt, 550, 1);
        app.submit(json!({})).await;
        app.deliver().await;
        app.clock.advance(Duration::from_secs(86_400));
        assert_eq!(app.deliver().await, 0, "a 5xx is not retried by itself");
        let (status, dead) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/outbox?state=dead").await;
        assert_eq!(status, 200, "{dead}");
        let items = dead["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "alert");
        assert_eq!(items[0]["recipient"], "mods@blog.example");
        assert!(items[0]["last_error"].as_str().unwrap().contains("550"));
        let id = items[0]["id"].as_i64().unwrap();
        let message_id = items[0]["message_id"].as_str().unwrap().to_owned();

        let (status, _) = app.admin(&token, reqwest::Method::POST, "/api/v1/admin/outbox/999999/retry").await;
        assert_eq!(status, 404);
        let (unauth, _) = app.admin("nope", reqwest::Method::POST, &format!("/api/v1/admin/outbox/{id}/retry")).await;
        assert_eq!(unauth, 401);
        let (status, retried) = app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/outbox/{id}/retry")).await;
        assert_eq!(status, 200, "{retried}");
        assert_eq!(retried["state"], "pending");
        assert_eq!(app.deliver().await, 1);
        let mails = smtp.messages();
        assert_eq!(mails.len(), 1);
        assert_eq!(header(&mails[0], "Message-ID").as_deref(), Some(message_id.as_str()));
        let (_, dead) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/outbox?state=dead").await;
        assert_eq!(dead["items"], json!([]));
    }

    async fn a_worker_killed_mid_send_loses_its_lease_and_the_mail_goes_again_with_the_same_message_id(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        app.submit(json!({})).await;
        let doomed = app.state.notify.worker();
        let claimed = doomed.claim().await.unwrap();
        assert_eq!(claimed.len(), 1);
        // It sends, then dies before recording that it did.
        assert!(matches!(doomed.deliver(&claimed[0]).await, replyd::notify::Outcome::Sent));
        drop(doomed);
        assert_eq!(app.deliver().await, 0, "the lease still holds");
        app.clock.advance(Duration::from_secs(app.config.mail.lease_secs + 1));
        assert_eq!(app.deliver().await, 1);
        assert_eq!(app.deliver().await, 0);
        let mails = smtp.messages();
        assert_eq!(mails.len(), 2, "sent once more, and only once more");
        let ids: Vec<_> = mails.iter().map(|m| header(m, "Message-ID").unwrap()).collect();
        assert_eq!(ids[0], ids[1]);
        assert_eq!(ids[0], claimed[0].message_id);
    }

    async fn two_workers_racing_over_fifty_mails_send_each_exactly_once(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.mail.batch_size = 3;
            c.sites[0].notify = vec!["one@blog.example".into(), "two@blog.example".into()];
        })
        .await;
        for i in 0..25 {
            app.submit(json!({"text": format!("Comment number {i}")})).await;
        }
        let (w1, w2) = (app.state.notify.worker(), app.state.notify.worker());
        let drain = |w: replyd::notify::Worker| async move {
            let mut handled = 0;
            loop {
                let n = w.run_once().await.unwrap();
                if n == 0 {
                    return handled;
                }
                handled += n;
            }
        };
        let (a, b2) = tokio::join!(tokio::spawn(drain(w1)), tokio::spawn(drain(w2)));
        assert_eq!(a.unwrap() + b2.unwrap(), 50);
        let mails = smtp.messages();
        assert_eq!(mails.len(), 50);
        let mut seen: HashMap<String, usize> = HashMap::new();
        for m in &mails {
            *seen.entry(header(m, "Message-ID").unwrap()).or_default() += 1;
        }
        assert_eq!(seen.len(), 50, "every Message-ID delivered exactly once");
    }

    async fn the_background_worker_is_woken_by_a_submission_without_waiting_for_its_poll(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.mail.worker = true;
            c.mail.poll_interval_secs = 3600;
        })
        .await;
        // Let the worker reach its idle wait, so only a wake-up can start the next step.
        app.submit(json!({})).await;
        smtp.wait_for(1).await;
        app.submit(json!({"text": "Second comment"})).await;
        let mails = smtp.wait_for(2).await;
        assert_eq!(mails.len(), 2);
    }

    async fn the_worker_runs_with_the_server_and_stops_with_it(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        app.submit(json!({})).await;
        // A second instance over the same database, with its worker on.
        let mut config = app.config.clone();
        config.mail.worker = true;
        let other = replyd::app::App::build(config, app.clock.clone()).await.unwrap();
        let stop = other.shutdown_token();
        let running = tokio::spawn(other.run_until_stopped());
        assert_eq!(smtp.wait_for(1).await.len(), 1);
        stop.cancel();
        tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("server and worker stop promptly")
            .unwrap();
    }

    async fn the_file_transport_writes_each_mail_as_an_eml_file(b) {
        let app = crate::support::TestApp::spawn_with(b, |c| c.mail.worker = false).await;
        app.submit(json!({})).await;
        assert_eq!(app.deliver().await, 1);
        let files: Vec<_> = std::fs::read_dir(&app.config.mail.file_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert!(raw.contains("To: mods@blog.example"), "{raw}");
    }

    async fn enqueueing_the_same_dedupe_key_twice_stores_one_mail(b) {
        use replyd::notify::outbox::{Kind, NewMail, insert_all};
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let now = app.clock.now();
        let mail = NewMail {
            kind: Kind::Alert,
            dedupe_key: "alert:1:mods@blog.example".into(),
            recipient: "mods@blog.example".into(),
            payload: json!({"comment": 1}),
            due_at: now,
        };
        let db = &app.state.db.writer;
        // Twice in one statement, then again in another: one row.
        insert_all(db, vec![mail.clone(), mail.clone()], "example.org", now).await.unwrap();
        insert_all(db, vec![mail], "example.org", now).await.unwrap();
        assert_eq!(app.deliver().await, 1, "one row (its comment does not exist: skipped)");
    }
}
