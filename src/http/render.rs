//! Turning templates into responses, for every server-rendered page: the public pages (never
//! stored by any cache) and the dashboard's, with the chrome every dashboard page shows
//! around its content. A leaf: errors and surfaces use it, it uses neither.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::assets;

/// What every dashboard page shows around its content.
pub struct Chrome {
    /// The signed-in moderator's name, if any.
    pub me: Option<String>,
    pub is_admin: bool,
    /// The CSRF token for this session's forms (or the anonymous form token).
    pub csrf: String,
    /// Which navigation entry is current: queue, audit or moderators.
    pub nav: &'static str,
    pub css: &'static str,
    pub js: &'static str,
}

impl Chrome {
    /// The chrome of a page for nobody in particular.
    pub fn bare() -> Chrome {
        Chrome {
            me: None,
            is_admin: false,
            csrf: String::new(),
            nav: "",
            css: assets::CSS_VERSION,
            js: assets::JS_VERSION,
        }
    }

    /// The chrome of an anonymous form page, with its double-submit token.
    pub fn anonymous(csrf: String) -> Chrome {
        Chrome {
            csrf,
            ..Chrome::bare()
        }
    }
}

/// A public page. No cache keeps it.
pub fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    let mut res = page(status, rendered);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A dashboard page (its router adds the private cache policy).
pub fn render<T: Template>(status: StatusCode, page_: &T) -> Response {
    page(status, page_.render())
}

/// A template that fails to render is a bug: logged once, answered with a bare 500 that
/// shows nothing of it.
fn page(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}
