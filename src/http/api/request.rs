//! What a commenter sends, as JSON or as the no-JS form, and the one conversion (`TryFrom`)
//! into the domain's `NewComment`: validator checks the request's shape (site, parent), then
//! each field is parsed once into its domain newtype, every bad field named at once, and the
//! site is looked up once.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::config::Config;
use crate::http::error::ApiError;
use crate::http::extract::Submitter;
use crate::moderation::closing::parse_published;
use crate::moderation::input::{
    AuthorEmail, AuthorName, AuthorUrl, CommentText, FieldError, PageTitle, PageUri,
};
use crate::moderation::{FieldErrors, NewComment};

/// A new comment. Limits count characters after trimming; longer input is rejected,
/// never truncated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CommentRequest {
    /// The site id from the embed snippet.
    #[serde(default)]
    #[validate(length(min = 1, max = 64, message = "is required (at most 64 characters)"))]
    #[schema(required = true, min_length = 1, max_length = 64)]
    pub site: String,
    /// The page path, starting with `/`.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 2000,
        pattern = "^/([^/\\s\\\\#\\x00-\\x1f\\x7f-\\x9f][^\\s\\\\#\\x00-\\x1f\\x7f-\\x9f]*)?$"
    )]
    pub uri: String,
    /// The page title, remembered the first time a page is seen.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// An approved comment on the same page that this one replies to.
    #[serde(default)]
    #[validate(range(min = 1, message = "must be a comment id"))]
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = "\\S")]
    pub author_name: String,
    /// Never published.
    #[serde(default)]
    #[schema(required = true, min_length = 3, max_length = 254, format = "email")]
    pub author_email: String,
    #[serde(default)]
    #[schema(max_length = 500, format = "uri")]
    pub author_url: Option<String>,
    /// Markdown: paragraphs, emphasis, code, quotes, lists and links.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 2,
        max_length = 10000,
        pattern = "\\S[\\s\\S]*\\S"
    )]
    pub text: String,
    /// Mail me when someone replies (after a confirmation mail).
    #[serde(default)]
    pub notify_replies: Option<bool>,
    /// The `form_token` from `GET /api/v1/comments`, sent back unchanged. Without a valid
    /// one, a comment is never published at once.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub form_token: Option<String>,
    /// A trap for bots: leave it out or empty.
    #[serde(default)]
    pub hp_website: Option<String>,
    /// When the page was published (the embed's `data-published`): a date or an RFC 3339
    /// time. Closing after `close_after_days` counts from it.
    #[serde(default)]
    #[schema(
        max_length = 40,
        pattern = "^\\s*(\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])([Tt ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d))?)?\\s*$"
    )]
    pub published: Option<String>,
    /// The `returning_token` of an earlier comment by this email on this site, as the
    /// widget keeps it. On sites in first-time mode, a comment is published at once only
    /// when that earlier comment is approved; a known email without it waits.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub returning_token: Option<String>,
}

/// Collects each field's parse failure, so that every bad field is named at once.
#[derive(Default)]
struct Fields(FieldErrors);

impl Fields {
    fn take<T>(&mut self, name: &str, parsed: Result<T, FieldError>) -> Option<T> {
        parsed
            .map_err(|msg| self.0.entry(name.to_owned()).or_default().push(msg))
            .ok()
    }
}

impl TryFrom<(CommentRequest, Submitter, &Config)> for NewComment {
    type Error = ApiError;

