//! What a commenter sends, as JSON or as the no-JS form, and how it becomes a domain
//! `NewComment`: validator first, for field-level messages, then the domain newtypes.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::moderation::input::{
    AuthorEmail, AuthorName, AuthorUrl, CommentText, FieldError, PageTitle, PageUri,
};
use crate::moderation::{ClientInfo, FieldErrors, NewComment};

/// A new comment. Limits count characters after trimming; longer input is rejected,
/// never truncated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct CommentRequest {
    /// The site id from the embed snippet.
    #[serde(default)]
    #[validate(length(min = 1, max = 64, message = "is required (at most 64 characters)"))]
    #[schema(min_length = 1, max_length = 64)]
    pub site: String,
    /// The page path, starting with `/`.
    #[serde(default)]
    #[validate(custom(function = "check_uri"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "^/")]
    pub uri: String,
    /// The page title, remembered the first time a page is seen.
    #[serde(default)]
    #[validate(custom(function = "check_title"))]
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// An approved comment on the same page that this one replies to.
    #[serde(default)]
    #[validate(range(min = 1, message = "must be a comment id"))]
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[validate(custom(function = "check_name"))]
    #[schema(min_length = 1, max_length = 100)]
    pub author_name: String,
    /// Never published.
    #[serde(default)]
    #[validate(custom(function = "check_email"))]
    #[schema(min_length = 3, max_length = 254, format = "email")]
    pub author_email: String,
    #[serde(default)]
    #[validate(custom(function = "check_url"))]
    #[schema(max_length = 500, format = "uri")]
    pub author_url: Option<String>,
    /// Markdown: paragraphs, emphasis, code, quotes, lists and links.
    #[serde(default)]
    #[validate(custom(function = "check_text"))]
    #[schema(min_length = 2, max_length = 10000)]
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
}

fn to_validation(r: Result<(), FieldError>) -> Result<(), ValidationError> {
    r.map_err(|msg| ValidationError::new("invalid").with_message(Cow::Owned(msg)))
}

fn check_uri(v: &str) -> Result<(), ValidationError> {
    to_validation(PageUri::parse(v).map(drop))
}
fn check_title(v: &str) -> Result<(), ValidationError> {
    to_validation(PageTitle::parse_optional(Some(v)).map(drop))
}
fn check_name(v: &str) -> Result<(), ValidationError> {
    to_validation(AuthorName::parse(v).map(drop))
}
fn check_email(v: &str) -> Result<(), ValidationError> {
    to_validation(AuthorEmail::parse(v).map(drop))
}
fn check_url(v: &str) -> Result<(), ValidationError> {
    to_validation(AuthorUrl::parse_optional(Some(v)).map(drop))
}
fn check_text(v: &str) -> Result<(), ValidationError> {
    to_validation(CommentText::parse(v).map(drop))
}

impl CommentRequest {
    /// Validates every field and returns the domain value, or every field's messages.
    pub fn into_new_comment(self, mut client: ClientInfo) -> Result<NewComment, FieldErrors> {
        client.form_token = self.form_token.clone();
        client.honeypot = self.hp_website.clone();
        if let Err(errors) = self.validate() {
            let mut out = FieldErrors::new();
            for (field, errs) in errors.field_errors() {
                let msgs = errs
                    .iter()
                    .map(|e| e.message.as_deref().unwrap_or("is not valid").to_owned())
                    .collect();
                out.insert(field.to_string(), msgs);
            }
            return Err(out);
        }
        let parsed = (|| {
            Ok::<_, (&str, FieldError)>(NewComment {
                uri: PageUri::parse(&self.uri).map_err(|e| ("uri", e))?,
                title: PageTitle::parse_optional(self.title.as_deref())
                    .map_err(|e| ("title", e))?,
                parent_id: self.parent_id,
                author_name: AuthorName::parse(&self.author_name)
                    .map_err(|e| ("author_name", e))?,
                author_email: AuthorEmail::parse(&self.author_email)
                    .map_err(|e| ("author_email", e))?,
                author_url: AuthorUrl::parse_optional(self.author_url.as_deref())
                    .map_err(|e| ("author_url", e))?,
                text: CommentText::parse(&self.text).map_err(|e| ("text", e))?,
                notify_replies: self.notify_replies.unwrap_or(false),
                site: self.site.clone(),
                client,
            })
        })();
        parsed.map_err(|(field, msg)| FieldErrors::from([(field.to_owned(), vec![msg])]))
    }
}

/// The no-JS form's fields: everything arrives as text.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CommentForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub author_email: String,
    #[serde(default)]
    pub author_url: Option<String>,
    #[serde(default)]
    pub text: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub notify_replies: Option<String>,
    /// `embed`: come back to the embeddable thread page instead of the site's page;
    /// `demo`: come back to the demo page on this server.
    #[serde(default)]
    pub return_to: Option<String>,
    #[serde(default)]
    pub form_token: Option<String>,
    /// The hidden honeypot field; people leave it empty.
    #[serde(default)]
    pub hp_website: Option<String>,
}

impl CommentForm {
    /// Converts to the JSON request; a non-numeric parent id is a field error.
    pub fn into_request(self) -> Result<CommentRequest, FieldErrors> {
        let parent_id = match self
            .parent_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                FieldErrors::from([(
                    "parent_id".to_owned(),
                    vec!["must be a comment id".to_owned()],
                )])
            })?),
        };
        Ok(CommentRequest {
            site: self.site,
            uri: self.uri,
            title: self.title,
            parent_id,
            author_name: self.author_name,
            author_email: self.author_email,
            author_url: self.author_url,
            text: self.text,
            notify_replies: Some(
                self.notify_replies
                    .is_some_and(|v| !v.is_empty() && v != "0" && v != "false"),
            ),
            form_token: self.form_token,
            hp_website: self.hp_website,
        })
    }
}
