//! Reader reports at the front door: `POST /api/v1/comments/{id}/report` from the widget
//! (JSON, 202) or from the no-JS thread page (a form, 303 back to it); and, for moderators,
//! the reported comments and the dismissal of their reports.
use axum::Json;
use axum::extract::{Form, FromRequest, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::admin::Moderator;
use super::views::AdminComment;
use crate::http::AppState;
use crate::http::client::ClientIp;
use crate::http::error::{ApiError, ErrorBody, Page};
use crate::http::extract::{IdPath, ValidatedJson, is_form};
use crate::http::limit;
use crate::moderation::FieldErrors;
use crate::moderation::reports::{NewReport, ReportReason, Reported};

/// A reader's report of a published comment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReportRequest {
    /// spam | abusive | off_topic | other
    #[serde(default)]
    #[schema(required = true, pattern = "^(spam|abusive|off_topic|other)$")]
    pub reason: String,
    /// A few words for the moderators.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
    /// A random token the browser keeps: one report per browser and comment counts.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub token: Option<String>,
}

/// The no-JS thread page's report form.
#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The thread page to come back to: a path on this server.
    #[serde(default)]
    pub back: String,
}

/// Accepted: recorded once per reader, or already recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAccepted {
    pub reported: bool,
}

fn report_of(
    id: i64,
    ip: Option<std::net::IpAddr>,
    reason: &str,
    note: Option<&str>,
    token: Option<String>,
) -> Result<NewReport, ApiError> {
    let mut fields = FieldErrors::new();
    let reason = ReportReason::parse(reason)
        .map_err(|e| fields.insert("reason".into(), vec![e]))
        .ok();
    let note = NewReport::note(note)
        .map_err(|e| fields.insert("note".into(), vec![e]))
        .ok();
    let token = token.filter(|t| t.chars().count() <= 200);
    match (reason, note) {
        (Some(reason), Some(note)) => Ok(NewReport {
            comment_id: id,
            reason,
            note,
            ip,
            browser_token: token,
        }),
        _ => Err(ApiError::Validation(fields)),
    }
}

/// Report a published comment to the moderators. The reporter is never shown to anyone.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/report", tag = "comments", params(("id" = i64, Path)),
    request_body(content((ReportRequest = "application/json"))),
    responses(
        (status = 202, description = "Recorded (a second report from the same reader changes nothing)", body = ReportAccepted),
        (status = 303, description = "No-JS form: back to the thread page"),
        (status = 400, body = ErrorBody), (status = 404, description = "No published comment with that id", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, description = "Too many reports (`rate_limited`); see `Retry-After`", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    IdPath(id): IdPath,
    req: Request,
) -> Response {
    if is_form(req.headers()) {
        return match Form::<ReportForm>::from_request(req, &state).await {
            Ok(Form(f)) => report_form(&state, ip, id, f).await,
            Err(e) => Page(ApiError::Malformed(e.body_text())).into_response(),
        };
    }
    let answer = async {
        let ValidatedJson(r) = ValidatedJson::<ReportRequest>::from_request(req, &state).await?;
        let new = report_of(id, ip, &r.reason, r.note.as_deref(), r.token)?;
        limit::check_report(&state, ip).await?;
        state.moderation.report(new).await?;
        Ok::<_, ApiError>((
            StatusCode::ACCEPTED,
            Json(ReportAccepted { reported: true }),
        ))
    };
    answer.await.into_response()
}

async fn report_form(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    id: i64,
    f: ReportForm,
) -> Response {
    // Only a thread page of this server: never a redirect elsewhere.
    // Control characters cannot go in a Location header (they would be a 500, or a header
    // injection if they could).
    let back_ok = (f.back.starts_with("/embed/thread?") || f.back.starts_with("/?"))
        && !f.back.contains("//")
        && !f.back.contains('\\')
        && !f.back.chars().any(char::is_control);
    if !back_ok {
        let why = "must be a thread page of this server";
        return Page(ApiError::Validation(FieldErrors::from([(
            "back".into(),
            vec![why.into()],
        )])))
        .into_response();
    }
    let answer = async {
        let new = report_of(id, ip, &f.reason, f.note.as_deref(), None)?;
        limit::check_report(state, ip).await?;
        state.moderation.report(new).await?;
        Ok::<_, ApiError>(())
    };
    match answer.await {
        Ok(()) => {
            let sep = if f.back.ends_with(['?', '&']) {
                ""
            } else {
                "&"
            };
            Redirect::to(&format!("{}{sep}replyd=reported#comment-{id}", f.back)).into_response()
        }
        Err(e) => Page(e).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsQuery {
    /// At most 1000000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u64>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A reported comment, with its counts by reason; never who reported it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportedComment {
    pub comment: AdminComment,
    /// Reports that count, by reason (`spam`, `abusive`, `off_topic`, `other`).
    pub counts: std::collections::BTreeMap<String, u64>,
    pub total: u64,
    /// What readers wrote, oldest first.
    pub notes: Vec<String>,
    /// Spam reports on any of this author's comments.
    pub author_spam_reports: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportedList {
    pub comments: Vec<ReportedComment>,
    pub total: u64,
}

impl From<&Reported> for ReportedComment {
    fn from(r: &Reported) -> Self {
        ReportedComment {
            comment: AdminComment::new(&r.comment, &r.page),
            counts: r
                .counts
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            total: r.total,
            notes: r.notes.clone(),
            author_spam_reports: r.author_spam_reports,
        }
    }
}

/// Reported comments not yet dismissed, most reported first.
#[utoipa::path(
    get, path = "/api/v1/admin/reports", tag = "moderation", params(ReportsQuery), security(("bearer" = [])),
    responses((status = 200, body = ReportedList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    _m: Moderator,
    query: Result<Query<ReportsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ReportedList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Validation(FieldErrors::from([(
            "limit".into(),
            vec!["must be between 1 and 200".into()],
        )])));
    }
    let (rows, total) = state
        .moderation
        .reported(super::paging::offset(q.offset)?, limit)
        .await?;
    Ok(Json(ReportedList {
        comments: rows.iter().map(ReportedComment::from).collect(),
        total,
    }))
}

/// Dismiss a comment's reports: held for them, it is published again, and later reports
/// are recorded but never hold it.
#[utoipa::path(
    post, path = "/api/v1/admin/comments/{id}/reports/dismiss", tag = "moderation",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AdminComment), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody))
)]
pub async fn dismiss(
    State(state): State<AppState>,
    Moderator(actor): Moderator,
    IdPath(id): IdPath,
) -> Result<Json<AdminComment>, ApiError> {
    state.moderation.dismiss_reports(&actor, id).await?;
    let (c, p) = state.moderation.comment(id).await?;
    Ok(Json(AdminComment::new(&c, &p)))
}