    fn try_from(
        (req, Submitter(mut client), config): (CommentRequest, Submitter, &Config),
    ) -> Result<NewComment, ApiError> {
        let mut f = Fields::default();
        let uri = f.take("uri", PageUri::parse(&req.uri));
        let title = f.take("title", PageTitle::parse_optional(req.title.as_deref()));
        let name = f.take("author_name", AuthorName::parse(&req.author_name));
        let email = f.take("author_email", AuthorEmail::parse(&req.author_email));
        let url = f.take(
            "author_url",
            AuthorUrl::parse_optional(req.author_url.as_deref()),
        );
        let text = f.take("text", CommentText::parse(&req.text));
        let published = f.take("published", parse_published(req.published.as_deref()));
        let (
            Some(uri),
            Some(title),
            Some(name),
            Some(email),
            Some(url),
            Some(text),
            Some(published),
        ) = (uri, title, name, email, url, text, published)
        else {
            return Err(ApiError::Validation(f.0));
        };
        let site = config.site(&req.site).ok_or(ApiError::UnknownSite)?;
        client.form_token = req.form_token;
        client.honeypot = req.hp_website;
        client.returning_token = req.returning_token;
        Ok(NewComment {
            site: site.clone(),
            uri,
            title,
            parent_id: req.parent_id,
            author_name: name,
            author_email: email,
            author_url: url,
            text,
            notify_replies: req.notify_replies.unwrap_or(false),
            published,
            client,
        })
    }
}

/// The no-JS form's fields: everything arrives as text.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
pub struct CommentForm {
    #[serde(default)]
    #[validate(length(min = 1, max = 64, message = "is required (at most 64 characters)"))]
    #[schema(required = true, min_length = 1, max_length = 64)]
    pub site: String,
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 2000,
        pattern = "^/([^/\\s\\\\#\\x00-\\x1f\\x7f-\\x9f][^\\s\\\\#\\x00-\\x1f\\x7f-\\x9f]*)?$"
    )]
    pub uri: String,
    #[serde(default)]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "comment_id"))]
    #[schema(nullable = false, pattern = "^\\s*([1-9][0-9]{0,17})?\\s*$")]
    pub parent_id: Option<String>,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = "\\S")]
    pub author_name: String,
    #[serde(default)]
    #[schema(required = true, min_length = 3, max_length = 254, format = "email")]
    pub author_email: String,
    #[serde(default)]
    #[schema(nullable = false)]
    pub author_url: Option<String>,
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 2,
        max_length = 10000,
        pattern = "\\S[\\s\\S]*\\S"
    )]
    pub text: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    #[schema(nullable = false)]
    pub notify_replies: Option<String>,
    /// `embed`: come back to the embeddable thread page instead of the site's page;
    /// `demo`: come back to the demo page on this server.
    #[serde(default)]
    #[schema(nullable = false)]
    pub return_to: Option<String>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub form_token: Option<String>,
    /// The hidden honeypot field; people leave it empty.
    #[serde(default)]
    #[schema(nullable = false)]
    pub hp_website: Option<String>,
    #[serde(default)]
    #[schema(
        nullable = false,
        max_length = 40,
        pattern = "^\\s*(\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])([Tt ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d))?)?\\s*$"
    )]
    pub published: Option<String>,
}

/// An empty parent field means a top-level comment; anything else must be a comment id.
fn comment_id(v: &str) -> Result<(), ValidationError> {
    let v = v.trim();
    if v.is_empty() || v.parse::<i64>().is_ok_and(|id| id >= 1) {
        return Ok(());
    }
    Err(ValidationError::new("invalid").with_message(Cow::Borrowed("must be a comment id")))
}

impl CommentForm {
    /// The same comment as the JSON request. The parent was checked by validation.
    pub fn request(&self) -> CommentRequest {
        let parent_id = self
            .parent_id
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok());
        CommentRequest {
            site: self.site.clone(),
            uri: self.uri.clone(),
            title: self.title.clone(),
            parent_id,
            author_name: self.author_name.clone(),
            author_email: self.author_email.clone(),
            author_url: self.author_url.clone(),
            text: self.text.clone(),
            notify_replies: Some(
                self.notify_replies
                    .as_deref()
                    .is_some_and(|v| !v.is_empty() && v != "0" && v != "false"),
            ),
            form_token: self.form_token.clone(),
            hp_website: self.hp_website.clone(),
            published: self.published.clone(),
            returning_token: None,
        }
    }
}
