//! The moderator API over the mail outbox: list rows by state (dead letters above all) and
//! put a dead one back in line.
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin::AdminToken;
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::IdPath;
use crate::notify::outbox::State as MailState;
use entity::outbox;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// pending | sent | dead | skipped; default dead.
    #[param(pattern = "^(|pending|sent|dead|skipped)$")]
    pub state: Option<String>,
    /// 1-500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// One outgoing mail. Admins (and operator tokens) may see recipients.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: i64,
    /// alert | digest | reply | approved | confirm
    pub kind: String,
    pub recipient: String,
    pub state: String,
    pub attempts: i32,
    pub message_id: String,
    pub last_error: Option<String>,
    pub due_at: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl From<&outbox::Model> for OutboxItem {
    fn from(r: &outbox::Model) -> Self {
        let t = |d: chrono::DateTime<chrono::Utc>| {
            d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        OutboxItem {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            recipient: r.recipient.clone(),
            state: r.state.as_str().to_owned(),
            attempts: r.attempts,
            message_id: r.message_id.clone(),
            last_error: r.last_error.clone(),
            due_at: t(r.due_at),
            created_at: t(r.created_at),
            sent_at: r.sent_at.map(t),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub items: Vec<OutboxItem>,
}

fn bad(field: &str, msg: &str) -> ApiError {
    ApiError::Validation([(field.to_owned(), vec![msg.to_owned()])].into())
}

/// Mail in the outbox by state, newest first; `state=dead` lists what was given up.
#[utoipa::path(
    get, path = "/api/v1/admin/outbox", tag = "mail", params(OutboxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OutboxList),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The token has a moderator's rights, not an admin's", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _a: AdminToken,
    query: Result<Query<OutboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OutboxList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let mail_state = match q.state.as_deref() {
        None | Some("") => MailState::Dead,
        Some(s) => MailState::parse(s)
            .ok_or_else(|| bad("state", "must be pending, sent, dead or skipped"))?,
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit", "must be between 1 and 500"));
    }
    let rows = state.notify.outbox(mail_state, limit).await?;
    Ok(Json(OutboxList {
        items: rows.iter().map(OutboxItem::from).collect(),
    }))
}

/// Send a dead mail again: it is due at once, with a fresh attempt budget and the same
/// Message-ID.
#[utoipa::path(
    post, path = "/api/v1/admin/outbox/{id}/retry", tag = "mail",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = OutboxItem),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The token has a moderator's rights, not an admin's", body = ErrorBody),
        (status = 404, description = "No dead mail with this id", body = ErrorBody),
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    _a: AdminToken,
    IdPath(id): IdPath,
) -> Result<Json<OutboxItem>, ApiError> {
    let row = state.notify.retry(id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(OutboxItem::from(&row)))
}
