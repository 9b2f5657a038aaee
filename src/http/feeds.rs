//! Atom 1.0 feeds of approved comments: `GET /feeds/{site}/comments.atom` for a whole site
//! and `GET /feeds/{site}/thread.atom?uri=/page` for one page. Newest first, with the
//! author's name, a permalink and the comment's sanitised HTML; never an email address.
//! Public reads like the thread: the same bytes for everyone, shared caches may keep them.
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::error::ApiError;
use super::{AppState, cacheable, urlencode};
use crate::config::SiteConfig;
use crate::moderation::FeedItems;
use crate::moderation::input::PageUri;

/// Entries per feed.
const ENTRIES: u64 = 50;
const ATOM: &str = "application/atom+xml; charset=utf-8";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feeds/{site}/comments.atom", get(site_feed))
        .route("/feeds/{site}/thread.atom", get(thread_feed))
}

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    pub uri: Option<String>,
}

/// Where a page's feed is, for links to it.
pub fn thread_feed_href(public_url: &url::Url, site: &str, uri: &str) -> String {
    format!(
        "{}/feeds/{}/thread.atom?uri={}",
        public_url.as_str().trim_end_matches('/'),
        urlencode(site),
        urlencode(uri)
    )
}

async fn site_feed(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cfg = state.config.site(&site).ok_or(ApiError::UnknownSite)?;
    let items = state.moderation.feed(&cfg.id, None, ENTRIES).await?;
    let self_href = format!(
        "{}/feeds/{}/comments.atom",
        state
            .config
            .server
            .public_url
            .as_str()
            .trim_end_matches('/'),
        urlencode(&cfg.id)
    );
    let title = format!("Comments on {}", cfg.name);
    Ok(respond(&state, &headers, cfg, &title, &self_href, &items))
}

async fn thread_feed(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(q): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cfg = state.config.site(&site).ok_or(ApiError::UnknownSite)?;
    let uri = q.uri.unwrap_or_default();
    if let Err(m) = PageUri::parse(&uri) {
        return Err(ApiError::Validation([("uri".to_owned(), vec![m])].into()));
    }
    let items = state.moderation.feed(&cfg.id, Some(&uri), ENTRIES).await?;
    let self_href = thread_feed_href(&state.config.server.public_url, &cfg.id, &uri);
    let page = items.title.clone().unwrap_or_else(|| uri.clone());
    let title = format!("Comments on {page} ({})", cfg.name);
    Ok(respond(&state, &headers, cfg, &title, &self_href, &items))
}

fn respond(
    state: &AppState,
    headers: &HeaderMap,
    site: &SiteConfig,
    title: &str,
    self_href: &str,
    items: &FeedItems,
) -> Response {
    let body = atom(site, title, self_href, items).into_bytes();
    let etag = cacheable::etag_of(&body);
    cacheable::public(headers, &state.config.cache, ATOM, body.into(), &etag)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The feed document. Its `updated` is the newest entry's, so an unchanged feed is the same
/// bytes whenever it is built.
fn atom(site: &SiteConfig, title: &str, self_href: &str, feed: &FeedItems) -> String {
    let origin = site
        .origins
        .first()
        .map(|o| o.origin().ascii_serialization())
        .unwrap_or_default();
    let updated = feed
        .items
        .iter()
        .map(|(c, _)| c.updated_at.max(c.created_at))
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut out = String::with_capacity(1024 + feed.items.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_el(&mut out, "id", self_href);
    push_el(&mut out, "title", title);
    push_el(&mut out, "updated", &time(updated));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        esc(self_href)
    ));
    out.push_str("<generator>replyd</generator>\n");
    for (c, p) in &feed.items {
        let link = format!("{origin}{}#comment-{}", p.uri, c.id);
        let page = p.title.as_deref().unwrap_or(&p.uri);
        out.push_str("<entry>\n");
        push_el(&mut out, "id", &link);
        push_el(&mut out, "title", &format!("{} on {page}", c.author_name));
        push_el(&mut out, "published", &time(c.created_at));
        push_el(&mut out, "updated", &time(c.updated_at.max(c.created_at)));
        out.push_str("<author>");
        push_el(&mut out, "name", &c.author_name);
        out.push_str("</author>\n");
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            esc(&link)
        ));
        out.push_str("<content type=\"html\">");
        out.push_str(&esc(&c.html));
        out.push_str("</content>\n</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn push_el(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&esc(text));
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// XML text and attribute escaping; characters XML 1.0 forbids are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
