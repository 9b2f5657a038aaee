//! The demo page at `/`: a stand-in blog post with the real widget. The server-rendered
//! thread and form sit inside the widget's container, so the page works with JavaScript
//! off too.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::form::FormView;
use super::thread::{Placement, ThreadQuery, ThreadView};
use crate::http::AppState;
use crate::http::error::{ApiError, Page, html};

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    site_id: String,
    site_name: String,
    public_url: String,
    thread: ThreadView,
    form: FormView,
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

pub async fn demo(State(state): State<AppState>, Query(q): Query<ThreadQuery>) -> Response {
    let Some(site) = state.config.sites.first() else {
        return Page(ApiError::NotFound).into_response();
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
        Err(e) => return Page(e).into_response(),
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
    let mut res = html(StatusCode::OK, page.render());
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    res
}

pub async fn page_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../templates/page.css"),
    )
}
