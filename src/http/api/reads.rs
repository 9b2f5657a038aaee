//! Public reads: a page's published thread (cached, revalidated with ETags) and comment
//! counts for many pages at once.
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::views::{CountsResponse, PublicComment, ThreadBody, ThreadResponse};
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::moderation::input::PageUri;
use crate::moderation::screening::form_token;
use crate::moderation::thread_cache::{Cached, Lookup};
use crate::moderation::{FieldErrors, ModerationError};

const MAX_COUNT_URIS: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// Site id.
    pub site: Option<String>,
    /// Page path.
    pub uri: Option<String>,
    /// Comments to skip (oldest first), at most 1000000.
    pub offset: Option<u64>,
    /// At most this many comments (1-500, default 200).
    pub limit: Option<u64>,
}

/// The approved comments of one page, oldest first.
#[utoipa::path(
    get, path = "/api/v1/comments", tag = "comments", params(ThreadQuery),
    responses(
        (status = 200, description = "The thread; `ETag` lets clients revalidate", body = ThreadResponse),
        (status = 304, description = "Not modified since the `If-None-Match` tag"),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 404, description = "Unknown site", body = ErrorBody),
        (status = 422, description = "Missing or invalid parameters", body = ErrorBody),
    )
)]
pub async fn thread(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ThreadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let (site, uri) = site_and_uri(q.site.as_deref(), q.uri.as_deref())?;
    // Everything is checked before the cache is touched: only reads that can succeed
    // may ever be stored.
    if state.config.site(site).is_none() {
        return Err(ModerationError::UnknownSite.into());
    }
    PageUri::parse(uri).map_err(|e| field_error("uri", &e))?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(field_error("limit", "must be between 1 and 500"));
    }
    let offset = super::paging::offset(q.offset)?;
    let now = state.clock.now();
    let cache = state.moderation.threads();
    let cached = match cache.lookup(site, uri, (offset, limit), now) {
        Lookup::Hit(c) => {
            state.metrics.cache_hit();
            c
        }
        Lookup::Miss(generation) => {
            state.metrics.cache_miss();
            let t = state.moderation.thread(site, uri, offset, limit).await?;
            let comments: Vec<PublicComment> = t.comments.iter().map(PublicComment::from).collect();
            let body = ThreadBody {
                comments: &comments,
                total: t.total,
                offset,
                limit,
            };
            let json = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.into()))?;
            let c = Arc::new(Cached::new(json, now));
            cache.store(site, uri, (offset, limit), generation, c.clone());
            c
        }
    };
    let max_age = state.config.spam.form_token_max_age_secs;
    let token = form_token::issue(&state.keys, site, uri, now, max_age);
    Ok(cached_thread_response(&headers, &cached, &token))
}

/// The cached body with this request's form token spliced in, or 304 when the client's
/// copy is current. The tag is weak: bodies differ only by the token.
fn cached_thread_response(headers: &HeaderMap, cached: &Cached, token: &str) -> Response {
    let etag = format!("W/\"{}\"", cached.etag);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // The cached JSON object ends in `}`: reopen it for the token.
        let body = &cached.body;
        let mut out = Vec::with_capacity(body.len() + token.len() + 20);
        out.extend_from_slice(&body[..body.len().saturating_sub(1)]);
        out.extend_from_slice(b",\"form_token\":\"");
        out.extend_from_slice(token.as_bytes());
        out.extend_from_slice(b"\"}");
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            out,
        )
            .into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

fn site_and_uri<'a>(
    site: Option<&'a str>,
    uri: Option<&'a str>,
) -> Result<(&'a str, &'a str), ApiError> {
    let mut fields = FieldErrors::new();
    let site = site.filter(|s| !s.is_empty());
    let uri = uri.filter(|s| !s.is_empty());
    if site.is_none() {
        fields.insert("site".into(), vec!["is required".into()]);
    }
    if uri.is_none() {
        fields.insert("uri".into(), vec!["is required".into()]);
    }
    match (site, uri) {
        (Some(s), Some(u)) => Ok((s, u)),
        _ => Err(ApiError::Validation(fields)),
    }
}

fn field_error(field: &str, msg: &str) -> ApiError {
    ApiError::Validation(FieldErrors::from([(
        field.to_owned(),
        vec![msg.to_owned()],
    )]))
}

/// Published-comment counts for many pages of one site in one request.
#[utoipa::path(
    get, path = "/api/v1/counts", tag = "comments",
    params(
        ("site" = String, Query, description = "Site id"),
        ("uri" = Vec<String>, Query, description = "Page paths, repeated; at most 100, repeats included"),
    ),
    responses(
        (status = 200, body = CountsResponse),
        (status = 404, description = "Unknown site", body = ErrorBody),
        (status = 422, description = "Missing or too many parameters", body = ErrorBody),
    )
)]
pub async fn counts(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CountsResponse>, ApiError> {
    let mut site = None;
    let mut uris: Vec<String> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "site" => site = Some(v.into_owned()),
            // Capped as sent, before de-duplication, so the work stays bounded.
            "uri" if uris.len() == MAX_COUNT_URIS => {
                return Err(field_error("uri", "at most 100 uris per request"));
            }
            "uri" => uris.push(v.into_owned()),
            _ => {}
        }
    }
    let site = site
        .filter(|s| !s.is_empty())
        .ok_or_else(|| field_error("site", "is required"))?;
    if uris.is_empty() {
        return Err(field_error("uri", "at least one uri is required"));
    }
    let mut seen = std::collections::HashSet::new();
    uris.retain(|u| seen.insert(u.clone()));
    Ok(Json(CountsResponse(
        state.moderation.counts(&site, &uris).await?,
    )))
}
