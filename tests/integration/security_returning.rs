//! First-time moderation trusts a returning commenter only with proof (finding 8): the
//! returning-commenter token handed out with an earlier comment, once that comment is
//! approved. Typing a known email proves nothing; a token for another email, another site,
//! or a comment that was never approved proves nothing either.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{Backend, TestApp, comment};
use replyd::config::ModerationMode;

/// An app whose `first` and `open` sites are both in first-time mode, without rate limits.
async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(b, |c| {
        c.rate_limit.enabled = false;
        for s in c.sites.iter_mut().filter(|s| s.id == "open") {
            s.moderation = ModerationMode::FirstTime;
        }
    })
    .await
}

/// Posts on `site` as `email` (with `proof` when given); returns the answer.
async fn post(app: &TestApp, site: &str, email: &str, text: &str, proof: Option<&Value>) -> Value {
    let mut body = comment(json!({"site": site, "author_email": email, "text": text}));
    if let Some(p) = proof {
        body["returning_token"] = p.clone();
    }
    let (status, res) = app.post_comment(&body).await;
    assert_eq!(status, 201, "{res}");
    res
}

/// Ada's first comment on `site`, approved; returns its id and her token.
async fn approved_first(app: &TestApp, site: &str) -> (i64, Value) {
    let first = post(app, site, "ada@example.org", "My first comment here", None).await;
    assert_eq!(first["status"], "pending", "a first comment waits");
    let token = app.token().await;
    let (s, _) = app
        .admin(
            &token,
            Method::POST,
            &format!("/api/v1/admin/comments/{}/approve", first["id"]),
        )
        .await;
    assert_eq!(s, 200);
    (
        first["id"].as_i64().unwrap(),
        first["returning_token"].clone(),
    )
}

backends! {
    async fn a_known_email_without_proof_is_held(b) {
        let app = spawn(b).await;
        approved_first(&app, "first").await;
        let typed = post(&app, "first", "ada@example.org", "Anyone can type her address", None).await;
        assert_eq!(typed["status"], "pending");
        let wrong = post(&app, "first", "ADA+x@example.org", "With a made-up token", Some(&json!("1.1900000000.v1.AAAA"))).await;
        assert_eq!(wrong["status"], "pending");
        assert_eq!(app.public_thread("first", "/post").await["total"], 1, "only the approved first comment shows");
    }

    async fn with_the_token_of_an_approved_comment_it_is_published(b) {
        let app = spawn(b).await;
        let (_, proof) = approved_first(&app, "first").await;
        assert!(proof.as_str().is_some_and(|t| t.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')), "{proof}");
        let again = post(&app, "first", "Ada@Example.org", "Back again, with proof", Some(&proof)).await;
        assert_eq!(again["status"], "approved", "{again}");
        let newer = again["returning_token"].clone();
        let third = post(&app, "first", "ada@example.org", "And the newer token works too", Some(&newer)).await;
        assert_eq!(third["status"], "approved");
    }

    async fn a_token_for_another_email_or_site_is_refused(b) {
        let app = spawn(b).await;
        let (_, proof) = approved_first(&app, "first").await;
        let bob = post(&app, "first", "bob@example.org", "Ada's token, Bob's address", Some(&proof)).await;
        assert_eq!(bob["status"], "pending");
        let elsewhere = post(&app, "open", "ada@example.org", "Ada's token on another site", Some(&proof)).await;
        assert_eq!(elsewhere["status"], "pending");
    }

    async fn the_token_of_a_comment_never_approved_proves_nothing(b) {
        let app = spawn(b).await;
        approved_first(&app, "first").await;
        // Mallory posts as Ada: held, but she gets a token for that comment.
        let forged = post(&app, "first", "ada@example.org", "Mallory pretending", None).await;
        assert_eq!(forged["status"], "pending");
        let again = post(&app, "first", "ada@example.org", "Mallory with her own token", Some(&forged["returning_token"])).await;
        assert_eq!(again["status"], "pending", "the comment it names was never approved");
        // A deleted approved comment stops proving anything as well.
        let (id, proof) = approved_first(&app, "open").await;
        let token = app.token().await;
        let (s, _) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{id}")).await;
        assert!(s < 300, "{s}");
        let after = post(&app, "open", "ada@example.org", "After my comment was deleted", Some(&proof)).await;
        assert_eq!(after["status"], "pending");
    }

    async fn the_widget_keeps_the_token_only_with_consent_and_sends_it(b) {
        let _ = b;
        let js = include_str!("../../src/http/embed/assets/embed.js");
        assert!(js.contains("body.returning_token = proof.token"), "the widget sends its token");
        assert!(js.contains("f.save.checked ? load(\"local\", \"replyd:returning:\""), "only with the saved-details consent");
    }
}
