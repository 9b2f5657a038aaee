//! Rendering dashboard pages: the shared page chrome (who is signed in, the CSRF token,
//! versioned asset links) and turning a template into a response.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::assets;
use super::auth::SignedIn;

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

    pub fn anonymous(csrf: String) -> Chrome {
        Chrome {
            csrf,
            ..Chrome::bare()
        }
    }

    pub fn signed_in(user: &SignedIn, nav: &'static str) -> Chrome {
        Chrome {
            me: Some(user.moderator().name.clone()),
            is_admin: user.acting().is_admin(),
            csrf: user.csrf.clone(),
            nav,
            ..Chrome::bare()
        }
    }
}

pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "admin template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}
