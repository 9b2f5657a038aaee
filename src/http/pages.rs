//! Server-rendered HTML: the demo page at `/` and the no-JS form's answers.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use super::api::request::CommentForm;
use super::embed::thread::{Placement, ThreadQuery, ThreadView};
use super::error::ApiError;
use crate::abuse::form_token;
use crate::moderation::FieldErrors;
use crate::moderation::input::{EMAIL_MAX, NAME_MAX, TEXT_MAX, URL_MAX};

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
    /// The signed time-trap token (`abuse::form_token`).
    pub form_token: String,
    pub errors: FieldErrors,
    /// Where "cancel reply" leads, keeping the page's own query.
    pub cancel_href: String,
    /// `embed` when the form should come back to the embeddable thread page.
    pub return_to: Option<String>,
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
        }
    }
}

#[derive(Template)]
#[template(path = "form_errors.html")]
struct FormErrorsPage<'a> {
    form: &'a FormView,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    heading: String,
    message: String,
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    site_id: String,
    site_name: String,
    public_url: String,
    thread: ThreadView,
    form: FormView,
}

pub fn html_response(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => {
            let mut res = (status, Html(body)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => ApiError::Internal(e.into()).into_response(),
    }
}

/// 422 page naming each bad field, with the form refilled. It keeps the token the form was
/// first served with, so fixing a field does not restart the time trap.
pub fn form_with_errors(state: &AppState, typed: &CommentForm, errors: FieldErrors) -> Response {
    let mut form = FormView::from(typed);
    if form.form_token.trim().is_empty() {
        let (now, max_age) = (state.clock.now(), state.config.spam.form_token_max_age_secs);
        form.form_token = form_token::issue(&state.keys, &form.site, &form.uri, now, max_age);
    }
    form.errors = errors;
    html_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        FormErrorsPage { form: &form }.render(),
    )
}

/// An error as an HTML page, for the no-JS path.
pub fn error_page(e: &ApiError) -> Response {
    if let ApiError::Internal(cause) = e {
        tracing::error!(error = format!("{cause:#}"), "internal error");
    }
    let heading = match e.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::PAYLOAD_TOO_LARGE => "Comment too large",
        StatusCode::TOO_MANY_REQUESTS => "Please slow down",
        StatusCode::CONFLICT => "You already posted this comment",
        s if s.is_server_error() => "Something went wrong",
        _ => "Your comment could not be posted",
    };
    let mut res = html_response(
        e.status(),
        ErrorPage {
            heading: heading.into(),
            message: e.message(),
        }
        .render(),
    );
    if let ApiError::RateLimited(r) = e {
        res.headers_mut().extend(r.headers());
    }
    res
}

/// The demo page: a stand-in blog post with the real widget. The server-rendered thread and
/// form sit inside the widget's container, so the page works with JavaScript off too.
pub async fn demo(State(state): State<AppState>, Query(q): Query<ThreadQuery>) -> Response {
    let Some(site) = state.config.sites.first() else {
        return error_page(&ApiError::NotFound);
    };
    let place = Placement {
        site: &site.id,
        uri: "/",
        reply_base: "/?".into(),
        // The demo lives on this server, not on the site's origin: come back here.
        return_to: Some("demo".into()),
    };
    let (thread, form) = match ThreadView::load(&state, &place, &q).await {
        Ok(t) => t,
        Err(e) => return error_page(&e),
    };
    let page = DemoPage {
        site_id: site.id.clone(),
        site_name: site.name.clone(),
        public_url: state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        thread,
        form,
    };
    let mut res = html_response(StatusCode::OK, page.render());
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
    );
    res
}

pub async fn page_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("templates/page.css"),
    )
}
