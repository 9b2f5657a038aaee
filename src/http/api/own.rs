//! A commenter editing or deleting their own comment with the token from submission.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{DeleteResponse, OwnCommentResponse};
use crate::http::AppState;
use crate::http::client::ClientIp;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::IdPath;
use crate::http::limit;
use crate::moderation::Deletion;
use crate::moderation::input::CommentText;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OwnEditRequest {
    #[schema(min_length = 2, max_length = 10000)]
    pub text: String,
    /// The `edit_token` returned when the comment was posted.
    pub edit_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OwnDeleteRequest {
    pub edit_token: String,
}

/// Edit your own comment within 15 minutes of posting. The new text is screened like a new
/// comment and the edit counts against the address's limits; on moderated sites it waits
/// again.
#[utoipa::path(
    patch, path = "/api/v1/comments/{id}", tag = "comments", params(("id" = i64, Path)),
    request_body = OwnEditRequest,
    responses(
        (status = 200, body = OwnCommentResponse), (status = 400, body = ErrorBody), (status = 403, description = "Wrong or expired token", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Over the address's comment limit", body = ErrorBody),
    )
)]
pub async fn edit_own(
    State(state): State<AppState>,
    IdPath(id): IdPath,
    ClientIp(ip): ClientIp,
    body: Result<Json<OwnEditRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<OwnCommentResponse>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let text = CommentText::parse(&req.text)
        .map_err(|m| ApiError::Validation([("text".to_owned(), vec![m])].into()))?;
    limit::check_edit(&state, ip).await?;
    let c = state.moderation.edit_own(id, &req.edit_token, text).await?;
    Ok(Json(OwnCommentResponse {
        id: c.id,
        status: c.status,
        html: c.html,
    }))
}

/// Delete your own comment within 15 minutes of posting.
#[utoipa::path(
    delete, path = "/api/v1/comments/{id}", tag = "comments", params(("id" = i64, Path)),
    request_body = OwnDeleteRequest,
    responses(
        (status = 200, body = DeleteResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody),
    )
)]
pub async fn delete_own(
    State(state): State<AppState>,
    IdPath(id): IdPath,
    body: Result<Json<OwnDeleteRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<DeleteResponse>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let outcome = state.moderation.delete_own(id, &req.edit_token).await?;
    Ok(Json(DeleteResponse {
        id,
        tombstone: outcome == Deletion::Tombstone,
    }))
}
