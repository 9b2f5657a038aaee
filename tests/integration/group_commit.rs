//! Submissions that arrive together are written together (group commit), and each still
//! gets its own answer: a duplicate racing its twin is refused, a bad reply is refused, and
//! every other comment is stored with its audit row and its moderator alert.
use std::time::Duration;

use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// The value of a metric line without labels, e.g. `replyd_submission_batch_size_sum`.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

backends! {
    async fn comments_posted_at_once_each_get_their_own_answer(b) {
        let app = TestApp::spawn_with(b, |c| c.mail.worker = false).await;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..60 {
            let body = match i {
                0 | 1 => comment(json!({"text": "Same words twice", "author_email": "twin@example.org"})),
                2 => comment(json!({"text": "A reply to nothing", "parent_id": 999_999})),
                _ => comment(json!({
                    "text": format!("Comment number {i}"),
                    "author_email": format!("c{i}@example.org"),
                })),
            };
            let (http, url) = (app.http.clone(), app.url("/api/v1/comments"));
            set.spawn(async move {
                let res = http.post(url).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                (i, status, res.json::<Value>().await.unwrap_or(Value::Null))
            });
        }
        let mut answers = set.join_all().await;
        answers.sort_by_key(|(i, _, _)| *i);

        let mut twins: Vec<u16> = answers[..2].iter().map(|(_, s, _)| *s).collect();
        twins.sort_unstable();
        assert_eq!(twins, [201, 409], "{answers:?}");
        let (_, status, body) = &answers[2];
        assert_eq!(*status, 422, "{body}");
        assert!(body["error"]["fields"]["parent_id"].is_array(), "{body}");
        let mut ids: Vec<i64> = answers
            .iter()
            .filter(|(_, s, _)| *s == 201)
            .map(|(_, _, b)| b["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 58);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 58, "each comment its own id");

        let token = app.token().await;
        let (_, queue) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=pending&limit=100").await;
        assert_eq!(queue["total"], 58, "{queue}");
        for (i, _, body) in answers.iter().filter(|(_, s, _)| *s == 201) {
            let id = body["id"].as_i64().unwrap();
            let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
            let expected = if *i < 2 { "Same words twice".to_owned() } else { format!("Comment number {i}") };
            assert_eq!(c["text"], expected.as_str(), "each answer names its own comment");
            let (_, log) = app.admin(&token, Method::GET, &format!("/api/v1/admin/audit?comment_id={id}")).await;
            let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
            assert_eq!(actions, ["submitted"], "{log}");
        }
        let (_, outbox) = app.admin(&token, Method::GET, "/api/v1/admin/outbox?state=pending&limit=100").await;
        assert_eq!(outbox["items"].as_array().unwrap().len(), 58, "one alert per held comment");
    }

    async fn comments_waiting_for_the_writer_are_stored_by_one_transaction(b) {
        let app = TestApp::spawn_with(b, |c| c.mail.worker = false).await;
        // Hold the write lock, as a long transaction would, while 40 comments arrive.
        let hold = app.state.db.begin_write().await.unwrap();
        if hold.get_database_backend() == DbBackend::Postgres {
            hold.execute_unprepared("LOCK TABLE comments IN EXCLUSIVE MODE").await.unwrap();
        }
        let mut set = tokio::task::JoinSet::new();
        for i in 0..40 {
            let body = comment(json!({
                "text": format!("Waiting comment {i}"),
                "author_email": format!("w{i}@example.org"),
            }));
            let (http, url) = (app.http.clone(), app.url("/api/v1/comments"));
            set.spawn(async move { http.post(url).json(&body).send().await.unwrap().status().as_u16() });
        }
        let queued = tokio::time::timeout(Duration::from_secs(10), async {
            while app.state.moderation.submissions_waiting() < 30 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(queued.is_ok(), "only {} queued", app.state.moderation.submissions_waiting());
        hold.rollback().await.unwrap();
        let statuses = set.join_all().await;
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

        let text = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        let (transactions, written) = (
            metric(&text, "replyd_submission_batch_size_count"),
            metric(&text, "replyd_submission_batch_size_sum"),
        );
        assert_eq!(written, 40.0);
        assert!(transactions <= 11.0, "{transactions} transactions for {written} comments");
        let token = app.token().await;
        let (_, queue) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=pending&limit=100").await;
        assert_eq!(queue["total"], 40, "{queue}");
        let (_, outbox) = app.admin(&token, Method::GET, "/api/v1/admin/outbox?state=pending&limit=100").await;
        assert_eq!(outbox["items"].as_array().unwrap().len(), 40, "one alert each");
    }
}
