//! Errors as HTML pages, for the surfaces people read in a browser: the public pages (the
//! no-JS form, the pages behind mail links) and the dashboard. Status, headers and the cause
//! log are the same as the JSON answer's; only the words and the wrapping differ.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::http::render::{Chrome, html, render};

/// An error shown as a plain public page.
#[derive(Debug)]
pub struct Page(pub ApiError);

/// An error shown as a dashboard page.
#[derive(Debug)]
pub struct AdminPage(pub ApiError);

/// An error shown as a public page with a link back to where the visitor came from, and
/// each bad field named by the label its form shows (the WordPress form's answers).
#[derive(Debug)]
pub struct PageBack {
    pub error: ApiError,
    /// Where the "Back" link leads: the page the form was on.
    pub back: String,
    /// One line per bad field, e.g. `Email: must be a valid email address`.
    pub fields: Vec<String>,
}

impl<E: Into<ApiError>> From<E> for AdminPage {
    fn from(e: E) -> Self {
        AdminPage(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct PublicError<'a> {
    heading: &'a str,
    message: String,
    fields: &'a [String],
    back: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct DashboardError<'a> {
    chrome: Chrome,
    heading: &'a str,
    message: String,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        public_page(&self.0, &[], None)
    }
}

impl IntoResponse for PageBack {
    fn into_response(self) -> Response {
        public_page(&self.error, &self.fields, Some(&self.back))
    }
}

fn public_page(e: &ApiError, fields: &[String], back: Option<&str>) -> Response {
    e.log_if_internal();
    let heading = match e {
        ApiError::LinkExpired | ApiError::LinkInvalid | ApiError::LinkTampered => "Link not valid",
        ApiError::CommentsClosed => "Comments are closed",
        _ => match e.status() {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::PAYLOAD_TOO_LARGE => "Comment too large",
            StatusCode::TOO_MANY_REQUESTS => "Please slow down",
            StatusCode::CONFLICT => "You already posted this comment",
            s if s.is_server_error() => "Something went wrong",
            _ => "Your comment could not be posted",
        },
    };
    let message = match e {
        ApiError::Validation(_) if !fields.is_empty() => {
            "Please fill the required fields, and check what is said beside each.".into()
        }
        _ => e.message(),
    };
    let page = PublicError {
        heading,
        message,
        fields,
        back,
    };
    let mut res = html(e.status(), page.render());
    e.headers(&mut res);
    res
}

impl IntoResponse for AdminPage {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log_if_internal();
        let (heading, message) = dashboard_text(&e);
        let page = DashboardError {
            chrome: Chrome::bare(),
            heading,
            message,
        };
        let mut res = render(e.status(), &page);
        e.headers(&mut res);
        res
    }
}

/// How the dashboard words an error: for moderators, not commenters.
fn dashboard_text(e: &ApiError) -> (&'static str, String) {
    let said = |s: &str| s.to_owned();
    match e {
        ApiError::Csrf => (
            "Form expired",
            said(
                "This form's security token is missing or out of date. Go back, reload the \
                 page and try again.",
            ),
        ),
        ApiError::Forbidden => ("Admins only", said("Only admins can see or change this.")),
        ApiError::NotFound | ApiError::NoRoute => ("Not found", said("There is nothing here.")),
        ApiError::Gone => ("Deleted", said("That comment was deleted.")),
        ApiError::Invalid(why) => ("Please check your input", why.clone()),
        ApiError::Validation(fields) => ("Please check your input", sentence(fields)),
        ApiError::UnknownSite => ("Please check your input", said("Unknown site.")),
        ApiError::Duplicate => (
            "Please check your input",
            said("The same comment was already posted there."),
        ),
        ApiError::RateLimited(_) => (
            "Too many attempts",
            said("Too many login attempts from your address. Wait a minute and try again."),
        ),
        ApiError::LinkExpired => (
            "This link has expired",
            said(
                "Moderation links in mails work for a limited time. Open the dashboard to \
                 moderate this comment.",
            ),
        ),
        ApiError::LinkTampered | ApiError::LinkInvalid => (
            "This link is not valid",
            said(
                "The link is incomplete or was changed. Copy the whole link from the mail, or \
                 open the dashboard.",
            ),
        ),
        ApiError::Internal(_) => (
            "Something went wrong",
            said("Something went wrong on our side."),
        ),
        other => ("Something is wrong with this request", other.message()),
    }
}

/// Field messages as one sentence: `text: is required. reason: too long`.
fn sentence(fields: &crate::moderation::FieldErrors) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.join("; ")))
        .collect::<Vec<_>>()
        .join(". ")
}
