//! The rate-limit check at the front door, for handlers and extractors: turns what a request
//! names (client address, author email, site, page) into the keys of `limits`, and a comment
//! refusal into `ApiError::RateLimited` (mapped to the 429 in `http::error`). It holds no
//! limiter and builds no connection: those live in `limits` and are wired by `app`.
use std::net::IpAddr;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::limits::{CommentKeys, RateLimited};
use crate::moderation::input::URI_MAX;

/// Checks a comment submission, before any validation, so that invalid floods are limited
/// too. `site` and `uri` are as sent: a site that is not configured and a page no site could
/// hold are not counted, so made-up names cannot grow the page and site tables.
pub async fn check_comment(
    state: &AppState,
    ip: Option<IpAddr>,
    email: &str,
    site: &str,
    uri: &str,
) -> Result<(), ApiError> {
    let keys = CommentKeys {
        ip,
        email,
        site: state.config.site(site).map(|s| s.id.as_str()),
        uri: Some(uri).filter(|u| !u.is_empty() && u.len() <= URI_MAX),
    };
    state
        .limits
        .check_comment(&keys)
        .await
        .map_err(ApiError::RateLimited)
}

/// Checks a moderator sign-in attempt. Unknown peers share one key rather than going
/// unlimited. The refusal is the caller's to map: the dashboard answers with its own page.
pub async fn check_login(state: &AppState, ip: Option<IpAddr>) -> Result<(), RateLimited> {
    let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state.limits.check_login(ip).await
}

/// Checks a privacy request (export or erase by email). Unknown peers share one key.
pub async fn check_privacy(state: &AppState, ip: Option<IpAddr>) -> Result<(), ApiError> {
    let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state
        .limits
        .check_privacy(ip)
        .await
        .map_err(ApiError::RateLimited)
}

/// Checks a reader's report of a comment. Unknown peers share one key.
pub async fn check_report(state: &AppState, ip: Option<IpAddr>) -> Result<(), ApiError> {
    let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state
        .limits
        .check_report(ip)
        .await
        .map_err(ApiError::RateLimited)
}
