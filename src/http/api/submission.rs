//! A new comment at the front door, as one extractor: the JSON body or the no-JS form, read
//! and validated, converted into the domain's `NewComment`, and checked against the rate
//! limits. Limits are checked only once a submission passed that cheap validation, so a
//! flood of invalid posts cannot spend a page's or a site's quota. A retry that carries an
//! `Idempotency-Key` already answered is replayed before the limits, so it spends nothing.
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::request::{CommentForm, CommentRequest};
use crate::http::AppState;
use crate::http::error::{ApiError, Page};
use crate::http::extract::{Submitter, ValidatedForm, ValidatedJson, is_form};
use crate::http::limit;
use crate::moderation::{Begun, NewComment, OnceKey};

/// The header a client names a submission with, so that a retry is answered, not stored.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A comment ready for the domain, and which surface it came from, with what its
/// `Idempotency-Key` found (`None` without one).
pub enum Incoming {
    Json(NewComment, Option<Begun>),
    /// The no-JS form, kept to refill it or to know where to go back to.
    Form(NewComment, Box<CommentForm>, Option<Begun>),
}

impl FromRequest<AppState> for Incoming {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(submitter) = Submitter::from_request_parts(&mut parts, state).await;
        let form = is_form(&parts.headers);
        let key = idempotency_key(&parts.headers);
        let req = Request::from_parts(parts, body);
        if form {
            let ValidatedForm(form) =
                ValidatedForm::<CommentForm>::from_request(req, state).await?;
            let new = NewComment::try_from((form.request(), submitter, &*state.config))
                .map_err(|e| form.refused(state, e))?;
            let once = admit(state, &new, key)
                .await
                .map_err(|e| Page(e).into_response())?;
            return Ok(Incoming::Form(new, Box::new(form), once));
        }
        let ValidatedJson(json) = ValidatedJson::<CommentRequest>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let new = NewComment::try_from((json, submitter, &*state.config))
            .map_err(IntoResponse::into_response)?;
        let once = admit(state, &new, key)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Incoming::Json(new, once))
    }
}

/// The header's value; one that is not text reads as an invalid key.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().unwrap_or("\u{0}").to_owned())
}

/// The key's look-up, then, unless it replays an answer, the rate limits of a valid
/// submission: its address, its email, its page and its site.
pub(crate) async fn admit(
    state: &AppState,
    new: &NewComment,
    key: Option<String>,
) -> Result<Option<Begun>, ApiError> {
    let once = match key {
        Some(raw) => {
            let key = OnceKey::new(&raw, new)?;
            Some(state.moderation.begin_once(key).await?)
        }
        None => None,
    };
    if !matches!(once, Some(Begun::Replay(_))) {
        limit::check_comment(state, new).await?;
    }
    Ok(once)
}
