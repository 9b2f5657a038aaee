//! What a dashboard card tells moderators after publication: its page's real state (closed
//! by hand or by age) with the control that fits, and the spam reports readers filed against
//! the author. Moderators may still reply on a closed page; readers may not.
use reqwest::Method;
use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use entity::enums::Role;

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

async fn spam_report(app: &TestApp, id: i64, i: u8, reason: &str) {
    let res = app
        .http
        .post(app.url(&format!("/api/v1/comments/{id}/report")))
        .header("x-forwarded-for", format!("198.51.100.{i}"))
        .json(&json!({"reason": reason, "token": format!("r{i}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 202);
}

backends! {
    async fn a_card_shows_its_page_closed_by_age_and_offers_to_reopen_it(b) {
        let app = TestApp::spawn_with(b, |c| c.sites[1].close_after_days = 7).await;
        let id = app.submit(json!({"site": "open", "uri": "/old", "text": "Ageing comment"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let card = d.get(&format!("/admin/comments/{id}")).await.body;
        assert!(card.contains("value=\"close_page\"") && !card.contains("comments closed"), "{card}");
        app.clock.advance(DAY * 7);
        assert_eq!(app.public_thread("open", "/old").await["closed"], true);
        let d = app.logged_in("mo2@example.org", Role::Moderator).await; // the first session expired
        let page = d.get(&format!("/admin/comments/{id}")).await;
        let card = format!("{} {}", page.status, page.body);
        assert!(card.contains("value=\"open_page\"") && !card.contains("value=\"close_page\""), "closed by age: {card}");
        assert!(card.contains("comments closed"));
        let path = format!("/admin/comments/{id}/thread");
        let res = d.submit(&format!("/admin/comments/{id}"), &path, &[("action", "open_page"), ("back", "/admin/?status=approved")]).await;
        assert_eq!(res.status, 303);
        assert_eq!(app.public_thread("open", "/old").await["closed"], false, "reopened past its age");
        assert!(d.get("/admin/?status=approved").await.body.contains("value=\"close_page\""));
    }

    async fn every_card_shows_the_spam_reports_filed_against_its_author(b) {
        let app = TestApp::spawn_with(b, |c| c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
        let token = app.token().await;
        let eve = |text: &str, site: &str| json!({"site": site, "author_email": "Eve@Example.org", "text": text});
        let one = app.submit(eve("Buy my pills", "open")).await;
        let two = app.submit(eve("Cheap watches", "open")).await;
        spam_report(&app, one, 1, "spam").await;
        spam_report(&app, one, 2, "spam").await;
        spam_report(&app, two, 3, "spam").await;
        spam_report(&app, two, 4, "abusive").await;
        app.submit(json!({"site": "blog", "author_email": "bob@example.org", "text": "Bob waits"})).await;
        let held = app.submit(eve("Eve waits", "blog")).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let queue = d.get("/admin/").await.body;
        let card = |id: i64| queue.split(&format!("id=\"c-{id}\"")).nth(1).unwrap().split("</article>").next().unwrap().to_owned();
        assert!(card(held).contains("Readers filed 3 spam reports against this author's comments"), "{queue}");
        assert_eq!(queue.matches("spam report").count(), 1, "Bob's card says nothing: {queue}");
        let tab = d.get("/admin/reports").await.body;
        assert_eq!(tab.matches("Readers filed 3 spam reports").count(), 2, "{tab}");
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        assert_eq!(list["comments"][0]["author_spam_reports"], 3, "{list}");
        // Evidence only: Eve's next comment is screened as before, published at once.
        let next = app.submit(eve("Another one", "open")).await;
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{next}")).await;
        assert_eq!(c["status"], "approved", "{c}");
    }

    async fn a_moderator_may_reply_on_a_closed_page_and_readers_may_not(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(json!({"site": "open", "uri": "/shut", "text": "Before closing"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let path = format!("/admin/comments/{id}/thread");
        d.submit("/admin/", &path, &[("action", "close_page"), ("back", "/admin/")]).await;
        let (status, _) = app.post_comment(&crate::support::comment(json!({"site": "open", "uri": "/shut", "parent_id": id}))).await;
        assert_eq!(status, 403, "readers are refused");
        let res = d.submit(&format!("/admin/comments/{id}"), &format!("/admin/comments/{id}/reply"), &[("text", "A note from the moderators"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303);
        let thread = app.public_thread("open", "/shut").await;
        assert_eq!((thread["closed"].as_bool(), thread["total"].as_u64()), (Some(true), Some(2)), "{thread}");
        assert!(thread.to_string().contains("A note from the moderators"));
    }
}
