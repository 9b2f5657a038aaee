//! The edge of every request, in two middlewares instead of ten tower layers (each a future
//! wrapper, several of which built something per request): `outer` gives the request its
//! id and span, and the response its id, security headers and shared-cache policy; `inner`
//! (inside CORS and compression, like the layers it replaces) refuses declared oversize
//! bodies, bounds the handler's time and records the request's metrics.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::metrics::Metrics;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const SAME_ORIGIN: HeaderValue = HeaderValue::from_static("same-origin");
const CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
);

/// Request ids: a random prefix chosen at start, so two processes' ids differ, and a
/// counter, so no two of one process's do. Nothing secret: an id only finds log lines.
#[derive(Clone, Debug)]
pub struct RequestIds {
    prefix: u64,
    next: Arc<AtomicU64>,
}

impl RequestIds {
    pub fn new() -> RequestIds {
        RequestIds {
            prefix: rand::random(),
            next: Arc::new(AtomicU64::new(0)),
        }
    }

    /// `PREFIX-COUNTER` in hex, 33 characters.
    fn issue(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut buf = [b'-'; 33];
        hex_into(&mut buf[..16], self.prefix);
        hex_into(&mut buf[17..], n);
        HeaderValue::from_bytes(&buf).unwrap_or(HeaderValue::from_static("-"))
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds::new()
    }
}

fn hex_into(out: &mut [u8], v: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in out.iter_mut().enumerate() {
        let shift = 60 - 4 * i;
        *b = DIGITS[usize::try_from((v >> shift) & 0xf).unwrap_or(0)];
    }
}

/// Outermost: the client's `x-request-id` (or a new one) on the request, its span around
/// the answer, and on the response the id, the security headers (unless a handler set its
/// own) and the shared-cache policy, which nothing after it can relax.
pub async fn outer(State(ids): State<RequestIds>, mut req: Request, next: Next) -> Response {
    let id = match req.headers().get(&REQUEST_ID) {
        Some(v) => v.clone(),
        None => {
            let v = ids.issue();
            req.headers_mut().insert(REQUEST_ID, v.clone());
            v
        }
    };
    // Every request's span carries its id, so whatever is logged while answering it (a
    // 5xx's cause, once, by `http::error`) can be found again from the `x-request-id` the
    // client saw. No query string: it may carry what a commenter typed.
    let span = tracing::info_span!(
        "request",
        id = id.to_str().unwrap_or("-"),
        method = %req.method(),
        path = req.uri().path()
    );
    let mut res = next.run(req).instrument(span).await;
    let h = res.headers_mut();
    h.entry(REQUEST_ID).or_insert(id);
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(NOSNIFF);
    h.entry(header::REFERRER_POLICY).or_insert(SAME_ORIGIN);
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(CSP);
    super::cacheable::enforce(&mut res);
    res
}

/// What `inner` needs: the metrics, the declared-body limit and the handler's time limit.
#[derive(Clone, Debug)]
pub struct Inner {
    pub metrics: Metrics,
    pub body_limit: usize,
    pub timeout: Duration,
}

/// Innermost: a declared oversize body is refused before a byte of it is read; the handler
/// gets `timeout` to answer (then 408, not recorded); its route, method, status class and
/// latency are recorded.
pub async fn inner(State(s): State<Inner>, req: Request, next: Next) -> Response {
    let req = match super::body_limit::check(req, s.body_limit) {
        Ok(req) => req,
        Err(refused) => return *refused,
    };
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let started = Instant::now();
    let Ok(res) = tokio::time::timeout(s.timeout, next.run(req)).await else {
        return StatusCode::REQUEST_TIMEOUT.into_response();
    };
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let seconds = started.elapsed().as_secs_f64();
    s.metrics
        .request(route, method.as_str(), res.status().as_u16(), seconds);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_differ_and_are_header_safe() {
        let ids = RequestIds::new();
        let (a, b) = (ids.issue(), ids.issue());
        assert_ne!(a, b);
        assert_eq!(a.len(), 33);
        assert!(
            a.to_str()
                .is_ok_and(|s| s.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()))
        );
    }
}
