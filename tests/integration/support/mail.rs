//! Mail test helpers: an app that delivers to the test SMTP server when told to, decoding
//! and reading captured messages, and redacted snapshots.
use std::path::PathBuf;

use replyd::config::{Config, MailTransport};
use serde_json::json;

use super::smtp::{Captured, SmtpServer};
use super::{Backend, TestApp};

/// An app whose mail goes to `smtp`. Its background worker is off: tests deliver with
/// [`TestApp::deliver`], so they decide exactly when mail moves.
pub async fn spawn(b: Backend, smtp: &SmtpServer, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let port = smtp.port();
    TestApp::spawn_with(b, move |c| {
        c.mail.transport = MailTransport::Smtp;
        c.mail.smtp.host = "127.0.0.1".into();
        c.mail.smtp.port = port;
        c.mail.smtp.timeout_secs = 5;
        c.mail.worker = false;
        tweak(c);
    })
    .await
}

impl TestApp {
    /// Runs worker steps until nothing is due now; returns how many rows were handled.
    pub async fn deliver(&self) -> usize {
        let worker = self.state.notify.worker();
        let mut total = 0;
        loop {
            let n = worker.run_once().await.expect("worker step");
            if n == 0 {
                return total;
            }
            total += n;
        }
    }

    /// A comment by `email` with reply notifications on; returns its id.
    pub async fn opt_in_comment(&self, site: &str, email: &str, parent: Option<i64>) -> i64 {
        self.submit(json!({
            "site": site, "author_email": email, "notify_replies": true,
            "parent_id": parent, "author_name": name_of(email),
        }))
        .await
    }

    /// Follows the newest confirmation mail to `email`: GET shows the page, POST confirms.
    pub async fn confirm_address(&self, smtp: &SmtpServer, email: &str) {
        let mail = smtp
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_to == [email] && subject(m).contains("Confirm"))
            .unwrap_or_else(|| panic!("no confirmation mail to {email}"));
        let path = link(&mail, "/mail/confirm/");
        let res = self.http.post(self.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "confirming {email}");
    }

    pub async fn approve(&self, token: &str, id: i64) {
        let path = format!("/api/v1/admin/comments/{id}/approve");
        let (status, body) = self.admin(token, reqwest::Method::POST, &path).await;
        assert_eq!(status, 200, "{body}");
    }
}

/// A display name from an address's local part, e.g. `ada@x` -> `ada`.
pub fn name_of(email: &str) -> String {
    email.split('@').next().unwrap_or("someone").to_owned()
}

/// The message with quoted-printable soft breaks and escapes decoded.
pub fn decode(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An unfolded header value.
pub fn header(m: &Captured, name: &str) -> Option<String> {
    let head = m.raw.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}: ", name.to_ascii_lowercase());
    unfolded
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].to_owned())
}

pub fn subject(m: &Captured) -> String {
    header(m, "Subject").unwrap_or_default()
}

/// The path of the first link whose path starts with `prefix` (links point at the
/// configured public URL; tests call their own app's port instead).
pub fn link(m: &Captured, prefix: &str) -> String {
    links(m, prefix)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {prefix} link in\n{}", decode(&m.raw)))
}

pub fn links(m: &Captured, prefix: &str) -> Vec<String> {
    let text = decode(&m.raw);
    let mut found = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let end = text[at..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
            .map_or(text.len(), |e| at + e);
        let l = text[at..end].to_owned();
        if !found.contains(&l) {
            found.push(l);
        }
    }
    found
}

/// The text part, decoded.
pub fn text_body(m: &Captured) -> String {
    decode(&m.raw)
}

/// Mails delivered to `email`.
pub fn to<'a>(mails: &'a [Captured], email: &str) -> Vec<&'a Captured> {
    mails.iter().filter(|m| m.rcpt_to == [email]).collect()
}

/// Replaces what changes from run to run: dates, Message-IDs, tokens, MIME boundaries.
pub fn redact(raw: &str) -> String {
    let decoded = decode(raw);
    let mut out = Vec::new();
    let mut boundary = None;
    for line in decoded.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("date: ") {
            out.push("Date: [date]".to_owned());
            continue;
        }
        if lower.starts_with("message-id: ") {
            out.push("Message-ID: [message-id]".to_owned());
            continue;
        }
        if let Some(b) = line.split("boundary=\"").nth(1) {
            boundary = b.split('"').next().map(str::to_owned);
        }
        let mut l = line.to_owned();
        if let Some(b) = &boundary {
            l = l.replace(b.as_str(), "[boundary]");
        }
        for p in ["/admin/act/", "/mail/confirm/", "/mail/unsubscribe/"] {
            l = redact_after(&l, p);
        }
        out.push(l);
    }
    out.join("\n")
}

fn redact_after(line: &str, prefix: &str) -> String {
    let mut s = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        s.push_str(&rest[..at + prefix.len()]);
        s.push_str("[token]");
        rest = &rest[at + prefix.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    s.push_str(rest);
    s
}

/// Compares with `tests/integration/snapshots/NAME.eml`. With `UPDATE_SNAPSHOTS=1`, or when
/// the file does not exist yet, writes it instead (and a missing file still fails).
pub fn assert_snapshot(name: &str, m: &Captured) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/snapshots")
        .join(format!("{name}.eml"));
    let actual = redact(&m.raw);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(&path) {
        Ok(expected) if !update => assert_eq!(
            actual, expected,
            "mail differs from {name}.eml (UPDATE_SNAPSHOTS=1 to accept)"
        ),
        found => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            assert!(
                found.is_ok(),
                "snapshot {name}.eml was missing and is now written"
            );
        }
    }
}
