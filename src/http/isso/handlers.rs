//! The handlers of the Isso-compatible API: each reads its request, calls one domain
//! function, and answers in Isso's shapes and statuses (201 published, 202 waiting).
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::request::{EditCookies, IssoEdit, IssoPreview, edit_token};
use super::views::{self, CONFIG, ConfigResponse, IssoComment, IssoThread, Sort, Window};
use super::{CommentPath, IssoIncoming, SitePath, with_cookies};
use crate::http::AppState;
use crate::http::client::ClientIp;
use crate::http::error::ApiError;
use crate::http::extract::ValidatedJson;
use crate::moderation::input::CommentText;
use crate::moderation::{Deletion, FieldErrors, markdown};
use entity::enums::CommentStatus;

/// How many comments one read of the domain's thread returns.
const PAGE: u64 = 500;

pub async fn config(SitePath(_): SitePath) -> Json<ConfigResponse> {
    Json(ConfigResponse { config: CONFIG })
}

#[derive(Debug, Default, Deserialize)]
pub struct FetchQuery {
    #[serde(default)]
    uri: String,
    parent: Option<String>,
    limit: Option<String>,
    nested_limit: Option<String>,
    offset: Option<String>,
    after: Option<String>,
    sort: Option<String>,
    plain: Option<String>,
}

fn bad(field: &str, msg: &str) -> ApiError {
    ApiError::Validation(FieldErrors::from([(
        field.to_owned(),
        vec![msg.to_owned()],
    )]))
}

fn number<T: std::str::FromStr>(v: Option<&str>, field: &str) -> Result<Option<T>, ApiError> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| bad(field, "must be a non-negative integer")),
    }
}

impl FetchQuery {
    fn window(&self) -> Result<Window, ApiError> {
        let sort = match self.sort.as_deref().unwrap_or_default() {
            "" | "oldest" | "upvotes" => Sort::Oldest,
            "newest" => Sort::Newest,
            _ => return Err(bad("sort", "must be one of newest, oldest, upvotes")),
        };
        Ok(Window {
            parent: number(self.parent.as_deref(), "parent")?,
            limit: number(self.limit.as_deref(), "limit")?,
            nested_limit: number(self.nested_limit.as_deref(), "nested_limit")?,
            offset: number(self.offset.as_deref(), "offset")?.unwrap_or(0),
            after: number(self.after.as_deref(), "after")?.unwrap_or(0.0),
            sort,
            plain: self.plain.as_deref() == Some("1"),
        })
    }
}

/// `GET /?uri=`: the published comments of a page, in Isso's two levels.
pub async fn fetch(
    State(state): State<AppState>,
    SitePath(site): SitePath,
    Query(q): Query<FetchQuery>,
) -> Result<IssoThread, ApiError> {
    if q.uri.is_empty() {
        return Err(bad("uri", "is required"));
    }
    let window = q.window()?;
    let mut comments = Vec::new();
    loop {
        let offset = u64::try_from(comments.len()).unwrap_or(u64::MAX);
        let view = crate::moderation::ThreadView {
            offset,
            limit: PAGE,
            newest_first: false,
            published: None,
        };
        let t = state.moderation.thread(&site, &q.uri, view).await?;
        let done = t.comments.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        comments.extend(t.comments);
        if done || u64::try_from(comments.len()).unwrap_or(u64::MAX) >= t.total {
            break;
        }
    }
    Ok(views::thread(&comments, &window))
}

/// `POST /new?uri=`: 201 when published at once, 202 when it waits for a moderator.
pub async fn new(State(state): State<AppState>, IssoIncoming(new, once): IssoIncoming) -> Response {
    let parent = new.parent_id;
    let notify = new.notify_replies;
    let site = new.site.id.clone();
    let s = match state.moderation.submit_keyed(new, once).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let published = s.status == CommentStatus::Approved;
    let body = IssoComment {
        id: s.id,
        parent,
        text: s.html.clone(),
        author: Some(s.author_name.clone()),
        website: s.author_url.clone(),
        mode: if published { 1 } else { 2 },
        created: views::seconds(s.created_at),
        modified: None,
        likes: 0,
        dislikes: 0,
        hash: views::name_hash(&s.author_name),
        notification: u8::from(notify),
        total_replies: None,
        hidden_replies: None,
        replies: None,
    };
    let status = if published {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let max_age = seconds_until(s.edit_expires_at, state.clock.now());
    let cookies = EditCookies::new(&site, s.id, &s.edit_token, max_age, secure(&state));
    with_cookies((status, Json(body)).into_response(), &cookies)
}

/// Whole seconds until `deadline`, rounded up, so a cookie lives as long as its token.
fn seconds_until(
    deadline: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> i64 {
    let ms = (deadline - now).num_milliseconds();
    ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) > 0)
}

