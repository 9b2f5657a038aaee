//! The rate-limit check at the front door, for handlers and extractors: turns what a request
//! names (client address, author email, site, page) into the keys of `limits`, and a comment
//! refusal into `ApiError::RateLimited` (mapped to the 429 in `http::error`). It holds no
//! limiter and builds no connection: those live in `limits` and are wired by `app`.
use std::net::IpAddr;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::limits::{CommentKeys, RateLimited};
use crate::moderation::NewComment;
use crate::moderation::input::URI_MAX;
use crate::moderation::screening::may_spend_shared_quota;

/// Checks a comment submission that passed field validation. Its address and email are
/// always counted; its page and site (quotas everybody shares) only when it also passed the
/// cheap spam checks (`screening::may_spend_shared_quota`), so a flood of bot posts from
/// many addresses cannot lock real commenters out of a page or a site.
pub async fn check_comment(state: &AppState, new: &NewComment) -> Result<(), ApiError> {
    let now = state.clock.now();
    let shared = may_spend_shared_quota(new, &state.keys, &state.config.spam, now);
    let uri = new.uri.as_str();
    let keys = CommentKeys {
        ip: new.client.ip,
        email: new.author_email.as_str(),
        site: Some(new.site.id.as_str()).filter(|_| shared),
        uri: Some(uri).filter(|u| shared && !u.is_empty() && u.len() <= URI_MAX),
    };
    state
        .limits
        .check_comment(&keys)
        .await
        .map_err(ApiError::RateLimited)
}

/// Checks an author's edit of their own comment: it spends its address's comment quota
/// like a new comment, so edits cannot be used to post without limit.
pub async fn check_edit(state: &AppState, ip: Option<IpAddr>) -> Result<(), ApiError> {
    let keys = CommentKeys {
        ip,
        ..CommentKeys::default()
    };
    state
        .limits
        .check_comment(&keys)
        .await
        .map_err(ApiError::RateLimited)
}

/// Checks a moderator sign-in attempt for the account `email`. Unknown peers share one key
/// rather than going unlimited. The refusal is the caller's to map: the dashboard answers
/// with its own page.
pub async fn check_login(
    state: &AppState,
    ip: Option<IpAddr>,
    email: &str,
) -> Result<(), RateLimited> {
    let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state.limits.check_login(ip, email).await
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
