//! What WordPress's `comment_form()` sends, and the one conversion (`TryFrom`) into the
//! domain's `NewComment`. WordPress's own rules where they shape the answer: ids are read the
//! way PHP's `(int)` and `absint()` read them (garbage is 0), a website without a scheme is
//! `http://`, and every bad field is named by the label the form shows it with.
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use validator::Validate;

use crate::config::Config;
use crate::http::AppState;
use crate::http::error::{ApiError, PageBack};
use crate::http::extract::{FormPage, Submitter};
use crate::moderation::input::{AuthorEmail, AuthorName, AuthorUrl, CommentText, PageUri};
use crate::moderation::{FieldErrors, FormKind, NewComment};

/// The fields of WordPress's default comment form. Anything else a theme or plugin adds
/// (nonces, Akismet's fields) is ignored.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
pub struct WpCommentForm {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub url: Option<String>,
    /// "Save my name, email, and website in this browser": WordPress keeps them in cookies
    /// on the site's own domain, which replyd cannot set; accepted and otherwise unused.
    #[serde(default, rename = "wp-comment-cookies-consent")]
    pub cookies_consent: Option<String>,
    /// The submit button's own value ("Post Comment").
    #[serde(default)]
    pub submit: Option<String>,
    #[serde(default, rename = "comment_post_ID")]
    pub comment_post_id: Option<String>,
    #[serde(default)]
    pub comment_parent: Option<String>,
    /// Where to go afterwards, when a theme sets it; honoured on the site's own origins only.
    #[serde(default)]
    pub redirect_to: Option<String>,
}

impl WpCommentForm {
    /// `comment_post_ID` as WordPress reads it: `(int)`, so anything unreadable is 0.
    pub fn post_id(&self) -> i64 {
        php_int(self.comment_post_id.as_deref())
    }

    /// `comment_parent` as WordPress reads it: `absint()`.
    pub fn parent(&self) -> i64 {
        php_int(self.comment_parent.as_deref()).abs()
    }
}

/// The leading integer of `s`, as PHP's `(int)` cast reads it; 0 when there is none.
fn php_int(s: Option<&str>) -> i64 {
    let t = s.unwrap_or_default().trim();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().map_or(0, |n| sign * n)
}

/// The form's labels, in the form's order, for naming a bad field the way the visitor sees
/// it; then what the form does not show as a field.
const LABELS: [(&str, &str); 6] = [
    ("comment", "Comment"),
    ("author", "Name"),
    ("email", "Email"),
    ("url", "Website"),
    ("parent_id", "The comment you reply to"),
    ("uri", "The page"),
];

/// Field errors as lines for the error page: `Name: is required`.
pub fn labelled(errors: &FieldErrors) -> Vec<String> {
    let known = LABELS
        .iter()
        .filter(|(name, _)| errors.contains_key(*name))
        .map(|(name, label)| (*name, *label));
    let others = errors
        .keys()
        .filter(|k| !LABELS.iter().any(|(name, _)| name == k))
        .map(|k| (k.as_str(), k.as_str()));
    known
        .chain(others)
        .flat_map(|(k, label)| errors[k].iter().map(move |m| format!("{label}: {m}")))
        .collect()
}

impl FormPage for WpCommentForm {
    /// Only reached when the body cannot be validated at all (the form has no rules of its
    /// own beyond its fields' shapes); the way back is the post on the site, if it is named.
    fn field_page(&self, _state: &AppState, errors: FieldErrors) -> Response {
        PageBack {
            fields: labelled(&errors),
            error: ApiError::Validation(errors),
            back: "/".into(),
        }
        .into_response()
    }
}

/// A form whose page and reply target were found.
pub struct WpSubmission<'a> {
    pub form: &'a WpCommentForm,
    pub site: &'a str,
    pub uri: String,
    pub parent_id: Option<i64>,
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

impl TryFrom<(WpSubmission<'_>, Submitter, &Config)> for NewComment {
    type Error = ApiError;

    fn try_from(
        (sub, Submitter(mut client), config): (WpSubmission<'_>, Submitter, &Config),
    ) -> Result<NewComment, ApiError> {
        let f = sub.form;
        let mut fields = Fields::default();
        let uri = fields.take("uri", PageUri::parse(&sub.uri));
        let name = fields.take("author", AuthorName::parse(&strip_tags(&f.author)));
        let email = fields.take("email", AuthorEmail::parse(&f.email));
        let url = fields.take("url", AuthorUrl::parse_lenient(f.url.as_deref()));
        let text = fields.take("comment", CommentText::parse(&f.comment));
        let (Some(uri), Some(name), Some(email), Some(url), Some(text)) =
            (uri, name, email, url, text)
        else {
            return Err(ApiError::Validation(fields.0));
        };
        let site = config.site(sub.site).ok_or(ApiError::UnknownSite)?;
        client.form = FormKind::Foreign;
        Ok(NewComment {
            site: site.clone(),
            uri,
            title: None,
            parent_id: sub.parent_id,
            author_name: name,
            author_email: email,
            author_url: url,
            text,
            notify_replies: false,
            published: None,
            client,
        })
    }
}

/// The name without markup, as WordPress's `strip_tags` leaves it.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_php_reads_them() {
        for (s, want) in [
            (Some("42"), 42),
            (Some(" 7 "), 7),
            (Some("12abc"), 12),
            (Some("abc"), 0),
            (Some(""), 0),
            (None, 0),
            (Some("-3"), -3),
            (Some("99999999999999999999"), 0),
        ] {
            assert_eq!(php_int(s), want, "{s:?}");
        }
        let form = WpCommentForm {
            comment_parent: Some("-5".into()),
            ..WpCommentForm::default()
        };
        assert_eq!(form.parent(), 5);
    }

    #[test]
    fn names_lose_their_tags() {
        assert_eq!(strip_tags("<b>Ada</b> Lovelace"), "Ada Lovelace");
        assert_eq!(strip_tags("a > b"), "a > b");
    }

    #[test]
    fn bad_fields_are_named_by_their_labels_in_form_order() {
        let errors: FieldErrors = [
            ("email".to_owned(), vec!["is required".to_owned()]),
            ("author".to_owned(), vec!["is required".to_owned()]),
        ]
        .into();
        assert_eq!(
            labelled(&errors),
            vec!["Name: is required", "Email: is required"]
        );
    }
}
