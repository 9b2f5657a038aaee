//! The embeddable widget: its script and styles, the comment-count script, and the
//! no-JavaScript thread page that works directly, in an iframe, or server-side included,
//! the demo page and the no-JS form. Reads go through `moderation`; nothing here writes.
pub mod demo;
pub mod form;
pub mod thread;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::error::{Page, html};
use super::{AppState, urlencode};
use form::FormView;
use thread::{Placement, ThreadQuery, ThreadView};

const EMBED_JS: &str = include_str!("assets/embed.js");
const EMBED_CSS: &str = include_str!("assets/embed.css");
const COUNT_JS: &str = include_str!("assets/count.js");

/// One static asset with its validator.
struct Asset {
    body: String,
    etag: String,
    content_type: &'static str,
    cache: &'static str,
}

impl Asset {
    fn new(body: String, content_type: &'static str, cache: &'static str) -> Asset {
        let etag = format!(
            "\"{}\"",
            &hex::encode(Sha256::digest(body.as_bytes()))[..16]
        );
        Asset {
            body,
            etag,
            content_type,
            cache,
        }
    }

    fn respond(&self, headers: &HeaderMap) -> Response {
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == self.etag));
        let mut res = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            self.body.clone().into_response()
        };
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache));
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            h.insert(header::ETAG, v);
        }
        res
    }
}

/// The CSS is immutable behind a content-versioned URL; the scripts keep stable URLs
/// (they are what site owners paste) and revalidate with their ETag.
pub fn router() -> Router<AppState> {
    let css_version = &hex::encode(Sha256::digest(EMBED_CSS.as_bytes()))[..12];
    let js = Arc::new(Asset::new(
        EMBED_JS.replace("__CSS_VERSION__", css_version),
        "text/javascript; charset=utf-8",
        "public, max-age=3600, stale-while-revalidate=86400",
    ));
    let css = Arc::new(Asset::new(
        EMBED_CSS.to_owned(),
        "text/css; charset=utf-8",
        "public, max-age=31536000, immutable",
    ));
    let count = Arc::new(Asset::new(
        COUNT_JS.to_owned(),
        "text/javascript; charset=utf-8",
        "public, max-age=3600, stale-while-revalidate=86400",
    ));
    Router::new()
        .route(
            "/embed.js",
            get(move |h: HeaderMap| async move { js.respond(&h) }),
        )
        .route(
            "/embed.css",
            get(move |h: HeaderMap| async move { css.respond(&h) }),
        )
        .route(
            "/count.js",
            get(move |h: HeaderMap| async move { count.respond(&h) }),
        )
        .route("/embed/thread", get(thread_page))
}

#[derive(Template)]
#[template(path = "embed_thread.html")]
struct EmbedThreadPage {
    thread: ThreadView,
    form: FormView,
}

/// `GET /embed/thread?site=S&uri=U`: the thread and the form as plain HTML.
async fn thread_page(State(state): State<AppState>, Query(q): Query<ThreadQuery>) -> Response {
    let (Some(site_id), Some(uri)) = (q.site.clone(), q.uri.clone()) else {
        return Page(ApiError::Validation(
            [("site".to_owned(), vec!["and uri are required".to_owned()])].into(),
        ))
        .into_response();
    };
    let Some(site) = state.config.site(&site_id) else {
        return Page(ApiError::UnknownSite).into_response();
    };
    if let Err(m) = crate::moderation::input::PageUri::parse(&uri) {
        return Page(ApiError::Validation([("uri".to_owned(), vec![m])].into())).into_response();
    }
    let base = format!(
        "/embed/thread?site={}&uri={}&",
        urlencode(&site_id),
        urlencode(&uri)
    );
    let place = Placement {
        site: &site.id,
        uri: &uri,
        reply_base: base,
        return_to: Some("embed".into()),
    };
    let (thread, form) = match ThreadView::load(&state, &place, &q).await {
        Ok(v) => v,
        Err(e) => return Page(e).into_response(),
    };
    let mut res = html(StatusCode::OK, EmbedThreadPage { thread, form }.render());
    // The site's own pages may frame this page; nobody else may.
    let ancestors: Vec<String> = site
        .origins
        .iter()
        .map(|o| o.origin().ascii_serialization())
        .collect();
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors {}",
        ancestors.join(" ")
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}
