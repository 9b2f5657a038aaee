//! The moderator API: bearer-token authenticated, never CORS-enabled.
use axum::Json;
use axum::extract::{FromRef, FromRequestParts, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::views::{AdminComment, AdminCommentList, AuditEntry, AuditList, DeleteResponse};
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::IdPath;
use crate::moderation::input::CommentText;
use crate::moderation::{Action, Actor, Deletion, QueueFilter, QueueOrder};
use crate::team::TokenHolder;
use entity::enums::CommentStatus;

/// A request made with a valid moderator API token.
pub struct Moderator(pub Actor);

/// A request made with a token that has an admin's rights (see `team::TokenHolder`):
/// what only admins see on the dashboard, such as the mail queue and its recipients.
pub struct AdminToken(pub Actor);

impl<S> FromRequestParts<S> for AdminToken
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let holder = holder(parts, &AppState::from_ref(state)).await?;
        if !holder.admin {
            return Err(ApiError::Forbidden);
        }
        Ok(AdminToken(holder.acting.actor()))
    }
}

/// The holder of the request's bearer token, or 401.
async fn holder(parts: &Parts, state: &AppState) -> Result<TokenHolder, ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized)?;
    state
        .team
        .authenticate_token(token)
        .await?
        .ok_or(ApiError::Unauthorized)
}

impl<S> FromRequestParts<S> for Moderator
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let holder = holder(parts, &AppState::from_ref(state)).await?;
        Ok(Moderator(holder.acting.actor()))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// pending | approved | rejected | spam; all when absent.
    #[param(pattern = "^(|pending|approved|rejected|spam)$")]
    pub status: Option<String>,
    pub site: Option<String>,
    pub uri: Option<String>,
    /// Matches text, author name or email.
    pub q: Option<String>,
    /// newest (default) | oldest | spam_score (highest first, unscored last)
    #[param(pattern = "^(newest|oldest|spam_score)$")]
    pub order: Option<String>,
    /// At most 1000000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u64>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

fn bad(field: &str, msg: &str) -> ApiError {
    ApiError::Validation([(field.to_owned(), vec![msg.to_owned()])].into())
}

fn parse_status(s: &str) -> Result<CommentStatus, ApiError> {
    match s {
        "pending" => Ok(CommentStatus::Pending),
        "approved" => Ok(CommentStatus::Approved),
        "rejected" => Ok(CommentStatus::Rejected),
        "spam" => Ok(CommentStatus::Spam),
        _ => Err(bad("status", "must be pending, approved, rejected or spam")),
    }
}

/// List comments for moderation.
#[utoipa::path(
    get, path = "/api/v1/admin/comments", tag = "moderation", params(QueueQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AdminCommentList),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _m: Moderator,
    query: Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AdminCommentList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad("limit", "must be between 1 and 200"));
    }
    let order = match q.order.as_deref() {
        None | Some("newest") => QueueOrder::Newest,
        Some("oldest") => QueueOrder::Oldest,
        Some("spam_score") => QueueOrder::SpamScore,
        Some(_) => return Err(bad("order", "must be newest, oldest or spam_score")),
    };
    let filter = QueueFilter {
        status: q
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(parse_status)
            .transpose()?,
        site: q.site.filter(|s| !s.is_empty()),
        uri: q.uri.filter(|s| !s.is_empty()),
        search: q.q,
        order,
        offset: super::paging::offset(q.offset)?,
        limit,
    };
    let page = state.moderation.queue(&filter).await?;
    Ok(Json(AdminCommentList {
        comments: page
            .items
            .iter()
            .map(|(c, p)| AdminComment::new(c, p))
            .collect(),
        total: page.total,
        offset: filter.offset,
        limit,
    }))
}

/// One comment with everything moderators may see.
#[utoipa::path(
    get, path = "/api/v1/admin/comments/{id}", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn show(
    State(state): State<AppState>,
    _m: Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    let (c, p) = state.moderation.comment(id).await?;
    Ok(Json(AdminComment::new(&c, &p)))
}

async fn act(
    state: &AppState,
    actor: &Actor,
    id: i64,
    action: Action,
) -> Result<Json<AdminComment>, ApiError> {
    state.moderation.act(actor, id, action).await?;
    let (c, p) = state.moderation.comment(id).await?;
    Ok(Json(AdminComment::new(&c, &p)))
}

/// Publish a comment.
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/approve", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn approve(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    act(&state, &actor, id, Action::Approve).await
}

/// Reject a comment: hidden, kept for the record.
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/reject", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn reject(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    act(&state, &actor, id, Action::Reject).await
}

/// Mark a comment as spam.
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/spam", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn spam(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    act(&state, &actor, id, Action::Spam).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditRequest {
    /// The new Markdown text.
    #[schema(min_length = 2, max_length = 10000)]
    pub text: String,
}

/// Replace a comment's text. The previous text is kept in the audit log.
#[utoipa::path(
    patch, path = "/api/v1/admin/comments/{id}", tag = "moderation",
    params(("id" = i64, Path)), request_body = EditRequest, security(("bearer" = [])),
    responses(
        (status = 200, body = AdminComment), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
    body: Result<Json<EditRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AdminComment>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let text = CommentText::parse(&req.text).map_err(|m| bad("text", &m))?;
    state.moderation.edit(&actor, id, text).await?;
    let (c, p) = state.moderation.comment(id).await?;
    Ok(Json(AdminComment::new(&c, &p)))
}

/// Delete a comment. One with replies stays as an anonymous "deleted" placeholder.
#[utoipa::path(
    delete, path = "/api/v1/admin/comments/{id}", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = DeleteResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<DeleteResponse>, ApiError> {
    let outcome = state.moderation.delete(&actor, id).await?;
    Ok(Json(DeleteResponse {
        id,
        tombstone: outcome == Deletion::Tombstone,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub comment_id: Option<i64>,
    /// At most 1000000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u64>,
    /// 1-500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// The audit log, newest first.
#[utoipa::path(
    get, path = "/api/v1/admin/audit", tag = "moderation", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn audit(
    State(state): State<AppState>,
    _m: Moderator,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit", "must be between 1 and 500"));
    }
    let (rows, total) = state
        .moderation
        .audit_log(q.comment_id, super::paging::offset(q.offset)?, limit)
        .await?;
    Ok(Json(AuditList {
        entries: rows.iter().map(AuditEntry::from).collect(),
        total,
    }))
}
