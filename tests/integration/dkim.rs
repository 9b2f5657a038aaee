//! DKIM: with `[mail.dkim]` set, mail that reaches a real SMTP sink carries a signature
//! over From, To, Subject, Date, Message-ID and both List-Unsubscribe headers, and dkimpy
//! (an independent verifier) accepts it given the public key, and refuses a tampered copy.
use serde_json::json;

use crate::backends;
use crate::support::mail::{self, header, subject, to};
use crate::support::python;
use crate::support::smtp::SmtpServer;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/integration/fixtures/dkim"
);

/// Verifies the message on stdin with the public key (base64 DER) in argv[1].
const VERIFY: &str = r#"
import sys, dkim
msg = sys.stdin.buffer.read()
record = b"v=DKIM1; k=rsa; p=" + sys.argv[1].encode()
def dns(name, timeout=5):
    assert name == b"mail2026._domainkey.example.org.", name
    return record
print("ok" if dkim.verify(msg, dnsfunc=dns) else "bad")
"#;

backends! {
    async fn mail_is_dkim_signed_and_an_independent_verifier_accepts_it(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.mail.dkim.domain = "example.org".into();
            c.mail.dkim.selector = "mail2026".into();
            c.mail.dkim.key_file = format!("{FIXTURES}/test-rsa.pem");
        }).await;
        // A confirmed subscriber gets a reply notice, which carries List-Unsubscribe.
        let ada = app.opt_in_comment("open", "ada@example.org", None).await;
        app.deliver().await;
        app.confirm_address(&smtp, "ada@example.org").await;
        app.submit(json!({"site": "open", "parent_id": ada, "author_email": "bob@example.org"})).await;
        app.deliver().await;
        let mails = smtp.messages();
        let reply = to(&mails, "ada@example.org").into_iter().find(|m| subject(m).contains("replied")).expect("a reply notice");
        assert!(header(reply, "List-Unsubscribe").is_some());
        let sig = header(reply, "DKIM-Signature").expect("signed");
        let compact: String = sig.split_whitespace().collect();
        assert!(compact.contains("d=example.org;") && compact.contains("s=mail2026;"), "{sig}");
        let h = compact.split("h=").nth(1).unwrap().split(';').next().unwrap().to_ascii_lowercase();
        for name in ["from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"] {
            assert!(h.split(':').any(|x| x == name), "{name} is signed: h={h}");
        }
        if python::has("dkim") {
            let public = std::fs::read_to_string(format!("{FIXTURES}/test-rsa.pub.b64")).unwrap();
            for m in &mails {
                assert_eq!(python::run(VERIFY, m.raw.as_bytes(), &[public.trim()]).trim(), "ok", "{}", m.raw);
            }
            let tampered = reply.raw.replacen("Subject: ", "Subject: Re: ", 1);
            assert_eq!(python::run(VERIFY, tampered.as_bytes(), &[public.trim()]).trim(), "bad");
        }
    }
}
