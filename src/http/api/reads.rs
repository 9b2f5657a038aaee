//! Public reads: a page's published thread (cached, revalidated with ETags), comment
//! counts for many pages at once, both cacheable by shared caches, and the per-visitor form
//! token that is kept out of them.
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::views::{CountsResponse, FormTokenResponse, PublicComment, ThreadBody, ThreadResponse};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::{AppState, cacheable};
use crate::moderation::closing::parse_published;
use crate::moderation::input::PageUri;
use crate::moderation::screening::form_token;
use crate::moderation::thread_cache::{Cached, Lookup, Variant};
use crate::moderation::{FieldErrors, ModerationError, ThreadView};

const MAX_COUNT_URIS: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// Site id.
    #[param(value_type = String, min_length = 1, max_length = 64)]
    pub site: Option<String>,
    /// Page path.
    #[param(
        value_type = String,
        min_length = 1,
        max_length = 2000,
        pattern = "^/([^/\\s\\\\#\\x00-\\x1f\\x7f-\\x9f][^\\s\\\\#\\x00-\\x1f\\x7f-\\x9f]*)?$"
    )]
    pub uri: Option<String>,
    /// Comments to skip (oldest first), at most 1000000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u64>,
    /// At most this many comments (1-500, default 200).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// oldest (default) | newest; pinned comments come first in either.
    #[param(pattern = "^(|oldest|newest)$")]
    pub order: Option<String>,
    /// The page's publication date (the embed's `data-published`), a date or an RFC 3339
    /// time: a page with none recorded closes `close_after_days` after it.
    pub published: Option<String>,
}

/// The approved comments of one page: pinned first, then oldest (or newest) first.
#[utoipa::path(
    get, path = "/api/v1/comments", tag = "comments", params(ThreadQuery),
    responses(
        (status = 200, description = "The thread, the same bytes for every visitor: shared caches may keep it (`Cache-Control: public`); its strong `ETag` lets clients revalidate", body = ThreadResponse),
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
    let view = thread_view(&q, limit)?;
    let variant = Variant {
        offset: view.offset,
        limit,
        newest_first: view.newest_first,
        published: view.published.map(|t| t.timestamp()),
    };
    let now = state.clock.now();
    let cache = state.moderation.threads();
    let cached = match cache.lookup(site, uri, variant, now) {
        Lookup::Hit(c) => {
            state.metrics.cache_hit();
            c
        }
        Lookup::Miss(generation) => {
            state.metrics.cache_miss();
            let t = state.moderation.thread(site, uri, view).await?;
            let comments: Vec<PublicComment> = t.comments.iter().map(PublicComment::from).collect();
            let body = ThreadBody {
                comments: &comments,
                total: t.total,
                offset: view.offset,
                limit,
                closed: t.closed,
            };
            let json = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.into()))?;
            let c = Arc::new(Cached::new(json, now).until(t.closes_at));
            cache.store(site, uri, variant, generation, c.clone());
            c
        }
    };
    Ok(cacheable::public(
        &headers,
        &state.config.cache,
        "application/json",
        cached.body.clone(),
        &cached.etag,
    ))
}

/// A fresh time-trap token for the form on one page. Kept out of the thread, which is the
/// same bytes for every visitor and may be served by a shared cache; this never is.
#[utoipa::path(
    get, path = "/api/v1/form-token", tag = "comments",
    params(
        ("site" = String, Query, description = "Site id", min_length = 1, max_length = 64),
        ("uri" = String, Query, description = "Page path", min_length = 1, max_length = 2000, pattern = "^/([^/\\s\\\\#\\x00-\\x1f\\x7f-\\x9f][^\\s\\\\#\\x00-\\x1f\\x7f-\\x9f]*)?$"),
    ),
    responses(
        (status = 200, description = "Send `form_token` back with a new comment on this page", body = FormTokenResponse),
        (status = 400, description = "Malformed query (a parameter given twice)", body = ErrorBody),
        (status = 404, description = "Unknown site", body = ErrorBody),
        (status = 422, description = "Missing parameters", body = ErrorBody),
    )
)]
pub async fn form_token(
    State(state): State<AppState>,
    query: Result<Query<TokenQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let (site, uri) = site_and_uri(q.site.as_deref(), q.uri.as_deref())?;
    let site = state.config.site(site).ok_or(ApiError::UnknownSite)?;
    let max_age = state.config.spam.form_token_max_age_secs;
    let token = form_token::issue(&state.keys, &site.id, uri, state.clock.now(), max_age);
    let mut res = Json(FormTokenResponse { form_token: token }).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub site: Option<String>,
    pub uri: Option<String>,
}

/// The window, order and publication date a thread request asks for.
fn thread_view(q: &ThreadQuery, limit: u64) -> Result<ThreadView, ApiError> {
    let newest_first = match q.order.as_deref() {
        None | Some("" | "oldest") => false,
        Some("newest") => true,
        Some(_) => return Err(field_error("order", "must be oldest or newest")),
    };
    let published =
        parse_published(q.published.as_deref()).map_err(|e| field_error("published", &e))?;
    Ok(ThreadView {
        offset: super::paging::offset(q.offset)?,
        limit,
        newest_first,
        published,
    })
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
        ("site" = String, Query, description = "Site id", min_length = 1, max_length = 64),
        ("uri" = Vec<String>, Query, description = "Page paths, repeated; at most 100, repeats included", max_items = 100),
    ),
    responses(
        (status = 200, description = "Cacheable like the thread", body = CountsResponse),
        (status = 304, description = "Not modified since the `If-None-Match` tag"),
        (status = 404, description = "Unknown site", body = ErrorBody),
        (status = 422, description = "Missing or too many parameters", body = ErrorBody),
    )
)]
pub async fn counts(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
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
    let counts = CountsResponse(state.moderation.counts(&site, &uris).await?);
    let body = serde_json::to_vec(&counts).map_err(|e| ApiError::Internal(e.into()))?;
    let etag = cacheable::etag_of(&body);
    Ok(cacheable::public(
        &headers,
        &state.config.cache,
        "application/json",
        body.into(),
        &etag,
    ))
}
