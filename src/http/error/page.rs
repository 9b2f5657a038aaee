//! Errors as HTML pages, for the surfaces people read in a browser: the no-JS form and the
//! pages behind mail links. The status and message come from the same table as the JSON
//! answers (`ApiError`); only the wrapping differs.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::{ApiError, rate_limit_headers};

/// An error shown as a plain HTML page.
#[derive(Debug)]
pub struct Page(pub ApiError);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: String,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log_if_internal();
        let heading = match e.status() {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::PAYLOAD_TOO_LARGE => "Comment too large",
            StatusCode::TOO_MANY_REQUESTS => "Please slow down",
            StatusCode::CONFLICT => "You already posted this comment",
            s if s.is_server_error() => "Something went wrong",
            _ => "Your comment could not be posted",
        };
        let page = ErrorPage {
            heading,
            message: e.message(),
        };
        let mut res = html(e.status(), page.render());
        if let ApiError::RateLimited(r) = &e {
            res.headers_mut().extend(rate_limit_headers(r));
        }
        res
    }
}

/// A rendered page as a response that no cache keeps. A template that fails to render is
/// a 500, logged once.
pub fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
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
