//! Turning a view into a mail: askama templates (subject, text, HTML per kind, embedded in
//! the binary) and lettre's typed builders, so no header can be injected through content.
use askama::Template;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

/// One comment as moderators see it, with its one-click links.
#[derive(Debug, Clone)]
pub struct Item {
    pub page_title: String,
    pub page_url: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub text: String,
    pub status: String,
    pub reasons: Vec<String>,
    pub approve: String,
    pub reject: String,
    pub spam: String,
}

#[derive(Debug, Clone)]
pub struct AlertView {
    pub site_name: String,
    pub item: Item,
}

#[derive(Debug, Clone)]
pub struct DigestView {
    pub site_name: String,
    pub period: String,
    pub items: Vec<Item>,
}

/// The links every mail to a commenter carries.
#[derive(Debug, Clone)]
pub struct Unsubscribe {
    pub thread: Option<String>,
    pub all: String,
}

#[derive(Debug, Clone)]
pub struct ReplyView {
    pub site_name: String,
    pub page_title: String,
    pub page_url: String,
    pub replier_name: String,
    pub text: String,
    pub unsubscribe: Unsubscribe,
}

#[derive(Debug, Clone)]
pub struct ApprovedView {
    pub site_name: String,
    pub page_title: String,
    pub page_url: String,
    pub text: String,
    pub unsubscribe: Unsubscribe,
}

#[derive(Debug, Clone)]
pub struct ConfirmView {
    pub site_name: String,
    pub confirm_url: String,
    pub unsubscribe: Unsubscribe,
}

/// A privacy request's confirmation link, for the address it concerns.
#[derive(Debug, Clone)]
pub struct PrivacyView {
    pub site_name: String,
    /// Erase (true) or export (false).
    pub erase: bool,
    pub link: String,
    /// When the link stops working, `YYYY-MM-DD HH:MM`.
    pub expires: String,
}

macro_rules! templates {
    ($view:ident: $subject:ident = $s:literal, $text:ident = $t:literal, $html:ident = $h:literal) => {
        #[derive(Template)]
        #[template(path = $s)]
        struct $subject<'a> {
            v: &'a $view,
        }
        #[derive(Template)]
        #[template(path = $t)]
        struct $text<'a> {
            v: &'a $view,
        }
        #[derive(Template)]
        #[template(path = $h)]
        struct $html<'a> {
            v: &'a $view,
        }
        impl $view {
            pub fn render(&self) -> Result<Rendered, askama::Error> {
                Ok(Rendered {
                    subject: $subject { v: self }.render()?,
                    text: $text { v: self }.render()?,
                    html: $html { v: self }.render()?,
                })
            }
        }
    };
}

templates!(AlertView: AlertSubject = "alert/subject.txt", AlertText = "alert/body.txt", AlertHtml = "alert/body.html");
templates!(DigestView: DigestSubject = "digest/subject.txt", DigestText = "digest/body.txt", DigestHtml = "digest/body.html");
templates!(ReplyView: ReplySubject = "reply/subject.txt", ReplyText = "reply/body.txt", ReplyHtml = "reply/body.html");
templates!(ApprovedView: ApprovedSubject = "approved/subject.txt", ApprovedText = "approved/body.txt", ApprovedHtml = "approved/body.html");
templates!(PrivacyView: PrivacySubject = "privacy/subject.txt", PrivacyText = "privacy/body.txt", PrivacyHtml = "privacy/body.html");
templates!(ConfirmView: ConfirmSubject = "confirm/subject.txt", ConfirmText = "confirm/body.txt", ConfirmHtml = "confirm/body.html");

/// A rendered mail before it gets headers.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("bad address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Envelope and headers for one recipient.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub message_id: &'a str,
    /// RFC 8058 one-click unsubscribe URL, for mail to commenters.
    pub list_unsubscribe: Option<&'a str>,
}

/// Builds the final message: one recipient, multipart/alternative, auto-generated.
pub fn build(env: &Envelope<'_>, r: &Rendered) -> Result<Message, BuildError> {
    let from: Mailbox = env
        .from
        .parse()
        .map_err(|_| BuildError::Address("mail.from".into()))?;
    let to: Address = env
        .to
        .trim()
        .parse()
        .map_err(|_| BuildError::Address("recipient".into()))?;
    let subject: String = r
        .subject
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut b = Message::builder()
        .from(from)
        .to(Mailbox::new(None, to))
        .subject(subject)
        .message_id(Some(env.message_id.to_owned()))
        .header(AutoSubmitted);
    if let Some(url) = env.list_unsubscribe {
        b = b
            .header(ListUnsubscribe(url.to_owned()))
            .header(ListUnsubscribePost);
    }
    // Quoted-printable always: readable, 7-bit safe, and one decoding for every part.
    let part = |ct: ContentType, body: &str| {
        SinglePart::builder()
            .header(ct)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body.to_owned())
    };
    Ok(b.multipart(
        MultiPart::alternative()
            .singlepart(part(ContentType::TEXT_PLAIN, &r.text))
            .singlepart(part(ContentType::TEXT_HTML, &r.html)),
    )?)
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation auto-replies, please.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_matches(['<', '>']).to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// RFC 8058: a POST to the List-Unsubscribe URL unsubscribes at once.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(subject: &str) -> String {
        let r = Rendered {
            subject: subject.into(),
            text: "t".into(),
            html: "<p>t</p>".into(),
        };
        let env = Envelope {
            from: "replyd <noreply@example.org>",
            to: "ada@example.org",
            message_id: "<x@example.org>",
            list_unsubscribe: Some("https://example.org/mail/unsubscribe/t"),
        };
        let m = build(&env, &r).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&m.formatted()).into_owned()
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_start_a_new_header() {
        let mail = raw("Hi\r\nBcc: victim@example.net\r\nX-Evil: 1");
        assert!(!mail.contains("\r\nBcc:"), "{mail}");
        assert!(!mail.contains("\r\nX-Evil:"), "{mail}");
        assert!(!mail.to_lowercase().contains("victim@example.net\r\n\r\n"));
    }

    #[test]
    fn commenter_mail_carries_rfc8058_headers_and_both_parts() {
        let mail = raw("Hello");
        assert!(mail.contains("List-Unsubscribe: <https://example.org/mail/unsubscribe/t>"));
        assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(mail.contains("Auto-Submitted: auto-generated"));
        assert!(mail.contains("multipart/alternative"));
        assert!(mail.contains("Message-ID: <x@example.org>"));
    }

    #[test]
    fn html_escapes_commenter_content() {
        let v = ReplyView {
            site_name: "S".into(),
            page_title: "P".into(),
            page_url: "https://example.org/p".into(),
            replier_name: "<b>Eve</b>".into(),
            text: "<script>x</script>".into(),
            unsubscribe: Unsubscribe {
                thread: None,
                all: "https://example.org/u".into(),
            },
        };
        let r = v.render().unwrap_or_else(|e| panic!("{e}"));
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&#60;script&#62;"), "{}", r.html);
        assert!(r.text.contains("<script>x</script>"));
        assert!(r.subject.contains('S'));
    }
}
