//! Public comment endpoints: submit (JSON or the no-JS form), read a thread, count pages.
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::request::{CommentForm, CommentRequest};
use std::sync::Arc;

use super::views::{
    CountsResponse, PublicComment, SubmitResponse, ThreadBody, ThreadResponse, initials, rfc3339,
};
use crate::abuse::form_token;
use crate::http::client::ClientIp;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::{AppState, pages};
use crate::moderation::thread_cache::{Cached, Lookup};
use crate::moderation::{ClientInfo, FieldErrors, Submitted, own};
use axum::http::HeaderValue;
use entity::enums::CommentStatus;

const MAX_COUNT_URIS: usize = 100;

/// Submit a comment. JSON answers 201; the no-JS form answers 303 back to the page.
#[utoipa::path(
    post, path = "/api/v1/comments", tag = "comments",
    request_body(content(
        (CommentRequest = "application/json"),
        (CommentForm = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Accepted; held comments read `pending`", body = SubmitResponse),
        (status = 303, description = "No-JS form accepted: back to the page"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Unknown site", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 409, description = "The same comment is already on this page (`duplicate_comment`)", body = ErrorBody),
        (status = 415, description = "Unsupported content type", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
        (status = 429, description = "Too many comments (`rate_limited`); see `Retry-After`", body = ErrorBody,
            headers(
                ("Retry-After" = u64, description = "Seconds to wait"),
                ("RateLimit-Policy" = String, description = "The policy that refused: quota and window"),
                ("RateLimit" = String, description = "Remaining quota and seconds to reset"),
            )),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let client = ClientInfo {
        ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ..ClientInfo::default()
    };
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ctype.starts_with("application/x-www-form-urlencoded") {
        return submit_form(state, client, body).await;
    }
    let state_keys = state.keys.clone();
    match submit_json(state, client, &ctype, body).await {
        Ok(s) => (StatusCode::CREATED, Json(submit_response(&state_keys, &s))).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn submit_json(
    state: AppState,
    client: ClientInfo,
    ctype: &str,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Submitted, ApiError> {
    let body = body?;
    if !(ctype.starts_with("application/json") || ctype.is_empty()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if !body.trim_ascii_start().starts_with(b"{") {
        return Err(ApiError::Malformed("expected a JSON object".into()));
    }
    let req: CommentRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))?;
    check_rate(&state, &client, &req.author_email, &req.site, &req.uri).await?;
    let new = req.into_new_comment(client).map_err(ApiError::Validation)?;
    Ok(state.moderation.submit(new).await?)
}

async fn submit_form(
    state: AppState,
    client: ClientInfo,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return pages::error_page(&ApiError::from(e)),
    };
    let form: CommentForm = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(e) => return pages::error_page(&ApiError::Malformed(e.to_string())),
    };
    if let Err(e) = check_rate(&state, &client, &form.author_email, &form.site, &form.uri).await {
        return pages::error_page(&e);
    }
    let typed = form.clone();
    let invalid = |errors: FieldErrors| pages::form_with_errors(&state, &typed, errors);
    let req = match form.into_request() {
        Ok(r) => r,
        Err(errors) => return invalid(errors),
    };
    let Some(site) = state.config.site(&req.site).cloned() else {
        return pages::error_page(&ApiError::UnknownSite);
    };
    let new = match req.into_new_comment(client) {
        Ok(n) => n,
        Err(errors) => return invalid(errors),
    };
    let back_to = typed.return_to.clone();
    match state.moderation.submit(new).await {
        Ok(s) if back_to.as_deref() == Some("embed") => {
            Redirect::to(&back_to_embed_page(&state, &s)).into_response()
        }
        Ok(s) if back_to.as_deref() == Some("demo") => {
            Redirect::to(&back_to_page(&public_base(&state), &s)).into_response()
        }
        Ok(s) => Redirect::to(&back_to_page(&site.home_origin(), &s)).into_response(),
        Err(crate::moderation::ModerationError::Invalid(errors)) => invalid(errors),
        Err(e) => pages::error_page(&ApiError::from(e)),
    }
}

/// The rate limits, before any validation, so that invalid floods are limited too.
async fn check_rate(
    state: &AppState,
    client: &ClientInfo,
    email: &str,
    site: &str,
    uri: &str,
) -> Result<(), ApiError> {
    let site = state.config.site(site).map(|s| s.id.as_str());
    state
        .rate_limits
        .check_submission(client.ip, email, site, uri)
        .await
        .map_err(ApiError::RateLimited)
}

/// The page the form came from, on the site's own origin, marked with the outcome.
fn back_to_page(origin: &str, s: &Submitted) -> String {
    let sep = if s.uri.contains('?') { '&' } else { '?' };
    match s.status {
        CommentStatus::Approved => {
            format!("{origin}{}{sep}replyd=published#comment-{}", s.uri, s.id)
        }
        _ => format!(
            "{origin}{}{sep}replyd=pending&replyd_comment={}#replyd",
            s.uri, s.id
        ),
    }
}

/// This server's public URL without the trailing slash.
fn public_base(state: &AppState) -> String {
    state
        .config
        .server
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

/// The no-JS thread page on this server (used when the form lives in an iframe).
fn back_to_embed_page(state: &AppState, s: &Submitted) -> String {
    let base = public_base(state);
    let marker = if s.status == CommentStatus::Approved {
        "published"
    } else {
        "pending"
    };
    format!(
        "{base}/embed/thread?site={}&uri={}&replyd={marker}#replyd",
        crate::http::embed::urlencode(&s.site),
        crate::http::embed::urlencode(&s.uri)
    )
}

fn submit_response(keys: &crate::keys::Keys, s: &Submitted) -> SubmitResponse {
    let expires = s.created_at + own::EDIT_WINDOW;
    SubmitResponse {
        id: s.id,
        status: s.status,
        created_at: rfc3339(s.created_at),
        author_name: s.author_name.clone(),
        author_url: s.author_url.clone(),
        avatar: initials(&s.author_name),
        html: s.html.clone(),
        edit_token: own::edit_token(keys, s.id, expires),
        edit_expires_at: rfc3339(expires),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// Site id.
    pub site: Option<String>,
    /// Page path.
    pub uri: Option<String>,
    /// Comments to skip (oldest first).
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
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(field_error("limit", "must be between 1 and 500"));
    }
    let offset = q.offset.unwrap_or(0);
    let now = state.clock.now();
    let cache = state.moderation.threads();
    let cached = match cache.lookup(site, uri, (offset, limit), now) {
        Lookup::Hit(c) => c,
        Lookup::Miss(generation) => {
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
    let token = form_token::issue(&state.keys, site, uri, now);
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
        ("uri" = Vec<String>, Query, description = "Page paths, repeated; at most 100"),
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
            "uri" if !uris.iter().any(|u| *u == v) => uris.push(v.into_owned()),
            _ => {}
        }
    }
    let site = site
        .filter(|s| !s.is_empty())
        .ok_or_else(|| field_error("site", "is required"))?;
    if uris.is_empty() {
        return Err(field_error("uri", "at least one uri is required"));
    }
    if uris.len() > MAX_COUNT_URIS {
        return Err(field_error("uri", "at most 100 uris per request"));
    }
    Ok(Json(CountsResponse(
        state.moderation.counts(&site, &uris).await?,
    )))
}
