//! The moderator API for word rules and bans: list, add, delete. Each change writes an
//! audit row in its own transaction (see `moderation::screening`).
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::admin::Moderator;
use crate::http::AppState;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::IdPath;
use crate::moderation::screening::BanRequest;
use entity::{abuse_rule, ban};

/// The routes, for `api::routers` to merge into the moderator API and its document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, add_rule))
        .routes(routes!(delete_rule))
        .routes(routes!(list_bans, add_ban))
        .routes(routes!(delete_ban))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    pub id: i64,
    /// `moderation_word` (hold) or `disallowed_word` (spam).
    pub kind: String,
    pub word: String,
    pub created_at: String,
}

impl From<&abuse_rule::Model> for RuleView {
    fn from(r: &abuse_rule::Model) -> Self {
        RuleView {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            word: r.word.clone(),
            created_at: rfc3339(r.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub rules: Vec<RuleView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleRequest {
    /// `moderation_word` holds matching comments; `disallowed_word` sends them to spam.
    #[serde(default)]
    #[schema(required = true, pattern = "^(moderation_word|disallowed_word)$")]
    pub kind: String,
    /// Matched case-insensitively as a substring of the name, email, website, text,
    /// client address and user agent.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub word: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BanView {
    pub id: i64,
    /// `email`, `address`, `email_domain`, or `address_hash` (one exact address, banned
    /// from a comment in the dashboard; `value` is then a keyed hash).
    pub kind: String,
    pub value: String,
    /// For `address_hash` bans: which comment the address came from, and its network.
    pub label: Option<String>,
    pub reason: String,
    pub expires_at: Option<String>,
    /// False once the ban has expired.
    pub active: bool,
    pub created_at: String,
}

impl BanView {
    fn new(b: &ban::Model, now: DateTime<Utc>) -> Self {
        BanView {
            id: b.id,
            kind: b.kind.as_str().to_owned(),
            value: b.value.clone(),
            label: b.label.clone(),
            reason: b.reason.clone(),
            expires_at: b.expires_at.map(rfc3339),
            active: b.expires_at.is_none_or(|t| t > now),
            created_at: rfc3339(b.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BanList {
    pub bans: Vec<BanView>,
}

/// A new ban as the handler reads it; its documented shape is [`super::ban_schema::NewBan`].
#[derive(Debug, Deserialize)]
pub struct BanBody {
    /// `email`, `address` (an IP address or a CIDR network) or `email_domain`
    /// (subdomains match too).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
    /// Why, for the other moderators.
    #[serde(default)]
    pub reason: Option<String>,
    /// RFC 3339 time at which the ban stops applying.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Or: how many seconds from now the ban lasts.
    #[serde(default)]
    pub duration_secs: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub id: i64,
    pub deleted: bool,
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError::Malformed(e.body_text()))
}

/// The word rules.
#[utoipa::path(
    get, path = "/api/v1/admin/rules", tag = "rules", security(("bearer" = [])),
    responses((status = 200, body = RuleList), (status = 401, body = ErrorBody))
)]
pub async fn list_rules(
    State(state): State<AppState>,
    _m: Moderator,
) -> Result<Json<RuleList>, ApiError> {
    let rows = state.moderation.rules().await?;
    Ok(Json(RuleList {
        rules: rows.iter().map(RuleView::from).collect(),
    }))
}

/// Add a moderation word or a disallowed word.
#[utoipa::path(
    post, path = "/api/v1/admin/rules", tag = "rules", request_body = RuleRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = RuleView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_rule(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    req: Result<Json<RuleRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let req = body(req)?;
    let row = state
        .moderation
        .add_rule(&actor, &req.kind, &req.word)
        .await?;
    Ok((StatusCode::CREATED, Json(RuleView::from(&row))))
}

/// Remove a word rule.
#[utoipa::path(
    delete, path = "/api/v1/admin/rules/{id}", tag = "rules",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_rule(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<Deleted>, ApiError> {
    state.moderation.delete_rule(&actor, id).await?;
    Ok(Json(Deleted { id, deleted: true }))
}

/// The bans, expired ones included (marked inactive).
#[utoipa::path(
    get, path = "/api/v1/admin/bans", tag = "rules", security(("bearer" = [])),
    responses((status = 200, body = BanList), (status = 401, body = ErrorBody))
)]
pub async fn list_bans(
    State(state): State<AppState>,
    _m: Moderator,
) -> Result<Json<BanList>, ApiError> {
    let rows = state.moderation.bans().await?;
    let now = state.clock.now();
    Ok(Json(BanList {
        bans: rows.iter().map(|b| BanView::new(b, now)).collect(),
    }))
}

/// Ban an email, an address or network, or an email domain: their comments go to spam.
#[utoipa::path(
    post, path = "/api/v1/admin/bans", tag = "rules", request_body = super::ban_schema::NewBan,
    security(("bearer" = [])),
    responses(
        (status = 201, body = BanView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_ban(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    req: Result<Json<BanBody>, JsonRejection>,
) -> Result<(StatusCode, Json<BanView>), ApiError> {
    let req = body(req)?;
    let now = state.clock.now();
    let request = BanRequest {
        kind: &req.kind,
        value: &req.value,
        reason: req.reason.as_deref(),
        expires_at: req.expires_at.as_deref(),
        duration_secs: req.duration_secs,
    };
    let row = state.moderation.add_ban(&actor, &request).await?;
    Ok((StatusCode::CREATED, Json(BanView::new(&row, now))))
}

/// Lift a ban.
#[utoipa::path(
    delete, path = "/api/v1/admin/bans/{id}", tag = "rules",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_ban(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<Deleted>, ApiError> {
    state.moderation.delete_ban(&actor, id).await?;
    Ok(Json(Deleted { id, deleted: true }))
}
