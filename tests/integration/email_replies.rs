//! Reply notifications and approval notices: only to confirmed authors who asked, never to
//! the replier themself, never about a comment marked spam.
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, assert_snapshot, header, subject, text_body, to};
use crate::support::smtp::SmtpServer;

backends! {
    async fn a_reply_is_mailed_only_to_a_confirmed_opted_in_parent_author(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "ada@example.org").len(), 1, "the confirmation mail");

        // Not confirmed yet: no reply mail.
        app.opt_in_comment("open", "bob@example.org", Some(ada)).await;
        app.deliver().await;
        assert_eq!(to(&smtp.messages(), "ada@example.org").len(), 1);

        app.confirm_address(&smtp, "ada@example.org").await;
        app.submit(json!({"site": "open", "parent_id": ada, "author_name": "Bob",
            "author_email": "bob@example.org", "text": "Bob answers Ada."})).await;
        // Ada answering herself (any case) is not news to her.
        app.submit(json!({"site": "open", "parent_id": ada, "author_email": "ADA@Example.org",
            "text": "Ada adds something."})).await;
        // Carol did not ask for replies.
        let carol = app.submit(json!({"site": "open", "author_email": "carol@example.org"})).await;
        app.submit(json!({"site": "open", "parent_id": carol, "author_email": "bob@example.org"})).await;
        app.deliver().await;

        let mails = smtp.messages();
        let ada_mails = to(&mails, "ada@example.org");
        assert_eq!(ada_mails.len(), 2, "confirmation and exactly one reply notification");
        let reply = ada_mails[1];
        assert!(subject(reply).contains("replied to your comment"));
        assert!(subject(reply).contains("Site open"));
        let body = text_body(reply);
        assert!(body.contains("Bob answers Ada."), "{body}");
        assert!(!body.contains("bob@example.org"), "the replier's address stays private");
        assert!(header(reply, "List-Unsubscribe").is_some());
        assert_eq!(
            header(reply, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(to(&mails, "carol@example.org").is_empty());
        assert_snapshot("reply_notification", reply);
    }

    async fn no_reply_mail_reaches_an_author_whose_comment_was_marked_spam(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let eve = app.opt_in_comment("blog", "eve@example.org", None).await;
        let dan = app.opt_in_comment("blog", "dan@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "eve@example.org").await;
        app.confirm_address(&smtp, "dan@example.org").await;
        app.approve(&token, eve).await;
        app.approve(&token, dan).await;
        app.deliver().await;
        let before = smtp.messages().len();

        let to_eve = app.submit(json!({"parent_id": eve, "author_email": "bob@example.org"})).await;
        let to_dan = app.submit(json!({"parent_id": dan, "author_email": "bob@example.org",
            "text": "A reply for Dan."})).await;
        let path = format!("/api/v1/admin/comments/{eve}/spam");
        app.admin(&token, reqwest::Method::POST, &path).await;
        app.deliver().await;
        assert!(smtp.messages()[before..].iter().all(|m| !subject(m).contains("replied")),
            "held replies are not announced");

        app.approve(&token, to_eve).await;
        app.approve(&token, to_dan).await;
        app.deliver().await;
        let mails = smtp.messages();
        let replies: Vec<_> = mails.iter().filter(|m| subject(m).contains("replied")).collect();
        assert_eq!(replies.len(), 1, "only Dan hears of his reply");
        assert_eq!(replies[0].rcpt_to, ["dan@example.org"]);
        assert!(text_body(replies[0]).contains("A reply for Dan."));
    }

    async fn an_approved_author_who_confirmed_gets_an_approval_notice(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| c.sites[2].approval_notice = false).await;
        let token = app.token().await;
        let first = app.opt_in_comment("blog", "ada@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "ada@example.org").await;
        let quiet = app.submit(json!({"author_email": "bob@example.org"})).await;
        let elsewhere = app.opt_in_comment("first", "ada@example.org", None).await;
        app.approve(&token, first).await;
        app.approve(&token, quiet).await;
        app.approve(&token, elsewhere).await;
        app.deliver().await;
        let mails = smtp.messages();
        let notices: Vec<_> = mails.iter().filter(|m| subject(m).contains("is published")).collect();
        assert_eq!(notices.len(), 1, "Bob did not opt in; site `first` has notices off");
        assert_eq!(notices[0].rcpt_to, ["ada@example.org"]);
        assert!(subject(notices[0]).contains("Site blog"));
        assert_snapshot("approval_notice", notices[0]);
    }
}
