//! What Isso's client sends when it posts or edits, and the one conversion (`TryFrom`) of a
//! new comment into the domain's `NewComment`; and the edit cookie Isso's client expects
//! (`Set-Cookie: ID=...` for this server, `X-Set-Cookie: isso-ID=...` for the page).
use serde::Deserialize;
use validator::Validate;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::http::extract::Submitter;
use crate::moderation::input::{
    AuthorEmail, AuthorName, AuthorUrl, CommentText, PageTitle, PageUri,
};
use crate::moderation::{FieldErrors, FormKind, NewComment};

/// `POST /new?uri=`: Isso's fields. Isso lets name and email be empty; replyd does not, and
/// says so in `/config` (`require-author`, `require-email`), so the client asks for both.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
pub struct IssoNew {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    #[validate(range(min = 1, message = "must be a comment id"))]
    pub parent: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    /// 1 (or true) to hear of replies by mail.
    #[serde(default)]
    pub notification: Option<serde_json::Value>,
}

/// `PUT /id/N`: the new text. Isso's client sends only the text; a name or website is
/// ignored, since replyd lets an author change their text alone.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
pub struct IssoEdit {
    #[serde(default)]
    pub text: Option<String>,
}

/// `POST /preview`.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
pub struct IssoPreview {
    #[serde(default)]
    pub text: Option<String>,
}

/// A new comment with where it goes.
pub struct IssoSubmission {
    pub site: String,
    pub uri: String,
    pub body: IssoNew,
}

/// Collects each field's parse failure, so that every bad field is named at once.
#[derive(Default)]
struct Fields(FieldErrors);

impl Fields {
    fn take<T>(&mut self, name: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|msg| self.0.entry(name.to_owned()).or_default().push(msg))
            .ok()
    }
}

impl TryFrom<(IssoSubmission, Submitter, &Config)> for NewComment {
    type Error = ApiError;

    fn try_from(
        (sub, Submitter(mut client), config): (IssoSubmission, Submitter, &Config),
    ) -> Result<NewComment, ApiError> {
        let b = &sub.body;
        let text_of = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut f = Fields::default();
        let uri = f.take("uri", PageUri::parse(&sub.uri));
        let title = f.take("title", PageTitle::parse_optional(b.title.as_deref()));
        let name = f.take("author", AuthorName::parse(&text_of(&b.author)));
        let email = f.take("email", AuthorEmail::parse(&text_of(&b.email)));
        let url = f.take("website", AuthorUrl::parse_lenient(b.website.as_deref()));
        let text = f.take("text", CommentText::parse(&text_of(&b.text)));
        let (Some(uri), Some(title), Some(name), Some(email), Some(url), Some(text)) =
            (uri, title, name, email, url, text)
        else {
            return Err(ApiError::Validation(f.0));
        };
        let site = config.site(&sub.site).ok_or(ApiError::UnknownSite)?;
        client.form = FormKind::Foreign;
        Ok(NewComment {
            site: site.clone(),
            uri,
            title,
            parent_id: b.parent,
            author_name: name,
            author_email: email,
            author_url: url,
            text,
            notify_replies: b.notification.as_ref().is_some_and(truthy),
            published: None,
            client,
        })
    }
}

fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        serde_json::Value::String(s) => !s.is_empty() && s != "0" && s != "false",
        _ => false,
    }
}

/// The cookies that carry an edit token, the way Isso's client expects them: `ID` for this
/// server (sent back with the edit and delete requests) and `isso-ID` in `X-Set-Cookie`,
/// which the client stores on the page's own origin to know which comments are its own.
pub struct EditCookies {
    pub server: String,
    pub page: String,
}

impl EditCookies {
    /// The edit token of comment `id`, valid for `max_age` seconds (0 clears it). `secure`:
    /// this server is reached over https, so the cookies may cross sites.
    pub fn new(site: &str, id: i64, token: &str, max_age: i64, secure: bool) -> EditCookies {
        let same_site = if secure {
            "SameSite=None; Secure"
        } else {
            "SameSite=Lax"
        };
        let max_age = max_age.max(0);
        EditCookies {
            server: format!(
                "{id}={token}; Max-Age={max_age}; Path=/isso/{site}/; {same_site}; HttpOnly"
            ),
            page: format!("isso-{id}={token}; Max-Age={max_age}; Path=/; {same_site}"),
        }
    }
}

/// The edit token for comment `id` in a `Cookie` header: this server's `ID` cookie, or the
/// page's `isso-ID` when the page shares this server's origin.
pub fn edit_token(cookie_header: &str, id: i64) -> Option<String> {
    let (own, page) = (id.to_string(), format!("isso-{id}"));
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| (*name == own || *name == page) && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_token_is_read_from_either_cookie() {
        assert_eq!(
            edit_token("a=b; 12=tok.en; c=d", 12).as_deref(),
            Some("tok.en")
        );
        assert_eq!(edit_token("isso-12=t2", 12).as_deref(), Some("t2"));
        assert_eq!(edit_token("112=x; 12=", 12), None);
        assert_eq!(edit_token("", 12), None);
    }

    #[test]
    fn cookies_cross_sites_only_over_https() {
        let c = EditCookies::new("blog", 5, "t", 900, false);
        assert_eq!(
            c.server,
            "5=t; Max-Age=900; Path=/isso/blog/; SameSite=Lax; HttpOnly"
        );
        assert_eq!(c.page, "isso-5=t; Max-Age=900; Path=/; SameSite=Lax");
        let c = EditCookies::new("blog", 5, "t", -3, true);
        assert!(c.page.ends_with("Max-Age=0; Path=/; SameSite=None; Secure"));
    }

    #[test]
    fn notification_reads_isso_numbers_and_booleans() {
        for (v, want) in [
            (serde_json::json!(1), true),
            (serde_json::json!(0), false),
            (serde_json::json!(true), true),
            (serde_json::json!("0"), false),
            (serde_json::json!(null), false),
        ] {
            assert_eq!(truthy(&v), want, "{v}");
        }
    }
}
