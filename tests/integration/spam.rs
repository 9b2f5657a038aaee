//! The spam defences in front of the queue: duplicates, the honeypot, the time trap, the
//! link hold, both word lists and the bans, each decision explained in the admin API.
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// Posts to the open site (mode `none`) and returns the client-facing status and the id.
async fn post_open(app: &TestApp, overrides: Value) -> (String, i64) {
    let mut body = comment(json!({"site": "open"}));
    for (k, v) in overrides.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, res) = app.post_comment(&body).await;
    assert_eq!(status, 201, "{res}");
    (
        res["status"].as_str().unwrap().to_owned(),
        res["id"].as_i64().unwrap(),
    )
}

/// The stored status and the reasons' rules, as moderators see them.
async fn judged(app: &TestApp, id: i64) -> (String, Vec<String>, Value) {
    let token = app.token().await;
    let (_, c) = app
        .admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    let rules = c["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect();
    (
        c["status"].as_str().unwrap().to_owned(),
        rules,
        c["reasons"].clone(),
    )
}

async fn add(app: &TestApp, path: &str, body: Value) {
    let token = app.token().await;
    let res = app
        .http
        .post(app.url(path))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

backends! {
    async fn a_duplicate_is_409_even_with_different_whitespace(b) {
        let app = TestApp::spawn(b).await;
        app.submit(json!({"text": "Nice post,  thanks!"})).await;
        let (status, body) = app.post_comment(&comment(json!({"text": " Nice post,\n\tthanks! "}))).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "duplicate_comment");
        let (status, _) = app.post_comment(&comment(json!({"text": "Nice post,  thanks!", "author_email": "ADA@EXAMPLE.ORG"}))).await;
        assert_eq!(status, 409, "the email is compared normalised");
        app.submit(json!({"text": "Nice post, thanks!", "uri": "/other"})).await;
        app.submit(json!({"text": "Nice post, thanks!", "author_email": "bob@example.org"})).await;

        let form = app.http.post(app.url("/api/v1/comments"))
            .form(&[("site", "blog"), ("uri", "/post"), ("author_name", "Ada"),
                    ("author_email", "ada@example.org"), ("text", "Nice post, thanks!")])
            .send().await.unwrap();
        assert_eq!(form.status(), 409);
        assert!(form.text().await.unwrap().contains("already posted this comment"));
    }

    async fn a_filled_honeypot_reads_pending_but_is_stored_as_spam(b) {
        let app = TestApp::spawn(b).await;
        let (status, id) = post_open(&app, json!({"hp_website": "http://cheap.example"})).await;
        assert_eq!(status, "pending", "the bot is not told");
        let (stored, rules, reasons) = judged(&app, id).await;
        assert_eq!(stored, "spam");
        assert!(rules.contains(&"honeypot".to_owned()), "{reasons}");
        assert_eq!(app.public_thread("open", "/post").await["total"], 0);

        let form = app.http.post(app.url("/api/v1/comments"))
            .form(&[("site", "open"), ("uri", "/post"), ("author_name", "Bot"),
                    ("author_email", "bot@example.org"), ("text", "Buy now"),
                    ("form_token", &app.form_token("open", "/post")), ("hp_website", "x")])
            .send().await.unwrap();
        assert_eq!(form.status(), 303);
        let location = form.headers()["location"].to_str().unwrap();
        assert!(location.contains("replyd=pending"), "{location}");
        assert_eq!(app.public_thread("open", "/post").await["total"], 0);
    }

    async fn the_time_trap_holds_fast_expired_forged_and_missing_tokens(b) {
        let app = TestApp::spawn(b).await;
        let token = app.fetch_form_token("open", "/post").await;
        let (status, id) = post_open(&app, json!({"text": "Typed in no time", "form_token": token})).await;
        assert_eq!(status, "pending");
        assert_eq!(judged(&app, id).await.1, ["form_token_too_fast"]);

        app.clock.advance(Duration::from_secs(4));
        let (status, _) = post_open(&app, json!({"text": "Typed at human speed", "form_token": token})).await;
        assert_eq!(status, "approved", "valid token and mode none: published");

        app.clock.advance(Duration::from_secs(25 * 3600));
        let (status, id) = post_open(&app, json!({"text": "Left the tab open", "form_token": token})).await;
        assert_eq!(status, "pending");
        assert_eq!(judged(&app, id).await.1, ["form_token_expired"]);

        let other_page = app.form_token("open", "/elsewhere");
        for (i, forged) in ["v1.1.AAAA", "garbage", other_page.as_str()].into_iter().enumerate() {
            let (status, id) = post_open(&app, json!({"text": format!("Forged {i}"), "form_token": forged})).await;
            assert_eq!(status, "pending");
            assert_eq!(judged(&app, id).await.1, ["form_token_forged"]);
        }

        let (status, body) = app.post_comment_raw(&comment(json!({"site": "open", "text": "No token"}))).await;
        assert_eq!((status, body["status"].as_str()), (201, Some("pending")));
        let (_, rules, _) = judged(&app, body["id"].as_i64().unwrap()).await;
        assert_eq!(rules, ["form_token_missing"]);
    }

    async fn known_authors_on_first_time_sites_are_still_held_without_a_token(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (_, first) = app.post_comment(&comment(json!({"site": "first"}))).await;
        let proof = first["returning_token"].clone();
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{}/approve", first["id"])).await;
        let (_, body) = app.post_comment_raw(&comment(json!({"site": "first", "text": "Known, no token", "returning_token": proof}))).await;
        assert_eq!(body["status"], "pending");
        let (_, body) = app.post_comment(&comment(json!({"site": "first", "text": "Known, token", "returning_token": proof}))).await;
        assert_eq!(body["status"], "approved");
    }

    async fn the_server_rendered_forms_carry_a_token_and_the_honeypot(b) {
        let app = TestApp::spawn(b).await;
        let demo = app.http.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(demo.contains(r#"name="form_token" value="v1."#), "{demo}");
        assert!(demo.contains(r#"name="hp_website" type="text" value="" tabindex="-1" autocomplete="off""#));
        let page = app.http.post(app.url("/api/v1/comments"))
            .form(&[("site", "open"), ("uri", "/post"), ("author_name", "Ada"),
                    ("author_email", "not an email"), ("text", "Hello there")])
            .send().await.unwrap();
        assert_eq!(page.status(), 422);
        let html = page.text().await.unwrap();
        let token = html.split(r#"name="form_token" value=""#).nth(1).unwrap().split('"').next().unwrap();
        assert!(token.starts_with("v1."), "the error page issues one: {html}");
        app.clock.advance(Duration::from_secs(5));
        let fixed = app.http.post(app.url("/api/v1/comments"))
            .form(&[("site", "open"), ("uri", "/post"), ("author_name", "Ada"),
                    ("author_email", "ada@example.org"), ("text", "Hello there"), ("form_token", token)])
            .send().await.unwrap();
        assert!(fixed.headers()["location"].to_str().unwrap().contains("replyd=published"));
    }

    async fn two_links_hold_a_comment_that_would_be_published(b) {
        let app = TestApp::spawn(b).await;
        let (status, _) = post_open(&app, json!({"text": "One link: https://a.example"})).await;
        assert_eq!(status, "approved");
        let (status, id) = post_open(&app, json!({"text": "[one](https://a.example) and www.b.example"})).await;
        assert_eq!(status, "pending");
        let (stored, rules, reasons) = judged(&app, id).await;
        assert_eq!((stored.as_str(), rules), ("pending", vec!["too_many_links".to_owned()]));
        assert!(reasons[0]["detail"].as_str().unwrap().starts_with("2 links"));
    }

    async fn a_word_added_applies_to_the_very_next_comment(b) {
        let app = TestApp::spawn(b).await;
        let (_, id) = post_open(&app, json!({"text": "A fine casino review"})).await;
        assert_eq!(judged(&app, id).await.0, "approved", "no list yet");
        add(&app, "/api/v1/admin/rules", json!({"kind": "disallowed_word", "word": "casino"})).await;
        let (status, id) = post_open(&app, json!({"text": "Another casino review"})).await;
        assert_eq!(status, "pending");
        assert_eq!(judged(&app, id).await.0, "spam");
    }

    async fn word_lists_match_any_case_in_any_script_and_any_field(b) {
        let app = TestApp::spawn(b).await;
        add(&app, "/api/v1/admin/rules", json!({"kind": "disallowed_word", "word": "спам"})).await;
        add(&app, "/api/v1/admin/rules", json!({"kind": "moderation_word", "word": "ΚΑΖΙΝΟ"})).await;
        add(&app, "/api/v1/admin/rules", json!({"kind": "disallowed_word", "word": "EvilBot"})).await;

        let (status, id) = post_open(&app, json!({"text": "Это СПАМ, купите"})).await;
        assert_eq!(status, "pending");
        let (stored, rules, reasons) = judged(&app, id).await;
        assert_eq!((stored.as_str(), rules), ("spam", vec!["disallowed_word".to_owned()]));
        assert_eq!(reasons[0]["detail"], "\"спам\" in the text");

        let (status, id) = post_open(&app, json!({"text": "Ένα καλό καζινο εδώ"})).await;
        assert_eq!(status, "pending");
        let (stored, rules, _) = judged(&app, id).await;
        assert_eq!((stored.as_str(), rules), ("pending", vec!["moderation_word".to_owned()]));

        let (_, id) = post_open(&app, json!({"text": "Nothing here", "author_name": "mr καζινο"})).await;
        assert_eq!(judged(&app, id).await.2[0]["detail"], "\"καζινο\" in the name");

        let mut body = comment(json!({"site": "open", "text": "Sent by a bot"}));
        body["form_token"] = json!(app.form_token("open", "/post"));
        let res = app.http.post(app.url("/api/v1/comments")).header("user-agent", "evilbot/1.0")
            .json(&body).send().await.unwrap();
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let (stored, _, reasons) = judged(&app, id).await;
        assert_eq!(stored, "spam");
        assert_eq!(reasons[0]["detail"], "\"evilbot\" in the user agent");

        let (status, _) = post_open(&app, json!({"text": "A perfectly fine comment"})).await;
        assert_eq!(status, "approved");
    }

    async fn each_kind_of_ban_sends_comments_to_spam_until_it_expires(b) {
        let app = TestApp::spawn_with(b, |cfg| {
            cfg.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        }).await;
        add(&app, "/api/v1/admin/bans", json!({"kind": "email", "value": "Troll@Example.org", "reason": "abuse"})).await;
        add(&app, "/api/v1/admin/bans", json!({"kind": "address", "value": "203.0.113.0/24"})).await;
        add(&app, "/api/v1/admin/bans", json!({"kind": "email_domain", "value": "spam.example"})).await;
        add(&app, "/api/v1/admin/bans", json!({"kind": "email", "value": "cooled@example.org", "duration_secs": 60})).await;

        let (status, id) = post_open(&app, json!({"author_email": "troll@example.org"})).await;
        assert_eq!(status, "pending");
        let (stored, rules, reasons) = judged(&app, id).await;
        assert_eq!((stored.as_str(), rules), ("spam", vec!["banned_email".to_owned()]));
        assert_eq!(reasons[0]["detail"], "banned email troll@example.org (abuse)");

        let (_, id) = post_open(&app, json!({"author_email": "x@mail.spam.example"})).await;
        assert_eq!(judged(&app, id).await.1, ["banned_email_domain"]);

        let mut body = comment(json!({"site": "open", "text": "From a banned network"}));
        body["form_token"] = json!(app.form_token("open", "/post"));
        let res = app.http.post(app.url("/api/v1/comments")).header("x-forwarded-for", "203.0.113.77")
            .json(&body).send().await.unwrap();
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(judged(&app, id).await.1, ["banned_address"]);
        let res = app.http.post(app.url("/api/v1/comments")).header("x-forwarded-for", "198.51.100.7")
            .json(&comment(json!({"site": "open", "text": "From elsewhere", "form_token": app.form_token("open", "/post")})))
            .send().await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "approved");

        let (_, id) = post_open(&app, json!({"author_email": "cooled@example.org", "text": "Still banned"})).await;
        assert_eq!(judged(&app, id).await.0, "spam");
        app.clock.advance(Duration::from_secs(61));
        let (status, _) = post_open(&app, json!({"author_email": "cooled@example.org", "text": "Ban over"})).await;
        assert_eq!(status, "approved", "an expired ban does not apply");
        assert_eq!(app.public_thread("open", "/post").await["total"], 2);
    }
}
