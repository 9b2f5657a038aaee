//! Submitting a comment: JSON answers 201, the no-JS form answers 303 back to its page.
//! Everything before the domain is the `Incoming` extractor's; everything the answer needs
//! comes back from the domain.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::request::{CommentForm, CommentRequest};
use super::submission::Incoming;
use super::views::{SubmitResponse, initials, rfc3339};
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::moderation::Submitted;

/// Submit a comment. JSON answers 201; the no-JS form answers 303 back to the page.
#[utoipa::path(
    post, path = "/api/v1/comments", tag = "comments",
    request_body(content(
        (CommentRequest = "application/json"),
        (CommentForm = "application/x-www-form-urlencoded"),
    )),
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 255,
            description = "Names this submission (1 to 255 visible ASCII characters, e.g. a UUID), \
                so a retry is answered, not stored twice: the same key with the same fields on \
                this site within `retention.idempotency_key_hours` (24 h) gets the first answer \
                again, status and body, and spends no rate limit. The same key with other fields \
                is refused with 422 `idempotency_key_reused`. Only a request that stored a \
                comment keeps its key."),
    ),
    responses(
        (status = 201, description = "Accepted; held comments read `pending`", body = SubmitResponse),
        (status = 303, description = "No-JS form accepted: back to the page"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Unknown site", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 409, description = "The same comment is already on this page (`duplicate_comment`), or a request with the same `Idempotency-Key` is still running (`idempotency_in_progress`)", body = ErrorBody),
        (status = 415, description = "Unsupported content type", body = ErrorBody),
        (status = 422, description = "Invalid fields (the no-JS form gets an HTML page naming them), or an `Idempotency-Key` reused with other fields (`idempotency_key_reused`)", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 429, description = "Too many comments (`rate_limited`); see `Retry-After`", body = ErrorBody,
            headers(
                ("Retry-After" = u64, description = "Seconds to wait"),
                ("RateLimit-Policy" = String, description = "The policy that refused: quota and window"),
                ("RateLimit" = String, description = "Remaining quota and seconds to reset"),
            )),
    )
)]
pub async fn submit(State(state): State<AppState>, comment: Incoming) -> Response {
    match comment {
        Incoming::Json(new, once) => match state.moderation.submit_keyed(new, once).await {
            Ok(s) => (StatusCode::CREATED, Json(SubmitResponse::from(s))).into_response(),
            Err(e) => ApiError::from(e).into_response(),
        },
        Incoming::Form(new, form, once) => match state.moderation.submit_keyed(new, once).await {
            Ok(s) => form.accepted(&state, &s).into_response(),
            Err(e) => form.refused(&state, e.into()),
        },
    }
}

impl From<Submitted> for SubmitResponse {
    fn from(s: Submitted) -> Self {
        SubmitResponse {
            id: s.id,
            status: s.status,
            created_at: rfc3339(s.created_at),
            avatar: initials(&s.author_name),
            author_name: s.author_name,
            author_url: s.author_url,
            html: s.html,
            edit_token: s.edit_token,
            edit_expires_at: rfc3339(s.edit_expires_at),
            returning_token: s.returning_token,
        }
    }
}
