//! The no-JS "Leave a Reply" form: its view (what was typed, what was wrong), the 422 page
//! that shows it again, and where an accepted form goes back to.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::http::AppState;
use crate::http::api::request::CommentForm;
use crate::http::error::{ApiError, Page, html};
use crate::http::extract::FormPage;
use crate::http::urlencode;
use crate::moderation::input::{EMAIL_MAX, NAME_MAX, TEXT_MAX, URL_MAX};
use crate::moderation::screening::form_token;
use crate::moderation::{FieldErrors, Submitted};
use entity::enums::CommentStatus;

/// One input of the "Leave a Reply" form.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub required: bool,
    pub max: usize,
    pub value: String,
    pub error: Option<String>,
}

/// The form, with what was typed and what was wrong with it.
#[derive(Default)]
pub struct FormView {
    pub site: String,
    pub uri: String,
    pub title: Option<String>,
    pub parent_id: Option<String>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub text: String,
    pub notify: bool,
    /// The signed time-trap token (`screening::form_token`).
    pub form_token: String,
    pub errors: FieldErrors,
    /// Where "cancel reply" leads, keeping the page's own query.
    pub cancel_href: String,
    /// `embed` when the form should come back to the embeddable thread page.
    pub return_to: Option<String>,
    /// The embed's publication date, passed on with the comment.
    pub published: Option<String>,
}

const SHOWN_FIELDS: [&str; 4] = ["author_name", "author_email", "author_url", "text"];

impl FormView {
    pub fn fields(&self) -> Vec<FieldView> {
        let err = |n: &str| self.errors.get(n).map(|v| v.join("; "));
        vec![
            FieldView {
                name: "author_name",
                label: "Name",
                kind: "text",
                autocomplete: "name",
                required: true,
                max: NAME_MAX,
                value: self.author_name.clone(),
                error: err("author_name"),
            },
            FieldView {
                name: "author_email",
                label: "Email",
                kind: "email",
                autocomplete: "email",
                required: true,
                max: EMAIL_MAX,
                value: self.author_email.clone(),
                error: err("author_email"),
            },
            FieldView {
                name: "author_url",
                label: "Website",
                kind: "url",
                autocomplete: "url",
                required: false,
                max: URL_MAX,
                value: self.author_url.clone(),
                error: err("author_url"),
            },
            FieldView {
                name: "text",
                label: "Comment",
                kind: "text",
                autocomplete: "off",
                required: true,
                max: TEXT_MAX,
                value: self.text.clone(),
                error: err("text"),
            },
        ]
    }

    /// Errors about fields the form does not show as inputs (page, parent, site).
    pub fn other_errors(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(k, _)| !SHOWN_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k} {}", v.join("; ")))
            .collect()
    }
}

impl From<&CommentForm> for FormView {
    fn from(f: &CommentForm) -> Self {
        FormView {
            site: f.site.clone(),
            uri: f.uri.clone(),
            title: f.title.clone(),
            parent_id: f.parent_id.clone().filter(|p| !p.is_empty()),
            author_name: f.author_name.clone(),
            author_email: f.author_email.clone(),
            author_url: f.author_url.clone().unwrap_or_default(),
            text: f.text.clone(),
            notify: f.notify_replies.is_some(),
            form_token: f.form_token.clone().unwrap_or_default(),
            errors: FieldErrors::new(),
            cancel_href: "#respond".into(),
            return_to: f.return_to.clone().filter(|r| r == "embed" || r == "demo"),
            published: f.published.clone().filter(|p| !p.is_empty()),
        }
    }
}

#[derive(Template)]
#[template(path = "form_errors.html")]
struct FormErrorsPage<'a> {
    form: &'a FormView,
}

impl FormPage for CommentForm {
    /// The 422 page naming each bad field, with the form refilled. It keeps the token the
    /// form was first served with, so fixing a field does not restart the time trap.
    fn field_page(&self, state: &AppState, errors: FieldErrors) -> Response {
        let mut form = FormView::from(self);
        if form.form_token.trim().is_empty() {
            let (now, max_age) = (state.clock.now(), state.config.spam.form_token_max_age_secs);
            form.form_token = form_token::issue(&state.keys, &form.site, &form.uri, now, max_age);
        }
        form.errors = errors;
        html(
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrorsPage { form: &form }.render(),
        )
    }
}

impl CommentForm {
    /// The answer to a form whose comment the domain refused: the form again when the
    /// refusal names fields, an error page otherwise.
    pub fn refused(&self, state: &AppState, e: ApiError) -> Response {
        match e {
            ApiError::Validation(errors) => self.field_page(state, errors),
            e => Page(e).into_response(),
        }
    }

    /// Where an accepted form goes: back to the page it came from, marked with the outcome.
    pub fn accepted(&self, state: &AppState, s: &Submitted) -> Redirect {
        let public = state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        let to = match self.return_to.as_deref() {
            Some("embed") => back_to_embed_page(public, s),
            Some("demo") => back_to_page(public, s),
            _ => {
                let site = state.config.site(&s.site);
                back_to_page(&site.map(|c| c.home_origin()).unwrap_or_default(), s)
            }
        };
        Redirect::to(&to)
    }
}

/// The page the form came from, on the site's own origin, marked with the outcome.
fn back_to_page(origin: &str, s: &Submitted) -> String {
    let sep = if s.uri.contains('?') { '&' } else { '?' };
    match s.status {
        CommentStatus::Approved => {
            format!("{origin}{}{sep}replyd=published#comment-{}", s.uri, s.id)
        }
        _ => format!(
            "{origin}{}{sep}replyd=pending&replyd_comment={}#replyd",
            s.uri, s.id
        ),
    }
}

/// The no-JS thread page on this server (used when the form lives in an iframe).
fn back_to_embed_page(public: &str, s: &Submitted) -> String {
    let marker = if s.status == CommentStatus::Approved {
        "published"
    } else {
        "pending"
    };
    format!(
        "{public}/embed/thread?site={}&uri={}&replyd={marker}#replyd",
        urlencode(&s.site),
        urlencode(&s.uri)
    )
}
