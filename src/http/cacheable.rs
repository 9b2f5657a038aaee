//! What shared caches may keep. Public reads (threads, counts, feeds) are the same bytes for
//! every visitor and answer `public` with a strong validator; everything else, and anything
//! that sets a cookie or reports an error (which may echo what was sent), is
//! `private, no-store`, whatever the handler said.
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::config::CacheConfig;

const PRIVATE: &str = "private, no-store";

/// A strong entity tag for `body`.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..12]))
}

/// The `Cache-Control` value of public reads.
pub fn public_policy(cfg: &CacheConfig) -> String {
    format!(
        "public, max-age={}, stale-while-revalidate={}",
        cfg.public_max_age_secs, cfg.stale_while_revalidate_secs
    )
}

/// A public read: `body` with its strong `etag` (quoted), or 304 when the client's copy
/// matches.
pub fn public(
    headers: &HeaderMap,
    cfg: &CacheConfig,
    content_type: &'static str,
    body: axum::body::Bytes,
    etag: &str,
) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == etag || t == "*" || t.strip_prefix("W/") == Some(etag))
        });
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&public_policy(cfg)) {
        h.insert(header::CACHE_CONTROL, v);
    }
    res
}

/// Makes every answer that is not explicitly public, every error and every cookie
/// `private, no-store`. Runs outermost (`edge::outer`), so nothing after it can relax the
/// policy.
pub fn enforce(res: &mut Response) {
    let status = res.status();
    let h = res.headers_mut();
    let cookie = h.contains_key(header::SET_COOKIE);
    let current = h
        .get(header::CACHE_CONTROL)
        .map_or(&[][..], HeaderValue::as_bytes);
    let has = |word: &[u8]| {
        current
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    let already_private = has(b"no-store") && has(b"private");
    let must_be_private =
        cookie || status.is_client_error() || status.is_server_error() || current.is_empty();
    if must_be_private && !already_private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
    }
}
