//! Refuses a request whose declared `Content-Length` is over `server.body_limit_bytes` at
//! once, before a byte of its body is read, so a slow sender of a huge body gets its 413
//! in milliseconds rather than holding the connection. Bodies without a declared length are
//! still cut at the limit as they are read (`DefaultBodyLimit`).
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, Page};
use crate::http::extract::is_form;

/// `req` itself, or the 413 for it when its declared length is over `limit` (what the
/// client sends of the body meanwhile is read and dropped, up to a bound). Boxed: rare.
pub fn check(req: Request, limit: usize) -> Result<Request, Box<Response>> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        let form = is_form(req.headers());
        // A client that sends its whole body before reading sees the answer rather than a
        // reset: what arrives in the next moment is read and dropped, up to a bound.
        let body = req.into_body();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(DRAIN_FOR, axum::body::to_bytes(body, DRAIN_MAX)).await;
        });
        if form {
            return Err(Box::new(Page(ApiError::PayloadTooLarge).into_response()));
        }
        return Err(Box::new(ApiError::PayloadTooLarge.into_response()));
    }
    Ok(req)
}

/// How long, and how much, of a refused body is read and dropped.
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(1);
const DRAIN_MAX: usize = 1 << 20;
