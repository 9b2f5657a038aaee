//! Server-rendered HTML: the demo page at `/` and the no-JS form's answers.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::api::request::CommentForm;
use super::api::views::PublicComment;
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

pub struct CommentView {
    pub id: i64,
    pub depth: usize,
    pub author_name: String,
    pub author_url: Option<String>,
    pub avatar: String,
    pub html: String,
    pub created_at: String,
    pub created_at_text: String,
    pub by_moderator: bool,
    pub deleted: bool,
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    site_name: String,
    public_url: String,
    total: u64,
    notice: String,
    comments: Vec<CommentView>,
    form: FormView,
}

fn html_response(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
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
        form.form_token = form_token::issue(&state.keys, &form.site, &form.uri, state.clock.now());
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

#[derive(Debug, Deserialize)]
pub struct DemoQuery {
    replyd: Option<String>,
    replyto: Option<String>,
}

/// The demo page: a stand-in blog post with the thread and the no-JS form.
pub async fn demo(State(state): State<AppState>, Query(q): Query<DemoQuery>) -> Response {
    let Some(site) = state.config.sites.first() else {
        return error_page(&ApiError::NotFound);
    };
    let thread = match state.moderation.thread(&site.id, "/", 0, 500).await {
        Ok(t) => t,
        Err(e) => return error_page(&e.into()),
    };
    let depth_of = |parent: Option<i64>| {
        let mut depth = 0;
        let mut cur = parent;
        while let Some(p) = cur {
            depth += 1;
            cur = thread
                .comments
                .iter()
                .find(|c| c.id == p)
                .and_then(|c| c.parent_id);
            if depth >= 3 {
                break;
            }
        }
        depth
    };
    let comments = thread
        .comments
        .iter()
        .map(|c| {
            let p = PublicComment::from(c);
            CommentView {
                id: c.id,
                depth: depth_of(c.parent_id),
                author_name: p.author_name.unwrap_or_default(),
                author_url: p.author_url,
                avatar: p.avatar,
                html: p.html,
                created_at: p.created_at,
                created_at_text: c.created_at.format("%B %-d, %Y at %H:%M UTC").to_string(),
                by_moderator: c.by_moderator,
                deleted: c.deleted,
            }
        })
        .collect();
    let page = DemoPage {
        site_name: site.name.clone(),
        public_url: state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        total: thread.total,
        notice: q.replyd.unwrap_or_default(),
        comments,
        form: FormView {
            site: site.id.clone(),
            uri: "/".into(),
            parent_id: q.replyto.filter(|r| r.parse::<i64>().is_ok()),
            form_token: form_token::issue(&state.keys, &site.id, "/", state.clock.now()),
            ..FormView::default()
        },
    };
    html_response(StatusCode::OK, page.render())
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