fn secure(state: &AppState) -> bool {
    state.config.server.public_url.scheme() == "https"
}

fn token(headers: &HeaderMap, id: i64) -> Result<String, ApiError> {
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    edit_token(&cookies, id).ok_or(ApiError::Forbidden)
}

#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    plain: Option<String>,
}

/// `GET /id/N`: the author's own comment, for editing (needs its edit cookie).
pub async fn view(
    State(state): State<AppState>,
    path: CommentPath,
    headers: HeaderMap,
    Query(q): Query<ViewQuery>,
) -> Result<Json<IssoComment>, ApiError> {
    let c = state
        .moderation
        .own_comment(path.id, &token(&headers, path.id)?)
        .await?;
    Ok(Json(IssoComment::from_model(
        &c,
        q.plain.as_deref() == Some("1"),
    )))
}

/// `PUT /id/N`: the author edits their text within the edit window.
pub async fn edit(
    State(state): State<AppState>,
    path: CommentPath,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ValidatedJson(body): ValidatedJson<IssoEdit>,
) -> Result<Response, ApiError> {
    let token = token(&headers, path.id)?;
    let text = CommentText::parse(body.text.as_deref().unwrap_or_default())
        .map_err(|m| bad("text", &m))?;
    crate::http::limit::check_edit(&state, ip).await?;
    let c = state.moderation.edit_own(path.id, &token, text).await?;
    let body = Json(IssoComment::from_model(&c, false)).into_response();
    // The same token still proves authorship until the window closes.
    let left = seconds_until(
        c.created_at + crate::moderation::own::EDIT_WINDOW,
        state.clock.now(),
    );
    let cookies = EditCookies::new(&path.site, c.id, &token, left, secure(&state));
    Ok(with_cookies(body, &cookies))
}

/// `DELETE /id/N`: `null` when the comment is gone, or its placeholder when replies hang
/// from it.
pub async fn delete(
    State(state): State<AppState>,
    path: CommentPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = token(&headers, path.id)?;
    let before = state.moderation.own_comment(path.id, &token).await?;
    let outcome = state.moderation.delete_own(path.id, &token).await?;
    let body = match outcome {
        Deletion::Removed => Value::Null,
        Deletion::Tombstone => {
            let mut gone = IssoComment::from_model(&before, false);
            gone.mode = 4;
            gone.text = String::new();
            gone.author = None;
            gone.website = None;
            gone.modified = Some(views::seconds(state.clock.now()));
            json!(gone)
        }
    };
    let cookies = EditCookies::new(&path.site, path.id, "", 0, secure(&state));
    Ok(with_cookies(Json(body).into_response(), &cookies))
}

/// `POST /count`: a list of page paths in, the published count of each out, in order.
pub async fn count(
    State(state): State<AppState>,
    SitePath(site): SitePath,
    body: Result<Json<Vec<String>>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Vec<u64>>, ApiError> {
    let Json(uris) =
        body.map_err(|_| ApiError::Malformed("expected a JSON list of URIs".into()))?;
    if uris.len() > 100 {
        return Err(bad("uris", "at most 100 per request"));
    }
    let counts = state.moderation.counts(&site, &uris).await?;
    Ok(Json(
        uris.iter()
            .map(|u| counts.get(u).copied().unwrap_or(0))
            .collect(),
    ))
}

/// `POST /preview`: the text rendered as it would be published.
pub async fn preview(
    SitePath(_): SitePath,
    ValidatedJson(body): ValidatedJson<IssoPreview>,
) -> Json<Value> {
    Json(json!({ "text": markdown::render(body.text.as_deref().unwrap_or_default()) }))
}

/// `POST /id/N/like` and `/dislike`: replyd keeps no votes (`/config` says `vote: false`, so
/// the client shows no buttons); an older page that still asks hears the counts, unchanged.
pub async fn vote(path: CommentPath) -> Json<Value> {
    let _ = path.id;
    Json(json!({ "likes": 0, "dislikes": 0 }))
}
