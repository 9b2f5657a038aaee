//! The moderator API for published threads: closing and reopening pages, pinning comments.
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::Moderator;
use super::views::AdminComment;
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::IdPath;
use crate::moderation::FieldErrors;
use crate::moderation::input::PageUri;

/// A page of a site.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PageRef {
    #[schema(min_length = 1, max_length = 64)]
    pub site: String,
    /// The page path, starting with `/`.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^/([^/\\s\\\\#\\x00-\\x1f\\x7f-\\x9f][^\\s\\\\#\\x00-\\x1f\\x7f-\\x9f]*)?$"
    )]
    pub uri: String,
}

/// A page's state after closing or opening it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageState {
    pub site: String,
    pub uri: String,
    pub closed: bool,
}

async fn set_closed(
    state: &AppState,
    m: &Moderator,
    body: Result<Json<PageRef>, axum::extract::rejection::JsonRejection>,
    closed: bool,
) -> Result<Json<PageState>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let uri = PageUri::parse(&req.uri)
        .map_err(|e| ApiError::Validation(FieldErrors::from([("uri".into(), vec![e])])))?;
    let closed = state
        .moderation
        .set_page_closed(&m.0, &req.site, &uri, closed)
        .await?;
    Ok(Json(PageState {
        site: req.site,
        uri: uri.as_str().to_owned(),
        closed,
    }))
}

/// Close a page: its comments stay, new ones and replies are refused (`comments_closed`).
#[utoipa::path(
    post, path = "/api/v1/admin/pages/close", tag = "moderation", request_body = PageRef,
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageState), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "Unknown site", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn close(
    State(state): State<AppState>,
    m: Moderator,
    body: Result<Json<PageRef>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PageState>, ApiError> {
    set_closed(&state, &m, body, true).await
}

/// Open a page again; it then stays open past the site's `close_after_days`.
#[utoipa::path(
    post, path = "/api/v1/admin/pages/open", tag = "moderation", request_body = PageRef,
    security(("bearer" = [])),
    responses(
        (status = 200, body = PageState), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "Unknown site", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    m: Moderator,
    body: Result<Json<PageRef>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PageState>, ApiError> {
    set_closed(&state, &m, body, false).await
}

async fn set_pinned(
    state: &AppState,
    m: &Moderator,
    id: i64,
    pinned: bool,
) -> Result<Json<AdminComment>, ApiError> {
    state.moderation.set_pinned(&m.0, id, pinned).await?;
    let (c, p) = state.moderation.comment(id).await?;
    Ok(Json(AdminComment::new(&c, &p)))
}

/// Pin a published comment to the top of its thread (at most `max_pinned` per page).
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/pin", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The page has `max_pinned` pinned comments (`too_many_pinned`)", body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 422, description = "Not a published comment", body = ErrorBody),
    )
)]
pub async fn pin(
    State(state): State<AppState>,
    m: Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    set_pinned(&state, &m, id, true).await
}

/// Unpin a comment.
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/unpin", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn unpin(
    State(state): State<AppState>,
    m: Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    set_pinned(&state, &m, id, false).await
}
