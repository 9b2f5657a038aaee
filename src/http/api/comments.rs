//! Submitting a comment: JSON or the no-JS form, through the rate limits to the domain.
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::request::{CommentForm, CommentRequest};

use super::views::{SubmitResponse, initials, rfc3339};
use crate::http::client::ClientIp;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::{AppState, limit, pages};
use crate::moderation::{ClientInfo, FieldErrors, Submitted, own};
use entity::enums::CommentStatus;

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
    limit::check_comment(&state, client.ip, &req.author_email, &req.site, &req.uri).await?;
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
    if let Err(e) =
        limit::check_comment(&state, client.ip, &form.author_email, &form.site, &form.uri).await
    {
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
        crate::http::urlencode(&s.site),
        crate::http::urlencode(&s.uri)
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
