//! Double opt-in with its daily limit, and both ways to unsubscribe.
use std::time::Duration;

use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use crate::support::mail::{self, assert_snapshot, header, link, links, subject, to};
use crate::support::smtp::SmtpServer;

/// Ada (confirmed) comments on `open`, Bob replies; returns Ada's comment id.
async fn confirmed_ada(app: &TestApp, smtp: &SmtpServer) -> i64 {
    let ada = app.opt_in_comment("open", "ada@example.org", None).await;
    app.deliver().await;
    app.confirm_address(smtp, "ada@example.org").await;
    ada
}

async fn bob_replies(app: &TestApp, parent: i64) -> usize {
    app.submit(json!({"site": "open", "parent_id": parent, "author_email": "bob@example.org"}))
        .await;
    app.deliver().await
}

fn replies_to_ada(smtp: &SmtpServer) -> usize {
    to(&smtp.messages(), "ada@example.org")
        .iter()
        .filter(|m| subject(m).contains("replied"))
        .count()
}

backends! {
    async fn a_confirmation_mail_goes_out_at_most_once_a_day_per_address(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        for _ in 0..3 {
            app.opt_in_comment("open", "stranger@example.org", None).await;
        }
        app.opt_in_comment("blog", "STRANGER@example.org", None).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "stranger@example.org").len(), 1);
        assert_snapshot("confirmation", to(&smtp.messages(), "stranger@example.org")[0]);

        app.clock.advance(Duration::from_secs(23 * 3600));
        app.opt_in_comment("open", "stranger@example.org", None).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "stranger@example.org").len(), 1, "still within 24 h");

        app.clock.advance(Duration::from_secs(2 * 3600));
        app.opt_in_comment("open", "stranger@example.org", None).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "stranger@example.org").len(), 2, "a day later, one more");
    }

    async fn the_confirmation_landing_page_changes_nothing_until_its_button_is_posted(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        let path = link(to(&smtp.messages(), "ada@example.org")[0], "/mail/confirm/");
        let page = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("<form method=\"post\">"), "{html}");
        bob_replies(&app, ada).await;
        assert_eq!(replies_to_ada(&smtp), 0, "GET did not confirm");
        let forged = app.http.post(app.url("/mail/confirm/1.99999999999.AAAA")).send().await.unwrap();
        assert_eq!(forged.status(), 404);
        app.http.post(app.url(&path)).send().await.unwrap();
        bob_replies(&app, ada).await;
        assert_eq!(replies_to_ada(&smtp), 1);
    }

    async fn the_unsubscribe_page_changes_nothing_until_its_form_is_posted(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let ada = confirmed_ada(&app, &smtp).await;
        bob_replies(&app, ada).await;
        assert_eq!(replies_to_ada(&smtp), 1);
        let mails = smtp.messages();
        let reply = to(&mails, "ada@example.org").into_iter().last().unwrap();
        // The body's thread link (the List-Unsubscribe header carries the one for everything).
        let path = links(reply, "/mail/unsubscribe/")
            .into_iter()
            .find(|l| l.split('.').nth(1).is_some_and(|scope| scope.starts_with('p')))
            .expect("a thread unsubscribe link");

        let page = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Stop mail about this thread") && html.contains("Stop all mail"));
        bob_replies(&app, ada).await;
        assert_eq!(replies_to_ada(&smtp), 2, "GET changed nothing");

        let res = app.http.post(app.url(&path)).form(&[("scope", "thread")]).send().await.unwrap();
        assert_eq!(res.status(), 200);
        bob_replies(&app, ada).await;
        assert_eq!(replies_to_ada(&smtp), 2, "no more mail about this thread");

        // Another thread still notifies.
        let other = app.submit(json!({"site": "open", "uri": "/other", "notify_replies": true})).await;
        app.submit(json!({"site": "open", "uri": "/other", "parent_id": other,
            "author_email": "bob@example.org"})).await;
        app.deliver().await;
        assert_eq!(replies_to_ada(&smtp), 3);
    }

    async fn a_one_click_post_to_list_unsubscribe_stops_all_mail(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let ada = confirmed_ada(&app, &smtp).await;
        bob_replies(&app, ada).await;
        let mails = smtp.messages();
        let reply = to(&mails, "ada@example.org").into_iter().last().unwrap();
        let url = header(reply, "List-Unsubscribe").unwrap();
        let url = url.trim_matches(['<', '>']);
        let path = &url[url.find("/mail/unsubscribe/").unwrap()..];
        let res = app
            .http
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        bob_replies(&app, ada).await;
        let held = app.opt_in_comment("blog", "ada@example.org", None).await;
        app.approve(&token, held).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "ada@example.org").len(), 2,
            "confirmation and the first reply only: no reply, approval or confirmation mail since");
    }
}
