//! Privacy and integrity of every mail: one recipient each, no commenter's address in mail
//! to anyone but moderators, and no header injection through a name.
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, decode, header};
use crate::support::smtp::SmtpServer;

const COMMENTERS: [&str; 4] = [
    "ada@example.org",
    "bob@example.org",
    "carol@example.org",
    "dan@example.org",
];

backends! {
    async fn no_mail_to_a_commenter_shows_another_commenters_address(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let token = app.token().await;
        let mut roots = Vec::new();
        for email in COMMENTERS {
            roots.push(app.opt_in_comment("blog", email, None).await);
        }
        app.deliver().await;
        for email in COMMENTERS {
            app.confirm_address(&smtp, email).await;
        }
        for id in &roots {
            app.approve(&token, *id).await;
        }
        // Everyone replies to everyone else; the replies are approved.
        for (i, email) in COMMENTERS.iter().enumerate() {
            for (j, parent) in roots.iter().enumerate() {
                if i != j {
                    let id = app.opt_in_comment("blog", email, Some(*parent)).await;
                    app.approve(&token, id).await;
                }
            }
        }
        app.deliver().await;
        let mails = smtp.messages();
        assert!(mails.len() > 20, "{} mails", mails.len());
        for m in &mails {
            assert_eq!(m.rcpt_to.len(), 1, "one recipient per message");
            let rcpt = &m.rcpt_to[0];
            assert_eq!(header(m, "To").as_deref(), Some(rcpt.as_str()));
            assert!(header(m, "Cc").is_none() && header(m, "Bcc").is_none());
            if rcpt.starts_with("mods@") {
                continue;
            }
            let text = decode(&m.raw).to_lowercase();
            for other in COMMENTERS.iter().filter(|e| *e != rcpt) {
                assert!(!text.contains(other), "{other} leaked to {rcpt}:\n{text}");
            }
        }
        let replies = mails.iter().filter(|m| header(m, "Subject").unwrap().contains("replied")).count();
        assert_eq!(replies, 12, "each root author hears of the three replies to them");
    }

    async fn a_line_break_in_the_author_name_cannot_inject_a_header(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        let (status, _) = app.post_comment(&crate::support::comment(json!({
            "author_name": "Eve\r\nBcc: victim@example.net"
        }))).await;
        assert_eq!(status, 422, "control characters in a name are refused");
        // Unicode line separators get through validation; they must stay inside the subject.
        app.submit(json!({
            "author_name": "Eve\u{2028}Bcc: victim@example.net\u{2029}X-Evil: 1"
        }))
        .await;
        app.deliver().await;
        let mails = smtp.messages();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].rcpt_to, ["mods@blog.example"]);
        let head = mails[0].raw.split("\r\n\r\n").next().unwrap().to_owned();
        for line in head.split("\r\n") {
            let l = line.to_ascii_lowercase();
            assert!(!l.starts_with("bcc:") && !l.starts_with("x-evil:"), "{head}");
        }
        assert!(header(&mails[0], "Bcc").is_none());
    }
}
